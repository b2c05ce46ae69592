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
        from django.db.models.signals import post_delete, post_save

        from netwerken.models import Area
        from netwerken.pagination import choices_changed

        from . import registrations  # noqa: F401
        from .models import Category

        # A cached filter form (netwerken/pagination.py) shows a new, renamed or removed choice at once.
        for model in (Category, Area):
            post_save.connect(choices_changed, sender=model, dispatch_uid=f"filter-choices-save-{model._meta.label}")
            post_delete.connect(choices_changed, sender=model, dispatch_uid=f"filter-choices-del-{model._meta.label}")
