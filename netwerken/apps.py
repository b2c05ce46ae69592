from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetwerkenConfig(AppConfig):
    name = "netwerken"
    verbose_name = _("Organisaties en mensen")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.checks import register

        from . import (
            registrations,  # noqa: F401 - registers netwerken's own menu items and data parts
            sessions,  # noqa: F401 - stamps the session's start when someone signs in
        )
        from .invitations import connect
        from .mail import check_lease

        register(check_lease)

        connect()  # an invitee who signs up through the invitation's link joins the organisation
