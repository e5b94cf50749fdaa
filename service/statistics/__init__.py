"""Exact test statistics, pure numpy/scipy: item analysis, bias audit, DIF.

Nothing here touches a database, the web or files: every function takes arrays and returns
msgspec Structs, so the service (over stored attempts), the command line (over a CSV an
auditor brings) and the coordinator pages all compute the same numbers. Definitions:
``item_analysis`` follows Moodle's quiz statistics, ``bias_audit`` NYC Local Law 144 and the
EEOC four-fifths rule, ``mantel_haenszel_dif`` Holland & Thayer (1988) with the ETS A/B/C
classification. Undefined values are ``None`` (JSON ``null``), never NaN.
"""

from __future__ import annotations

from service.statistics.bias_audit import BiasAudit, CategoryRate, DimensionTable, bias_audit
from service.statistics.dif import DifAnalysis, DifItem, mantel_haenszel_dif
from service.statistics.errors import InsufficientData, StatisticsInputError
from service.statistics.item_analysis import (
    ItemAnalysis,
    ItemStatistics,
    OverallStatistics,
    item_analysis,
)

__all__ = [
    "BiasAudit",
    "CategoryRate",
    "DifAnalysis",
    "DifItem",
    "DimensionTable",
    "InsufficientData",
    "ItemAnalysis",
    "ItemStatistics",
    "OverallStatistics",
    "StatisticsInputError",
    "bias_audit",
    "item_analysis",
    "mantel_haenszel_dif",
]
