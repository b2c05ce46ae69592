from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netwerken import availability
from netwerken.models import Area, Volunteer

from .models import Category, HelpRequest


class HelpRequestFilter(django_filters.FilterSet):
    WAITING = [("3", _("langer dan 3 dagen")), ("7", _("langer dan een week")), ("30", _("langer dan een maand"))]

    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=HelpRequest.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    category = django_filters.ModelChoiceFilter(label=_("Soort hulp"), queryset=lambda request: Category.objects.all())
    urgency = django_filters.ChoiceFilter(label=_("Urgentie"), choices=HelpRequest.Urgency.choices)
    area = django_filters.ModelChoiceFilter(label=_("Buurt"), queryset=lambda request: Area.objects.all())
    waiting = django_filters.ChoiceFilter(label=_("Wacht"), choices=WAITING, method="filter_waiting")

    class Meta:
        model = HelpRequest
        fields = ["status", "category", "urgency", "area"]

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(created_at__lt=timezone.now() - timedelta(days=int(value)))


class VolunteerFilter(django_filters.FilterSet):
    VOG = [("geldig", _("geldige VOG")), ("geen", _("geen geldige VOG"))]

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

    def filter_slot(self, queryset, name, value):
        bit = availability.SLOT_BITS[value]
        return queryset.annotate(_slot=F("availability").bitand(bit)).filter(_slot__gt=0)

    def filter_vog(self, queryset, name, value):
        valid = Q(vog_seen=True, vog_expires__gte=timezone.localdate())
        return queryset.filter(valid) if value == "geldig" else queryset.exclude(valid)
