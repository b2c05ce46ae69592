"""Funder reports from a figures document: the web page, the PDF, the spreadsheet and the CSV.

The renderers take only the figures document (see `evaluatie.selectors.cycle_document`): aggregates,
definitions, approved stories and actions. They never see a model, a queryset or a person, so they
cannot put personal data in a file. Every figure goes through `evaluatie.suppression` first; each
output shows exactly the same published figures.

- `render_html(document)`: the web page, with the charts as inline SVG.
- `render_pdf(document)`: the same template (templates/evaluatie/report.html) rendered with PNG
  charts and turned into a PDF by xhtml2pdf (pure Python on reportlab; nothing to install outside
  pip). The organisation's name and the period are on every page.
- `render_xlsx(document)`: openpyxl; an indicators sheet, a trend sheet, one sheet per breakdown and a
  definitions sheet. Numbers are numbers; "< 5", "x" and "—" are text, only where a figure is hidden.
- `render_csv(document)`: one long table (indicators and breakdowns), separated by ";" with decimal
  commas and a UTF-8 byte order mark, as Excel expects on a Dutch machine; a header row names the
  columns.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import math
import re
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")  # no display; and we never touch pyplot's global state (see _chart)
# Set once at import, never changed per call: rc_context would race between threads of one process.
matplotlib.rcParams["svg.fonttype"] = "none"  # text in the SVG stays text (readable, searchable, small)
matplotlib.rcParams["svg.hashsalt"] = "buurthulp"  # the same chart gives the same SVG

from django.template.loader import render_to_string  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .suppression import LEGEND, Cell, format_number, suppress_document  # noqa: E402

TEMPLATE = "evaluatie/report.html"
GROUPS_PER_TABLE = 6

STATUS_WORDS = {"op_koers": "Op koers", "achter": "Achter", "voor": "Voor"}
STATUS_COLOURS = {"op_koers": "#1b6e3a", "achter": "#a32020", "voor": "#1f4e9c"}
BREAKDOWN_TITLES = {"category": "Soort hulp", "area": "Buurt", "network": "Netwerk"}
UNIT_WORDS = {
    "aantal": "aantal",
    "uren": "uren",
    "dagen": "dagen (gemiddeld)",
    "score": "score (gemiddeld)",
    "euro": "euro (hele euro's)",
    "verschil": "verschil (kan negatief zijn)",
}
MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


class ReportError(RuntimeError):
    """The PDF could not be built."""


# ---------------------------------------------------------------------------------------------------
# shared pieces


def dutch_date(value) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if not isinstance(value, dt.date):
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def period(document: Mapping) -> str:
    cycle = document.get("cycle") or {}
    start, end = dutch_date(cycle.get("start")), dutch_date(cycle.get("end"))
    return f"{start} – {end}" if start and end else start or end


def breakdown_title(name: str) -> str:
    return BREAKDOWN_TITLES.get(name, name.replace("_", " ").capitalize())


def _series(published: Mapping, key: str) -> list[tuple[str, Cell]]:
    """The trend of one indicator, oldest first, ending with this cycle."""
    points = [(p["cycle"], p["values"].get(key)) for p in published["trend"]]
    points = [(name, cell) for name, cell in points if cell is not None]
    current = published["cycle"].get("name") or "Deze periode"
    if not any(name == current for name, _ in points):
        value = next(i["value"] for i in published["indicators"] if i["key"] == key)
        points.append((current, value))
    return points


_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(match: re.Match) -> str:
    attributes = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name or not value:
            continue
        if name == "font":  # matplotlib writes "font: 10px 'DejaVu Sans'": size then family
            size, _, family = value.partition(" ")
            attributes += [f'font-size="{size}"', f'font-family="{family.replace(chr(34), chr(39))}"']
        else:
            attributes.append(f'{name}="{value}"')
    return (" " + " ".join(attributes)) if attributes else ""


def _without_inline_style(svg: str) -> str:
    """matplotlib's SVG with its style="" turned into SVG presentation attributes and its <style> dropped, so the
    chart shows under the Content-Security-Policy (style-src 'self': no inline style). The <style> only sets
    round line joins and butt caps, the defaults we can do without."""
    return _STYLE_ATTRIBUTE.sub(_presentation_attributes, _STYLE_ELEMENT.sub("", svg))


def _chart(indicator: Mapping, series: list[tuple[str, Cell]], fmt: str) -> str:
    """One trend chart: the values per cycle, the target as a dashed line; hidden values as a gap.

    Built on a bare Figure (not pyplot), so concurrent workers don't share matplotlib state.
    """
    fig = Figure(figsize=(6.4, 2.3), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    names = [name for name, _ in series]
    ys = [cell.number if cell.number is not None else math.nan for _, cell in series]
    xs = list(range(len(names)))
    ax.plot(xs, ys, marker="o", color="#1f4e9c", linewidth=2, label=indicator["label"])
    known = [y for y in ys if not math.isnan(y)]
    for x, (_, cell) in zip(xs, series, strict=True):
        if cell.number is None and cell.text:
            ax.annotate(cell.text, (x, 0), ha="center", va="bottom", fontsize=8, color="#555555")
    target = indicator["target"].number
    if target is not None:
        ax.axhline(
            target, color="#a32020", linestyle="--", linewidth=1.2, label=f"Streefwaarde {format_number(target)}"
        )
        known.append(target)
    ax.set_xticks(xs, names, fontsize=8)
    low = min(0, min(known) * 1.15) if known else 0  # a change (network growth) can be negative
    ax.set_ylim(low, (max(known) * 1.15) if known and max(known) > 0 else 5)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_ylabel(UNIT_WORDS.get(indicator["unit"], indicator["unit"]), fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    fig.subplots_adjust(left=0.1, right=0.99, top=0.95, bottom=0.13)  # fixed: tight_layout costs a third
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None})
        svg = buf.getvalue().decode("utf-8")
        return _without_inline_style(svg[svg.index("<svg") :])
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _context(document: Mapping, *, pdf: bool) -> dict:
    published = suppress_document(document)
    charts = []
    if published["trend"]:
        for ind in published["indicators"]:
            series = _series(published, ind["key"])
            if sum(cell.number is not None for _, cell in series) < 2:
                continue  # one point is no trend; the figure is in the indicators table
            chart = _chart(ind, series, "png" if pdf else "svg")
            charts.append(
                {
                    "indicator": ind,
                    "src": chart if pdf else "",
                    "svg": "" if pdf else mark_safe(chart),  # noqa: S308 - matplotlib's own output
                    "points": [{"cycle": name, "cell": cell} for name, cell in series],
                }
            )
    # Indicators down, groups across, at most GROUPS_PER_TABLE groups a table so an A4 page holds it.
    breakdowns = []
    for name, rows in published["breakdowns"].items():
        tables = []
        for start in range(0, len(rows), GROUPS_PER_TABLE):
            chunk = rows[start : start + GROUPS_PER_TABLE]
            tables.append(
                {
                    "groups": [row["label"] for row in chunk],
                    "rows": [
                        {"indicator": ind, "cells": [row["values"][ind["key"]] for row in chunk]}
                        for ind in published["indicators"]
                        if ind["key"] in chunk[0]["values"]
                    ],
                }
            )
        if tables:
            breakdowns.append({"name": name, "title": breakdown_title(name), "tables": tables})
    indicators = [
        {
            **ind,
            "unit_word": UNIT_WORDS.get(ind["unit"], ind["unit"]),
            "status_word": STATUS_WORDS.get(ind["status"] or "", ""),
            "status_colour": STATUS_COLOURS.get(ind["status"] or "", "#333333"),
        }
        for ind in published["indicators"]
    ]
    actions = [{**a, "due": dutch_date(a.get("due")) or (a.get("due") or "")} for a in published["actions"]]
    return {
        "pdf": pdf,
        "doc": published,
        "organisation": published["organisation"],
        "cycle": published["cycle"],
        "period": period(published),
        "indicators": indicators,
        "breakdowns": breakdowns,
        "charts": charts,
        "stories": published["stories"],
        "actions": actions,
        "legend": list(LEGEND.items()),
        "generated": dutch_date(dt.date.today()),
    }


# ---------------------------------------------------------------------------------------------------
# the four outputs


def render_html(document: Mapping, *, pdf: bool = False) -> str:
    """The report as an HTML page (charts inline SVG); with pdf=True, the markup the PDF is made from."""
    return render_to_string(TEMPLATE, _context(document, pdf=pdf))


def _static_file(uri: str, rel: str | None = None) -> str:
    """xhtml2pdf reads the report's stylesheets (static/css/report*.css) from disk; data: URIs pass as they are."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if uri.startswith(prefix):
        found = finders.find(uri[len(prefix) :])
        if found:
            return found
    return uri


def render_pdf(document: Mapping) -> bytes:
    from xhtml2pdf import pisa  # imported here: it is slow to import and only the PDF needs it

    html = render_html(document, pdf=True)
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=_static_file)
    if result.err:
        raise ReportError(f"xhtml2pdf reported {result.err} error(s)")
    return out.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    """Text for a spreadsheet cell or CSV field that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _sheet_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Blad"
    candidate, i = base, 2
    while candidate.lower() in taken:
        suffix = f" ({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(candidate.lower())
    return candidate


def render_xlsx(document: Mapping) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    published = suppress_document(document)
    indicators = published["indicators"]
    wb = Workbook(write_only=True)
    wb.properties.title = f"{published['organisation']} — {published['cycle'].get('name', '')}"
    wb.properties.creator = "Buurthulp"
    bold = Font(bold=True)
    title_font = Font(bold=True, size=13)
    right = Alignment(horizontal="right")
    taken: set[str] = set()

    def cell(ws, value, *, font=None):
        c = WriteOnlyCell(ws, value=value)
        if font is not None:
            c.font = font
        return c

    def text(ws, value, *, font=None):
        c = cell(ws, _text(value), font=font)
        c.data_type = "s"  # never a formula, whatever the label says
        return c

    def figure(ws, fig: Cell):
        if fig.number is None:
            c = text(ws, fig.text)
            c.alignment = right
            return c
        c = cell(ws, fig.number)
        c.number_format = "#,##0" if isinstance(fig.number, int) else "#,##0.0"
        return c

    def sheet(title: str, header: list[str], widths: list[int]):
        ws = wb.create_sheet(_sheet_name(title, taken))
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = w
        ws.freeze_panes = "A5"
        ws.append([text(ws, f"{published['organisation']} — {title}", font=title_font)])
        ws.append([text(ws, f"{published['cycle'].get('name', '')}: {period(published)}")])
        ws.append([])
        ws.append([text(ws, h, font=bold) for h in header])
        return ws

    ws = sheet(
        "Indicatoren",
        ["Code", "Indicator", "Eenheid", "Waarde", "Streefwaarde", "Vorige periode", "Status"],
        [20, 40, 18, 12, 14, 16, 12],
    )
    for ind in indicators:
        ws.append(
            [
                text(ws, ind["key"]),
                text(ws, ind["label"]),
                text(ws, UNIT_WORDS.get(ind["unit"], ind["unit"])),
                figure(ws, ind["value"]),
                figure(ws, ind["target"]),
                figure(ws, ind["previous"]),
                text(ws, STATUS_WORDS.get(ind["status"] or "", "")),
            ]
        )

    if published["trend"]:
        ws = sheet("Trend", ["Code", "Indicator", *[p["cycle"] for p in published["trend"]]], [20, 40])
        for ind in indicators:
            ws.append(
                [text(ws, ind["key"]), text(ws, ind["label"])]
                + [figure(ws, p["values"][ind["key"]]) for p in published["trend"]]
            )

    for name, rows in published["breakdowns"].items():
        title = breakdown_title(name)
        present = [ind for ind in indicators if rows and ind["key"] in rows[0]["values"]]
        ws = sheet(title, [title, *[ind["label"] for ind in present]], [30] + [16] * len(present))
        for row in rows:
            ws.append([text(ws, row["label"])] + [figure(ws, row["values"][ind["key"]]) for ind in present])

    ws = sheet("Definities", ["Code", "Indicator", "Eenheid", "Definitie"], [20, 40, 18, 100])
    for ind in indicators:
        ws.append(
            [
                text(ws, ind["key"]),
                text(ws, ind["label"]),
                text(ws, UNIT_WORDS.get(ind["unit"], ind["unit"])),
                text(ws, ind["definition"]),
            ]
        )
    ws.append([])
    ws.append([text(ws, "Tekens", font=bold)])
    for mark, meaning in LEGEND.items():
        ws.append([text(ws, mark), text(ws, meaning)])

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CSV_HEADER = [
    "organisatie",
    "cyclus",
    "uitsplitsing",
    "groep",
    "indicator_code",
    "indicator",
    "eenheid",
    "waarde",
    "streefwaarde",
    "vorige_periode",
    "status",
]


def _csv_figure(fig: Cell) -> str:
    if fig.number is None:
        return fig.text
    if isinstance(fig.number, float) and not fig.number.is_integer():
        return f"{fig.number:.1f}".replace(".", ",")
    return str(int(fig.number))


def render_csv(document: Mapping) -> str:
    """One long table: a row per indicator (uitsplitsing "totaal"), then a row per breakdown group and
    indicator. ";"-separated with decimal commas, starting with a UTF-8 byte order mark, for Excel
    on a Dutch machine; the first row names the columns."""
    published = suppress_document(document)
    org, cycle = _text(published["organisation"]), _text(published["cycle"].get("name", ""))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for ind in published["indicators"]:
        writer.writerow(
            [
                org,
                cycle,
                "totaal",
                "",
                ind["key"],
                _text(ind["label"]),
                ind["unit"],
                _csv_figure(ind["value"]),
                _csv_figure(ind["target"]),
                _csv_figure(ind["previous"]),
                STATUS_WORDS.get(ind["status"] or "", ""),
            ]
        )
    for name, rows in published["breakdowns"].items():
        for row in rows:
            for ind in (i for i in published["indicators"] if i["key"] in row["values"]):
                writer.writerow(
                    [
                        org,
                        cycle,
                        _text(breakdown_title(name)),
                        _text(row["label"]),
                        ind["key"],
                        _text(ind["label"]),
                        ind["unit"],
                        _csv_figure(row["values"][ind["key"]]),
                        "",
                        "",
                        "",
                    ]
                )
    return out.getvalue()
