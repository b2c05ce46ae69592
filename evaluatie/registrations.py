"""What evaluatie adds to netwerken's pages (netwerken/registry.py): its menu items."""

from django.utils.translation import gettext_lazy as _

from netwerken import registry
from netwerken.roles import Role

registry.register_menu(Role.COORDINATOR, _("Evaluatie"), "evaluatie:cycle_list", order=80)
registry.register_menu(Role.ORG_ADMIN, _("Evaluatie"), "evaluatie:cycle_list", order=80)
