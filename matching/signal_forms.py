"""Forms of the signal pages: the list's filter, a signal's status, improvement proposals, the thresholds."""

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from netwerken.fields import NotInPastDateField, TenantModelChoiceField

from .models import ImprovementProposal, Signal, SignalSettings
from .signals import MARKS, waiting_order_errors


class SignalFilter(django_filters.FilterSet):
    STATUS = [("open", _("open (nieuw of opgepakt)")), ("alle", _("alle")), *Signal.Status.choices]

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS, method="filter_status", empty_label=None, initial="open"
    )
    kind = django_filters.ChoiceFilter(label=_("Soort signaal"), choices=Signal.Kind.choices)

    class Meta:
        model = Signal
        fields = ["status", "kind"]

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=Signal.OPEN)
        if value == "alle":
            return queryset
        return queryset.filter(status=value)


class ImprovementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ImprovementProposal.Status.choices)

    class Meta:
        model = ImprovementProposal
        fields = ["status"]


class SignalStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Wat doe je ermee?"),
        choices=[(status, Signal.Status(status).label) for status in MARKS],
        error_messages={"invalid_choice": _("Kies opgepakt, activiteit gestart of niet relevant.")},
    )


class ImprovementStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ImprovementProposal.Status.choices,
        error_messages={"invalid_choice": _("Deze status bestaat niet.")},
    )


class ImprovementForm(forms.Form):
    title = forms.CharField(label=_("Voorstel"), max_length=200)
    description = forms.CharField(
        label=_("Toelichting (mag leeg)"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = TenantModelChoiceField(label=_("Eigenaar"), queryset=None, empty_label=_("— kies —"))
    due = NotInPastDateField(label=_("Klaar op"))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.name or user.email


def _between(low, high):
    return [
        MinValueValidator(low, message=_("Minstens %(limit_value)s.")),
        MaxValueValidator(high, message=_("Hooguit %(limit_value)s.")),
    ]


BOUNDS = {
    "recurring_min_residents": (2, 100),
    "recurring_weeks": (1, 52),
    "recurring_km": (0, 50),
    "waiting_days_urgent": (1, 365),
    "waiting_days_high": (1, 365),
    "waiting_days_normal": (1, 365),
    "waiting_days_low": (1, 365),
    "no_contact_weeks": (1, 52),
    "declines_count": (1, 100),
    "declines_months": (1, 24),
    "inactive_months": (1, 24),
    "bus_factor_share": (1, 100),
    "vog_weeks": (1, 52),
}


class SignalSettingsForm(forms.ModelForm):
    # Typed as a decimal (one digit after the point is plenty), stored as the model's float.
    recurring_km = forms.DecimalField(
        label=SignalSettings._meta.get_field("recurring_km").verbose_name, max_digits=4, decimal_places=1
    )

    class Meta:
        model = SignalSettings
        fields = list(BOUNDS)

    def clean_recurring_km(self):
        return float(self.cleaned_data["recurring_km"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in BOUNDS.items():
            field = self.fields[name]
            # Our bounds instead of the database's (0 to 32767), so a wrong number gets one message, not two.
            field.validators = [
                validator
                for validator in field.validators
                if not isinstance(validator, MinValueValidator | MaxValueValidator)
            ] + _between(low, high)
            field.widget.attrs.update({"min": low, "max": high})

    def clean(self):
        data = super().clean()
        for name, message in waiting_order_errors(data).items():
            if not self.has_error(name):
                self.add_error(name, message)
        return data


class SignalActivityForm(forms.Form):
    """A recurring question turned into a proposed activity of a network."""

    network = TenantModelChoiceField(label=_("Netwerk"), queryset=None)
    title = forms.CharField(label=_("Naam van de activiteit"), max_length=150)

    def __init__(self, *args, **kwargs):
        from netwerken.models import Network

        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.exclude(status=Network.Status.STOPPED).order_by("name")

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Geef de activiteit een naam."), code="required")
        return title
