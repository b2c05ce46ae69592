"""Small-cell suppression for funder reports: no figure lets anyone recognise a resident or volunteer.

Pure functions on numbers; no models, no database. Every output of a funder report (web page, PDF,
spreadsheet, CSV) goes through `suppress_document`, so none of them can show a figure the others hide.

The rules
---------
Which figures are suppressed, by unit:

- ``aantal`` (people, requests, matches, contact moments, escalations, ...) and ``uren`` (hours, a
  sum over few matches when it is small; rounded to whole hours first): any value below 5, zero
  included, is shown as "< 5". Zero is included so that "< 5" always means "0 to 4" and a reader
  learns nothing from which small cells are empty.
- ``euro`` (the "extraatje" fees) is a sum over few people when small, like hours: published in whole
  euros, any value below 5 shown as "< 5", complemented in a breakdown as a count is.
- ``verschil`` (a change that may be negative: the growth of the resident networks): shown only when it
  is 5 or more either way; a smaller change shows "< 5" (meaning −4 to 4). In a breakdown a column with
  any such cell is hidden whole ("x"): with negative cells the complementary reasoning below does not
  hold, and hiding the column is the safe side.
- ``dagen`` and ``score`` are averages (waiting time, satisfaction). Their value is not sensitive in
  itself; who answered is. An average is shown only when it is known to rest on at least 5 responses
  (the figures document gives the count as ``n``); otherwise it is shown as "—". An unknown count
  counts as too few.
- Any other unit is treated as ``aantal``: the safe side.

Complementary suppression, per indicator within one breakdown (a column of the breakdown table):
a reader knows the indicator's total (it is on the report; when a breakdown does not add up to it we
still assume the reader knows the sum of the cells) and every shown cell, so the hidden cells' sum is
known. Hidden cells are chosen so that, from that sum, the shown cells and the labels alone, a cell
shown as "< 5" could still be any of 0, 1, 2, 3 and 4: the report tells nothing more about it than
"< 5" does. A single "< 5" cell is therefore never enough (total minus shown cells would give it);
the next smallest cell that makes the hidden ones safe is hidden too, shown as "x" (and a reader may
assume an "x" is at least 5, as it is). When even hiding every cell of the column cannot make the
"< 5" cells safe (say two areas with 4 each and a total of 8), the whole column is shown as "x" and
the reader knows only the total.

Headline figures (the indicators table, the previous period, the trend) follow the same threshold;
they are single numbers, so there is nothing to complement. A status mark (op koers, achter, voor)
is not shown for a suppressed headline, since against a small target it could narrow the value.

What the figures document must give for averages (all optional; without them an average is "—"):
``indicator["n"]`` and ``indicator["previous_n"]`` (responses behind value and previous), and for a
breakdown row or a trend point ``{"n": {key: responses}}`` beside its ``"values"``.

What this does not cover: relations between different indicators of the same row (e.g. "handled"
can never exceed "received"), which a determined reader could combine; the breakdowns are published
one dimension at a time (never category x area), which keeps that risk small.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5
SMALL = "< 5"  # a value below the threshold
HIDDEN = "x"  # hidden so that a small value elsewhere cannot be worked out
NOT_SHOWN = "—"  # an average of too few (or an unknown number of) responses

COUNT_UNITS = frozenset({"aantal", "uren", "euro"})
AVERAGE_UNITS = frozenset({"dagen", "score"})
DIFFERENCE_UNITS = frozenset({"verschil"})

LEGEND = {
    SMALL: "minder dan 5 (0 tot en met 4); verborgen zodat niemand herkenbaar is",
    HIDDEN: "verborgen zodat een klein aantal niet uit het totaal en de andere cijfers is terug te rekenen",
    NOT_SHOWN: "gemiddelde niet getoond: minder dan 5 antwoorden",
}


@dataclass(frozen=True)
class Cell:
    """A figure as it may be published: the number, or (never both) the text that replaces it.

    The true value of a suppressed figure is not kept, so no renderer can print it by mistake.
    """

    number: int | float | None
    text: str = ""

    @property
    def suppressed(self) -> bool:
        return self.number is None and self.text in (SMALL, HIDDEN, NOT_SHOWN)

    def __bool__(self) -> bool:
        return self.number is not None or bool(self.text)

    def __str__(self) -> str:
        if self.number is None:
            return self.text
        return format_number(self.number)


EMPTY = Cell(None, "")


def format_number(value: int | float) -> str:
    """Dutch notation: 1.234 and 4,5."""
    if isinstance(value, float) and not value.is_integer():
        whole, _, frac = f"{value:,.1f}".partition(".")
        return whole.replace(",", ".") + "," + frac
    return f"{int(value):,}".replace(",", ".")


def is_count(unit: str | None) -> bool:
    return unit not in AVERAGE_UNITS


def _count(value: int | float) -> int:
    # Hours are published in whole hours; counts are whole already. Whole numbers keep the guarantee exact.
    return int(math.floor(value + 0.5))  # half up, as people round


def column_marks(values: Sequence[int]) -> list[str | None]:
    """Which cells of one count column to hide: None (shown), SMALL or HIDDEN, in the same order.

    `values` are the column's whole, non-negative counts across a breakdown's rows.
    """
    n = len(values)
    marks: list[str | None] = [SMALL if v < THRESHOLD else None for v in values]
    primary = [i for i, m in enumerate(marks) if m]
    if not primary or sum(values) < THRESHOLD:
        # Nothing small; or every cell is small and the total itself shows as "< 5", so no exact sum.
        return marks
    complementary: list[int] = []
    while not _safe(values, primary, complementary):
        candidates = sorted((i for i in range(n) if marks[i] is None), key=lambda i: (values[i], i))
        if not candidates:
            return [HIDDEN] * n
        closing = [i for i in candidates if _safe(values, primary, [*complementary, i])]
        pick = closing[0] if closing else candidates[-1]
        complementary.append(pick)
        marks[pick] = HIDDEN
    return marks


def _safe(values: Sequence[int], primary: Sequence[int], complementary: Sequence[int]) -> bool:
    """Whether every SMALL cell can still be each of 0..4, given the hidden cells' sum and the labels.

    A reader knows: the hidden cells add up to R (total minus shown cells); a SMALL cell is 0..4; a
    HIDDEN cell is at least 5 with no upper bound. The values a SMALL cell can take are then
    [max(0, R - upper bounds of the others), min(4, R - lower bounds of the others)].
    """
    top = THRESHOLD - 1
    small_sum = sum(values[i] for i in primary)
    if complementary:
        # The lower end is 0 (an unbounded HIDDEN cell can take up the rest); the upper end needs slack.
        slack = small_sum + sum(values[i] - THRESHOLD for i in complementary)
        return slack >= top
    k = len(primary)
    return k >= 2 and top <= small_sum <= top * (k - 1)


def headline_cell(value, unit: str | None, n: int | None = None) -> Cell:
    """One figure on its own: an indicator's value, its previous value, a trend point."""
    if value is None:
        return EMPTY
    if unit in DIFFERENCE_UNITS:
        v = _count(value)
        return Cell(None, SMALL) if abs(v) < THRESHOLD else Cell(v)
    if is_count(unit):
        v = _count(value)
        return Cell(None, SMALL) if v < THRESHOLD else Cell(v)
    if n is None or n < THRESHOLD:
        return Cell(None, NOT_SHOWN)
    return Cell(round(float(value), 1))


def suppress_breakdown(rows: Sequence[Mapping], units: Mapping[str, str]) -> list[dict]:
    """A breakdown's rows with every value replaced by a publishable Cell.

    rows: [{"label": "Boodschappen", "values": {"requests_in": 40, ...}, "n": {"satisfaction": 12}}];
    "n" (the number of responses behind an average) is optional. A key missing from a row is a
    count of 0 for a count (the breakdown lists no such help there) and "not shown" for an average;
    an indicator missing from every row is not broken down this way and is left out. Keys are the
    indicators in `units` (key -> unit), in that order.
    """
    out = [{"label": row["label"], "values": {}} for row in rows]
    for key, unit in units.items():
        if not any(key in (row.get("values") or {}) for row in rows):
            continue
        if unit in DIFFERENCE_UNITS:
            values = [_count(row.get("values", {}).get(key) or 0) for row in rows]
            hide = any(abs(v) < THRESHOLD for v in values)
            for target, value in zip(out, values, strict=True):
                target["values"][key] = Cell(None, HIDDEN) if hide else Cell(value)
        elif is_count(unit):
            values = [_count(row.get("values", {}).get(key) or 0) for row in rows]
            for target, value, mark in zip(out, values, column_marks(values), strict=True):
                target["values"][key] = Cell(value) if mark is None else Cell(None, mark)
        else:
            for target, row in zip(out, rows, strict=True):
                value = row.get("values", {}).get(key)
                n = (row.get("n") or {}).get(key)
                target["values"][key] = headline_cell(value, unit, n) if value is not None else Cell(None, NOT_SHOWN)
    return out


def suppress_document(document: Mapping) -> dict:
    """The figures document with every figure as a Cell, ready for any renderer.

    Only the known parts are copied, so anything else a document carries by mistake is dropped.
    Text (goals, stories, actions) and the indicators' definitions pass through unchanged; they are
    written for the funder and contain no figures about people (stories are approved and checked
    for residents' names before they reach the document).
    """
    indicators = list(document.get("indicators") or [])
    units = {ind["key"]: ind.get("unit") or "aantal" for ind in indicators}
    published = []
    for ind in indicators:
        unit = units[ind["key"]]
        value = headline_cell(ind.get("value"), unit, ind.get("n"))
        previous = headline_cell(ind.get("previous"), unit, ind.get("previous_n"))
        target = ind.get("target")
        published.append(
            {
                "key": ind["key"],
                "label": ind.get("label") or ind["key"],
                "definition": ind.get("definition") or "",
                "unit": unit,
                "value": value,
                "target": Cell(target) if target is not None else EMPTY,
                "previous": previous,
                "status": None if value.number is None else ind.get("status"),
            }
        )
    breakdowns = {
        name: suppress_breakdown(rows or [], units) for name, rows in (document.get("breakdowns") or {}).items()
    }
    trend = []
    for point in document.get("trend") or []:
        ns = point.get("n") or {}
        trend.append(
            {
                "cycle": point["cycle"],
                "values": {
                    key: headline_cell(point.get("values", {}).get(key), unit, ns.get(key))
                    for key, unit in units.items()
                },
            }
        )
    return {
        "organisation": document.get("organisation") or "",
        "cycle": {k: (document.get("cycle") or {}).get(k) for k in ("name", "start", "end", "status")},
        "goals": document.get("goals") or "",
        "indicators": published,
        "breakdowns": breakdowns,
        "trend": trend,
        "stories": [
            {"title": s.get("title") or "", "text": s.get("text") or ""} for s in document.get("stories") or []
        ],
        "actions": [
            {"title": a.get("title") or "", "status": a.get("status") or "", "due": a.get("due")}
            for a in document.get("actions") or []
        ],
    }
