from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netwerken import availability
from netwerken.models import Area, Volunteer

from . import dashboard
from .models import Category, HelpRequest


class HelpRequestFilter(django_filters.FilterSet):
    WAITING = [("3", _("langer dan 3 dagen")), ("7", _("langer dan een week")), ("30", _("langer dan een maand"))]

    # distinct=False: status is a column of the request itself, so no row can repeat; DISTINCT would only cost a
    # second sort and keep the list's order index from being used.
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=HelpRequest.Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    category = django_filters.ModelChoiceFilter(label=_("Soort hulp"), queryset=lambda request: Category.objects.all())
    urgency = django_filters.ChoiceFilter(label=_("Urgentie"), choices=HelpRequest.Urgency.choices)
    area = django_filters.ModelChoiceFilter(label=_("Buurt"), queryset=lambda request: Area.objects.all())
    waiting = django_filters.ChoiceFilter(label=_("Wacht"), choices=WAITING, method="filter_waiting")
    # The dashboard's items (matching/dashboard.py) link here; each filters with the item's own condition.
    kanaal = django_filters.ChoiceFilter(
        label=_("Binnengekomen"), field_name="channel", choices=HelpRequest.Channel.choices
    )
    wacht = django_filters.ChoiceFilter(
        label=_("Wachttijd"),
        choices=[("te-lang", _("te lang voor de urgentie"))],
        method="filter_too_long",
    )
    voorstel = django_filters.ChoiceFilter(
        label=_("Voorstel"),
        choices=[
            ("verloopt", _("antwoord nodig binnen 12 uur")),
            ("afgewezen", _("afgewezen of niet beantwoord, nog zonder vrijwilliger")),
        ],
        method="filter_proposal",
    )
    contact = django_filters.ChoiceFilter(
        label=_("Contact"), choices=[("nabellen", _("geen contactmoment in weken (nabellen)"))], method="filter_contact"
    )
    wijkteam = django_filters.ChoiceFilter(
        label=_("Wijkteam"), choices=[("teruggegeven", _("teruggegeven door het wijkteam"))], method="filter_wijkteam"
    )

    class Meta:
        model = HelpRequest
        fields = ["status", "category", "urgency", "area"]

    # Where the form's choices come from: its rendering is cached until one of them changes (netwerken/pagination.py).
    choice_models = ("matching.Category", "netwerken.Area")

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(created_at__lt=timezone.now() - timedelta(days=int(value)))

    def filter_too_long(self, queryset, name, value):
        return queryset.filter(dashboard.waiting_too_long_q(dashboard.signal_settings(), timezone.now()))

    def filter_proposal(self, queryset, name, value):
        now = timezone.now()
        condition = dashboard.deadline_soon_q(now) if value == "verloopt" else dashboard.declined_q(now)
        return queryset.filter(condition)

    def filter_contact(self, queryset, name, value):
        return queryset.filter(dashboard.no_contact_q(dashboard.signal_settings(), timezone.now()))

    def filter_wijkteam(self, queryset, name, value):
        return queryset.filter(dashboard.handed_back_q())


class VolunteerFilter(django_filters.FilterSet):
    VOG = [
        ("geldig", _("geldige VOG")),
        ("geen", _("geen geldige VOG")),
        ("verloopt", _("VOG verloopt binnenkort of is verlopen")),
    ]

    status = django_filters.ChoiceFilter(label=_("Status"), choices=Volunteer.Status.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Soort hulp"), field_name="categories", queryset=lambda request: Category.objects.all()
    )
    slot = django_filters.ChoiceFilter(
        label=_("Beschikbaar op"),
        choices=availability.slot_choices,
        method="filter_slot",
    )
    vog = django_filters.ChoiceFilter(label=_("VOG"), choices=VOG, method="filter_vog")

    class Meta:
        model = Volunteer
        fields = ["status"]

    choice_models = ("matching.Category",)

    def filter_slot(self, queryset, name, value):
        bit = availability.SLOT_BITS[value]
        return queryset.annotate(_slot=F("availability").bitand(bit)).filter(_slot__gt=0)

    def filter_vog(self, queryset, name, value):
        if value == "verloopt":  # the dashboard's item (matching/dashboard.py)
            return queryset.filter(dashboard.vog_expiring_q(dashboard.signal_settings(), timezone.localdate()))
        valid = Q(vog_seen=True, vog_expires__gte=timezone.localdate())
        return queryset.filter(valid) if value == "geldig" else queryset.exclude(valid)
