from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluatieConfig(AppConfig):
    name = "evaluatie"
    verbose_name = _("Evaluatie")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # What evaluatie adds to netwerken's pages (its menu items), and the catalogue's indicators of
        # networks, hours, fees and reciprocity (issue 10).
        from . import activity_indicators, registrations  # noqa: F401
