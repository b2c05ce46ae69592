"""'Een extraatje bijverdienen': the fee ledger (matching/fees.py) — booking, corrections as new entries,
Decimal euros, payments and the open balance, the bookkeeper's spreadsheet, closing a match with its fee,
the pages only in that type of organisation, constant query counts, and erasure."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from matching import fees
from matching.models import ContactLog, FeeEntry, HelpRequest, Match
from netwerken import privacy
from netwerken.models import Organisation
from netwerken.roles import Role

from .factories import (
    CategoryFactory,
    FeeEntryFactory,
    HelpRequestFactory,
    MatchFactory,
    ResidentFactory,
    VolunteerFactory,
)

K = FeeEntry.Kind
D = Decimal


def _make_modest_fee(tenant):
    with scopes_disabled():
        Organisation.objects.filter(pk=tenant.organisation.pk).update(help_type=Organisation.HelpType.MODEST_FEE)
        tenant.organisation.refresh_from_db()


def _closed_match(tenant, *, category, minutes=(), resident=None, volunteer=None):
    org = tenant.organisation
    request = HelpRequestFactory(
        organisation=org,
        category=category,
        status=HelpRequest.Status.DONE,
        resident=resident or tenant.objects["resident"],
    )
    match = MatchFactory(
        help_request=request,
        volunteer=volunteer or tenant.objects["volunteer"],
        status=Match.Status.CLOSED,
        closed_at=timezone.now(),
    )
    for value in minutes:
        ContactLog.objects.with_scopes_disabled().create(
            organisation=org, match=match, date=timezone.localdate(), minutes=value
        )
    return match


@pytest.fixture
def modest(tenant_a):
    """Tenant A as 'een extraatje bijverdienen', with gardening at € 7,50 an hour and a job at € 15, and an
    empty ledger (the fixture's fee removed: each test books its own)."""
    _make_modest_fee(tenant_a)
    org = tenant_a.organisation
    FeeEntry.objects.with_scopes_disabled().filter(organisation=org).delete()
    tenant_a.garden = CategoryFactory(organisation=org, name="Tuin", fee_unit="uur", fee_amount=D("7.50"))
    tenant_a.job = CategoryFactory(organisation=org, name="Klusjes", fee_unit="klus", fee_amount=D("15.00"))
    with scope(organisation=org):
        yield tenant_a


def _coordinator(tenant):
    return tenant.user(Role.COORDINATOR)


# --- services -------------------------------------------------------------------------------------------


def test_booking_a_fee_is_quantity_times_the_categorys_rate_once_per_match(modest):
    match = _closed_match(modest, category=modest.garden, minutes=(90, 45))
    assert fees.suggested_quantity(match) == D("2.25")
    entry = fees.fee_book(match=match, quantity=fees.suggested_quantity(match), by=_coordinator(modest))
    assert (entry.kind, entry.unit, entry.quantity, entry.rate, entry.amount) == (
        K.FEE,
        "uur",
        D("2.25"),
        D("7.50"),
        D("16.88"),  # 16.875 rounded half up to the cent
    )
    assert entry.resident == match.help_request.resident and entry.volunteer == match.volunteer
    with pytest.raises(fees.FeeError, match="al een vergoeding"):
        fees.fee_book(match=match, quantity=1, by=_coordinator(modest))
    assert FeeEntry.objects.filter(match=match).count() == 1


def test_a_job_defaults_to_one_and_a_rate_can_be_agreed_differently(modest):
    match = _closed_match(modest, category=modest.job)
    assert fees.suggested_quantity(match) == D("1.00")
    entry = fees.fee_book(match=match, quantity=1, rate="12.5", by=None)
    assert entry.amount == D("12.50")


@pytest.mark.parametrize(
    "quantity, rate, message",
    [(0, None, "groter dan 0"), (-1, None, "groter dan 0"), ("abc", None, "bedrag"), (1, "-2", "negatief")],
)
def test_booking_refuses_nonsense(modest, quantity, rate, message):
    match = _closed_match(modest, category=modest.garden)
    with pytest.raises(fees.FeeError, match=message):
        fees.fee_book(match=match, quantity=quantity, rate=rate, by=None)
    assert not FeeEntry.objects.filter(match=match).exists()


def test_booking_refuses_without_a_fee_an_open_match_or_another_type(modest):
    plain = _closed_match(modest, category=modest.objects["category"])
    with pytest.raises(fees.FeeError, match="geen vergoeding afgesproken"):
        fees.fee_book(match=plain, quantity=1, by=None)
    open_match = _closed_match(modest, category=modest.garden)
    Match.objects.filter(pk=open_match.pk).update(status=Match.Status.ACCEPTED)
    with pytest.raises(fees.FeeError, match="afgesloten"):
        fees.fee_book(match=open_match, quantity=1, by=None)
    match = _closed_match(modest, category=modest.garden)
    Organisation.objects.filter(pk=modest.organisation.pk).update(help_type=Organisation.HelpType.CHARITY)
    match.help_request.organisation.refresh_from_db()
    with pytest.raises(fees.FeeError, match="extraatje"):
        fees.fee_book(match=match, quantity=1, by=None)
    assert not FeeEntry.objects.exists() or not FeeEntry.objects.filter(match__in=[plain, open_match, match]).exists()


def test_money_is_decimal_and_never_float():
    with pytest.raises(TypeError):
        fees.money(0.1)
    assert fees.money("0.1") + fees.money("0.2") == D("0.30")


def test_a_correction_is_a_new_entry_and_the_original_stays_unchanged(modest):
    match = _closed_match(modest, category=modest.garden)
    entry = fees.fee_book(match=match, quantity=2, by=None)  # € 15,00
    with pytest.raises(fees.FeeError, match="waarom"):
        fees.fee_correct(entry=entry, quantity=1, reason="  ", by=None)
    correction = fees.fee_correct(entry=entry, quantity=D("1.5"), reason="Een half uur minder", by=None)
    assert (correction.kind, correction.corrects, correction.amount) == (K.CORRECTION, entry, D("-3.75"))
    entry.refresh_from_db()
    assert (entry.amount, entry.quantity, entry.kind) == (D("15.00"), D("2.00"), K.FEE)
    assert fees.entry_total(entry) == D("11.25")
    # The same correction again finds nothing to change; another target amount corrects the difference.
    with pytest.raises(fees.FeeError, match="niets te corrigeren"):
        fees.fee_correct(entry=entry, quantity=D("1.5"), reason="Nog eens", by=None)
    second = fees.fee_correct(entry=entry, amount="12.00", reason="Afgesproken bedrag", by=None)
    assert second.amount == D("0.75") and fees.entry_total(entry) == D("12.00")
    # A correction of a correction, or of a payment, is refused: correct the fee.
    with pytest.raises(fees.FeeError, match="Alleen een geboekte vergoeding"):
        fees.fee_correct(entry=second, amount="1", reason="x", by=None)


def test_the_ledger_refuses_an_update_of_an_entry(modest):
    entry = fees.fee_book(match=_closed_match(modest, category=modest.garden), quantity=1, by=None)
    entry.amount = D("99.00")
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    entry.refresh_from_db()
    assert entry.amount == D("7.50")


def test_tenths_add_up_exactly(modest):
    """Ten fees of € 0,10 and twenty of € 0,20 are € 5,00 — not 4.999999 as floats would have it."""
    volunteer = modest.objects["volunteer"]
    cheap = CategoryFactory(organisation=modest.organisation, name="Kort", fee_unit="klus", fee_amount=D("0.10"))
    cheaper = CategoryFactory(organisation=modest.organisation, name="Korter", fee_unit="klus", fee_amount=D("0.20"))
    for category, times in ((cheap, 10), (cheaper, 20)):
        for _ in range(times):
            fees.fee_book(match=_closed_match(modest, category=category), quantity=1, by=None)
    ledger = fees.volunteer_ledger(volunteer=volunteer)
    assert ledger.booked == D("5.00") and ledger.balance == D("5.00")
    assert isinstance(ledger.balance, Decimal)
    overview = fees.organisation_overview()
    assert overview["booked"] == D("5.00") and isinstance(overview["booked"], Decimal)
    assert fees.monthly_totals(FeeEntry.objects.all())[0].booked == D("5.00")


def test_payments_settle_the_open_balance_and_never_more(modest):
    volunteer, resident = modest.objects["volunteer"], modest.objects["resident"]
    other_resident = ResidentFactory(organisation=modest.organisation, name="Meneer Jansen")
    fees.fee_book(match=_closed_match(modest, category=modest.job), quantity=1, by=None)  # € 15 for resident
    fees.fee_book(
        match=_closed_match(modest, category=modest.garden, resident=other_resident), quantity=2, by=None
    )  # € 15 for the other
    payment = fees.fee_record_payment(
        volunteer=volunteer, resident=resident, amount="10", paid_by="bewoner", paid_by_name="Mevrouw", by=None
    )
    assert (payment.kind, payment.amount, payment.paid_by) == (K.PAYMENT, D("-10.00"), "bewoner")
    with pytest.raises(fees.FeeError, match="open"):
        fees.fee_record_payment(volunteer=volunteer, resident=resident, amount="5.01", paid_by="bewoner", by=None)
    fees.fee_record_payment(volunteer=volunteer, amount="20", paid_by="organisatie", by=None)
    ledger = fees.volunteer_ledger(volunteer=volunteer)
    assert (ledger.booked, ledger.paid, ledger.balance) == (D("30.00"), D("30.00"), D("0.00"))
    assert [entry.running for entry in ledger.entries] == [D("15.00"), D("30.00"), D("20.00"), D("0.00")]
    with pytest.raises(fees.FeeError, match="niets meer open"):
        fees.fee_record_payment(volunteer=volunteer, amount="1", paid_by="organisatie", by=None)
    for bad, message in (("0", "groter dan 0"), ("-3", "groter dan 0"), ("x", "bedrag")):
        with pytest.raises(fees.FeeError, match=message):
            fees.fee_record_payment(volunteer=volunteer, amount=bad, paid_by="bewoner", by=None)
    with pytest.raises(fees.FeeError, match="wie"):
        fees.fee_record_payment(volunteer=volunteer, amount="1", paid_by="ik", by=None)
    resident_ledger = fees.resident_ledger(resident=resident)
    assert (resident_ledger.booked, resident_ledger.paid, resident_ledger.balance) == (D("15.00"), D("10.00"), D("5"))


def test_totals_per_month_for_a_helper_a_resident_and_the_organisation(modest):
    volunteer, resident = modest.objects["volunteer"], modest.objects["resident"]
    org = modest.organisation
    other = VolunteerFactory(organisation=org)
    for who, day, kind, amount, res in (
        (volunteer, datetime.date(2026, 9, 10), K.FEE, "5.00", resident),
        (volunteer, datetime.date(2026, 9, 12), K.PAYMENT, "-5.00", resident),
        (volunteer, datetime.date(2026, 10, 3), K.FEE, "20.00", resident),
        (other, datetime.date(2026, 10, 4), K.FEE, "12.50", None),
    ):
        FeeEntryFactory(organisation=org, volunteer=who, date=day, kind=kind, amount=D(amount), resident=res)
    fee = FeeEntry.objects.get(amount=D("12.50"))
    FeeEntryFactory(
        organisation=org, volunteer=other, date=datetime.date(2026, 10, 5), kind=K.CORRECTION, corrects=fee,
        amount=D("-2.50"),
    )  # fmt: skip
    months = {m.label: (m.booked, m.paid, m.balance) for m in fees.volunteer_ledger(volunteer=volunteer).months}
    assert months == {"2026-09": (D("5.00"), D("5.00"), D("0.00")), "2026-10": (D("20.00"), D("0.00"), D("20.00"))}
    assert {m.label: m.balance for m in fees.resident_ledger(resident=resident).months} == {
        "2026-09": D("0.00"),
        "2026-10": D("20.00"),
    }
    overview = fees.organisation_overview()
    assert {m.label: m.booked for m in overview["months"]} == {"2026-09": D("5.00"), "2026-10": D("30.00")}
    per_helper = {v.pk: (v.booked, v.paid, v.balance) for v in overview["volunteers"]}
    assert per_helper == {volunteer.pk: (D("25.00"), D("5.00"), D("20.00")), other.pk: (D("10.00"), D("0"), D("10"))}
    october = fees.organisation_overview(month=datetime.date(2026, 10, 1))
    assert {v.pk: v.balance for v in october["volunteers"]} == {volunteer.pk: D("20.00"), other.pk: D("10.00")}
    assert october["booked"] == D("30.00") and october["paid"] == D("0")
    only_other = fees.organisation_overview(volunteer=other)
    assert [v.pk for v in only_other["volunteers"]] == [other.pk] and only_other["residents"] == []


def test_closing_with_the_fee_books_it_in_the_same_transaction(modest):
    from matching import proposals

    match = modest.objects["match"]
    proposals.match_accept(match=match)
    HelpRequest.objects.filter(pk=match.help_request_id).update(category=modest.garden)
    match = Match.objects.select_related("help_request__category", "help_request__organisation").get(pk=match.pk)
    with pytest.raises(fees.FeeError):
        fees.match_close_with_fee(match=match, outcome="geholpen", quantity="-1", by=None)
    assert Match.objects.get(pk=match.pk).status == Match.Status.ACCEPTED  # rolled back together
    closed = fees.match_close_with_fee(match=match, outcome="geholpen", quantity="3", by=None)
    assert closed.status == Match.Status.CLOSED
    assert FeeEntry.objects.get(match=match).amount == D("22.50")


# --- erasure --------------------------------------------------------------------------------------------


def test_erasure_keeps_the_amounts_and_blanks_the_free_text(modest):
    volunteer, resident = modest.objects["volunteer"], modest.objects["resident"]
    entry = fees.fee_book(match=_closed_match(modest, category=modest.garden), quantity=2, by=None)
    fees.fee_correct(entry=entry, amount="10", reason=f"Afspraak met {resident.name}", by=None)
    fees.fee_record_payment(
        volunteer=volunteer, resident=resident, amount="4", paid_by="anders", paid_by_name="Dochter Els", by=None
    )
    exported = fees.export_resident(resident)
    assert [row["bedrag"] for row in exported] == ["15.00", "-5.00", "-4.00"]
    assert exported[2]["naam_betaler"] == "Dochter Els"
    assert fees.export_volunteer(volunteer)[1]["toelichting"] == f"Afspraak met {resident.name}"
    # Both exports carry the part (through netwerken's registry).
    assert "vergoedingen" in {part.key for part in privacy.parts()}
    privacy.resident_erase(resident=resident, by=_coordinator(modest), reason="Op verzoek")
    rows = list(FeeEntry.objects.order_by("pk").values_list("amount", "reason", "paid_by_name", "resident_id"))
    assert rows == [(D("15.00"), "", "", None), (D("-5.00"), "", "", None), (D("-4.00"), "", "", None)]
    assert fees.volunteer_ledger(volunteer=volunteer).balance == D("6.00")  # the books still add up


# --- the bookkeeper's spreadsheet -----------------------------------------------------------------------


def test_the_export_opens_with_openpyxl_with_numbers_in_euros_and_the_monthly_totals(modest):
    volunteer, resident = modest.objects["volunteer"], modest.objects["resident"]
    entry = fees.fee_book(match=_closed_match(modest, category=modest.garden), quantity="1.5", by=None)  # 11.25
    fees.fee_correct(entry=entry, amount="10.10", reason="Afgerond", by=None)  # -1.15
    fees.fee_record_payment(volunteer=volunteer, resident=resident, amount="0.30", paid_by="bewoner", by=None)
    book = load_workbook(io.BytesIO(fees.fee_export_xlsx()))
    assert book.sheetnames == ["Boekingen", "Per maand"]
    rows = list(book["Boekingen"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Nummer", "Datum", "Soort", "Vrijwilliger")
    amounts = [row[9] for row in rows[1:]]
    assert [D(str(value)) for value in amounts] == [D("11.25"), D("-1.15"), D("-0.30")]
    assert all(isinstance(value, (int, float)) for value in amounts)  # numbers, not text
    assert book["Boekingen"].cell(row=2, column=10).number_format == fees.EURO
    assert rows[2][10] == entry.pk and rows[2][12] == "Afgerond" and rows[1][4] == resident.name
    month = list(book["Per maand"].iter_rows(values_only=True))
    assert month[0] == ("Maand", "Geboekt", "Betaald", "Saldo van de maand")
    assert month[1][0] == timezone.localdate().strftime("%Y-%m")
    assert [D(str(v)).quantize(D("0.01")) for v in month[1][1:]] == [D("10.10"), D("0.30"), D("9.80")]


# --- pages ----------------------------------------------------------------------------------------------

FEE_PAGES = [
    ("matching:fee_overview", {}, Role.COORDINATOR),
    ("matching:fee_volunteer_ledger", {"volunteer": "volunteer"}, Role.COORDINATOR),
    ("matching:fee_resident_ledger", {"resident": "resident"}, Role.COORDINATOR),
    ("matching:fee_correct", {"fee": "fee"}, Role.COORDINATOR),
    ("matching:fee_payment", {}, Role.COORDINATOR),
    ("matching:fee_export", {}, Role.COORDINATOR),
    ("matching:my_fees", {}, Role.VOLUNTEER),
]


def _url(tenant, name, kwargs=None, **extra):
    resolved = {key: tenant.objects[value].pk for key, value in (kwargs or {}).items()}
    return reverse(name, kwargs={"org": tenant.organisation.slug, **resolved, **extra})


@pytest.mark.parametrize("help_type", ["liefdadigheid", "voor_elkaar"])
def test_outside_een_extraatje_every_fee_page_is_404_and_no_fee_field_shows(client, tenant_a, help_type):
    Organisation.objects.filter(pk=tenant_a.organisation.pk).update(help_type=help_type)
    for name, kwargs, role in FEE_PAGES:
        client.force_login(tenant_a.user(role))
        assert client.get(_url(tenant_a, name, kwargs)).status_code in (404, 405), name
        assert client.post(_url(tenant_a, name, kwargs), {"amount": "1"}).status_code == 404, name
    client.force_login(tenant_a.user(Role.COORDINATOR))
    page = client.get(_url(tenant_a, "matching:volunteer_detail", {"volunteer": "volunteer"})).content.decode()
    assert 'name="job_seeker"' not in page and 'name="reintegrating"' not in page
    assert "vergoedingen/" not in page  # no menu item, no link to the ledger
    client.force_login(tenant_a.user(Role.ORG_ADMIN))
    page = client.get(_url(tenant_a, "matching:category_list")).content.decode()
    assert 'name="fee_unit"' not in page and 'name="fee_amount"' not in page
    page = client.get(_url(tenant_a, "matching:category_edit", {"category": "category"})).content.decode()
    assert 'name="fee_unit"' not in page
    # A fee typed in anyway is ignored: the category keeps no fee.
    client.post(
        _url(tenant_a, "matching:category_list"),
        {"name": "Ramen", "active": "on", "fee_unit": "uur", "fee_amount": "5"},
    )
    with scopes_disabled():
        from matching.models import Category

        assert Category.objects.get(organisation=tenant_a.organisation, name="Ramen").fee_unit == ""


def test_in_een_extraatje_the_fields_and_menu_items_are_there_and_save(client, tenant_a):
    _make_modest_fee(tenant_a)
    client.force_login(tenant_a.user(Role.ORG_ADMIN))
    response = client.post(
        _url(tenant_a, "matching:category_list"),
        {"name": "Ramen", "active": "on", "fee_unit": "uur", "fee_amount": "7,50"},
    )
    assert response.status_code == 302
    half = {"name": "Half", "active": "on", "fee_unit": "uur"}
    response = client.post(_url(tenant_a, "matching:category_list"), half)
    assert "Vul het bedrag in" in response.content.decode()
    with scopes_disabled():
        from matching.models import Category

        ramen = Category.objects.get(organisation=tenant_a.organisation, name="Ramen")
        assert (ramen.fee_unit, ramen.fee_amount) == ("uur", D("7.50"))
    client.force_login(tenant_a.user(Role.COORDINATOR))
    url = _url(tenant_a, "matching:volunteer_detail", {"volunteer": "volunteer"})
    page = client.get(url).content.decode()
    assert 'name="job_seeker"' in page and _url(tenant_a, "matching:fee_overview") in page
    response = client.post(url, {"status": "actief", "job_seeker": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        volunteer = type(tenant_a.objects["volunteer"]).objects.get(pk=tenant_a.objects["volunteer"].pk)
        assert volunteer.job_seeker and not volunteer.reintegrating
    assert "werkzoekend" in client.get(url).content.decode()
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    home = client.get(_url(tenant_a, "netwerken:volunteer_dashboard")).content.decode()
    assert _url(tenant_a, "matching:my_fees") in home


def test_closing_a_match_on_its_page_offers_the_fee_prefilled_from_the_contact_moments(client, modest):
    from matching import proposals

    match = modest.objects["match"]
    proposals.match_accept(match=match)
    HelpRequest.objects.filter(pk=match.help_request_id).update(category=modest.garden)
    match = Match.objects.select_related("help_request").get(pk=match.pk)
    for minutes in (60, 30):
        proposals.contact_log_add(match=match, date=timezone.localdate(), minutes=minutes)
    client.force_login(_coordinator(modest))
    url = _url(modest, "matching:match_detail", {"match": "match"})
    page = client.get(url).content.decode()
    assert 'name="afsluiten-fee_quantity"' in page and 'value="1,50"' in page
    response = client.post(url, {"action": "close", "afsluiten-outcome": "geholpen", "afsluiten-fee_quantity": "1,5"})
    assert response.status_code == 302
    fee = FeeEntry.objects.get(match=match)
    assert (fee.quantity, fee.amount, fee.kind) == (D("1.50"), D("11.25"), K.FEE)
    assert Match.objects.get(pk=match.pk).status == Match.Status.CLOSED
    assert "Vergoeding geboekt: € 11,25." in client.get(url).content.decode()


def test_closing_without_a_fee_leaves_it_to_book_later_from_the_ledger(client, modest):
    from matching import proposals

    match = modest.objects["match"]
    proposals.match_accept(match=match)
    HelpRequest.objects.filter(pk=match.help_request_id).update(category=modest.job)
    client.force_login(_coordinator(modest))
    url = _url(modest, "matching:match_detail", {"match": "match"})
    assert client.post(url, {"action": "close", "afsluiten-outcome": "geholpen"}).status_code == 302
    assert not FeeEntry.objects.filter(match=match).exists()
    ledger_url = _url(modest, "matching:fee_volunteer_ledger", {"volunteer": "volunteer"})
    page = client.get(ledger_url).content.decode()
    assert f'name="match" value="{match.pk}"' in page
    assert client.post(ledger_url, {"match": match.pk, "quantity": "1"}).status_code == 302
    assert FeeEntry.objects.get(match=match).amount == D("15.00")
    response = client.post(ledger_url, {"match": match.pk, "quantity": "1"})  # twice: no longer offered
    assert response.status_code == 200 and FeeEntry.objects.filter(match=match).count() == 1


def test_the_export_page_downloads_the_spreadsheet(client, modest):
    FeeEntryFactory(organisation=modest.organisation, volunteer=modest.objects["volunteer"], amount=D("10.00"))
    client.force_login(_coordinator(modest))
    response = client.get(_url(modest, "matching:fee_export") + "?maand=" + timezone.localdate().strftime("%Y-%m"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Boekingen"].iter_rows(values_only=True))
    assert [D(str(row[9])) for row in rows[1:]] == [D("10.00")]  # the fixture's fee
    assert client.get(_url(modest, "matching:fee_export") + "?maand=2026-13").status_code == 200  # ignored, not 500


def test_the_helper_sees_only_their_own_fees(client, modest):
    FeeEntryFactory(
        organisation=modest.organisation,
        volunteer=modest.objects["volunteer"],
        resident=modest.objects["resident"],
        amount=D("10.00"),
    )
    other = VolunteerFactory(organisation=modest.organisation, membership__user__name="Wilma Tweede")
    FeeEntryFactory(organisation=modest.organisation, volunteer=other, amount=D("99.00"))
    client.force_login(modest.user(Role.VOLUNTEER))
    page = client.get(_url(modest, "matching:my_fees")).content.decode()
    assert "10,00" in page and "99,00" not in page and "Wilma" not in page
    assert modest.objects["resident"].name not in page


# --- query counts ---------------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name, kwargs, role",
    [
        ("matching:fee_overview", {}, Role.COORDINATOR),
        ("matching:fee_volunteer_ledger", {"volunteer": "volunteer"}, Role.COORDINATOR),
        ("matching:fee_resident_ledger", {"resident": "resident"}, Role.COORDINATOR),
        ("matching:my_fees", {}, Role.VOLUNTEER),
    ],
)
def test_query_count_is_the_same_for_1_and_40_entries(client, modest, name, kwargs, role):
    FeeEntryFactory(
        organisation=modest.organisation,
        volunteer=modest.objects["volunteer"],
        resident=modest.objects["resident"],
        category=modest.garden,
    )  # 1 entry
    _closed_match(modest, category=modest.garden, minutes=(30,))  # 1 waiting for its fee
    client.force_login(modest.user(role))
    url = _url(modest, name, kwargs)
    client.get(url)  # warm caches
    few = _count(client, url)
    volunteer, resident = modest.objects["volunteer"], modest.objects["resident"]
    org = modest.organisation
    fee = FeeEntryFactory(organisation=org, volunteer=volunteer, resident=resident, category=modest.garden)
    for i in range(39):
        day = datetime.date(2026, 1 + i % 12, 1 + i % 28)
        someone = ResidentFactory(organisation=org) if i % 3 else resident
        helper = VolunteerFactory(organisation=org) if i % 4 == 0 else volunteer
        kind = (K.FEE, K.CORRECTION, K.PAYMENT)[i % 3]
        FeeEntryFactory(
            organisation=org,
            volunteer=helper,
            resident=someone,
            date=day,
            kind=kind,
            amount=D("-1.00") if kind == K.PAYMENT else D("2.50"),
            corrects=fee if kind == K.CORRECTION else None,
            category=modest.garden,
            paid_by="bewoner" if kind == K.PAYMENT else "",
        )
    # More closed matches waiting for their fee on the helper's ledger.
    for _i in range(5):
        _closed_match(modest, category=modest.garden, minutes=(30,))
    many = _count(client, url)
    filtered = _count(client, url + f"?maand=2026-03&vrijwilliger={volunteer.pk}")
    print(f"\n{name}: {few} queries with 1 entry, {many} with 41, {filtered} filtered")
    assert many == few
    assert filtered <= few + 1


def test_a_volunteers_export_holds_their_fees_and_erasure_keeps_the_amounts(modest):
    volunteer, resident = modest.objects["volunteer"], modest.objects["resident"]
    fees.fee_book(match=_closed_match(modest, category=modest.job), quantity=1, by=None)
    fees.fee_record_payment(
        volunteer=volunteer, resident=resident, amount="5", paid_by="anders", paid_by_name="Buurman Piet", by=None
    )
    exported = privacy.volunteer_export(volunteer=volunteer, by=_coordinator(modest))
    assert [row["bedrag"] for row in exported["vergoedingen"]] == ["15.00", "-5.00"]
    assert [row["bedrag"] for row in privacy.resident_export(resident=resident, by=None)["vergoedingen"]] == [
        "15.00",
        "-5.00",
    ]
    privacy.volunteer_erase(volunteer=volunteer, by=_coordinator(modest), reason="Op verzoek")
    rows = list(FeeEntry.objects.order_by("pk").values_list("amount", "paid_by_name", "volunteer_id"))
    assert rows == [(D("15.00"), "", volunteer.pk), (D("-5.00"), "", volunteer.pk)]
    assert fees.organisation_overview()["balance"] == D("10.00")
