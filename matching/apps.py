from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Hulpvragen en matching")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # What matching adds to netwerken's pages and mechanisms: menu items, dashboard and resident
        # sections, default categories of a new organisation, recomputing after a volunteer's change,
        # and its part of a person's data (export, erasure, retention).
        from . import registrations  # noqa: F401
