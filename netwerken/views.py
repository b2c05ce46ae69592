from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from buurthulp.celery import app as celery_app

from . import registry, selectors, services
from .forms import MembershipRolesForm, OrganisationSettingsForm, PostcodeLookupForm
from .models import Membership
from .pagination import paginate, querystring_without_page
from .qr import qr_svg
from .roles import LANDING_ORDER, Role
from .tenancy import SESSION_KEY, public_page, role_required


def _front_door(request):
    """The organisations on the instance and 'Welke buurthulp is er bij mij?' (a GET form by postcode)."""
    form = PostcodeLookupForm(request.GET if "postcode" in request.GET else None)
    found = selectors.organisations_for_postcode(form.cleaned_data["postcode"]) if form.is_valid() else None
    return {"organisations": selectors.public_organisations(), "lookup_form": form, "found": found}


def home(request):
    if not request.user.is_authenticated:
        return render(request, "netwerken/landing.html", _front_door(request))
    memberships = selectors.memberships_of(request.user)
    slugs = [m.organisation.slug for m in memberships]
    current = request.session.get(SESSION_KEY)
    if "postcode" not in request.GET:
        if current in slugs:
            return redirect("netwerken:org_home", org=current)
        if len(memberships) == 1:
            return redirect("netwerken:org_home", org=slugs[0])
    front_door = _front_door(request)
    # Someone with an account and no organisation yet is led to choose one (matching registers the way in:
    # 'word hier vrijwilliger'); with no section registered the page explains and lists the organisations.
    sections = [] if memberships else registry.render_sections("choose_organisation", request, **front_door)
    return render(
        request,
        "netwerken/choose_organisation.html",
        {"memberships": memberships, "sections": sections, **front_door},
    )


@public_page
def organisation_public_page(request, org):
    """The organisation's own page for anyone: its words, neighbourhoods, how to reach it, and the two ways in."""
    organisation = request.tenant.organisation
    if organisation.is_funder:
        raise Http404
    return render(request, "netwerken/public_page.html", {"areas": selectors.public_areas()})


def public_page_url(organisation):
    """The public page's full address (SITE_URL, as in mail): what the flyer's QR code holds."""
    return settings.SITE_URL.rstrip("/") + reverse("netwerken:public_page", kwargs={"org": organisation.slug})


@public_page
def organisation_flyer(request, org):
    """A printable A4 flyer of the public page: name, what it does, the phone number, the two ways in, a QR code.
    Public, as everything on it is on the public page already."""
    organisation = request.tenant.organisation
    if organisation.is_funder:
        raise Http404
    url = public_page_url(organisation)
    return render(request, "netwerken/flyer.html", {"public_url": url, "qr": qr_svg(url)})


def org_home(request, org):
    """Sends each person to the dashboard of their main role in this organisation."""
    for role in LANDING_ORDER:
        if role in request.tenant.roles:
            return redirect(DASHBOARD_URLS[role], org=org)
    return redirect("home")


def greeting(moment=None):
    """Goedemorgen, -middag, -avond or -nacht, by the time of day in Europe/Amsterdam (TIME_ZONE)."""
    hour = timezone.localtime(moment or timezone.now()).hour
    if hour < 6:
        return _("Goedenacht")
    if hour < 12:
        return _("Goedemorgen")
    if hour < 18:
        return _("Goedemiddag")
    return _("Goedenavond")


@role_required("netwerken.coordinator_dashboard")
def coordinator_dashboard(request, org):
    return render(
        request,
        "netwerken/dashboard_coordinator.html",
        {
            "greeting": greeting(),
            "figures": selectors.organisation_figures(),
            "sections": registry.render_sections("coordinator_dashboard", request),
        },
    )


@role_required("netwerken.volunteer_dashboard")
def volunteer_dashboard(request, org):
    return render(
        request,
        "netwerken/dashboard_volunteer.html",
        {"sections": registry.render_sections("volunteer_dashboard", request)},
    )


@public_page
def privacy_statement(request, org):
    """What the organisation keeps of whom, for how long, and how to see or erase it (public)."""
    return render(request, "netwerken/privacy.html", {"retention_months": request.tenant.organisation.retention_months})


@role_required("netwerken.professional_dashboard")
def professional_dashboard(request, org):
    return render(
        request,
        "netwerken/dashboard_professional.html",
        {"sections": registry.render_sections("professional_dashboard", request)},
    )


@role_required("netwerken.admin_dashboard")
def admin_dashboard(request, org):
    organisation = request.tenant.organisation
    form = OrganisationSettingsForm(request.POST if request.method == "POST" else None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(organisation=organisation, **form.cleaned_data)
        messages.success(request, _("De gegevens van de organisatie zijn opgeslagen."))
        return redirect("netwerken:admin_dashboard", org=org)
    return render(
        request,
        "netwerken/dashboard_admin.html",
        {"form": form, "sections": registry.render_sections("admin_dashboard", request)},
    )


@role_required("netwerken.funder_dashboard")
def funder_dashboard(request, org):
    organisation = request.tenant.organisation
    if organisation.is_funder:
        return render(
            request,
            "netwerken/dashboard_funder_overview.html",
            {
                "funded": selectors.funded_organisations(organisation),
                "sections": registry.render_sections("funder_overview", request),
            },
        )
    return render(
        request,
        "netwerken/dashboard_funder.html",
        {
            "figures": selectors.organisation_figures(),
            "sections": registry.render_sections("funder_dashboard", request),
        },
    )


@role_required("netwerken.view_staff")
def staff_list(request, org):
    """The team, searchable by name and email, a page at a time; the org admin also sees the open invitations."""
    query = request.GET.get("zoek", "")
    can_manage = request.user.has_perm("netwerken.manage_organisation", request.tenant.organisation)
    return render(
        request,
        "netwerken/staff_list.html",
        {
            "page": paginate(request, selectors.staff_list(query)),
            "query": query[:100],
            "querystring": querystring_without_page(request),
            "invitations": list(selectors.open_invitations()) if can_manage else [],
            "can_manage": can_manage,
        },
    )


@role_required("netwerken.manage_organisation")
def member_edit(request, org, membership):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership)
    form = MembershipRolesForm(
        request.POST if request.method == "POST" else None, membership=membership, by=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_set_roles(membership=membership, roles=form.cleaned_data["roles"], by=request.user)
        except services.TeamError as error:  # changed by another admin since the form was checked
            form.add_error("roles", error.message)
        else:
            messages.success(request, _("De rollen van %(name)s zijn opgeslagen.") % {"name": membership.user})
            return redirect("netwerken:staff_list", org=org)
    return render(request, "netwerken/member_edit.html", {"form": form, "membership": membership})


@never_cache
def healthz(request):
    """Each component's state. 503 only when the database is down: without it nothing works; without the broker
    or the cache every page still does (background work waits in the database, rate limits let visitors through),
    so those report "degraded" with 200."""
    state = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        state["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", reported as such
        state["database"] = f"error: {exc.__class__.__name__}"
    state["cache"] = _cache_state()
    if celery_app.conf.task_always_eager:
        state["broker"] = "in-process"
    else:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            state["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            state["broker"] = f"error: {exc.__class__.__name__}"
    if state["database"] != "ok":
        status, code = "error", 503
    elif all(value in {"ok", "in-process"} for value in state.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, **state}, status=code)


def _cache_state():
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    # The real backend behind buurthulp.cache.FailSafeCache (which would hide its errors).
    backend = getattr(caches["default"], "inner", caches["default"])
    try:
        backend.set("healthz", "ok", 10)
        if backend.get("healthz") != "ok":
            return "error: not stored"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "in-process" if isinstance(backend, LocMemCache) else "ok"


DASHBOARD_URLS = {
    Role.COORDINATOR: "netwerken:coordinator_dashboard",
    Role.PROFESSIONAL: "netwerken:professional_dashboard",
    Role.VOLUNTEER: "netwerken:volunteer_dashboard",
    Role.ORG_ADMIN: "netwerken:admin_dashboard",
    Role.FUNDER: "netwerken:funder_dashboard",
}
