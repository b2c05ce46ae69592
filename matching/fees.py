"""'Een extraatje bijverdienen': the modest fee ledger (issue 10, point 5).

Every line is a FeeEntry and none is ever edited: a fee is booked once per completed match, a mistake
is put right by a correction that points at the fee and carries the difference, and a payment is a
negative entry that settles what is owed. So the open balance of a helper (or of one resident's help)
is simply the sum of the amounts: booked + corrections − payments. Money is Decimal, never float.

Only organisations of that type keep a ledger: every service refuses elsewhere, and the pages 404.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from netwerken.models import Resident, Volunteer

from .help_types import is_modest_fee
from .models import Category, FeeEntry, FeeUnit, Match

K = FeeEntry.Kind
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_QUANTITY = Decimal("9999.99")  # quantity: max_digits=6, decimal_places=2
MAX_AMOUNT = Decimal("9999999.99")  # amount: max_digits=9, decimal_places=2


class FeeError(Exception):
    """A refusal of the ledger, with a Dutch message for the page."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def money(value) -> Decimal:
    """A Decimal in whole cents; refuses floats (they cannot hold 0.1 exactly)."""
    if isinstance(value, float):
        raise TypeError("Money is Decimal, never float")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise FeeError(_("Vul een bedrag in euro in, bijvoorbeeld 12,50.")) from error


def euros(value) -> str:
    """12,50 — for a Dutch message (the pages use floatformat)."""
    return number_format(money(value), decimal_pos=2, use_l10n=True)


def _require_modest_fee(organisation):
    if not is_modest_fee(organisation):
        raise FeeError(_("Vergoedingen horen alleen bij een extraatje bijverdienen."))


def category_has_fee(category: Category | None) -> bool:
    return category is not None and bool(category.fee_unit) and category.fee_amount is not None


def suggested_quantity(match: Match) -> Decimal:
    """The close form's default: hours from the contact moments for per-hour help, 1 for a job."""
    category = match.help_request.category
    if category.fee_unit == FeeUnit.HOUR:
        minutes = getattr(match, "logged_minutes", None)
        if minutes is None:
            minutes = match.contact_logs.aggregate(total=Sum("minutes"))["total"]
        minutes = minutes or 0
        return (Decimal(minutes) / Decimal(60)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Decimal("1.00")


# --- writes -------------------------------------------------------------------------------------------


def fee_book(*, match: Match, quantity, rate=None, date: datetime.date | None = None, by=None) -> FeeEntry:
    """Books the fee of a completed match, once: quantity × rate (the category's rate unless given)."""
    organisation = match.help_request.organisation
    _require_modest_fee(organisation)
    category = match.help_request.category
    if not category_has_fee(category):
        raise FeeError(_("Voor deze soort hulp is geen vergoeding afgesproken."))
    quantity = money(quantity)
    if quantity <= 0 or quantity > MAX_QUANTITY:
        raise FeeError(_("Vul een aantal in groter dan 0 (en kleiner dan 10.000)."))
    rate = category.fee_amount if rate is None else money(rate)
    if rate < 0:
        raise FeeError(_("Een tarief kan niet negatief zijn."))
    amount = money(quantity * rate)
    if amount > MAX_AMOUNT:
        raise FeeError(_("Dat bedrag is te groot."))
    with transaction.atomic():
        locked = Match.objects.select_for_update().get(pk=match.pk)
        if locked.status != Match.Status.CLOSED:
            raise FeeError(_("Een vergoeding hoort bij afgesloten hulp: sluit de koppeling eerst af."))
        if FeeEntry.objects.filter(match=locked, kind=K.FEE).exists():
            raise FeeError(_("Voor deze koppeling is al een vergoeding geboekt. Corrigeer die als het anders moet."))
        try:
            with transaction.atomic():
                return FeeEntry.objects.create(
                    organisation=organisation,
                    kind=K.FEE,
                    volunteer_id=locked.volunteer_id,
                    resident_id=match.help_request.resident_id,
                    match=locked,
                    category=category,
                    date=date or (locked.closed_at and timezone.localdate(locked.closed_at)) or timezone.localdate(),
                    unit=category.fee_unit,
                    quantity=quantity,
                    rate=rate,
                    amount=amount,
                    created_by=by if getattr(by, "is_authenticated", False) else None,
                )
        except IntegrityError as error:  # one_fee_per_match, if two clicks race past the check
            raise FeeError(_("Voor deze koppeling is al een vergoeding geboekt.")) from error


def match_close_with_fee(*, match: Match, outcome: str, note: str = "", quantity=None, by=None) -> Match:
    """The coordinator closes a match and, in een extraatje, books its fee in the same transaction:
    if the fee is refused, the match stays open."""
    from .proposals import match_close

    with transaction.atomic():
        closed = match_close(match=match, outcome=outcome, note=note, by=by)
        if quantity is not None:
            fee_book(match=closed, quantity=quantity, by=by)
    return closed


def match_fee(match: Match) -> FeeEntry | None:
    """The fee booked for a match, with `.total` (its corrections included), or None."""
    entry = FeeEntry.objects.filter(match=match, kind=K.FEE).first()
    if entry is not None:
        entry.total = entry_total(entry)
    return entry


def entry_total(entry: FeeEntry) -> Decimal:
    """What a fee comes to now: its amount and every correction of it."""
    corrections = FeeEntry.objects.filter(corrects=entry).aggregate(total=Sum("amount"))["total"] or ZERO
    return entry.amount + corrections


def fee_correct(*, entry: FeeEntry, reason: str, amount=None, quantity=None, by=None) -> FeeEntry:
    """Puts a fee right with a new correction entry carrying the difference; the fee itself stays as booked.

    Give the amount it should come to, or the right quantity (at the fee's rate). The same correction
    twice is refused: the second finds nothing to change.
    """
    reason = (reason or "").strip()
    if not reason:
        raise FeeError(_("Schrijf op waarom je corrigeert; de boekhouder leest het."))
    if len(reason) > 300:
        raise FeeError(_("De toelichting mag hooguit 300 tekens zijn."))
    if (amount is None) == (quantity is None):
        raise FeeError(_("Vul het juiste bedrag of het juiste aantal in (één van de twee)."))
    with transaction.atomic():
        entry = FeeEntry.objects.select_for_update().select_related("organisation").get(pk=entry.pk)
        _require_modest_fee(entry.organisation)
        if entry.kind != K.FEE:
            raise FeeError(_("Alleen een geboekte vergoeding kan worden gecorrigeerd."))
        if quantity is not None:
            quantity = money(quantity)
            if quantity < 0 or quantity > MAX_QUANTITY or entry.rate is None:
                raise FeeError(_("Vul een aantal in van 0 of meer (en kleiner dan 10.000)."))
            target = money(quantity * entry.rate)
        else:
            target = money(amount)
        if target < 0 or target > MAX_AMOUNT:
            raise FeeError(_("Het juiste bedrag is 0 of meer (en kleiner dan 10 miljoen)."))
        difference = target - entry_total(entry)
        if difference == 0:
            raise FeeError(
                _("De vergoeding is al € %(amount)s; er valt niets te corrigeren.") % {"amount": euros(target)}
            )
        return FeeEntry.objects.create(
            organisation=entry.organisation,
            kind=K.CORRECTION,
            volunteer_id=entry.volunteer_id,
            resident_id=entry.resident_id,
            match_id=entry.match_id,
            category_id=entry.category_id,
            corrects=entry,
            date=timezone.localdate(),
            unit=entry.unit,
            quantity=quantity,
            rate=entry.rate if quantity is not None else None,
            amount=difference,
            reason=reason,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )


def fee_record_payment(
    *,
    volunteer: Volunteer,
    amount,
    paid_by: str,
    paid_by_name: str = "",
    resident: Resident | None = None,
    date: datetime.date | None = None,
    by=None,
) -> FeeEntry:
    """A payment to the helper ("betaald door" whom), as a negative entry. Never more than is still open
    (for that resident's help, if one is given): a second click of the same payment finds nothing open."""
    amount = money(amount)
    if amount <= 0:
        raise FeeError(_("Vul een bedrag in groter dan 0."))
    if paid_by not in FeeEntry.PaidBy.values:
        raise FeeError(_("Kies wie er betaalde."))
    paid_by_name = (paid_by_name or "").strip()
    if len(paid_by_name) > 150:
        raise FeeError(_("De naam van de betaler mag hooguit 150 tekens zijn."))
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise FeeError(_("Een betaling kan niet in de toekomst liggen."))
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().select_related("organisation").get(pk=volunteer.pk)
        _require_modest_fee(volunteer.organisation)
        if resident is not None and resident.organisation_id != volunteer.organisation_id:
            raise FeeError(_("Deze bewoner hoort niet bij je organisatie."))
        entries = FeeEntry.objects.filter(volunteer=volunteer)
        if resident is not None:
            entries = entries.filter(resident=resident)
        open_balance = entries.aggregate(total=Sum("amount"))["total"] or ZERO
        if open_balance <= 0:
            raise FeeError(_("Er staat niets meer open om te betalen."))
        if amount > open_balance:
            raise FeeError(
                _("Er staat € %(open)s open; je kunt niet meer betalen dan dat.") % {"open": euros(open_balance)}
            )
        return FeeEntry.objects.create(
            organisation=volunteer.organisation,
            kind=K.PAYMENT,
            volunteer=volunteer,
            resident=resident,
            date=date,
            amount=-amount,
            paid_by=paid_by,
            paid_by_name=paid_by_name,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )


# --- reads --------------------------------------------------------------------------------------------

BOOKED = Sum("amount", filter=~Q(kind=K.PAYMENT), default=ZERO)
PAID = Sum("amount", filter=Q(kind=K.PAYMENT), default=ZERO)
BALANCE = Sum("amount", default=ZERO)


@dataclass
class MonthTotal:
    month: datetime.date
    booked: Decimal
    paid: Decimal  # positive: what was paid out
    balance: Decimal  # booked − paid in this month

    @property
    def label(self):
        return self.month.strftime("%Y-%m")


@dataclass
class Ledger:
    entries: list = field(default_factory=list)  # FeeEntry, each with .running (the open balance after it)
    months: list = field(default_factory=list)  # MonthTotal, newest first
    booked: Decimal = ZERO
    paid: Decimal = ZERO
    balance: Decimal = ZERO


def _entries():
    return FeeEntry.objects.select_related("volunteer__membership__user", "resident", "category", "corrects")


def monthly_totals(entries) -> list[MonthTotal]:
    """Booked, paid and the month's balance per calendar month, newest first: one query."""
    rows = (
        entries.order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(booked=BOOKED, paid=PAID, balance=BALANCE)
        .order_by("-month")
    )
    return [
        MonthTotal(month=row["month"], booked=row["booked"], paid=-row["paid"], balance=row["balance"]) for row in rows
    ]


def _ledger(entries) -> Ledger:
    ledger = Ledger(entries=list(entries.order_by("date", "pk")), months=monthly_totals(entries))
    running = ZERO
    for entry in ledger.entries:
        running += entry.amount
        entry.running = running
        if entry.kind == K.PAYMENT:
            ledger.paid -= entry.amount
        else:
            ledger.booked += entry.amount
    ledger.balance = running
    return ledger


def volunteer_ledger(*, volunteer: Volunteer) -> Ledger:
    """The coordinator's view of one helper: every entry with its running balance, and totals per month."""
    return _ledger(_entries().filter(volunteer=volunteer))


def volunteer_fees(*, volunteer: Volunteer | None) -> Ledger:
    """The helper's own overview ("own" read: the actor's own volunteer profile, nobody else's)."""
    if volunteer is None:
        return Ledger()
    return _ledger(_entries().filter(volunteer=volunteer))


def resident_ledger(*, resident: Resident) -> Ledger:
    """What the help a resident received came to and what was paid, for the resident (printable)."""
    return _ledger(_entries().filter(resident=resident))


def bookable_matches(*, volunteer: Volunteer):
    """Closed matches of this helper in a category with a fee and without a fee booked yet."""
    return (
        Match.objects.filter(volunteer=volunteer, status=Match.Status.CLOSED)
        .exclude(help_request__category__fee_unit="")
        .exclude(fee_entries__kind=K.FEE)
        .select_related("help_request__category", "help_request__resident")
        .annotate(logged_minutes=Sum("contact_logs__minutes"))
        .order_by("-closed_at")
    )


def _filtered(*, month: datetime.date | None = None, volunteer: Volunteer | None = None):
    entries = FeeEntry.objects.all()
    if month is not None:
        entries = entries.filter(date__year=month.year, date__month=month.month)
    if volunteer is not None:
        entries = entries.filter(volunteer=volunteer)
    return entries


def _per_person(prefix: str, *, month, volunteer):
    """Sum annotations over a person's fee entries, with the overview's filters."""
    scope = Q()
    if month is not None:
        scope &= Q(**{f"{prefix}__date__year": month.year, f"{prefix}__date__month": month.month})
    if volunteer is not None:
        scope &= Q(**{f"{prefix}__volunteer": volunteer})
    payment = Q(**{f"{prefix}__kind": K.PAYMENT})
    amount = f"{prefix}__amount"
    return {
        "booked": Sum(amount, filter=scope & ~payment, default=ZERO),
        "paid": -Sum(amount, filter=scope & payment, default=ZERO),
        "balance": Sum(amount, filter=scope, default=ZERO),
        "count": Count(prefix, filter=scope),
    }


def organisation_overview(*, month: datetime.date | None = None, volunteer: Volunteer | None = None) -> dict:
    """The coordinator's overview: totals per month, per helper and per resident with the open balance.
    Four queries, however many entries (grouped in the database)."""
    entries = _filtered(month=month, volunteer=volunteer)
    volunteers = (
        Volunteer.objects.filter(pk__in=entries.values("volunteer"))
        .select_related("membership__user")
        .annotate(**_per_person("fee_entries", month=month, volunteer=volunteer))
        .order_by("pk")
    )
    residents = (
        Resident.objects.filter(pk__in=entries.values("resident"))
        .annotate(**_per_person("fee_entries", month=month, volunteer=volunteer))
        .order_by("name", "pk")
    )
    totals = entries.aggregate(booked=BOOKED, paid=PAID, balance=BALANCE)
    return {
        "months": monthly_totals(entries),
        "volunteers": list(volunteers),
        "residents": list(residents),
        "booked": totals["booked"],
        "paid": -totals["paid"],
        "balance": totals["balance"],
    }


def fee_volunteers():
    """The helpers of the organisation, for the overview's filter."""
    return Volunteer.objects.filter(erased_at__isnull=True).select_related("membership__user").order_by("pk")


# --- the bookkeeper's spreadsheet ---------------------------------------------------------------------

EURO = '"€" #,##0.00;-"€" #,##0.00'


def fee_export_xlsx(*, month: datetime.date | None = None, volunteer: Volunteer | None = None) -> bytes:
    """Two sheets: every entry (amounts as numbers in euro format), and the totals per month."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    entries = _entries().filter(pk__in=_filtered(month=month, volunteer=volunteer).values("pk")).order_by("date", "pk")
    book = Workbook()
    sheet = book.active
    sheet.title = _("Boekingen")
    headers = [
        _("Nummer"),
        _("Datum"),
        _("Soort"),
        _("Vrijwilliger"),
        _("Bewoner"),
        _("Soort hulp"),
        _("Aantal"),
        _("Per"),
        _("Tarief"),
        _("Bedrag"),
        _("Corrigeert"),
        _("Betaald door"),
        _("Toelichting"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries:
        sheet.append(
            [
                entry.pk,
                entry.date,
                entry.get_kind_display(),
                entry.volunteer.name,
                entry.resident.name if entry.resident else "",
                entry.category.name if entry.category else "",
                entry.quantity,
                entry.get_unit_display() if entry.unit else "",
                entry.rate,
                entry.amount,
                entry.corrects_id or "",
                " ".join(filter(None, [entry.get_paid_by_display() if entry.paid_by else "", entry.paid_by_name])),
                entry.reason,
            ]
        )
        row = sheet.max_row
        sheet.cell(row=row, column=2).number_format = "yyyy-mm-dd"
        for column in (9, 10):
            sheet.cell(row=row, column=column).number_format = EURO
    months = book.create_sheet(_("Per maand"))
    months.append([_("Maand"), _("Geboekt"), _("Betaald"), _("Saldo van de maand")])
    for cell in months[1]:
        cell.font = Font(bold=True)
    for total in monthly_totals(_filtered(month=month, volunteer=volunteer)):
        months.append([total.label, total.booked, total.paid, total.balance])
        for column in (2, 3, 4):
            months.cell(row=months.max_row, column=column).number_format = EURO
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# --- a person's data (registered in matching/registrations.py) ------------------------------------------


def _export(entries):
    return [
        {
            "datum": entry.date.isoformat(),
            "soort": entry.get_kind_display(),
            "soort_hulp": entry.category.name if entry.category else None,
            "aantal": str(entry.quantity) if entry.quantity is not None else None,
            "per": entry.unit or None,
            "tarief": str(entry.rate) if entry.rate is not None else None,
            "bedrag": str(entry.amount),
            "betaald_door": entry.get_paid_by_display() if entry.paid_by else None,
            "naam_betaler": entry.paid_by_name or None,
            "toelichting": entry.reason or None,
        }
        for entry in entries.select_related("category").order_by("date", "pk")
    ]


def export_volunteer(volunteer):
    return _export(FeeEntry.objects.filter(volunteer=volunteer))


def export_resident(resident):
    return _export(FeeEntry.objects.filter(resident=resident))


def _erase(entries, *, unlink_resident=False):
    """The amounts stay (the books must add up); the free text goes, through the ledger's one way to change."""
    for entry in entries:
        entry.reason = ""
        entry.paid_by_name = ""
        fields = ["reason", "paid_by_name"]
        if unlink_resident:
            entry.resident = None
            fields.append("resident")
        entry.save(erasing=True, update_fields=fields)


def erase_volunteer(volunteer, *, by, reason):
    # The volunteer stays linked (PROTECT): the row of an erased volunteer keeps no name.
    _erase(FeeEntry.objects.filter(volunteer=volunteer))


def erase_resident(resident, *, by, reason):
    _erase(FeeEntry.objects.filter(resident=resident), unlink_resident=True)
