"""The fee ledger's forms ('een extraatje bijverdienen'): booking, correcting, a payment, the overview's filter."""

import datetime
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from netwerken.fields import PastDateField, TenantModelChoiceField
from netwerken.models import Resident, Volunteer

from .models import FeeEntry, Match


class FeeNumberField(forms.DecimalField):
    """A number typed the Dutch way ('12,50', two decimals at most) with Dutch messages: an amount in euro
    (`kind="amount"`, up to 9,999,999.99) or a quantity of hours or jobs (`kind="quantity"`, up to 9,999.99)."""

    LIMITS = {"amount": (Decimal("9999999.99"), 9), "quantity": (Decimal("9999.99"), 6)}

    def __init__(self, *, kind: str, minimum: Decimal = Decimal("0.01"), **kwargs):
        maximum, digits = self.LIMITS[kind]
        if kind == "amount":
            messages = {
                "invalid": _("Vul een bedrag in euro in, bijvoorbeeld 12,50."),
                "min_value": _("Vul een bedrag in van %(limit_value)s of meer."),
                "too_big": _("Dat bedrag is te groot."),
            }
        else:
            messages = {
                "invalid": _("Vul een aantal in, bijvoorbeeld 1,5."),
                "min_value": _("Vul een aantal in groter dan 0."),
                "too_big": _("Dat aantal is te groot."),
            }
        too_big = messages.pop("too_big")
        messages.update(
            {
                "max_digits": too_big,
                "max_whole_digits": too_big,
                "max_value": too_big,
                "max_decimal_places": _("Gebruik hooguit twee cijfers achter de komma."),
            }
        )
        super().__init__(
            min_value=minimum,
            max_value=maximum,
            max_digits=digits,
            decimal_places=2,
            localize=True,
            error_messages=messages,
            **kwargs,
        )


class FeeBookForm(forms.Form):
    """Books the fee of a closed match later, from the helper's ledger."""

    match = TenantModelChoiceField(queryset=Match.objects.none(), widget=forms.HiddenInput)
    quantity = FeeNumberField(kind="quantity", label=_("Aantal (uren of klussen)"))

    def __init__(self, *args, matches=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["match"].queryset = matches if matches is not None else Match.objects.none()


class FeeCorrectForm(forms.Form):
    """The right amount, or the right quantity at the fee's rate; and why."""

    amount = FeeNumberField(kind="amount", label=_("Juiste bedrag (euro)"), required=False, minimum=Decimal("0"))
    quantity = FeeNumberField(kind="quantity", label=_("Of: juiste aantal"), required=False, minimum=Decimal("0"))
    reason = forms.CharField(label=_("Waarom corrigeer je?"), max_length=300)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Schrijf op waarom je corrigeert; de boekhouder leest het."))
        return reason

    def clean(self):
        data = super().clean()
        if "amount" in self.errors or "quantity" in self.errors:
            return data
        if (data.get("amount") is None) == (data.get("quantity") is None):
            self.add_error("amount", _("Vul het juiste bedrag of het juiste aantal in (één van de twee)."))
        return data


class FeePaymentForm(forms.Form):
    """A payment to a helper: how much, by whom, when; optionally for one resident's help."""

    volunteer = TenantModelChoiceField(queryset=Volunteer.objects.none(), label=_("Vrijwilliger"))
    resident = TenantModelChoiceField(
        queryset=Resident.objects.none(), label=_("Voor de hulp aan (mag leeg)"), required=False
    )
    amount = FeeNumberField(kind="amount", label=_("Bedrag (euro)"))
    paid_by = forms.ChoiceField(label=_("Betaald door"), choices=FeeEntry.PaidBy.choices)
    paid_by_name = forms.CharField(label=_("Naam van de betaler (mag leeg)"), max_length=150, required=False)
    date = PastDateField(label=_("Datum"), max_back=datetime.timedelta(days=5 * 365))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = Volunteer.objects.select_related("membership__user")
        self.fields["resident"].queryset = Resident.objects.filter(erased_at__isnull=True)
        self.fields["volunteer"].label_from_instance = lambda volunteer: volunteer.name

    def clean_paid_by_name(self):
        return self.cleaned_data["paid_by_name"].strip()


MONTH = re.compile(r"\d{4}-\d{2}")


class FeeFilterForm(forms.Form):
    """The overview's filters: a month (yyyy-mm) and a helper."""

    maand = forms.CharField(
        label=_("Maand"), required=False, widget=forms.DateInput(attrs={"type": "month"}), max_length=7
    )
    vrijwilliger = TenantModelChoiceField(queryset=Volunteer.objects.none(), label=_("Vrijwilliger"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vrijwilliger"].queryset = Volunteer.objects.select_related("membership__user").order_by("pk")
        self.fields["vrijwilliger"].label_from_instance = lambda volunteer: volunteer.name

    def clean_maand(self):
        value = (self.cleaned_data["maand"] or "").strip()
        if not value:
            return None
        if not MONTH.fullmatch(value):
            raise forms.ValidationError(_("Kies een maand, zoals 2026-10."))
        year, month = int(value[:4]), int(value[5:])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(_("Kies een maand, zoals 2026-10."))
        return datetime.date(year, month, 1)
