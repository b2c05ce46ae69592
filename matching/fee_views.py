"""'Een extraatje bijverdienen': the fee ledger's pages (services and reads in matching/fees.py).

Only in organisations of that type: elsewhere every page answers 404, as the type shapes the screens.
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netwerken import selectors as people
from netwerken.models import Resident, Volunteer
from netwerken.tenancy import role_required

from . import fees
from .fee_forms import FeeBookForm, FeeCorrectForm, FeeFilterForm, FeePaymentForm
from .help_types import is_modest_fee
from .models import FeeEntry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def modest_fee_only(view):
    """The page exists only in 'een extraatje bijverdienen' (after the role check: 403 comes first)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_modest_fee(request.tenant.organisation):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _filters(request):
    form = FeeFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["maand"], form.cleaned_data["vrijwilliger"]
    return form, None, None


@role_required("matching.manage_fees")
@modest_fee_only
def fee_overview(request, org):
    form, month, volunteer = _filters(request)
    payment_form = FeePaymentForm(initial={"date": timezone.localdate(), "volunteer": volunteer})
    return render(
        request,
        "matching/fees/overview.html",
        {
            "filter_form": form,
            "payment_form": payment_form,
            "overview": fees.organisation_overview(month=month, volunteer=volunteer),
            "querystring": request.GET.urlencode(),
        },
    )


def _volunteer_or_404(pk):
    volunteer = Volunteer.objects.select_related("membership__user").filter(pk=pk).first()
    if volunteer is None:
        raise Http404
    return volunteer


@role_required("matching.manage_fees")
@modest_fee_only
def fee_volunteer_ledger(request, org, volunteer):
    volunteer = _volunteer_or_404(volunteer)
    matches = fees.bookable_matches(volunteer=volunteer)
    book_form = FeeBookForm(matches=matches)
    if request.method == "POST":
        book_form = FeeBookForm(request.POST, matches=matches)
        if book_form.is_valid():
            try:
                fees.fee_book(
                    match=book_form.cleaned_data["match"],
                    quantity=book_form.cleaned_data["quantity"],
                    by=request.user,
                )
            except fees.FeeError as error:
                book_form.add_error("quantity", error.message)
            else:
                messages.success(request, _("De vergoeding is geboekt."))
                return redirect("matching:fee_volunteer_ledger", org=org, volunteer=volunteer.pk)
        else:
            messages.error(request, _("De vergoeding is niet geboekt; kijk het formulier na."))
    return render(
        request,
        "matching/fees/volunteer_ledger.html",
        {
            "volunteer": volunteer,
            "ledger": fees.volunteer_ledger(volunteer=volunteer),
            "bookable": [(match, fees.suggested_quantity(match)) for match in matches] if not book_form.errors else [],
            "book_form": book_form,
            "payment_form": FeePaymentForm(initial={"volunteer": volunteer, "date": timezone.localdate()}),
        },
    )


@role_required("matching.manage_fees")
@modest_fee_only
def fee_resident_ledger(request, org, resident):
    resident = get_object_or_404(Resident, pk=resident)
    return render(
        request,
        "matching/fees/resident_ledger.html",
        {"resident": resident, "ledger": fees.resident_ledger(resident=resident), "today": timezone.localdate()},
    )


@role_required("matching.manage_fees")
@modest_fee_only
def fee_correct(request, org, fee):
    entry = get_object_or_404(FeeEntry.objects.select_related("volunteer__membership__user", "resident"), pk=fee)
    if entry.kind != FeeEntry.Kind.FEE:
        raise Http404
    form = FeeCorrectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            fees.fee_correct(entry=entry, by=request.user, **form.cleaned_data)
        except fees.FeeError as error:
            form.add_error("amount" if form.cleaned_data.get("amount") is not None else "quantity", error.message)
        else:
            messages.success(request, _("De correctie is geboekt; de oorspronkelijke boeking blijft staan."))
            return redirect("matching:fee_volunteer_ledger", org=org, volunteer=entry.volunteer_id)
    return render(
        request, "matching/fees/correct.html", {"entry": entry, "total": fees.entry_total(entry), "form": form}
    )


@require_POST
@role_required("matching.manage_fees")
@modest_fee_only
def fee_payment(request, org):
    form = FeePaymentForm(request.POST)
    if form.is_valid():
        try:
            fees.fee_record_payment(by=request.user, **form.cleaned_data)
        except fees.FeeError as error:
            form.add_error("amount", error.message)
        else:
            messages.success(
                request,
                _("De betaling aan %(name)s is geboekt.") % {"name": form.cleaned_data["volunteer"].name},
            )
            return redirect("matching:fee_volunteer_ledger", org=org, volunteer=form.cleaned_data["volunteer"].pk)
    return render(request, "matching/fees/payment.html", {"form": form}, status=200)


@role_required("matching.manage_fees")
@modest_fee_only
def fee_export(request, org):
    _form, month, volunteer = _filters(request)
    response = HttpResponse(fees.fee_export_xlsx(month=month, volunteer=volunteer), content_type=XLSX)
    suffix = f"-{month:%Y-%m}" if month else ""
    response["Content-Disposition"] = f'attachment; filename="vergoedingen-{org}{suffix}.xlsx"'
    return response


@role_required("matching.own_fees")
@modest_fee_only
def my_fees(request, org):
    volunteer = people.volunteer_of(request.user)
    return render(
        request,
        "matching/fees/my_fees.html",
        {"volunteer": volunteer, "ledger": fees.volunteer_fees(volunteer=volunteer)},
    )
