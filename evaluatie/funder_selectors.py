"""The reads of the funder's pages: cycles with their report, the stored files, and the overview of every
organisation a funder funds. Aggregates only; the files and the page's HTML were built from the figures
document, which holds no personal data."""

from django.db.models import Prefetch
from django_scopes import scope, scopes_disabled

from netwerken.models import Organisation
from netwerken.validators import parse_id

from . import catalogue
from .models import EvaluationCycle, FrozenFigure, FunderReport
from .suppression import headline_cell, suppress_breakdown

FILES = ("pdf", "xlsx", "csv", "html")


def _reports():
    return FunderReport.objects.defer(*FILES)


def report_cycles():
    """The current organisation's cycles, newest first, each with its report (without the files) or None."""
    return EvaluationCycle.objects.prefetch_related(Prefetch("report", queryset=_reports())).order_by("-start", "-pk")


def cycle_with_report(pk):
    """(cycle, report or None) of the current organisation; the report with its page's HTML, not its files.
    Raises EvaluationCycle.DoesNotExist for a cycle of another organisation."""
    cycle = EvaluationCycle.objects.select_related("organisation").get(pk=pk)
    report = FunderReport.objects.defer("pdf", "xlsx", "csv").filter(cycle=cycle).first()
    return cycle, report


def report_state(cycle_pk):
    """What the report page polls while a report is built: status, percentage and step, or None."""
    if parse_id(cycle_pk) is None:  # SQLite cannot even compare an id beyond 64 bits
        return None
    return FunderReport.objects.filter(cycle_id=cycle_pk).values("status", "progress", "step", "built_at").first()


def report_file(cycle_pk, fmt):
    """The bytes of one stored file of the cycle's report, or None when it has not been built."""
    if fmt not in ("pdf", "xlsx", "csv"):
        return None
    row = FunderReport.objects.filter(cycle_id=cycle_pk, built_generation__gt=0).values_list(fmt, flat=True).first()
    return bytes(row) if row is not None else None


def file_sizes(cycle_pk):
    """{format: bytes} of the stored files, counted by the database (the files are not loaded)."""
    from django.db.models.functions import Length

    row = (
        FunderReport.objects.filter(cycle_id=cycle_pk, built_generation__gt=0)
        .annotate(pdf_size=Length("pdf"), xlsx_size=Length("xlsx"), csv_size=Length("csv"))
        .values("pdf_size", "xlsx_size", "csv_size")
        .first()
    )
    return {fmt: row[f"{fmt}_size"] for fmt in ("pdf", "xlsx", "csv")} if row else {}


def overview(funder):
    """What a funder sees of all it funds together: per organisation its latest closed cycle's headline
    counts, and their sum, each as a publishable Cell (small cells and what would give them away hidden).

    Three queries whatever the number of organisations: organisations, their closed cycles, the frozen
    totals. Averages (waiting days, scores) are not added up across organisations: the sum means nothing."""
    with scopes_disabled():
        organisations = list(Organisation.objects.filter(funders=funder).order_by("name"))
    if not organisations:
        return {"organisations": [], "without_cycle": [], "rows": [], "table": []}
    with scope(organisation=[o.pk for o in organisations]):
        latest = {}
        for cycle in EvaluationCycle.objects.filter(status=EvaluationCycle.Status.CLOSED).order_by("-end", "-pk"):
            latest.setdefault(cycle.organisation_id, cycle)
        values = {}
        for figure in FrozenFigure.objects.filter(cycle__in=latest.values(), breakdown=""):
            value = None if figure.value is None else float(figure.value)
            values.setdefault(figure.cycle_id, {})[figure.indicator_key] = value
    counted = [i for i in catalogue.catalogue() if i.unit in ("aantal", "uren")]
    keys = [i.key for i in counted if any(i.key in v for v in values.values())]
    rows = []
    for organisation in organisations:
        cycle = latest.get(organisation.pk)
        if cycle is None:
            continue
        rows.append(
            {
                "label": organisation.name,
                "organisation": organisation,
                "cycle": cycle,
                "values": {key: values.get(cycle.pk, {}).get(key) for key in keys if key in values.get(cycle.pk, {})},
            }
        )
    units = {i.key: i.unit for i in counted if i.key in keys}
    published = suppress_breakdown(rows, units)
    indicators = [i for i in counted if i.key in keys]
    table = [
        {
            "indicator": indicator,
            "cells": [cells["values"].get(indicator.key) for cells in published],
            "total": headline_cell(sum(float(row["values"].get(indicator.key) or 0) for row in rows), indicator.unit),
        }
        for indicator in indicators
    ]
    return {
        "organisations": organisations,
        "without_cycle": [o for o in organisations if o.pk not in latest],
        "rows": rows,
        "table": table if rows else [],
    }
