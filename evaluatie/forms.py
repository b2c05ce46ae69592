"""Forms of the evaluation pages: a new cycle (plan), survey answers, stories, improvement actions."""

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from netwerken.fields import NotInPastDateField, TenantModelChoiceField

from . import catalogue
from .models import EvaluationCycle, ImprovementAction

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
FIRST_YEAR, LAST_YEAR = 2000, 2100
TARGET_BOUNDS = [
    MinValueValidator(0, message=_("Een streefwaarde is 0 of meer.")),
    MaxValueValidator(9_999_999, message=_("Hooguit %(limit_value)s.")),
]


class CycleDateField(forms.DateField):
    """A date of a cycle's period: a real date between 2000 and 2100 (a mistyped year is refused)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Vul een geldige datum in, zoals 01-01-2027.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(_("Deze datum klopt niet. Klopt het jaartal?"), code="year")
        return day


def target_field(label):
    return forms.DecimalField(
        label=label, required=False, max_digits=9, decimal_places=2, validators=TARGET_BOUNDS, localize=False
    )


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=100, help_text=_("Bijvoorbeeld ‘2e kwartaal 2027’."))
    period_kind = forms.ChoiceField(label=_("Soort periode"), choices=EvaluationCycle.PeriodKind.choices)
    start = CycleDateField(label=_("Van"))
    end = CycleDateField(label=_("Tot en met"))
    goals = forms.CharField(
        label=_("Doelen, afgesproken met de financier"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicatoren"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Het platform meet deze zelf. Geef bij elke gekozen indicator een streefwaarde (mag leeg)."),
    )
    manual_name = forms.CharField(label=_("Eigen indicator: naam (mag leeg)"), max_length=150, required=False)
    manual_definition = forms.CharField(
        label=_("Eigen indicator: definitie"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    manual_target = target_field(_("Eigen indicator: streefwaarde"))
    manual_value = forms.DecimalField(
        label=_("Eigen indicator: waarde (als die al bekend is)"),
        required=False,
        max_digits=9,
        decimal_places=2,
        validators=TARGET_BOUNDS,
    )
    manual_lower_is_better = forms.BooleanField(label=_("Eigen indicator: lager is beter"), required=False)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Per section, only what applies to the organisation's type of buurthulp (no fees for charity).
        self.fields["indicators"].choices = catalogue.grouped_choices(organisation)
        for indicator in catalogue.applicable(organisation):
            self.fields[f"target_{indicator.key}"] = target_field(
                _("Streefwaarde: %(label)s") % {"label": indicator.label}
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("De einddatum ligt vóór de begindatum."))
        if start and end and (end - start) > datetime.timedelta(days=2 * 366):
            self.add_error("end", _("Een cyclus duurt hooguit twee jaar."))
        if not data.get("indicators") and not (data.get("manual_name") or "").strip():
            if "indicators" not in self.errors:
                self.add_error("indicators", _("Kies minstens één indicator, of geef een eigen indicator."))
        if (data.get("manual_definition") or data.get("manual_target") is not None) and not (
            data.get("manual_name") or ""
        ).strip():
            self.add_error("manual_name", _("Geef de eigen indicator een naam."))
        return data

    def targets(self):
        return {key: self.cleaned_data.get(f"target_{key}") for key in self.cleaned_data.get("indicators", [])}

    def manual(self):
        name = (self.cleaned_data.get("manual_name") or "").strip()
        if not name:
            return []
        return [
            {
                "name": name,
                "definition": self.cleaned_data.get("manual_definition") or "",
                "target": self.cleaned_data.get("manual_target"),
                "value": self.cleaned_data.get("manual_value"),
                "higher_is_better": not self.cleaned_data.get("manual_lower_is_better"),
            }
        ]


YES_NO = [("ja", _("ja")), ("nee", _("nee"))]
SCORES = [(str(i), str(i)) for i in range(1, 6)]


class SurveyForm(forms.Form):
    """The short survey: a resident's answers by phone (the coordinator types them), or a volunteer's."""

    score = forms.TypedChoiceField(
        label=_("Hoe tevreden ben je over buurthulp? (1 = helemaal niet, 5 = heel tevreden)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies een cijfer van 1 tot en met 5."),
            "invalid_choice": _("Kies een cijfer van 1 tot en met 5."),
        },
    )
    would_recommend = forms.TypedChoiceField(
        label=_("Zou je buurthulp aanraden aan anderen?"),
        choices=YES_NO,
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies ja of nee."), "invalid_choice": _("Kies ja of nee.")},
    )
    comment = forms.CharField(
        label=_("Opmerking (mag leeg; alleen voor de organisatie, nooit in een rapport)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StoryForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=150)
    text = forms.CharField(
        label=_("Verhaal"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Anoniem: geen namen, straten of telefoonnummers van bewoners. De beheerder keurt het goed."),
    )


class ActionForm(forms.Form):
    from_proposal = TenantModelChoiceField(
        label=_("Uit een verbetervoorstel (mag leeg)"), queryset=None, required=False, empty_label=_("— geen —")
    )
    title = forms.CharField(label=_("Actie (leeg: de titel van het voorstel)"), max_length=200, required=False)
    owner = TenantModelChoiceField(label=_("Eigenaar"), queryset=None, required=False, empty_label=_("— kies —"))
    due = NotInPastDateField(label=_("Klaar op (mag leeg)"), required=False)

    def __init__(self, *args, owners, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.name or user.email
        self.fields["from_proposal"].queryset = proposals

    def clean(self):
        data = super().clean()
        if not (data.get("title") or "").strip() and not data.get("from_proposal") and "title" not in self.errors:
            if "from_proposal" not in self.errors:
                self.add_error("title", _("Vul in wat de actie is, of kies een verbetervoorstel."))
        return data


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ImprovementAction.Status.choices)
