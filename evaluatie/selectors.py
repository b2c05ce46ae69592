"""Reads of the evaluation: cycles, their figures (live, or frozen once closed), marks against targets,
surveys, and the figures document a report is rendered from (`cycle_document`). Never writes.

Figures are {indicator key: {breakdown: {label: value}}} with breakdown "" (the total, label ""),
"category" and "area". A catalogue indicator's key is its catalogue key; a manual one's is
"handmatig:<pk>" (CycleIndicator.figure_key).
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from . import catalogue
from .models import CycleIndicator, EvaluationCycle, FrozenFigure, ImprovementAction, Story, SurveyResponse

# On track: within this share of the target, either way.
TOLERANCE = Decimal("0.10")
ON_TRACK, BEHIND, AHEAD = "op_koers", "achter", "voor"
MARK_LABELS = {ON_TRACK: _("op koers"), BEHIND: _("achter"), AHEAD: _("voor")}
MARK_DEFINITION = _(
    "Op koers: de waarde ligt binnen 10% van de streefwaarde (naar boven of beneden). Voor: meer dan 10% beter "
    "dan de streefwaarde; achter: meer dan 10% slechter. Bij een indicator waar lager beter is (zoals de "
    "wachttijd) is beter: lager."
)
TREND_LENGTH = 8
BREAKDOWNS = catalogue.BREAKDOWNS


def cycle_list():
    return EvaluationCycle.objects.select_related("previous").annotate(
        indicator_count=Count("indicators", distinct=True),
        open_actions=Count("actions", filter=Q(actions__status__in=ImprovementAction.OPEN_STATUSES), distinct=True),
    )


def cycle_detail(pk):
    return EvaluationCycle.objects.select_related("organisation", "previous", "closed_by").get(pk=pk)


def indicators_of(cycle):
    return list(CycleIndicator.objects.filter(cycle=cycle))


def number(value):
    """A figure as a plain number: an int when whole, else a float; None stays None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def count_key(key):
    """The figure key of how many responses an average or median rests on ("waiting_days:n")."""
    return f"{key}:n"


def live_figures(cycle, indicators=None, *, breakdowns=True):
    """Every figure of the cycle's indicators computed now from the data. Figures that share a query
    (catalogue.Shared) get it run once per breakdown for all of them."""
    indicators = indicators_of(cycle) if indicators is None else indicators
    shared = {}

    def run(compute, breakdown):
        if not isinstance(compute, catalogue.Shared):
            return compute(start=cycle.start, end=cycle.end, breakdown=breakdown)
        if (compute.source, breakdown) not in shared:
            shared[compute.source, breakdown] = compute.source(start=cycle.start, end=cycle.end, breakdown=breakdown)
        return shared[compute.source, breakdown].get(compute.figure, {})

    result = {}
    for item in indicators:
        if item.is_manual:
            result[item.figure_key] = {"": {"": item.manual_value}}
            continue
        indicator = catalogue.get(item.key)
        if indicator is None or (indicator.applies is not None and not indicator.applies_to(cycle.organisation)):
            continue  # not (or no longer) in the catalogue, or not for this type of buurthulp
        for key, compute in ((item.key, indicator.compute), (count_key(item.key), indicator.count)):
            if compute is None:
                continue
            figures = {"": {"": run(compute, "").get("", None)}}
            if breakdowns:
                for breakdown in BREAKDOWNS:
                    figures[breakdown] = run(compute, breakdown)
            result[key] = figures
    return result


def frozen_figures(cycles):
    """{cycle pk: figures} of closed cycles, read from FrozenFigure in one query."""
    result = {cycle.pk: defaultdict(lambda: defaultdict(dict)) for cycle in cycles}
    for cycle_id, key, breakdown, label, value in FrozenFigure.objects.filter(cycle__in=cycles).values_list(
        "cycle_id", "indicator_key", "breakdown", "label", "value"
    ):
        result[cycle_id][key][breakdown][label] = value
    return result


def figures_of(cycle, indicators=None, *, breakdowns=True):
    if cycle.is_closed:
        return frozen_figures([cycle])[cycle.pk]
    return live_figures(cycle, indicators, breakdowns=breakdowns)


def _totals(figures):
    return {key: number(by_breakdown.get("", {}).get("")) for key, by_breakdown in figures.items()}


def totals_of(cycles):
    """{cycle pk: {key: total}} for earlier cycles: frozen ones in one query, open ones computed (totals only)."""
    closed = [cycle for cycle in cycles if cycle.is_closed]
    result = {pk: _totals(figures) for pk, figures in frozen_figures(closed).items()} if closed else {}
    for cycle in cycles:
        if not cycle.is_closed:
            result[cycle.pk] = _totals(live_figures(cycle, breakdowns=False))
    return result


def mark(value, target, higher_is_better=True):
    """op_koers within 10% of the target, voor when better than that, achter when worse; None without both."""
    if value is None or target is None:
        return None
    value, target = Decimal(str(value)), Decimal(str(target))
    margin = abs(target) * TOLERANCE
    if abs(value - target) <= margin:
        return ON_TRACK
    better = value > target if higher_is_better else value < target
    return AHEAD if better else BEHIND


def _previous_chain_fast(cycle):
    """The earlier cycles of the organisation, newest first, in one query."""
    return list(
        EvaluationCycle.objects.filter(organisation_id=cycle.organisation_id, start__lt=cycle.start).order_by(
            "-start", "-pk"
        )[:TREND_LENGTH]
    )


def _indicator_meta(item):
    if item.is_manual:
        return {
            "key": item.figure_key,
            "label": item.name,
            "definition": item.definition,
            "unit": catalogue.COUNT,
            "unit_label": "",
            "has_rows": False,
            "has_count": False,
        }
    indicator = catalogue.get(item.key)
    return {
        "key": item.key,
        "label": indicator.label if indicator else item.key,
        "definition": indicator.definition if indicator else "",
        "unit": indicator.unit if indicator else "",
        "unit_label": catalogue.UNIT_LABELS.get(indicator.unit, indicator.unit) if indicator else "",
        "has_rows": bool(indicator and indicator.rows),
        "has_count": bool(indicator and indicator.count),
    }


def _applicable(cycle, indicators):
    """The cycle's indicators without the catalogue ones that do not apply to its organisation's type."""
    return [item for item in indicators if item.is_manual or not _not_applicable(cycle, item.key)]


def _not_applicable(cycle, key):
    indicator = catalogue.get(key)
    return indicator is not None and indicator.applies is not None and not indicator.applies_to(cycle.organisation)


def cycle_figures(cycle):
    """The cycle's indicators with value, target, previous value and mark, and the breakdowns. A catalogue
    indicator that does not apply to the organisation's type of buurthulp is left out ("niet van toepassing")."""
    indicators = _applicable(cycle, indicators_of(cycle))
    figures = figures_of(cycle, indicators)
    earlier = _previous_chain_fast(cycle)
    previous_cycle = cycle.previous if cycle.previous_id else (earlier[0] if earlier else None)
    earlier_totals = totals_of(earlier) if earlier else {}
    if previous_cycle is not None and previous_cycle.pk not in earlier_totals:
        earlier_totals.update(totals_of([previous_cycle]))
    previous_totals = earlier_totals.get(previous_cycle.pk, {}) if previous_cycle else {}
    rows = []
    for item in indicators:
        meta = _indicator_meta(item)
        value = number(figures.get(meta["key"], {}).get("", {}).get(""))
        target = number(item.target)
        row = {
            **meta,
            "pk": item.pk,
            "value": value,
            "target": target,
            "higher_is_better": item.higher_is_better,
            "previous": previous_totals.get(meta["key"]),
            "status": mark(value, target, item.higher_is_better),
        }
        if meta["has_count"]:
            row["n"] = number(figures.get(count_key(meta["key"]), {}).get("", {}).get("")) or 0
            row["previous_n"] = previous_totals.get(count_key(meta["key"])) if previous_cycle else None
        rows.append(row)
    breakdowns, columns = {}, {}
    for breakdown in BREAKDOWNS:
        # Only the indicators that have this breakdown (a manual one or the signals have none); a count
        # missing for a group is 0, an average missing for it is unknown.
        columns[breakdown] = [row for row in rows if figures.get(row["key"], {}).get(breakdown)]
        labels = sorted({label for row in columns[breakdown] for label in figures[row["key"]][breakdown] if label})
        counted = [row["key"] for row in columns[breakdown] if row["has_count"]]
        breakdowns[breakdown] = [
            {
                "label": label,
                "values": {
                    row["key"]: number(figures[row["key"]][breakdown].get(label, None if row["has_count"] else 0))
                    for row in columns[breakdown]
                },
                "n": {
                    key: number(figures.get(count_key(key), {}).get(breakdown, {}).get(label)) or 0 for key in counted
                },
            }
            for label in labels
        ]
    counted = [row["key"] for row in rows if row["has_count"]]
    trend = [
        {
            "cycle": earlier_cycle.name,
            "values": {row["key"]: earlier_totals.get(earlier_cycle.pk, {}).get(row["key"]) for row in rows},
            "n": {key: earlier_totals.get(earlier_cycle.pk, {}).get(count_key(key)) for key in counted},
        }
        for earlier_cycle in reversed(earlier)
    ]
    return {
        "indicators": rows,
        "breakdowns": breakdowns,
        "breakdown_columns": columns,
        # For the page: each breakdown with its heading, its columns and its groups.
        "breakdown_tables": [
            {"kind": kind, "title": BREAKDOWN_LABELS.get(kind, kind), "columns": columns[kind], "groups": groups}
            for kind, groups in breakdowns.items()
            if columns[kind]
        ],
        "trend": trend,
        "previous_cycle": previous_cycle,
    }


def survey_summary(cycle):
    """Per respondent (resident, volunteer): how many answered, the average score, the share who'd recommend."""
    rows = (
        SurveyResponse.objects.filter(cycle=cycle)
        .order_by()
        .values("respondent")
        .annotate(
            count=Count("pk"),
            average=Avg("score"),
            recommend=Count("pk", filter=Q(would_recommend=True)),
        )
    )
    summary = {
        respondent: {"count": 0, "average": None, "recommend_share": None}
        for respondent in SurveyResponse.Respondent.values
    }
    for row in rows:
        summary[row["respondent"]] = {
            "count": row["count"],
            "average": round(row["average"], 1) if row["average"] is not None else None,
            "recommend_share": round(100 * row["recommend"] / row["count"]) if row["count"] else None,
        }
    return summary


def survey_comments(cycle):
    """Staff only: the free-text comments of the cycle's survey."""
    return SurveyResponse.objects.filter(cycle=cycle).exclude(comment="").only("respondent", "comment", "created_at")


def stories_of(cycle):
    return Story.objects.filter(cycle=cycle).select_related("written_by", "approved_by")


def actions_of(cycle):
    return ImprovementAction.objects.filter(cycle=cycle).select_related("owner", "from_proposal", "carried_from__cycle")


def cycle_page_context(cycle):
    return {
        "cycle": cycle,
        **cycle_figures(cycle),
        "mark_labels": MARK_LABELS,
        "mark_definition": MARK_DEFINITION,
        "surveys": survey_summary(cycle),
        "comments": list(survey_comments(cycle)),
        "stories": list(stories_of(cycle)),
        "actions": list(actions_of(cycle)),
        "breakdown_labels": BREAKDOWN_LABELS,
    }


BREAKDOWN_LABELS = {"category": _("Per soort hulp"), "area": _("Per buurt"), "network": _("Per netwerk")}


def indicator_rows(cycle, key):
    """Staff only: the requests or matches behind a catalogue indicator, for the cycle's period."""
    indicator = catalogue.get(key)
    if indicator is None or indicator.rows is None:
        return None
    queryset = indicator.rows(start=cycle.start, end=cycle.end)
    if queryset.model._meta.model_name == "helprequest":
        return queryset.select_related("category", "area", "resident").order_by("-created_at", "-pk")
    return queryset.select_related(
        "help_request__category", "help_request__area", "volunteer__membership__user"
    ).order_by("-proposed_at", "-pk")


def cycle_document(cycle) -> dict:
    """The figures document of a cycle, what a report renders: aggregates only, no personal data (no names of
    residents or volunteers, no free text of theirs); the frozen values of a closed cycle."""
    figures = cycle_figures(cycle)
    surveys = survey_summary(cycle)
    return {
        "organisation": cycle.organisation.name,
        "cycle": {"name": cycle.name, "start": cycle.start, "end": cycle.end, "status": cycle.status},
        "goals": cycle.goals,
        "indicators": [
            {
                "key": row["key"],
                "label": str(row["label"]),
                "definition": str(row["definition"]),
                "unit": str(row["unit"]),
                "value": row["value"],
                "target": row["target"],
                "previous": row["previous"],
                "status": row["status"],
                # For an average or median: how many responses the value and the previous value rest on.
                **({"n": row["n"], "previous_n": row["previous_n"]} if "n" in row else {}),
            }
            for row in figures["indicators"]
        ],
        "breakdowns": figures["breakdowns"],
        "trend": figures["trend"],
        "surveys": {
            respondent: {key: value for key, value in summary.items()} for respondent, summary in surveys.items()
        },
        "stories": [
            {"title": story.title, "text": story.text}
            for story in Story.objects.filter(cycle=cycle, status=Story.Status.APPROVED).order_by("written_at", "pk")
        ],
        "actions": [
            {"title": action.title, "status": action.status, "due": action.due}
            for action in ImprovementAction.objects.filter(cycle=cycle).order_by("due", "pk")
        ],
    }
