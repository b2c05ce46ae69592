"""Funder reports from a figures document: suppression, and the HTML, PDF, spreadsheet and CSV outputs.

No database: the renderers take only the document (a plain dict), as `cycle_document` will give it.
"""

import csv
import datetime as dt
import io
import re

import pypdf
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from evaluatie import reports
from evaluatie.suppression import (
    HIDDEN,
    NOT_SHOWN,
    SMALL,
    THRESHOLD,
    column_marks,
    headline_cell,
    suppress_breakdown,
    suppress_document,
)

# ---------------------------------------------------------------------------------------------------
# a realistic figures document


def make_document():
    return {
        "organisation": "Buurthulp Oost",
        "cycle": {"name": "2026 K3", "start": dt.date(2026, 7, 1), "end": dt.date(2026, 9, 30), "status": "closed"},
        "goals": "Meer bewoners in Oost bereiken, vooral ouderen die alleen wonen.\nVrijwilligers langer vasthouden.",
        "indicators": [
            {
                "key": "requests_in",
                "label": "Hulpvragen binnengekomen",
                "definition": "Hulpvragen die in de periode binnenkwamen: telefonisch, online of via het wijkteam.",
                "unit": "aantal",
                "value": 123,
                "target": 150,
                "previous": 110,
                "status": "achter",
            },
            {
                "key": "matches",
                "label": "Koppelingen gestart",
                "definition": "Koppelingen tussen bewoner en vrijwilliger die in de periode zijn geaccepteerd.",
                "unit": "aantal",
                "value": 87,
                "target": 80,
                "previous": 74,
                "status": "voor",
            },
            {
                "key": "hours",
                "label": "Uren hulp",
                "definition": "Door vrijwilligers gelogde uren, afgerond op hele uren.",
                "unit": "uren",
                "value": 412,
                "target": 400,
                "previous": 380,
                "status": "op_koers",
            },
            {
                "key": "escalations",
                "label": "Opschalingen naar het wijkteam",
                "definition": "Hulpvragen die aan het wijkteam zijn overgedragen.",
                "unit": "aantal",
                "value": 3,
                "target": 5,
                "previous": 6,
                "status": "achter",
            },
            {
                "key": "waiting_days",
                "label": "Wachttijd tot eerste voorstel",
                "definition": "Gemiddeld aantal dagen tussen binnenkomst en het eerste matchvoorstel.",
                "unit": "dagen",
                "value": 2.4,
                "n": 118,
                "target": 3,
                "previous": 3.1,
                "previous_n": 104,
                "status": "voor",
            },
            {
                "key": "satisfaction",
                "label": "Tevredenheid bewoners",
                "definition": "Gemiddeld rapportcijfer van bewoners in de enquête na afsluiting.",
                "unit": "score",
                "value": 8.2,
                "n": 31,
                "target": 7.5,
                "previous": None,
                "status": "voor",
            },
        ],
        "breakdowns": {
            "category": [
                {"label": "Boodschappen", "values": {"requests_in": 40, "matches": 31, "hours": 120, "escalations": 0}},
                {"label": "Vervoer", "values": {"requests_in": 3, "matches": 2, "hours": 9, "escalations": 1}},
                {"label": "Klussen", "values": {"requests_in": 52, "matches": 36, "hours": 190, "escalations": 2}},
                {"label": "Gezelschap", "values": {"requests_in": 28, "matches": 18, "hours": 93, "escalations": 0}},
            ],
            "area": [
                {"label": "Centrum", "values": {"requests_in": 61, "matches": 44}},
                {"label": "Noord", "values": {"requests_in": 58, "matches": 40}},
                {"label": "Haven", "values": {"requests_in": 4, "matches": 3}},
            ],
        },
        "trend": [
            {"cycle": "2025 K4", "values": {"requests_in": 81, "matches": 60, "hours": 300, "escalations": 4}},
            {"cycle": "2026 K1", "values": {"requests_in": 90, "matches": 66, "hours": 330, "escalations": 7}},
            {"cycle": "2026 K2", "values": {"requests_in": 110, "matches": 74, "hours": 380, "escalations": 6}},
        ],
        "stories": [
            {
                "title": "Samen naar de markt",
                "text": "Een oudere bewoner durfde niet meer alleen naar de markt. Nu gaat ze elke week mee.",
            }
        ],
        "actions": [
            {"title": "Meer vrijwilligers werven in Haven", "status": "lopend", "due": dt.date(2026, 12, 1)},
            {"title": "Wachttijd bij vervoer verkorten", "status": "open", "due": None},
        ],
    }


# ---------------------------------------------------------------------------------------------------
# suppression: an independent audit of what a reader can work out


def feasible(values, marks, *, top=None):
    """For each hidden cell, every value it could have given what is published (brute force).

    A reader sees the shown cells and the labels, and the column's total when it is at least 5 (the
    total itself is "< 5" otherwise). "< 5" means 0..4; "x" next to a "< 5" means at least 5; when the
    whole column is "x", a cell can be anything up to the total. Worked out with sets of reachable
    sums, not with the formula the suppression uses.
    """
    total = sum(values)
    top = top if top is not None else total + 10
    hidden = [i for i, m in enumerate(marks) if m is not None]
    any_small = any(m == SMALL for m in marks)

    def options(i):
        if marks[i] == SMALL:
            return set(range(THRESHOLD))
        return set(range(THRESHOLD, top + 1)) if any_small else set(range(top + 1))

    if total < THRESHOLD:
        totals = set(range(THRESHOLD))  # the reader only knows the total is below 5
        shown = sum(v for v, m in zip(values, marks, strict=True) if m is None)
        remainders = {t - shown for t in totals if t >= shown}
    else:
        remainders = {total - sum(v for v, m in zip(values, marks, strict=True) if m is None)}
    result = {}
    for i in hidden:
        reachable = {0}
        for j in hidden:
            if j != i:
                reachable = {r + o for r in reachable for o in options(j) if r + o <= top * len(values)}
        result[i] = {v for v in options(i) if any(rem - v in reachable for rem in remainders)}
    return result


column = st.lists(st.one_of(st.integers(0, 6), st.integers(0, 40)), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(column)
def test_no_small_count_can_be_worked_out_from_the_shown_cells_and_the_total(values):
    marks = column_marks(values)
    audit = feasible(values, marks)
    for i, value in enumerate(values):
        if value < THRESHOLD:
            assert marks[i] is not None, (values, marks)
            # The reader learns nothing beyond "< 5": every one of 0..4 is still possible.
            assert set(range(THRESHOLD)) <= audit[i], (values, marks, i, audit[i])
        assert value in audit.get(i, {value})  # the audit is sound: the true value is always possible


@settings(max_examples=200, deadline=None)
@given(column)
def test_only_small_counts_and_their_complements_are_hidden(values):
    marks = column_marks(values)
    if all(v >= THRESHOLD for v in values):
        assert marks == [None] * len(values)
    if any(m == SMALL for m in marks):
        # A "< 5" label is never a lie, and an "x" next to one is never small.
        assert all((values[i] < THRESHOLD) == (m == SMALL) for i, m in enumerate(marks) if m is not None)
    assert [v for v, m in zip(values, marks, strict=True) if m is None] == [
        v for v, m in zip(values, marks, strict=True) if m is None and v >= THRESHOLD
    ]


def test_a_single_small_cell_is_complemented_by_the_next_smallest_that_protects_it():
    assert column_marks([3, 40, 50]) == [SMALL, HIDDEN, None]
    # 5 adds no uncertainty (3 + 5 - 5 < 4), so 6 is not enough either alone; 9 is the smallest that is
    assert column_marks([3, 5, 9, 70]) == [SMALL, None, HIDDEN, None]
    # two small cells that add up to exactly 4 protect each other against the total: each can be 0..4
    assert column_marks([2, 2, 60, 70]) == [SMALL, SMALL, None, None]
    # adding up to 5, each would be 1..4: the total would tell they are not 0, so one more is hidden
    assert column_marks([2, 3, 60, 70]) == [SMALL, SMALL, HIDDEN, None]
    # but two of 4 (sum 8) would both be given away: one more cell is hidden
    assert column_marks([4, 4, 60, 70]) == [SMALL, SMALL, HIDDEN, None]


def test_a_column_that_cannot_be_protected_is_hidden_whole():
    assert column_marks([4, 4]) == [HIDDEN, HIDDEN]
    assert column_marks([0, 5]) == [HIDDEN, HIDDEN]
    # a total below 5 is itself shown as "< 5": small cells alone are safe then
    assert column_marks([1, 2]) == [SMALL, SMALL]


def test_headline_figures_and_averages():
    assert headline_cell(3, "aantal").text == SMALL
    assert headline_cell(0, "aantal").text == SMALL
    assert headline_cell(5, "aantal").number == 5
    assert headline_cell(4.6, "uren").number == 5  # whole hours, half up
    assert headline_cell(4.4, "uren").text == SMALL
    assert headline_cell(8.24, "score", n=31).number == 8.2
    assert headline_cell(8.2, "score", n=4).text == NOT_SHOWN
    assert headline_cell(8.2, "score").text == NOT_SHOWN  # an unknown number of answers is too few
    assert headline_cell(None, "aantal").number is None


def test_a_breakdown_with_a_cell_of_3_shows_less_than_5_and_the_total_does_not_give_it_away():
    doc = make_document()
    published = suppress_document(doc)
    category = {row["label"]: row["values"] for row in published["breakdowns"]["category"]}
    assert category["Vervoer"]["requests_in"].text == SMALL
    assert category["Vervoer"]["requests_in"].number is None
    total = next(i["value"].number for i in published["indicators"] if i["key"] == "requests_in")
    shown = [v["requests_in"].number for v in category.values() if v["requests_in"].number is not None]
    hidden = [v["requests_in"] for v in category.values() if v["requests_in"].number is None]
    assert len(hidden) >= 2
    assert total - sum(shown) != 3  # the remainder is the sum of at least two hidden cells
    # averages in a breakdown without their number of answers are not shown
    rows = suppress_breakdown(
        [{"label": "A", "values": {"s": 8.0}, "n": {"s": 12}}, {"label": "B", "values": {"s": 6.0}}], {"s": "score"}
    )
    assert rows[0]["values"]["s"].number == 8.0
    assert rows[1]["values"]["s"].text == NOT_SHOWN


def test_a_suppressed_headline_loses_its_status_mark():
    published = suppress_document(make_document())
    escalations = next(i for i in published["indicators"] if i["key"] == "escalations")
    assert escalations["value"].text == SMALL
    assert escalations["status"] is None  # "achter" against a target of 5 would say "0 to 4" anyway, but
    # against a small target a mark can narrow a hidden value, so it is never shown for one


# ---------------------------------------------------------------------------------------------------
# the outputs


def test_html_has_headings_tables_words_for_the_marks_and_inline_charts():
    html = reports.render_html(make_document())
    assert "<h1>Buurthulp Oost</h1>" in html
    for heading in (
        "Doelen",
        "Indicatoren",
        "Trends",
        "Uitsplitsing: Soort hulp",
        "Uitsplitsing: Buurt",
        "Verhalen",
        "Verbeteracties",
        "Definities",
    ):
        assert f"<h2>{heading}</h2>" in html, heading
    assert html.count("<table") >= 5 and "<th" in html
    assert "1 juli 2026 – 30 september 2026" in html
    for word in ("Achter", "Voor", "Op koers"):
        assert f">{word}</span>" in html, word  # the mark in words, not only a colour
    assert "&lt; 5" in html
    # a trend chart per indicator with at least two known points (requests, matches, hours, escalations;
    # the averages have no number of answers for earlier cycles, so those points are not shown)
    assert html.count("<svg") == 4
    assert "Streefwaarde" in html


def test_pdf_reads_back_with_names_period_labels_numbers_and_charts():
    pdf = reports.render_pdf(make_document())
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    for text in pages:
        # the organisation and the period on every page
        assert "Buurthulp Oost" in text
        assert "1 juli 2026 – 30 september 2026" in text
    text = re.sub(r"\s+", " ", " ".join(pages))
    for label in ("Hulpvragen binnengekomen", "Koppelingen gestart", "Uren hulp", "Tevredenheid bewoners"):
        assert label in text, label
    for number in ("123", "150", "110", "87", "412", "8,2", "2,4"):
        assert re.search(rf"(?<![\d,]){re.escape(number)}(?![\d,])", text), number
    assert "< 5" in text and "Achter" in text and "Op koers" in text
    assert sum(len(page.images) for page in reader.pages) == 4  # the trend charts, as images


def test_spreadsheet_numbers_are_numbers_one_sheet_per_breakdown_and_definitions():
    wb = load_workbook(io.BytesIO(reports.render_xlsx(make_document())))
    assert wb.sheetnames == ["Indicatoren", "Trend", "Soort hulp", "Buurt", "Definities"]

    def table(ws):
        rows = list(ws.iter_rows(min_row=4, values_only=True))
        header, body = rows[0], [r for r in rows[1:] if any(v is not None for v in r)]
        return header, body

    header, body = table(wb["Indicatoren"])
    assert header[:4] == ("Code", "Indicator", "Eenheid", "Waarde")
    by_key = {row[0]: row for row in body}
    assert by_key["requests_in"][3] == 123 and isinstance(by_key["requests_in"][3], int)
    assert by_key["requests_in"][4] == 150
    assert by_key["requests_in"][6] == "Achter"
    assert by_key["satisfaction"][3] == 8.2 and isinstance(by_key["satisfaction"][3], float)
    assert by_key["escalations"][3] == "< 5"
    assert "Buurthulp Oost" in wb["Indicatoren"]["A1"].value and "2026 K3" in wb["Indicatoren"]["A2"].value

    header, body = table(wb["Soort hulp"])
    column = header.index("Hulpvragen binnengekomen")
    cells = {row[0]: row[column] for row in body}
    assert cells["Vervoer"] == "< 5"
    assert cells["Klussen"] == 52 and isinstance(cells["Klussen"], int)
    numbers = [v for v in cells.values() if isinstance(v, int)]
    texts = [v for v in cells.values() if isinstance(v, str)]
    assert set(texts) <= {"< 5", "x"} and len(texts) >= 2
    assert by_key["requests_in"][3] - sum(numbers) != 3  # the total does not give the 3 away
    # text only where a figure is hidden: every other cell of every breakdown sheet is a number
    for name in ("Soort hulp", "Buurt"):
        _, body = table(wb[name])
        for row in body:
            assert all(isinstance(v, int | float) or v in ("< 5", "x", "—") for v in row[1:]), row

    header, body = table(wb["Definities"])
    assert header == ("Code", "Indicator", "Eenheid", "Definitie")
    definitions = {row[0]: row[3] for row in body if row[0] in by_key}
    assert definitions["hours"].startswith("Door vrijwilligers gelogde uren")
    assert len(definitions) == 6


def test_csv_parses_back_semicolon_separated_with_decimal_commas():
    text = reports.render_csv(make_document())
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    totals = {r["indicator_code"]: r for r in rows if r["uitsplitsing"] == "totaal"}
    assert totals["requests_in"]["waarde"] == "123" and totals["requests_in"]["streefwaarde"] == "150"
    assert totals["satisfaction"]["waarde"] == "8,2"
    assert totals["escalations"]["waarde"] == "< 5" and totals["escalations"]["status"] == ""
    assert totals["requests_in"]["organisatie"] == "Buurthulp Oost" and totals["requests_in"]["cyclus"] == "2026 K3"
    vervoer = [r for r in rows if r["groep"] == "Vervoer" and r["indicator_code"] == "requests_in"]
    assert len(vervoer) == 1 and vervoer[0]["waarde"] == "< 5"
    soort = [r["waarde"] for r in rows if r["uitsplitsing"] == "Soort hulp" and r["indicator_code"] == "requests_in"]
    shown = [int(v) for v in soort if v.isdigit()]
    assert 123 - sum(shown) != 3 and len([v for v in soort if not v.isdigit()]) >= 2
    # the area breakdown lists no hours: no rows for them
    assert not [r for r in rows if r["uitsplitsing"] == "Buurt" and r["indicator_code"] == "hours"]


def test_labels_that_look_like_formulas_stay_text():
    doc = make_document()
    doc["breakdowns"]["category"][0]["label"] = '=HYPERLINK("http://example.invalid","klik")'
    wb = load_workbook(io.BytesIO(reports.render_xlsx(doc)))
    labels = [row[0] for row in wb["Soort hulp"].iter_rows(min_row=5, values_only=True)]
    assert labels[0] == "'" + '=HYPERLINK("http://example.invalid","klik")'
    assert wb["Soort hulp"]["A5"].data_type == "s"
    rows = list(csv.DictReader(io.StringIO(reports.render_csv(doc).lstrip("\ufeff")), delimiter=";"))
    assert {r["groep"] for r in rows if r["groep"].startswith("'=HYPERLINK")}
    assert not [r for r in rows if r["groep"].startswith("=")]


def test_nothing_outside_the_figures_document_reaches_a_report():
    # A document that, by mistake, carries people: the renderers publish only the known parts.
    doc = make_document()
    doc["residents"] = [{"name": "Jantje Pietersen", "phone": "0612345678"}]
    doc["indicators"][0]["rows"] = [{"resident": "Jantje Pietersen"}]
    doc["cycle"]["coordinator"] = "Jantje Pietersen"
    outputs = [reports.render_html(doc), reports.render_csv(doc)]
    pdf = pypdf.PdfReader(io.BytesIO(reports.render_pdf(doc)))
    outputs.append(" ".join(page.extract_text() for page in pdf.pages))
    wb = load_workbook(io.BytesIO(reports.render_xlsx(doc)))
    outputs.append(
        " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    )
    for output in outputs:
        assert "Jantje" not in output and "0612345678" not in output


def test_labels_are_escaped_in_the_page_and_in_its_inline_charts():
    doc = make_document()
    doc["indicators"][0]["label"] = "<script>alert(1)</script> & co"
    doc["trend"][0]["cycle"] = "<img src=x onerror=alert(1)>"
    html = reports.render_html(doc)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html  # in the tables, and in the chart's legend (SVG text)
