"""The ground: settings, database pool and embedded PostgreSQL, migrations, the exception
tree, logs and request context. Imports nothing else of ChartReady and no web framework."""
