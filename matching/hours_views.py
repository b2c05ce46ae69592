"""The hours pages (a volunteer's own, the coordinator's overview) and the volunteer's calendar feed."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netwerken import selectors as people
from netwerken.pagination import paginate
from netwerken.tenancy import public_page, role_required

from . import calendar_feed
from . import hours as hours_service
from .hours_forms import HoursForm, YearForm


def _volunteer_or_signup(request):
    volunteer = people.volunteer_of(request.user)
    if volunteer is None:
        messages.info(request, _("Vul eerst je vrijwilligersprofiel in."))
    return volunteer


@role_required("matching.own_hours")
def my_hours(request, org):
    volunteer = _volunteer_or_signup(request)
    if volunteer is None:
        return redirect("matching:volunteer_signup", org=org)
    choices = {
        "matches": list(hours_service.loggable_matches(volunteer=volunteer)),
        "sessions": list(hours_service.loggable_sessions(volunteer=volunteer)),
    }
    if request.method == "POST":
        form = HoursForm(request.POST, **choices)
        if form.is_valid():
            try:
                hours_service.hours_log(
                    volunteer=volunteer,
                    date=form.cleaned_data["date"],
                    minutes=form.cleaned_data["minutes"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                    **form.cleaned_target(),
                )
            except hours_service.HoursError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Je uren zijn opgeslagen."))
                return redirect("matching:my_hours", org=org)
    else:
        form = HoursForm(**choices)
        form.initial = form.proposed_initial(request.GET.get("voor", ""))
    return render(
        request,
        "matching/hours/my_hours.html",
        {
            "form": form,
            "summary": hours_service.volunteer_hours_summary(volunteer=volunteer, year=timezone.localdate().year),
            "page": paginate(request, hours_service.volunteer_hours_history(volunteer=volunteer)),
        },
    )


@require_POST
@role_required("matching.own_hours")
def my_hours_delete(request, org, hours):
    volunteer = people.volunteer_of(request.user)
    entry = hours_service.own_hours_entry(volunteer=volunteer, pk=hours)
    if entry is None:
        raise Http404
    try:
        hours_service.hours_delete(entry=entry, by=request.user)
    except hours_service.HoursError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("De uren zijn verwijderd."))
    return redirect("matching:my_hours", org=org)


@role_required("matching.view_hours")
def hours_overview(request, org):
    year_form = YearForm(request.GET or None)
    year = year_form.year()
    organisation = request.tenant.organisation
    rows = hours_service.hours_per_volunteer_month(organisation=organisation, year=year)
    return render(
        request,
        "matching/hours/hours_overview.html",
        {
            "year_form": year_form,
            "year": year,
            "page": paginate(request, rows),
            "totals": hours_service.hours_totals(rows),
            "querystring": f"jaar={year}",
        },
    )


# --- the calendar feed ----------------------------------------------------------------------------------


def _feed_urls(request, volunteer):
    if not volunteer.calendar_token:
        return None
    path = reverse(
        "matching:calendar_feed",
        kwargs={"org": request.tenant.organisation.slug, "calendar_token": volunteer.calendar_token},
    )
    https = "https://" + request.get_host() + path
    return {"https": https, "webcal": "webcal://" + request.get_host() + path}


@role_required("matching.own_hours")
def my_calendar(request, org):
    volunteer = _volunteer_or_signup(request)
    if volunteer is None:
        return redirect("matching:volunteer_signup", org=org)
    return render(request, "matching/hours/my_calendar.html", {"feed": _feed_urls(request, volunteer)})


@require_POST
@role_required("matching.own_hours")
def my_calendar_revoke(request, org):
    volunteer = people.volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    had_one = bool(volunteer.calendar_token)
    calendar_feed.calendar_token_renew(volunteer=volunteer, by=request.user)
    if had_one:
        messages.success(request, _("Je hebt een nieuw agenda-adres. Het oude adres werkt niet meer."))
    else:
        messages.success(request, _("Je agenda-adres is klaar."))
    return redirect("matching:my_calendar", org=org)


def _read_only(request):
    """405 for anything but reading: the feed takes no input (checked after the token, so a wrong address is
    a 404 whatever the method)."""
    if request.method in ("GET", "HEAD"):
        return None
    return HttpResponseNotAllowed(["GET", "HEAD"])


@public_page
def calendar_feed_view(request, org, calendar_token):
    """The feed itself: whoever holds the address (a phone's calendar app, without logging in)."""
    volunteer = calendar_feed.volunteer_by_calendar_token(
        organisation=request.tenant.organisation, token=calendar_token
    )
    if volunteer is None:
        raise Http404
    refused = _read_only(request)
    if refused is not None:
        return refused
    body = calendar_feed.calendar_ics(volunteer=volunteer, site=f"{request.scheme}://{request.get_host()}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="buurthulp.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
