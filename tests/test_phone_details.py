"""Phone-first details (issue 11, point 10) that need no browser: the availability week grid, the date of a
contact moment, labels on phone cards, the error summary, and every destructive action marked as such."""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from matching.forms import ContactLogForm
from matching.models import HelpRequest
from netwerken import availability
from netwerken.fields import AvailabilityField

TEMPLATES = Path(settings.BASE_DIR) / "templates"


class _Slots(forms.Form):
    availability = AvailabilityField()


class _Elements(HTMLParser):
    """Start tags with their attributes, and the text of each <label> and <button>."""

    def __init__(self):
        super().__init__()
        self.tags, self._open = [], []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.tags.append(element)
        if tag in ("label", "button", "th", "td"):
            self._open.append(element)

    def handle_endtag(self, tag):
        if self._open and self._open[-1]["tag"] == tag:
            self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def all(self, tag, **attrs):
        return [t for t in self.tags if t["tag"] == tag and all(t["attrs"].get(k) == v for k, v in attrs.items())]


def parse(html):
    parser = _Elements()
    parser.feed(html)
    return parser


# --- 1. availability as a week grid -------------------------------------------------------------------


def test_week_grid_is_a_table_of_days_by_parts_with_a_labelled_checkbox_a_cell():
    html = str(
        _Slots(initial={"availability": availability.mask_from_codes(["di-middag", "zo-avond"])})["availability"]
    )
    page = parse(html)
    assert len(page.all("table")) == 1
    assert [t["text"] for t in page.all("th", scope="col")] == ["ochtend", "middag", "avond"]
    assert [t["text"] for t in page.all("th", scope="row")] == [str(label) for _code, label in availability.DAYS]
    boxes = page.all("input", type="checkbox")
    assert [box["attrs"]["value"] for box in boxes] == [code for code, _d, _p in availability.SLOTS]
    labels = {label["attrs"]["for"]: label["text"].strip() for label in page.all("label")}
    for box, (code, day, part) in zip(boxes, availability.SLOTS, strict=True):
        # A real <label for=...> per checkbox, read as "dinsdagmiddag" (visually hidden: the headers show it).
        assert labels[box["attrs"]["id"]] == availability.slot_label(day, part), code
    assert [box["attrs"]["value"] for box in boxes if "checked" in box["attrs"]] == ["di-middag", "zo-avond"]


def test_week_grid_posts_and_validates_as_before():
    form = _Slots({"availability": ["ma-ochtend", "vr-avond"]})
    assert form.is_valid()
    assert form.cleaned_data["availability"] == availability.mask_from_codes(["ma-ochtend", "vr-avond"])
    empty = _Slots({})
    assert not empty.is_valid()
    assert empty.errors["availability"] == ["Kies minstens één dagdeel."]
    unknown = _Slots({"availability": ["ma-nacht"]})
    assert not unknown.is_valid()
    # Re-shown after an error: what was ticked is still ticked.
    ticked = parse(str(_Slots({"availability": ["wo-middag"], "x": "1"})["availability"]))
    assert [b["attrs"]["value"] for b in ticked.all("input", type="checkbox") if "checked" in b["attrs"]] == [
        "wo-middag"
    ]


@pytest.mark.parametrize(
    "url_name, role",
    [("matching:my_profile", "volunteer"), ("matching:my_offers", "volunteer"), ("matching:intake", "coordinator")],
)
def test_every_page_that_edits_availability_shows_the_week_grid(client, tenant_a, url_name, role):
    client.force_login(tenant_a.user(role))
    content = client.get(reverse(url_name, kwargs={"org": "oost"})).content.decode()
    assert 'class="week-grid"' in content
    assert "<legend>" in content  # the grid sits in a fieldset named by the field's label


# --- 5. the contact moment's date ------------------------------------------------------------------------


def test_contact_moment_date_defaults_to_today_in_amsterdam():
    # 23:30 UTC on 10 March is already 11 March in Amsterdam.
    late_evening_utc = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=late_evening_utc):
        form = ContactLogForm(prefix="contact")
        assert form["date"].value() == datetime.date(2026, 3, 11)
        assert 'value="2026-03-11"' in str(form["date"])


def test_contact_moment_date_on_the_match_page_is_today(client, tenant_a):
    match = tenant_a.objects["match"]
    match.status = match.Status.ACCEPTED
    match.save(update_fields=["status"])
    client.force_login(tenant_a.user("volunteer"))
    content = client.get(reverse("matching:my_match", kwargs={"org": "oost", "match": match.pk})).content.decode()
    dates = parse(content).all("input", name="contact-date")
    assert [d["attrs"].get("value") for d in dates] == [timezone.localdate().isoformat()]


# --- 3. request cards on a phone keep their labels ----------------------------------------------------


def test_request_list_cells_carry_their_column_name(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    content = client.get(reverse("matching:request_list", kwargs={"org": "oost"})).content.decode()
    page = parse(content)
    headers = [th["text"] for th in page.all("th", scope="col")]
    rows = [td for td in page.all("td") if "colspan" not in td["attrs"]]
    assert rows
    assert [td["attrs"].get("data-label") for td in rows[: len(headers)]] == headers
    assert all(td["attrs"].get("data-label") for td in rows)


# --- 4. the error summary --------------------------------------------------------------------------------


def test_a_failed_save_shows_a_focusable_summary_and_keeps_what_was_typed(client, tenant_a):
    client.force_login(tenant_a.user("volunteer"))
    url = reverse("matching:my_profile", kwargs={"org": "oost"})
    response = client.post(url, {"phone": "06 9876 5432", "postcode": "onzin", "availability": ["do-avond"]})
    assert response.status_code == 200
    page = parse(response.content.decode())
    [summary] = [t for t in page.all("div") if "error-summary" in t["attrs"].get("class", "")]
    assert summary["attrs"]["tabindex"] == "-1"
    assert page.all("input", name="phone")[0]["attrs"]["value"] == "06 9876 5432"
    assert [b["attrs"]["value"] for b in page.all("input", name="availability") if "checked" in b["attrs"]] == [
        "do-avond"
    ]


def test_base_page_loads_the_phone_script_and_a_menu_button(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    content = client.get(reverse("netwerken:coordinator_dashboard", kwargs={"org": "oost"})).content.decode()
    page = parse(content)
    [button] = page.all("button", type="button", **{"aria-controls": "hoofdmenu"})
    assert button["attrs"]["aria-expanded"] == "false"
    assert page.all("a", href="#hoofdmenu")  # without JavaScript: the menu opens by its anchor (:target)
    assert page.all("ul", id="hoofdmenu")
    assert any(s["attrs"].get("src", "").endswith("js/buurthulp.js") for s in page.all("script"))


# --- 6. destructive actions are marked and ask first -------------------------------------------------

# Every form to these URLs destroys or ends something.
DESTRUCTIVE_URLS = {
    "activity_stop",
    "checklist_item_delete",
    "cycle_close",
    "escalation_close",
    "member_leave",
    "member_erase",
    "funding_remove",
    "invitation_revoke",
    "my_hours_delete",
    "session_cancel",
}
# Forms posting to their own page with <input name="action" value=...> (or a button's value).
DESTRUCTIVE_ACTIONS = {"withdraw", "end", "close", "unlink", "drop"}
# Button texts that announce it.
DESTRUCTIVE_WORDS = re.compile(
    r"verwijder|\bwis\b|annuleer|\bstop\b|gelast|intrek|beëindig|ontkoppel|afmelden|laat vallen|van de lijst"
    r"|sluit af|afsluiten|sluiten|werkt dan niet meer|wissen|weghalen|uit het team",
    re.IGNORECASE,
)
FORM = re.compile(r"<form\b(?P<open>[^>]*)>(?P<body>.*?)</form>", re.DOTALL)
BUTTON = re.compile(r"<button\b(?P<attrs>(?:[^>{]|\{[^}]*\})*)>(?P<text>.*?)</button>", re.DOTALL)


def destructive_buttons():
    """(template, button attributes source, button text source) for each destructive submit button."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text()
        for form in FORM.finditer(source):
            url = re.search(r"\{% url '[a-z]+:(?P<name>[a-z_]+)'", form["open"])
            action = re.search(r'name="action" value="(?P<value>[a-z_]+)"', form["body"])
            buttons = [b for b in BUTTON.finditer(form["body"]) if 'type="button"' not in b["attrs"]]
            form_destructive = bool(url and url["name"] in DESTRUCTIVE_URLS) or bool(
                action and action["value"] in DESTRUCTIVE_ACTIONS
            )
            for button in buttons:
                value = re.search(r'value="(?P<value>[a-z_]+)"', button["attrs"])
                if (
                    DESTRUCTIVE_WORDS.search(button["text"])
                    or (value and value["value"] in DESTRUCTIVE_ACTIONS)
                    or (form_destructive and len(buttons) == 1)
                ):
                    found.append((str(path.relative_to(TEMPLATES)), button["attrs"], button["text"].strip()))
    return found


def test_the_scan_finds_the_destructive_actions():
    found = destructive_buttons()
    pages = {template for template, _attrs, _text in found}
    for template in (
        "matching/match_detail.html",
        "matching/volunteer_erase.html",
        "netwerken/resident_erase.html",
        "netwerken/phases/checklist.html",
        "netwerken/activities/detail.html",
        "netwerken/activities/session.html",
        "matching/hours/my_hours.html",
        "netwerken/networks/network_detail.html",
    ):
        assert template in pages
    assert len(found) >= 15


DESTRUCTIVE = destructive_buttons()


@pytest.mark.parametrize(
    "template, attrs, text", DESTRUCTIVE, ids=[f"{t}:{i}" for i, (t, _a, _x) in enumerate(DESTRUCTIVE)]
)
def test_destructive_action_is_a_danger_button_that_asks_first(template, attrs, text):
    classes = re.search(r'class="(?P<classes>[^"]*)"', attrs)
    assert classes and "button-danger" in classes["classes"].split(), f"{template}: {text} has no button-danger"
    if re.match(r"\s*\{% translate \"Ja, ", text):
        return  # the answer on a confirmation page: the page itself asked
    question = re.search(r'data-confirm="(?P<question>[^"]+)"', attrs)
    assert question and question["question"].strip(), f"{template}: {text} has no data-confirm question"


def test_request_transitions_that_cancel_or_undo_ask_first(client, tenant_a):
    help_request = tenant_a.objects["help_request"]
    assert help_request.status == HelpRequest.Status.PROPOSED
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("matching:request_detail", kwargs={"org": "oost", "help_request": help_request.pk})
    page = parse(client.get(url).content.decode())
    buttons = {b["text"].strip(): b["attrs"] for b in page.all("button")}
    for label in ("Annuleer", "Trek de voorstellen in en zoek opnieuw"):
        assert "button-danger" in buttons[label].get("class", ""), label
        assert buttons[label].get("data-confirm", "").startswith("Weet je zeker"), label
    # Escalating is not undoing anything: the ordinary button, no question.
    assert "data-confirm" not in buttons["Schaal op naar het wijkteam"]
