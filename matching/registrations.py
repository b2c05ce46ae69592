"""What matching adds to netwerken's pages and mechanisms (netwerken/registry.py, netwerken/privacy.py)."""

from django.utils.translation import gettext_lazy as _

from netwerken import privacy, registry
from netwerken.roles import Role

from . import fees, help_types, hours_privacy, selectors, services
from . import privacy as matching_privacy
from .tasks import enqueue_volunteer_sync

# --- menu ---------------------------------------------------------------------------------------------

registry.register_menu(Role.COORDINATOR, _("Hulpvragen"), "matching:request_list", order=10)
registry.register_menu(Role.COORDINATOR, _("Nieuwe hulpvraag"), "matching:intake", order=20)
registry.register_menu(Role.COORDINATOR, _("Alles voorstellen"), "matching:batch_list", order=30)
registry.register_menu(Role.COORDINATOR, _("Vrijwilligers"), "matching:volunteer_list", order=40)
registry.register_menu(Role.VOLUNTEER, _("Mijn profiel"), "matching:my_profile", order=10)
registry.register_menu(Role.VOLUNTEER, _("Mijn aanbod"), "matching:my_offers", order=20)
registry.register_menu(Role.ORG_ADMIN, _("Soorten hulp"), "matching:category_list", order=20)
registry.register_menu(Role.ORG_ADMIN, _("Matching"), "matching:settings", order=40)
registry.register_menu(Role.COORDINATOR, _("Signalen"), "matching:signal_list", order=60)
registry.register_menu(Role.COORDINATOR, _("Verbetervoorstellen"), "matching:improvement_list", order=70)
registry.register_menu(Role.PROFESSIONAL, _("Signalen"), "matching:signal_list", order=40)
registry.register_menu(Role.PROFESSIONAL, _("Verbetervoorstellen"), "matching:improvement_list", order=50)
registry.register_menu(Role.ORG_ADMIN, _("Signalen"), "matching:signal_settings", order=60)
registry.register_menu(Role.ORG_ADMIN, _("Sociale kaart"), "matching:social_map", order=50)
registry.register_menu(Role.PROFESSIONAL, _("Bewoner aanmelden"), "matching:referral_in", order=20)
registry.register_menu(Role.VOLUNTEER, _("Mijn uren"), "matching:my_hours", order=30)
registry.register_menu(Role.VOLUNTEER, _("Mijn agenda"), "matching:my_calendar", order=35)
registry.register_menu(Role.COORDINATOR, _("Uren"), "matching:hours_overview", order=50)
# 'Een extraatje bijverdienen' only: the fee ledger.
registry.register_menu(
    Role.COORDINATOR, _("Vergoedingen"), "matching:fee_overview", order=45, when=help_types.is_modest_fee
)
registry.register_menu(
    Role.VOLUNTEER, _("Mijn vergoedingen"), "matching:my_fees", order=30, when=help_types.is_modest_fee
)

# --- sections of netwerken's pages --------------------------------------------------------------------


def _volunteer_dashboard(request):
    from netwerken.selectors import volunteer_of_request

    return selectors.volunteer_dashboard_context(volunteer=volunteer_of_request(request))


def _coordinator_dashboard(request):
    return selectors.coordinator_dashboard_context()


def _professional_dashboard(request):
    from . import backstop_selectors

    return {"escalations": list(backstop_selectors.escalations_of_organisation())}


def _resident_requests(request, *, resident):
    return {"requests": selectors.requests_of_resident(resident=resident)}


registry.register_section("volunteer_dashboard", "matches", "matching/_dashboard_volunteer.html", _volunteer_dashboard)
registry.register_section(
    "coordinator_dashboard", "matching", "matching/_dashboard_coordinator.html", _coordinator_dashboard
)
registry.register_section(
    "professional_dashboard", "escalations", "matching/backstop/_professional_section.html", _professional_dashboard
)
registry.register_section("resident_detail", "requests", "matching/_resident_requests.html", _resident_requests)


def _choose_organisation(request, **front_door):
    """Someone with an account and no organisation: the home page's lookup and list, each organisation with
    'Word hier vrijwilliger' (matching/volunteer_views.volunteer_join)."""
    return {**front_door, "join_url_name": "matching:volunteer_join", "join_label": _("Word hier vrijwilliger")}


registry.register_section(
    "choose_organisation", "volunteer", "matching/_choose_organisation.html", _choose_organisation
)


# 'Er zijn voor elkaar' only (the sections show nothing elsewhere): what a person gave and received.
def _volunteer_reciprocity(request):
    from netwerken.selectors import volunteer_of_request

    from .reciprocity import volunteer_reciprocity

    volunteer = volunteer_of_request(request)
    return volunteer_reciprocity(volunteer=volunteer, organisation=request.tenant.organisation, own=True)


def _resident_reciprocity(request, *, resident):
    from .reciprocity import resident_reciprocity_context

    return resident_reciprocity_context(resident=resident, organisation=request.tenant.organisation)


registry.register_section(
    "volunteer_dashboard", "reciprocity", "matching/_reciprocity_volunteer.html", _volunteer_reciprocity, order=50
)
registry.register_section(
    "resident_detail", "reciprocity", "matching/_reciprocity_resident.html", _resident_reciprocity, order=50
)


def _signals_section(request):
    from . import signals

    return signals.dashboard_counts()


registry.register_section(
    "professional_dashboard", "signals", "matching/signals/_dashboard.html", _signals_section, order=200
)

# --- set-up and change hooks ----------------------------------------------------------------------------

registry.register_organisation_setup(services.categories_setup_defaults)
# A volunteer's change (profile, pause, VOG) can change their suggestions: recompute after the commit.
registry.register_volunteer_changed(enqueue_volunteer_sync)

# --- a person's data -------------------------------------------------------------------------------------

privacy.register(
    privacy.DataPart(
        key="hulpvragen",
        order=100,
        export_resident=matching_privacy.export_resident,
        erase_resident=matching_privacy.erase_resident,
        residents_to_keep=matching_privacy.residents_to_keep,
    )
)
privacy.register(
    privacy.DataPart(
        key="vrijwilligerswerk",
        order=100,
        export_volunteer=matching_privacy.export_volunteer,
        erase_volunteer=matching_privacy.erase_volunteer,
    )
)

# Hours entries' notes and the calendar address (matching/hours_privacy.py).
privacy.register(
    privacy.DataPart(
        key="uren",
        order=110,
        export_volunteer=hours_privacy.export_volunteer,
        erase_volunteer=hours_privacy.erase_volunteer,
        erase_resident=hours_privacy.erase_resident,
    )
)
privacy.register(
    privacy.DataPart(
        key="vergoedingen",
        order=90,
        export_resident=fees.export_resident,
        erase_resident=fees.erase_resident,
        export_volunteer=fees.export_volunteer,
        erase_volunteer=fees.erase_volunteer,
    )
)
