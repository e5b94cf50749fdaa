"""The reports' tables as CSV: one row per item or category, full precision (round only for
display), empty cells where a statistic is undefined, and a ``data_source`` column so a
table never loses where its numbers come from."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Literal

from service.analytics.reports import BiasAuditReport, DifReport, ItemAnalysisReport

Cell = str | int | float | bool | None
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    # A text cell a spreadsheet would run as a formula is quoted as text.
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """CSV text (RFC 4180, CRLF line ends) of ``rows`` under ``header``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def item_analysis_csv(report: ItemAnalysisReport, table: Literal["items", "test"] = "items") -> str:
    """The per-item table, or the whole-test table (one row)."""
    source = report.coverage.data_source.kind
    if table == "test":
        t = report.analysis.test
        return to_csv(
            [
                "form_id",
                "n",
                "items",
                "max_total",
                "mean",
                "median",
                "sd",
                "skewness",
                "kurtosis",
                "cic",
                "error_ratio",
                "standard_error",
                "data_source",
            ],
            [
                [
                    report.form_id,
                    t.n,
                    t.items,
                    t.max_total,
                    t.mean,
                    t.median,
                    t.sd,
                    t.skewness,
                    t.kurtosis,
                    t.cic,
                    t.error_ratio,
                    t.standard_error,
                    source,
                ]
            ],
        )
    return to_csv(
        [
            "form_id",
            "item_id",
            "max_mark",
            "mean_mark",
            "facility",
            "sd",
            "intended_weight",
            "effective_weight",
            "discrimination_index",
            "discriminative_efficiency",
            "flags",
            "data_source",
        ],
        (
            [
                report.form_id,
                i.id,
                i.max_mark,
                i.mean_mark,
                i.facility,
                i.sd,
                i.intended_weight,
                i.effective_weight,
                i.discrimination_index,
                i.discriminative_efficiency,
                ";".join(i.flags),
                source,
            ]
            for i in report.analysis.items
        ),
    )


def dif_csv(report: DifReport) -> str:
    """One row per item."""
    source = report.coverage.data_source.kind
    d = report.dif
    return to_csv(
        [
            "form_id",
            "item_id",
            "attribute",
            "reference",
            "focal",
            "n_reference",
            "n_focal",
            "p_reference",
            "p_focal",
            "alpha_mh",
            "delta_mh",
            "se_delta",
            "chi_square",
            "p_value",
            "ets_class",
            "favors",
            "partial_credit",
            "note",
            "data_source",
        ],
        (
            [
                report.form_id,
                i.id,
                report.attribute,
                d.reference,
                d.focal,
                i.n_reference,
                i.n_focal,
                i.p_reference,
                i.p_focal,
                i.alpha_mh,
                i.delta_mh,
                i.se_delta,
                i.chi_square,
                i.p_value,
                i.ets_class,
                i.favors,
                i.id in report.partial_credit_items,
                i.note,
                source,
            ]
            for i in d.items
        ),
    )


def bias_audit_csv(report: BiasAuditReport) -> str:
    """Every category of every dimension, then each dimension's unknown count."""
    source = report.coverage.data_source.kind
    audit = report.audit
    rows: list[list[Cell]] = []
    for name, table in (
        ("sex", audit.sex),
        ("race_ethnicity", audit.race_ethnicity),
        ("intersection", audit.intersections),
    ):
        rows += [
            [
                name,
                c.category,
                c.sex,
                c.race_ethnicity,
                c.count,
                c.selected,
                c.rate,
                c.impact_ratio,
                c.below_four_fifths,
                c.excluded_under_2_percent,
                audit.method,
                report.outcome,
                source,
            ]
            for c in table.categories
        ]
        rows.append(
            [
                name,
                "unknown",
                None,
                None,
                table.unknown,
                None,
                None,
                None,
                None,
                None,
                audit.method,
                report.outcome,
                source,
            ]
        )
    return to_csv(
        [
            "dimension",
            "category",
            "sex",
            "race_ethnicity",
            "count",
            "selected",
            "rate",
            "impact_ratio",
            "below_four_fifths",
            "excluded_under_2_percent",
            "method",
            "outcome",
            "data_source",
        ],
        rows,
    )
