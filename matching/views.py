"""Requests: the coordinator's intake, list and detail, the public request form; volunteers' offers."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netwerken import privacy
from netwerken import selectors as people
from netwerken.consent import resident_online_consent_text, resident_phone_consent_text
from netwerken.models import Consent, Resident
from netwerken.pagination import filtered_page
from netwerken.ratelimits import limited, record_success
from netwerken.tenancy import public_page, role_required
from netwerken.validators import format_phone, parse_id

from . import backstop, help_types, lifecycle, selectors, services
from .filters import HelpRequestFilter
from .forms import CategoryForm, IntakeForm, OfferForm, OnlineRequestForm, RequestFields, TransitionForm
from .models import Category, Escalation, HelpRequest, Offer

ONLINE_REQUEST_RATE = "5/h"

REQUEST_FIELDS = RequestFields._meta.fields


@role_required("matching.view_requests")
def request_list(request, org):
    context = filtered_page(request, HelpRequestFilter, selectors.help_request_list())
    return render(request, "matching/request_list.html", context)


@role_required("matching.intake")
def intake(request, org):
    """One screen for a phone call: find the resident first, then take the request."""
    organisation = request.tenant.organisation
    # PostgreSQL refuses NUL in a query parameter; nobody searches for one.
    query = request.GET.get("zoek", "").replace("\x00", "")[:100]
    results = people.resident_search(query) if query else []
    chosen = None
    chosen_pk = parse_id(request.POST.get("resident") if request.method == "POST" else request.GET.get("bewoner"))
    if chosen_pk:
        chosen = Resident.objects.filter(pk=chosen_pk).first()
    consent_text = resident_phone_consent_text(organisation)
    if request.method == "POST" and (earlier := selectors.request_of_submission(request.POST.get("submission"))):
        # A second click on 'Opslaan': the first saved it (its resident would now look like a duplicate).
        return _saved_before(request, org, earlier)
    form = IntakeForm(
        request.POST if request.method == "POST" else None,
        initial={"resident": chosen.pk if chosen else None},
        consent_text=consent_text,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        help_request = services.help_request_intake(
            organisation=organisation,
            resident=data["resident"],
            new_resident=None if data["resident"] else form.new_resident_data(),
            by=request.user,
            channel=data["channel"],
            consent_method=Consent.Method.PHONE,
            consent_text=consent_text,
            recurring_slots=data.get("recurring_slots") or 0,
            submission_key=data.get("submission"),
            **{name: data[name] for name in REQUEST_FIELDS},
        )
        if getattr(help_request, "repeated", False):
            return _saved_before(request, org, help_request)
        messages.success(request, _("De hulpvraag van %(name)s is opgeslagen.") % {"name": help_request.resident.name})
        return redirect("matching:request_detail", org=org, help_request=help_request.pk)
    return render(
        request,
        "matching/intake.html",
        {"form": form, "query": query, "results": results, "chosen": chosen, "searched": bool(query)},
    )


def _saved_before(request, org, help_request):
    messages.info(request, _("Deze hulpvraag was al opgeslagen; er is niets dubbel opgeslagen."))
    return redirect("matching:request_detail", org=org, help_request=help_request.pk)


@role_required("matching.view_requests")
def request_detail(request, org, help_request):
    try:
        help_request = selectors.help_request_detail(help_request)
    except HelpRequest.DoesNotExist:
        raise Http404 from None
    privacy.access_log_record(user=request.user, resident=help_request.resident, subject=help_request)
    return render(request, "matching/request_detail.html", selectors.request_page_context(help_request))


@role_required("matching.change_request")
def request_edit(request, org, help_request):
    help_request = get_object_or_404(HelpRequest.objects.select_related("resident"), pk=help_request)
    form = RequestFields(request.POST if request.method == "POST" else None, instance=help_request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.help_request_update(
                help_request=help_request,
                recurring_slots=data.get("recurring_slots") or 0,
                **{name: data[name] for name in REQUEST_FIELDS},
            )
        except services.RequestChangeRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("De hulpvraag is opgeslagen."))
            return redirect("matching:request_detail", org=org, help_request=help_request.pk)
    return render(request, "matching/request_edit.html", {"form": form, "help_request": help_request})


@require_POST
@role_required("matching.change_request")
def request_transition(request, org, help_request):
    """A button on the request page. A refusal shows the page again with the message at the field and
    everything typed still there."""
    try:
        help_request = selectors.help_request_detail(help_request)
    except HelpRequest.DoesNotExist:
        raise Http404 from None
    form = TransitionForm(request.POST)
    if form.has_error("to_status"):
        messages.error(request, _("Deze status bestaat niet."))
        return redirect("matching:request_detail", org=org, help_request=help_request.pk)
    if form.is_valid() and form.cleaned_data["to_status"] == HelpRequest.Status.ESCALATED:
        data = form.cleaned_data
        try:
            backstop.escalation_open(
                help_request=help_request,
                by=request.user,
                reason=data["reason"],
                urgency=data["urgency"] or Escalation.Urgency.NORMAL,
            )
            messages.success(request, _("Opgeschaald naar het wijkteam."))
            return redirect("matching:request_detail", org=org, help_request=help_request.pk)
        except backstop.BackstopError as error:
            if error.field is None:
                messages.error(request, error.message)
                return redirect("matching:request_detail", org=org, help_request=help_request.pk)
            form.add_error(error.field, error.message)
    elif form.is_valid():
        try:
            data = {name: value for name, value in form.cleaned_data.items() if name != "urgency"}
            lifecycle.request_transition(by=request.user, help_request=help_request, **data)
            messages.success(
                request, _("Status gewijzigd naar ‘%(status)s’.") % {"status": help_request.get_status_display()}
            )
            return redirect("matching:request_detail", org=org, help_request=help_request.pk)
        except lifecycle.InvalidTransition as error:
            if error.field is None:
                # Not a field's fault (the move is not allowed from this status): say so on the fresh page.
                messages.error(request, error.message)
                return redirect("matching:request_detail", org=org, help_request=help_request.pk)
            form.add_error(error.field, error.message)
    privacy.access_log_record(user=request.user, resident=help_request.resident, subject=help_request)
    context = selectors.request_page_context(help_request, transition_form=form)
    return render(request, "matching/request_detail.html", context)


@public_page
def online_request(request, org):
    """A resident asks for help without an account; the request arrives as 'nieuw' for a coordinator."""
    organisation = request.tenant.organisation
    if organisation.is_funder:
        raise Http404
    consent_text = resident_online_consent_text(organisation)
    form = OnlineRequestForm(request.POST if request.method == "POST" else None, consent_text=consent_text)
    if request.method == "POST":
        if limited(request, "online_request", ONLINE_REQUEST_RATE):
            if organisation.phone:
                message = _(
                    "Er zijn vanaf dit adres veel hulpvragen verstuurd. Bel ons op %(phone)s, "
                    "of probeer het over een uur opnieuw."
                ) % {"phone": format_phone(organisation.phone)}
            else:
                message = _(
                    "Er zijn vanaf dit adres veel hulpvragen verstuurd. Bel ons, of probeer het over een uur opnieuw."
                )
            form.add_error(None, message)
        elif form.is_bot:
            # Looks like success to a bot; nothing is stored.
            return redirect("matching:online_request_thanks", org=org)
        elif form.is_valid():
            data = form.cleaned_data
            services.help_request_online(
                organisation=organisation,
                resident_data=form.new_resident_data(),
                consent_method=Consent.Method.ONLINE,
                consent_text=consent_text,
                category=data["category"],
                description=data["description"],
                date=data["date"],
                submission_key=data.get("submission"),
            )
            record_success(request, "online_request", ONLINE_REQUEST_RATE)
            return redirect("matching:online_request_thanks", org=org)
    return render(request, "matching/online_request.html", {"form": form})


@public_page
def online_request_thanks(request, org):
    return render(request, "matching/online_request_thanks.html")


def _own_volunteer(request):
    volunteer = people.volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    return volunteer


@role_required("matching.own_offers")
def my_offers(request, org):
    volunteer = people.volunteer_of(request.user)
    if volunteer is None:
        messages.info(request, _("Vul eerst je vrijwilligersprofiel in."))
        return redirect("matching:volunteer_signup", org=org)
    form = OfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.offer_save(
            volunteer=volunteer,
            category=data["category"],
            description=data["description"],
            availability_mask=data["availability"],
            active=data["active"],
        )
        messages.success(request, _("Je aanbod is toegevoegd."))
        return redirect("matching:my_offers", org=org)
    return render(
        request,
        "matching/my_offers.html",
        {"volunteer": volunteer, "offers": selectors.offers_of(volunteer), "form": form},
    )


@role_required("matching.own_offers")
def offer_edit(request, org, offer):
    volunteer = _own_volunteer(request)
    # Another volunteer's offer answers 404, as if it did not exist.
    offer = get_object_or_404(Offer.objects.filter(volunteer=volunteer), pk=offer)
    form = OfferForm(request.POST if request.method == "POST" else None, instance=offer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.offer_save(
            volunteer=volunteer,
            offer=offer,
            category=data["category"],
            description=data["description"],
            availability_mask=data["availability"],
            active=data["active"],
        )
        messages.success(request, _("Je aanbod is opgeslagen."))
        return redirect("matching:my_offers", org=org)
    return render(request, "matching/offer_edit.html", {"form": form, "offer": offer})


@role_required("matching.manage_categories")
def category_list(request, org):
    modest_fee = help_types.is_modest_fee(request.tenant.organisation)
    form = CategoryForm(request.POST if request.method == "POST" else None, modest_fee=modest_fee)
    if request.method == "POST" and form.is_valid():
        services.category_save(organisation=request.tenant.organisation, **form.cleaned_data)
        messages.success(request, _("De soort hulp is toegevoegd."))
        return redirect("matching:category_list", org=org)
    return render(
        request,
        "matching/category_list.html",
        {"categories": Category.objects.all(), "form": form, "modest_fee": modest_fee},
    )


@role_required("matching.manage_categories")
def category_edit(request, org, category):
    category = get_object_or_404(Category, pk=category)
    form = CategoryForm(
        request.POST if request.method == "POST" else None,
        instance=category,
        modest_fee=help_types.is_modest_fee(request.tenant.organisation),
    )
    if request.method == "POST" and form.is_valid():
        services.category_save(organisation=request.tenant.organisation, category=category, **form.cleaned_data)
        messages.success(request, _("De soort hulp is opgeslagen."))
        return redirect("matching:category_list", org=org)
    return render(request, "matching/category_edit.html", {"form": form, "category": category})
