"""'Een extraatje bijverdienen': the fee ledger (matching/fees.py) — booking, corrections as new entries,
Decimal euros, payments and the open balance, the bookkeeper's spreadsheet, closing a match with its fee,
the pages only in that type of organisation, constant query counts, and erasure."""

import datetime
import io
from decimal import Decimal

import pytest
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
    """Tenant A as 'een extraatje bijverdienen', with gardening at € 7,50 an hour and a job at € 15."""
    _make_modest_fee(tenant_a)
    org = tenant_a.organisation
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
