"""The open catalogue of indicators the platform measures itself.

An indicator is registered once (here, or by another feature in its AppConfig.ready()) and then shows up
in every cycle's plan, page and report; no report code changes. `compute(*, start, end, breakdown)`
answers {label: value} with "" as the total's label; `rows(*, start, end)` gives, for staff only, the
requests or matches behind the figure. Indicators read the other apps only through their selectors
(matching/figures.py), so the apps' DAG holds. Figures that share their rows are computed together in one
query: such an indicator's compute is a `Shared(source, figure)`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from matching import figures
from matching.models import SatisfactionResponse

# Every breakdown a figure may have; a figure without one answers {} for it (no query).
BREAKDOWNS = ("category", "area", "network")


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any
    definition: Any
    unit: Any
    compute: Callable  # (*, start, end, breakdown) -> {label: value}
    rows: Callable | None = None  # (*, start, end) -> queryset of HelpRequest or Match, staff only
    higher_is_better: bool = True
    order: int = 100
    # For an average or median: (*, start, end, breakdown) -> {label: how many responses it rests on}.
    count: Callable | None = None
    # The section of the catalogue it is listed under (GROUPS); "" is the help on requests.
    group: str = ""
    # (organisation) -> whether it means anything there (fees only for 'een extraatje bijverdienen'). An
    # indicator that does not apply is not offered in the plan, not computed and not shown ("niet van
    # toepassing"), even in a cycle that somehow holds it.
    applies: Callable | None = None

    def applies_to(self, organisation) -> bool:
        return self.applies is None or organisation is None or bool(self.applies(organisation))


@dataclass(frozen=True)
class Shared:
    """An indicator's compute (or count) when its figure comes out of a query it shares with other figures:
    `source(*, start, end, breakdown)` answers {figure: {label: value}} and this picks `figure` out. Called on
    its own it runs the source; the evaluation's selectors run each source once per breakdown for all the
    indicators that share it (so a source must be the same object for all of them: a function, not a new
    partial each time)."""

    source: Callable
    figure: str

    def __call__(self, *, start, end, breakdown=""):
        return self.source(start=start, end=end, breakdown=breakdown).get(self.figure, {})


_catalogue: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    _catalogue[indicator.key] = indicator
    return indicator


def catalogue() -> list[Indicator]:
    return sorted(_catalogue.values(), key=lambda indicator: (indicator.order, indicator.key))


def get(key: str) -> Indicator | None:
    return _catalogue.get(key)


def choices():
    return [(indicator.key, indicator.label) for indicator in catalogue()]


def applicable(organisation) -> list[Indicator]:
    """The catalogue as far as it applies to the organisation (all of it for None)."""
    return [indicator for indicator in catalogue() if indicator.applies_to(organisation)]


def applies(key: str, organisation) -> bool:
    indicator = get(key)
    return indicator is not None and indicator.applies_to(organisation)


def grouped_choices(organisation=None):
    """The plan's picker: the applicable indicators per section, the sections in GROUPS' order."""
    sections: dict[str, list] = {}
    for indicator in applicable(organisation):
        sections.setdefault(indicator.group, []).append((indicator.key, indicator.label))
    order = list(GROUPS)

    def position(group):
        return (order.index(group) if group in order else len(order), group)

    return [(GROUPS.get(group, group), sections[group]) for group in sorted(sections, key=position)]


# The sections of the catalogue: key -> heading.
HELP, NETWORKS, HOURS_GROUP, FEES, RECIPROCITY = "", "netwerken", "uren", "vergoedingen", "wederkerigheid"
GROUPS = {
    HELP: _("Hulpvragen en hulp"),
    NETWORKS: _("Bewonersnetwerken en activiteiten"),
    HOURS_GROUP: _("Uren"),
    FEES: _("Vergoedingen"),
    RECIPROCITY: _("Wederkerigheid"),
}


# Units are codes (the reports and their suppression read them); UNIT_LABELS says them in words.
COUNT, HOURS, DAYS, SCORE = "aantal", "uren", "dagen", "score"
EURO, DIFFERENCE = "euro", "verschil"  # an amount in euros; a change that may be negative (network growth)
UNIT_LABELS = {
    COUNT: _("aantal"),
    HOURS: _("uren"),
    DAYS: _("dagen (mediaan)"),
    SCORE: _("gemiddeld cijfer, 1 tot 5"),
    EURO: _("euro"),
    DIFFERENCE: _("verschil (kan negatief zijn)"),
}

register(
    Indicator(
        "requests_in",
        _("Hulpvragen binnengekomen"),
        _("Het aantal hulpvragen dat in de periode is binnengekomen (telefonisch, online of via het wijkteam)."),
        COUNT,
        Shared(figures.request_figures, "requests_in"),
        figures.requests_in_rows,
        order=10,
    )
)
register(
    Indicator(
        "requests_handled",
        _("Hulpvragen afgerond"),
        _("Het aantal verschillende hulpvragen dat in de periode de status ‘afgerond’ kreeg."),
        COUNT,
        figures.requests_handled,
        figures.requests_handled_rows,
        order=20,
    )
)
register(
    Indicator(
        "matches",
        _("Koppelingen"),
        _(
            "Het aantal koppelingen dat in de periode door de vrijwilliger is geaccepteerd, of het nu nog loopt, "
            "is afgesloten of eerder is beëindigd."
        ),
        COUNT,
        figures.matches,
        figures.matches_rows,
        order=30,
    )
)
register(
    Indicator(
        "contact_moments",
        _("Contactmomenten"),
        _("Het aantal contactmomenten dat vrijwilligers hebben vastgelegd met een datum in de periode."),
        COUNT,
        Shared(figures.contact_figures, "contact_moments"),
        figures.contact_rows,
        order=40,
    )
)
register(
    Indicator(
        "hours",
        _("Uren hulp"),
        _("De duur van alle contactmomenten in de periode bij elkaar, in uren (op één decimaal)."),
        HOURS,
        Shared(figures.contact_figures, "hours"),
        figures.contact_rows,
        order=50,
    )
)
register(
    Indicator(
        "residents_reached",
        _("Bewoners bereikt"),
        _("Het aantal verschillende bewoners met minstens één hulpvraag die in de periode binnenkwam."),
        COUNT,
        Shared(figures.request_figures, "residents_reached"),
        figures.residents_reached_rows,
        order=60,
    )
)
register(
    Indicator(
        "residents_new",
        _("Nieuwe bewoners"),
        _("Bewoners bereikt in de periode wier eerste hulpvraag ooit in deze periode binnenkwam."),
        COUNT,
        Shared(figures.request_figures, "residents_new"),
        partial(figures.residents_reached_rows, returning=False),
        order=61,
    )
)
register(
    Indicator(
        "residents_returning",
        _("Terugkerende bewoners"),
        _("Bewoners bereikt in de periode die ook vóór het begin van de periode al een hulpvraag hadden."),
        COUNT,
        Shared(figures.request_figures, "residents_returning"),
        partial(figures.residents_reached_rows, returning=True),
        order=62,
    )
)
register(
    Indicator(
        "volunteers_active",
        _("Actieve vrijwilligers"),
        _("Het aantal verschillende vrijwilligers met minstens één contactmoment in de periode."),
        COUNT,
        Shared(figures.contact_figures, "volunteers_active"),
        figures.volunteers_active_rows,
        order=70,
    )
)
register(
    Indicator(
        "volunteers_retained",
        _("Behouden vrijwilligers"),
        _(
            "Actieve vrijwilligers in de periode die ook vóór het begin van de periode al een contactmoment "
            "hadden: wie blijft helpen."
        ),
        COUNT,
        Shared(figures.contact_figures, "volunteers_retained"),
        partial(figures.volunteers_active_rows, retained=True),
        order=71,
    )
)
register(
    Indicator(
        "escalations",
        _("Opschalingen naar het wijkteam"),
        _("Het aantal hulpvragen dat in de periode is opgeschaald naar het wijkteam."),
        COUNT,
        figures.escalations,
        figures.escalations_rows,
        higher_is_better=False,
        order=80,
    )
)
register(
    Indicator(
        "takeovers",
        _("Overgenomen door het wijkteam"),
        _("Het aantal opschalingen dat een wijkteamprofessional in de periode heeft overgenomen."),
        COUNT,
        partial(figures.escalations, taken=True),
        partial(figures.escalations_rows, taken=True),
        order=81,
    )
)
register(
    Indicator(
        "referrals_out",
        _("Doorverwijzingen naar formele zorg"),
        _("Het aantal doorverwijzingen vanuit het wijkteam naar de sociale kaart in de periode."),
        COUNT,
        figures.referrals_out,
        figures.referrals_out_rows,
        order=82,
    )
)
register(
    Indicator(
        "referrals_in",
        _("Aangemeld door het wijkteam"),
        _("Het aantal hulpvragen dat in de periode door het wijkteam bij buurthulp is aangemeld."),
        COUNT,
        Shared(figures.request_figures, "referrals_in"),
        figures.referrals_in_rows,
        order=83,
    )
)
register(
    Indicator(
        "signals_picked_up",
        _("Signalen opgepakt"),
        _(
            "Het aantal signalen (zoals een terugkerende vraag) dat in de periode op ‘opgepakt’ of "
            "‘activiteit gestart’ is gezet. Een signaal hoort niet bij één soort hulp of buurt."
        ),
        COUNT,
        figures.signals_picked_up,
        figures.signals_picked_up_rows,
        order=90,
    )
)
register(
    Indicator(
        "waiting_days",
        _("Wachttijd tot een eerste voorstel"),
        _(
            "De mediaan van het aantal dagen tussen het binnenkomen van een hulpvraag en het eerste voorstel aan "
            "een vrijwilliger, over de hulpvragen uit de periode die een voorstel kregen."
        ),
        DAYS,
        Shared(figures.waiting_figures, "waiting_days"),
        figures.waiting_rows,
        higher_is_better=False,
        order=100,
        count=Shared(figures.waiting_figures, "waiting_count"),
    )
)
register(
    Indicator(
        "satisfaction_residents",
        _("Tevredenheid van bewoners"),
        _("Het gemiddelde antwoord (1 tot 5) van bewoners op ‘hielp het?’ na een koppeling, gegeven in de periode."),
        SCORE,
        Shared(figures.satisfaction_figures, "satisfaction_bewoner"),
        partial(figures.satisfaction_rows, respondent=SatisfactionResponse.Respondent.RESIDENT),
        order=110,
        count=Shared(figures.satisfaction_figures, "satisfaction_bewoner_n"),
    )
)
register(
    Indicator(
        "satisfaction_volunteers",
        _("Tevredenheid van vrijwilligers"),
        _(
            "Het gemiddelde antwoord (1 tot 5) van vrijwilligers op ‘hielp het?’ na een koppeling, gegeven in de "
            "periode."
        ),
        SCORE,
        Shared(figures.satisfaction_figures, "satisfaction_vrijwilliger"),
        partial(figures.satisfaction_rows, respondent=SatisfactionResponse.Respondent.VOLUNTEER),
        order=111,
        count=Shared(figures.satisfaction_figures, "satisfaction_vrijwilliger_n"),
    )
)
