"""The catalogue's indicators of issue 10: resident networks and activities, the hours volunteers give, the
"extraatje" fees and reciprocity. Registered when evaluatie starts (EvaluatieConfig.ready); from then on they
are in every plan's picker, cycle page and funder report like the others (evaluatie/catalogue.py).

The figures come from the other apps' selectors (netwerken/figures.py, matching/type_figures.py), whose
docstrings give the exact words. For funders, every output goes through evaluatie/suppression.py:

- people and other counts (participants, new participants, activities, sessions, networks, reciprocity
  counts: unit "aantal") are shown as "< 5" below 5, with complementary suppression in a breakdown, exactly
  as the people counts of requests;
- hours (unit "uren") and euros (unit "euro") are sums over few people when small, so they follow the same
  rule as the existing hours: published in whole hours or whole euros, "< 5" below 5, complemented in a
  breakdown (the exact Decimal amount is on the organisation's own cycle page);
- network growth (unit "verschil", may be negative) is shown only when it is 5 or more either way; a small
  change shows "< 5" (meaning −4 to 4), and a breakdown with any such cell is hidden whole ("x").
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from matching import type_figures
from matching.help_types import is_modest_fee, is_mutual
from netwerken import figures as network_figures

from .catalogue import COUNT, DIFFERENCE, EURO, FEES, HOURS, NETWORKS, RECIPROCITY, Indicator, Shared, register
from .catalogue import HOURS_GROUP as HOURS_SECTION

HELD = _(
    "Een bijeenkomst telt als gehouden als ze niet is afgelast en begint in de periode, vóór nu (een bijeenkomst "
    "die later in de periode gepland staat, is nog niet gehouden)."
)

register(
    Indicator(
        "activities_held",
        _("Activiteiten gehouden"),
        format_lazy(
            "{} {}",
            _(
                "Het aantal verschillende activiteiten van bewonersnetwerken met minstens één gehouden bijeenkomst "
                "in de periode. Per netwerk en per buurt van de activiteit."
            ),
            HELD,
        ),
        COUNT,
        Shared(network_figures.session_figures, "activities_held"),
        order=200,
        group=NETWORKS,
    )
)
register(
    Indicator(
        "sessions_held",
        _("Bijeenkomsten gehouden"),
        format_lazy("{} {}", _("Het aantal gehouden bijeenkomsten van activiteiten in de periode."), HELD),
        COUNT,
        Shared(network_figures.session_figures, "sessions_held"),
        order=201,
        group=NETWORKS,
    )
)
register(
    Indicator(
        "participants_unique",
        _("Deelnemers aan activiteiten"),
        _(
            "Het aantal verschillende deelnemers van netwerken dat als aanwezig is aangevinkt bij minstens één "
            "bijeenkomst die in de periode is gehouden. Per netwerk van de deelnemer en per buurt van de deelnemer "
            "(de buurt van de bewoner, anders van de vrijwilliger; iemand die alleen met een naam bekend is, "
            "heeft geen buurt)."
        ),
        COUNT,
        Shared(network_figures.participation_figures, "participants_unique"),
        order=210,
        group=NETWORKS,
    )
)
register(
    Indicator(
        "participants_new",
        _("Nieuwe deelnemers aan activiteiten"),
        _(
            "Deelnemers aan activiteiten in de periode van wie de eerste bijeenkomst waarbij ze ooit aanwezig "
            "waren in deze periode valt. Berekend uit de presentielijsten op het moment van opvragen."
        ),
        COUNT,
        Shared(network_figures.participation_figures, "participants_new"),
        order=211,
        group=NETWORKS,
    )
)
register(
    Indicator(
        "network_growth",
        _("Groei van de bewonersnetwerken"),
        _(
            "Het aantal deelnemers dat in de periode bij een netwerk kwam (‘lid sinds’ in de periode) min het "
            "aantal dat in de periode stopte (‘gestopt op’ in de periode): de netto groei, die ook negatief kan "
            "zijn. Wie in de periode kwam én stopte, telt 0. Per netwerk en per buurt van de deelnemer."
        ),
        DIFFERENCE,
        Shared(network_figures.network_figures, "network_growth"),
        order=220,
        group=NETWORKS,
    )
)
register(
    Indicator(
        "networks_active_start",
        _("Actieve netwerken aan het begin"),
        _(
            "Het aantal bewonersnetwerken dat vóór de eerste dag van de periode was gestart (de startdatum, of "
            "anders de dag dat het is ingevoerd) en nu niet gestopt is."
        ),
        COUNT,
        Shared(network_figures.network_figures, "networks_active_start"),
        order=221,
        group=NETWORKS,
    )
)
register(
    Indicator(
        "networks_active_end",
        _("Actieve netwerken aan het eind"),
        _(
            "Het aantal bewonersnetwerken dat uiterlijk op de laatste dag van de periode was gestart (de "
            "startdatum, of anders de dag dat het is ingevoerd) en nu niet gestopt is. Min het aantal aan het "
            "begin: de netwerken die in de periode zijn begonnen."
        ),
        COUNT,
        Shared(network_figures.network_figures, "networks_active_end"),
        order=222,
        group=NETWORKS,
    )
)
register(
    Indicator(
        "volunteer_hours",
        _("Uren vrijwilligerswerk"),
        _(
            "De duur van alle contactmomenten met een datum in de periode plus alle apart geschreven uren met een "
            "datum in de periode (reistijd, voorbereiding, bijeenkomsten van activiteiten), in uren op één "
            "decimaal. Per buurt waar de uren aan besteed zijn: bij een koppeling de buurt van de hulpvraag, bij "
            "een bijeenkomst de buurt van de activiteit. Per netwerk: alleen uren voor bijeenkomsten."
        ),
        HOURS,
        Shared(type_figures.hours_figures, "volunteer_hours"),
        order=300,
        group=HOURS_SECTION,
    )
)
register(
    Indicator(
        "fees_booked",
        _("Vergoedingen geboekt"),
        _(
            "Het totaal van de vergoedingen en correcties met een datum in de periode, in euro (een correctie kan "
            "negatief zijn). Alleen bij een extraatje bijverdienen. Per soort hulp en per buurt van de bewoner."
        ),
        EURO,
        Shared(type_figures.fee_figures, "fees_booked"),
        order=400,
        group=FEES,
        applies=is_modest_fee,
    )
)
register(
    Indicator(
        "fees_paid",
        _("Vergoedingen betaald"),
        _(
            "Het totaal van de betalingen met een datum in de periode, in euro, wie er ook betaalde (de bewoner, "
            "de organisatie of een ander). Alleen bij een extraatje bijverdienen."
        ),
        EURO,
        Shared(type_figures.fee_figures, "fees_paid"),
        order=401,
        group=FEES,
        applies=is_modest_fee,
    )
)
register(
    Indicator(
        "fees_open",
        _("Vergoedingen nog te betalen"),
        _(
            "Wat aan het eind van de periode nog betaald moest worden, in euro: alle vergoedingen en correcties "
            "tot en met de laatste dag van de periode min alle betalingen tot dan. Alleen bij een extraatje "
            "bijverdienen."
        ),
        EURO,
        Shared(type_figures.fee_figures, "fees_open"),
        order=402,
        group=FEES,
        applies=is_modest_fee,
        higher_is_better=False,
    )
)
RECIPROCITY_WORDS = _(
    "Een vrijwilliger die ook als bewoner is ingeschreven gaf hulp bij elk contactmoment van zijn of haar "
    "koppelingen en bij elk wederzijds contactmoment van de hulpvragen van de bewoner; hij of zij kreeg hulp "
    "bij elk contactmoment van de hulpvragen van de bewoner en bij elk wederzijds contactmoment van de eigen "
    "koppelingen. Alleen bij er zijn voor elkaar."
)
register(
    Indicator(
        "reciprocity_linked",
        _("Bewoners die ook vrijwilliger zijn"),
        _(
            "Het aantal vrijwilligers dat ook als bewoner is ingeschreven (dezelfde persoon vraagt en helpt), "
            "geteld op het moment van berekenen (bij een gesloten cyclus: bij het sluiten). Per buurt van de "
            "bewoner. Alleen bij er zijn voor elkaar."
        ),
        COUNT,
        Shared(type_figures.reciprocity_figures, "reciprocity_linked"),
        order=500,
        group=RECIPROCITY,
        applies=is_mutual,
    )
)
register(
    Indicator(
        "reciprocity_both",
        _("Gaven én kregen hulp"),
        format_lazy(
            "{} {}",
            _(
                "Van de vrijwilligers die ook bewoner zijn: het aantal dat in de periode minstens één keer hulp gaf "
                "en minstens één keer hulp kreeg (contactmomenten met een datum in de periode)."
            ),
            RECIPROCITY_WORDS,
        ),
        COUNT,
        Shared(type_figures.reciprocity_figures, "reciprocity_both"),
        order=501,
        group=RECIPROCITY,
        applies=is_mutual,
    )
)
register(
    Indicator(
        "reciprocity_mutual_meetings",
        _("Wederzijdse contactmomenten"),
        _(
            "Het aantal contactmomenten met een datum in de periode waarbij is aangegeven ‘we hielpen elkaar’. "
            "Per buurt van de bewoner van de hulpvraag. Alleen bij er zijn voor elkaar."
        ),
        COUNT,
        Shared(type_figures.reciprocity_figures, "reciprocity_mutual_meetings"),
        order=502,
        group=RECIPROCITY,
        applies=is_mutual,
    )
)

KEYS = (
    "activities_held",
    "sessions_held",
    "participants_unique",
    "participants_new",
    "network_growth",
    "networks_active_start",
    "networks_active_end",
    "volunteer_hours",
    "fees_booked",
    "fees_paid",
    "fees_open",
    "reciprocity_linked",
    "reciprocity_both",
    "reciprocity_mutual_meetings",
)
