"""ChartReady: readiness assessments and hiring screening for Medical Records Clerks."""

__version__ = "0.1.0"
