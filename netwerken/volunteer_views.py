"""Volunteers: public sign-up, the coordinator's list and intake, a volunteer's own profile."""

from allauth.account import app_settings as allauth_settings
from allauth.account.utils import complete_signup, setup_user_email
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from . import selectors, services
from .consent import volunteer_consent_text
from .forms import AreaForm, PauseForm, VolunteerIntakeForm, VolunteerProfileForm, VolunteerSignupForm
from .models import Area, User
from .pagination import filtered_page
from .tenancy import public_page, role_required


@public_page
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def volunteer_signup(request, org):
    organisation = request.tenant.organisation
    if organisation.is_funder:
        from django.http import Http404

        raise Http404
    user = request.user if request.user.is_authenticated else None
    if user is not None and selectors.volunteer_of(user) is not None:
        return redirect("netwerken:my_profile", org=org)
    consent_text = volunteer_consent_text(organisation)
    form = VolunteerSignupForm(request.POST if request.method == "POST" else None, user=user, consent_text=consent_text)
    if request.method == "POST" and getattr(request, "limited", False):
        form.add_error(
            None, _("Er zijn vanaf dit adres te veel aanmeldingen gedaan. Probeer het over een uur opnieuw.")
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        profile = {k: data[k] for k in VolunteerProfileForm.base_fields if k in data}
        profile.setdefault("areas", [])
        with transaction.atomic():
            if user is None:
                new_user = User.objects.create_user(
                    email=data["email"], password=data["password1"], name=data["name"].strip()
                )
            services.volunteer_register(
                organisation=organisation, user=user or new_user, consent_text=consent_text, **profile
            )
        if user is None:
            setup_user_email(request, new_user, [])
            return complete_signup(request, new_user, allauth_settings.EMAIL_VERIFICATION, "/")
        messages.success(request, _("Welkom! Een coördinator neemt contact met je op voor een kennismaking."))
        return redirect("netwerken:my_profile", org=org)
    return render(request, "netwerken/volunteer_signup.html", {"form": form})


@role_required("netwerken.view_volunteers")
def volunteer_list(request, org):
    from matching.filters import VolunteerFilter

    context = filtered_page(request, VolunteerFilter, selectors.volunteer_list())
    return render(request, "netwerken/volunteer_list.html", context)


@role_required("netwerken.intake_volunteer")
def volunteer_detail(request, org, volunteer):
    volunteer = get_object_or_404(
        selectors.volunteer_list().select_related("consent").prefetch_related("areas", "offers__category"), pk=volunteer
    )
    form = VolunteerIntakeForm(request.POST if request.method == "POST" else None, instance=volunteer)
    if request.method == "POST" and form.is_valid():
        services.volunteer_intake(volunteer=volunteer, by=request.user, **form.cleaned_data)
        messages.success(request, _("De gegevens van %(name)s zijn opgeslagen.") % {"name": volunteer.name})
        return redirect("netwerken:volunteer_detail", org=org, volunteer=volunteer.pk)
    return render(request, "netwerken/volunteer_detail.html", {"volunteer": volunteer, "form": form})


def _own_volunteer_or_signup(request, org):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        messages.info(request, _("Vul eerst je vrijwilligersprofiel in."))
    return volunteer


@role_required("netwerken.own_profile")
def my_profile(request, org):
    volunteer = _own_volunteer_or_signup(request, org)
    if volunteer is None:
        return redirect("netwerken:volunteer_signup", org=org)
    if request.method == "POST":
        form = VolunteerProfileForm(request.POST)
        if form.is_valid():
            services.volunteer_update_profile(volunteer=volunteer, **form.cleaned_data)
            messages.success(request, _("Je profiel is opgeslagen."))
            return redirect("netwerken:my_profile", org=org)
    else:
        form = VolunteerProfileForm(initial=VolunteerProfileForm.initial_from(volunteer))
    return render(
        request,
        "netwerken/my_profile.html",
        {
            "volunteer": volunteer,
            "form": form,
            "pause_form": PauseForm(
                initial={"paused_from": volunteer.paused_from, "paused_until": volunteer.paused_until}
            ),
        },
    )


@role_required("netwerken.own_profile")
def my_pause(request, org):
    volunteer = _own_volunteer_or_signup(request, org)
    if volunteer is None:
        return redirect("netwerken:volunteer_signup", org=org)
    form = PauseForm(
        request.POST if request.method == "POST" else None,
        initial={"paused_from": volunteer.paused_from, "paused_until": volunteer.paused_until},
    )
    if request.method == "POST" and form.is_valid():
        services.volunteer_pause(volunteer=volunteer, **form.cleaned_data)
        if form.cleaned_data["paused_from"]:
            messages.success(request, _("Je aanbod staat op pauze. Het blijft bewaard."))
        else:
            messages.success(request, _("Je pauze is opgeheven."))
        return redirect("netwerken:my_profile", org=org)
    return render(request, "netwerken/my_pause.html", {"volunteer": volunteer, "pause_form": form})


@role_required("netwerken.manage_areas")
def area_list(request, org):
    form = AreaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.area_save(organisation=request.tenant.organisation, **form.cleaned_data)
        messages.success(request, _("De buurt is toegevoegd."))
        return redirect("netwerken:area_list", org=org)
    areas = Area.objects.prefetch_related("postcodes").order_by("name")
    return render(request, "netwerken/area_list.html", {"areas": areas, "form": form})


@role_required("netwerken.manage_areas")
def area_edit(request, org, area):
    area = get_object_or_404(Area.objects.prefetch_related("postcodes"), pk=area)
    initial = {
        "name": area.name,
        "latitude": area.latitude,
        "longitude": area.longitude,
        "postcodes": ", ".join(p.prefix for p in area.postcodes.all()),
    }
    form = AreaForm(request.POST if request.method == "POST" else None, area=area, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.area_save(organisation=request.tenant.organisation, area=area, **form.cleaned_data)
        messages.success(request, _("De buurt is opgeslagen."))
        return redirect("netwerken:area_list", org=org)
    return render(request, "netwerken/area_edit.html", {"area": area, "form": form})
