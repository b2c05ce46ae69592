"""What evaluatie adds to netwerken's pages and mechanisms: its menu items, and its part of a volunteer's data."""

from django.utils.translation import gettext_lazy as _

from netwerken import privacy, registry
from netwerken.roles import Role

from . import privacy as evaluatie_privacy

registry.register_menu(Role.COORDINATOR, _("Evaluatie"), "evaluatie:cycle_list", order=80)
registry.register_menu(Role.ORG_ADMIN, _("Evaluatie"), "evaluatie:cycle_list", order=80)

# --- a person's data -------------------------------------------------------------------------------------

privacy.register(
    privacy.DataPart(
        key="enquetes",
        order=50,
        export_volunteer=evaluatie_privacy.export_volunteer,
        erase_volunteer=evaluatie_privacy.erase_volunteer,
    )
)


# --- the funder's pages ----------------------------------------------------------------------------------


def _funder_cycles(request):
    from . import funder_selectors

    return {"cycles": list(funder_selectors.report_cycles())}


def _funder_overview(request):
    from . import funder_selectors

    return funder_selectors.overview(request.tenant.organisation)


registry.register_section("funder_dashboard", "reports", "evaluatie/_funder_cycles.html", _funder_cycles)
registry.register_section("funder_overview", "together", "evaluatie/_funder_overview.html", _funder_overview)
