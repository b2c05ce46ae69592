"""Volunteers: public sign-up, a volunteer's own profile, pause and data; the coordinator's list and intake.

These live in matching, not netwerken, because they hold what a volunteer helps with (categories,
offers, matches): netwerken knows nothing of matching.
"""

import json

from allauth.account import app_settings as allauth_settings
from allauth.account.utils import complete_signup, setup_user_email
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from netwerken import privacy
from netwerken import selectors as people
from netwerken import services as people_services
from netwerken.consent import volunteer_consent_text
from netwerken.models import User
from netwerken.pagination import filtered_page
from netwerken.ratelimits import limited, record_success
from netwerken.tenancy import public_page, role_required

from . import selectors, services
from .filters import VolunteerFilter
from .help_types import is_modest_fee
from .reciprocity import volunteer_reciprocity
from .volunteer_forms import (
    PauseForm,
    VolunteerIntakeForm,
    VolunteerJoinForm,
    VolunteerProfileForm,
    VolunteerSignupForm,
)

SIGNUP_RATE = "20/h"


@public_page
def volunteer_signup(request, org):
    organisation = request.tenant.organisation
    if organisation.is_funder:
        raise Http404
    user = request.user if request.user.is_authenticated else None
    if user is not None and people.volunteer_of(user) is not None:
        return redirect("matching:my_profile", org=org)
    consent_text = volunteer_consent_text(organisation)
    form = VolunteerSignupForm(request.POST if request.method == "POST" else None, user=user, consent_text=consent_text)
    if request.method == "POST" and limited(request, "volunteer_signup", SIGNUP_RATE):
        form.add_error(
            None, _("Er zijn vanaf dit adres te veel aanmeldingen gedaan. Probeer het over een uur opnieuw.")
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        profile = {k: data[k] for k in VolunteerProfileForm.base_fields if k in data}
        profile.setdefault("areas", [])
        account = None if user else {"email": data["email"], "password": data["password1"], "name": data["name"]}
        try:
            volunteer = services.volunteer_signup(
                organisation=organisation, user=user, account=account, consent_text=consent_text, **profile
            )
        except services.AlreadyVolunteer:  # a second tab's post
            return _already_volunteer(request, org)
        except services.EmailTaken:  # a parallel sign-up with this email won; what was typed stays in the form
            form.add_error("email", VolunteerSignupForm.EMAIL_TAKEN)
        else:
            record_success(request, "volunteer_signup", SIGNUP_RATE)
            if user is None:
                new_user = volunteer.membership.user
                setup_user_email(request, new_user, [])
                return complete_signup(request, new_user, allauth_settings.EMAIL_VERIFICATION, "/")
            return redirect("matching:volunteer_signup_thanks", org=org)
    return render(request, "matching/volunteer_signup.html", {"form": form})


def _already_volunteer(request, org):
    messages.info(
        request,
        _("Je bent al vrijwilliger bij %(org)s. Je hoeft je niet opnieuw aan te melden.")
        % {"org": request.tenant.organisation.name},
    )
    return redirect("matching:volunteer_signup_thanks", org=org)


@public_page
def volunteer_join(request, org):
    """'Word hier vrijwilliger' for someone with an account and no organisation yet, chosen on the home page
    (by postcode or from the list): one confirmation makes them a candidate, as the full sign-up does."""
    organisation = request.tenant.organisation
    if organisation.is_funder:
        raise Http404
    if not request.user.is_authenticated:
        # Without an account: log in first, or the full sign-up makes one (nothing is stored from here).
        return render(request, "matching/volunteer_join.html", {"form": None})
    if people.volunteer_of(request.user) is not None:
        return _already_volunteer(request, org)
    consent_text = volunteer_consent_text(organisation)
    form = VolunteerJoinForm(
        request.POST if request.method == "POST" else None,
        initial={"postcode": request.GET.get("postcode", "")[:10]},
        consent_text=consent_text,
    )
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "consent"}
        try:
            services.volunteer_join(organisation=organisation, user=request.user, consent_text=consent_text, **data)
        except services.AlreadyVolunteer:
            return _already_volunteer(request, org)
        return redirect("matching:volunteer_signup_thanks", org=org)
    return render(request, "matching/volunteer_join.html", {"form": form})


@role_required("matching.own_profile")
def volunteer_signup_thanks(request, org):
    """After signing up: what happens next ('Wat gebeurt er nu?'), and how to reach the organisation."""
    volunteer = people.volunteer_of(request.user)
    if volunteer is None:
        return redirect("matching:volunteer_signup", org=org)
    return render(request, "matching/volunteer_signup_thanks.html", {"volunteer": volunteer})


@role_required("matching.view_volunteers")
def volunteer_list(request, org):
    context = filtered_page(request, VolunteerFilter, people.volunteer_list())
    return render(request, "matching/volunteer_list.html", context)


def _volunteer_or_404(pk):
    volunteer = selectors.volunteer_detail(pk)
    if volunteer is None:
        raise Http404
    return volunteer


@role_required("matching.intake_volunteer")
def volunteer_detail(request, org, volunteer):
    volunteer = _volunteer_or_404(volunteer)
    form = VolunteerIntakeForm(
        request.POST if request.method == "POST" else None,
        instance=volunteer,
        modest_fee=is_modest_fee(request.tenant.organisation),
    )
    if request.method == "POST" and volunteer.erased_at is None and form.is_valid():
        people_services.volunteer_intake(volunteer=volunteer, by=request.user, **form.cleaned_data)
        messages.success(request, _("De gegevens van %(name)s zijn opgeslagen.") % {"name": volunteer.name})
        return redirect("matching:volunteer_detail", org=org, volunteer=volunteer.pk)
    return render(
        request,
        "matching/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "form": form,
            "modest_fee": is_modest_fee(request.tenant.organisation),
            # 'Er zijn voor elkaar' only (None elsewhere): gave and received, and the link to the resident.
            "reciprocity": volunteer_reciprocity(volunteer=volunteer, organisation=request.tenant.organisation),
            **selectors.volunteer_vog_state(volunteer),
        },
    )


def _export_response(volunteer, data):
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    name = slugify(volunteer.name) or volunteer.pk
    response["Content-Disposition"] = f'attachment; filename="vrijwilliger-{name}.json"'
    return response


@role_required("matching.intake_volunteer")
def volunteer_export(request, org, volunteer):
    volunteer = _volunteer_or_404(volunteer)
    return _export_response(volunteer, privacy.volunteer_export(volunteer=volunteer, by=request.user))


def _erase(request, volunteer, *, self_service):
    """The confirmed erasure of the erase page's POST. Returns the error to show, or None when done."""
    # Exactly the checkbox's value: erasing cannot be undone, so nothing else counts as a yes.
    if request.POST.get("bevestig") != "ja":
        return _("Vink aan dat je dit zeker weet.") if self_service else _("Vink aan dat de vrijwilliger dit vroeg.")
    if volunteer.erased_at is not None:
        messages.info(request, _("De gegevens van deze vrijwilliger zijn al gewist."))
    else:
        privacy.volunteer_erase(volunteer=volunteer, by=request.user)
    return None


def _erase_form(request, volunteer, error, *, self_service):
    return render(
        request, "matching/volunteer_erase.html", {"volunteer": volunteer, "error": error, "self_service": self_service}
    )


@role_required("matching.intake_volunteer")
def volunteer_erase(request, org, volunteer):
    volunteer = _volunteer_or_404(volunteer)
    error = None
    if request.method == "POST":
        error = _erase(request, volunteer, self_service=False)
        if error is None:
            messages.success(request, _("De gegevens van de vrijwilliger zijn gewist. De aantallen blijven meetellen."))
            return redirect("matching:volunteer_list", org=org)
    return _erase_form(request, volunteer, error, self_service=False)


# --- a volunteer's own pages ------------------------------------------------------------------------


def _own_volunteer(request):
    volunteer = people.volunteer_of(request.user)
    if volunteer is None:
        messages.info(request, _("Vul eerst je vrijwilligersprofiel in."))
    return volunteer


@role_required("matching.own_profile")
def my_profile(request, org):
    volunteer = _own_volunteer(request)
    if volunteer is None:
        return redirect("matching:volunteer_signup", org=org)
    if request.method == "POST":
        form = VolunteerProfileForm(request.POST)
        if form.is_valid():
            services.volunteer_profile_update(volunteer=volunteer, **form.cleaned_data)
            messages.success(request, _("Je profiel is opgeslagen."))
            return redirect("matching:my_profile", org=org)
    else:
        form = VolunteerProfileForm(initial=VolunteerProfileForm.initial_from(volunteer))
    return render(
        request,
        "matching/my_profile.html",
        {
            "volunteer": volunteer,
            "form": form,
            "pause_form": PauseForm(
                initial={"paused_from": volunteer.paused_from, "paused_until": volunteer.paused_until}
            ),
            "reciprocity": volunteer_reciprocity(
                volunteer=volunteer, organisation=request.tenant.organisation, own=True
            ),
            **selectors.volunteer_vog_state(volunteer),
        },
    )


@role_required("matching.own_profile")
def my_pause(request, org):
    volunteer = _own_volunteer(request)
    if volunteer is None:
        return redirect("matching:volunteer_signup", org=org)
    form = PauseForm(
        request.POST if request.method == "POST" else None,
        initial={"paused_from": volunteer.paused_from, "paused_until": volunteer.paused_until},
    )
    if request.method == "POST" and form.is_valid():
        people_services.volunteer_pause(volunteer=volunteer, **form.cleaned_data)
        if form.cleaned_data["paused_from"]:
            messages.success(request, _("Je aanbod staat op pauze. Het blijft bewaard."))
        else:
            messages.success(request, _("Je pauze is opgeheven."))
        return redirect("matching:my_profile", org=org)
    return render(request, "matching/my_pause.html", {"volunteer": volunteer, "pause_form": form})


@role_required("matching.own_profile")
def my_data(request, org):
    volunteer = people.volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    return _export_response(volunteer, privacy.volunteer_export(volunteer=volunteer, by=request.user))


@role_required("matching.own_profile")
def my_erase(request, org):
    volunteer = people.volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    error = None
    if request.method == "POST":
        error = _erase(request, volunteer, self_service=True)
        if error is None:
            if not User.objects.get(pk=request.user.pk).is_active:
                # The account itself is gone (they were only a volunteer here): the session ends with it.
                logout(request)
            messages.success(request, _("Je gegevens zijn gewist. Dank je wel voor wat je hebt gedaan."))
            return redirect("home")
    return _erase_form(request, volunteer, error, self_service=True)
