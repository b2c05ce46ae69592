"""Every POST action a page offers, on its valid branch: it does what its button says, says so in Dutch,
and a second click (a double submit, an old tab) refuses clearly or changes nothing — never a 500.

The hostile values for the same actions are in tests/test_hostile_input.py; this is the other half.
test_every_post_action_is_in_the_table walks the URL patterns so a new POST page is not forgotten.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from evaluatie.models import EvaluationCycle, FrozenFigure, FunderReport, ImprovementAction, Story
from matching import batch, proposals
from matching.models import (
    BatchProposal,
    BatchRun,
    ContactLog,
    Escalation,
    FeeEntry,
    HelpRequest,
    HoursEntry,
    ImprovementProposal,
    Match,
    SatisfactionResponse,
    Signal,
)
from netwerken.models import (
    Activity,
    ActivitySession,
    Funding,
    Invitation,
    Membership,
    Network,
    NetworkMember,
    Organisation,
    OutgoingEmail,
    Participation,
    PhaseChecklistItem,
    PhaseMove,
    Resident,
    Volunteer,
)
from netwerken.roles import Role

from .test_hostile_input import (
    ENGLISH,
    FORM_CASES,
    GET_ONLY,
    fee_bookable,
    fee_bookable_open,
    match_accepted,
    match_closed,
    modest_fee,
    page_notes,
    request_searching,
)
from .urlmap import tenant_routes

S, M = HelpRequest.Status, Match.Status


def _state(tenant):
    """What the actions change: the request's status and outcome, every match's status, and more."""
    with scopes_disabled():
        help_request = HelpRequest.objects.get(pk=tenant.objects["help_request"].pk)
        return {
            "request": (help_request.status, help_request.outcome),
            "matches": sorted(
                Match.objects.filter(help_request=help_request).values_list("volunteer_id", "status", "end_reason")
            ),
            "contacts": ContactLog.objects.filter(match__help_request=help_request).count(),
            "answers": SatisfactionResponse.objects.filter(match__help_request=help_request).count(),
            "escalations": list(Escalation.objects.filter(help_request=help_request).values_list("status", flat=True)),
            "taken over": Escalation.objects.filter(
                pk=tenant.objects["escalation"].pk, status="overgenomen", professional__isnull=False
            ).count(),
            "proposal": BatchProposal.objects.get(pk=tenant.objects["proposal"].pk).decision,
            "runs": BatchRun.objects.filter(organisation=tenant.organisation).count(),
            "resident_erased": Resident.objects.get(pk=tenant.objects["resident"].pk).erased_at is not None,
            "volunteer_erased": Volunteer.objects.get(pk=tenant.objects["volunteer"].pk).erased_at is not None,
            "volunteer_resident": Volunteer.objects.get(pk=tenant.objects["volunteer"].pk).resident_id,
            "signal": Signal.objects.get(pk=tenant.objects["signal"].pk).status,
            "improvement": ImprovementProposal.objects.get(pk=tenant.objects["improvement"].pk).status,
            "cycle": EvaluationCycle.objects.get(pk=tenant.objects["cycle"].pk).status,
            "frozen figures": FrozenFigure.objects.filter(cycle=tenant.objects["cycle"].pk).count(),
            "story": Story.objects.get(pk=tenant.objects["story"].pk).status,
            "action": ImprovementAction.objects.get(pk=tenant.objects["action"].pk).status,
            "survey mails": OutgoingEmail.objects.filter(
                organisation_id=tenant.organisation.pk, subject__icontains="enquête"
            ).count(),
            # The mailing is recorded, then sent by a task after the commit (survey_invitations_request).
            "survey asked": EvaluationCycle.objects.get(pk=tenant.objects["cycle"].pk).survey_requested_at is not None,
            "report": FunderReport.objects.filter(cycle=tenant.objects["cycle"].pk).values_list("generation", "status")[
                0
            ],
            "network members": NetworkMember.objects.filter(network=tenant.objects["network"].pk).count(),
            "member left": NetworkMember.objects.get(pk=tenant.objects["member"].pk).left_on is not None,
            "guest name": NetworkMember.objects.get(pk=tenant.objects["guest"].pk).name,
            "hours": HoursEntry.objects.filter(volunteer=tenant.objects["volunteer"].pk).count(),
            "calendar token": Volunteer.objects.get(pk=tenant.objects["volunteer"].pk).calendar_token,
            "phase": Organisation.objects.get(pk=tenant.organisation.pk).phase,
            "network phase": Network.objects.get(pk=tenant.objects["network"].pk).phase,
            "phase items": sorted(
                PhaseChecklistItem.objects.filter(organisation=tenant.organisation).values_list(
                    "pk", "network_id", "phase", "title", "done", "due", "notes"
                )
            ),
            "phase moves": PhaseMove.objects.filter(organisation=tenant.organisation).count(),
            "activity": Activity.objects.get(pk=tenant.objects["activity"].pk).status,
            "session": ActivitySession.objects.filter(pk=tenant.objects["session"].pk).values_list(
                "status", "starts_at", "changed"
            )[0],
            "attended": Participation.objects.filter(session=tenant.objects["session"].pk, attended=True).count(),
            "signal activity": Signal.objects.get(pk=tenant.objects["signal"].pk).activity_id,
            "fees": sorted(
                FeeEntry.objects.filter(organisation_id=tenant.organisation.pk).values_list("kind", "amount")
            ),
            "candidates": Volunteer.objects.filter(
                organisation=tenant.organisation, status=Volunteer.Status.REGISTERED
            ).count(),
            "invitation": Invitation.objects.filter(pk=tenant.objects["invitation"].pk).values_list(
                "token_hash", "accepted_at", "revoked_at"
            )[0],
            "invitation mails": OutgoingEmail.objects.filter(
                organisation_id=tenant.organisation.pk, subject__startswith="Uitnodiging"
            ).count(),
            "memberships": sorted(
                Membership.objects.filter(organisation=tenant.organisation).values_list(
                    "user_id", "is_coordinator", "is_org_admin"
                )
            ),
            "fundings": sorted(Funding.objects.filter(organisation=tenant.organisation).values_list("funder_id")),
        }


# The states the buttons start from, as the hostile-input table sets them up.
accepted, closed, searching = match_accepted, match_closed, request_searching


def mutual(tenant):
    """'Er zijn voor elkaar': the only type where a volunteer is linked to the resident record of the same person."""
    from netwerken.models import Organisation

    with scopes_disabled():
        Organisation.objects.filter(pk=tenant.organisation.pk).update(help_type=Organisation.HelpType.MUTUAL)


def cancelled(tenant):
    from matching import lifecycle

    with scope(organisation=tenant.organisation):
        lifecycle.request_transition(help_request=tenant.objects["help_request"], to_status=S.CANCELLED, reason="x")


def escalated(tenant):
    from matching import lifecycle

    with scope(organisation=tenant.organisation):
        lifecycle.request_transition(help_request=tenant.objects["help_request"], to_status=S.ESCALATED, reason="x")


def invited_volunteer(tenant):
    """The fixture's invitation is for the volunteer's address (to become coordinator too)."""
    with scopes_disabled():
        Invitation.objects.filter(pk=tenant.objects["invitation"].pk).update(email=tenant.user(Role.VOLUNTEER).email)


def pending_batch(tenant):
    """The fixture's batch pair again to be confirmed: the request looks for someone and has no proposal."""
    searching(tenant)


@dataclass
class Action:
    id: str
    role: str | None
    url: str  # route name
    payload: dict
    expect: Callable  # (before, after) -> bool: the change the button promises
    message: str  # part of the Dutch message the page shows after the action
    setup: Callable | None = None
    # What the second identical post must say (None: it may change nothing and say anything Dutch).
    again: str | None = None

    def path(self, tenant):
        route = next(route for route in tenant_routes() if route.name == self.url)
        kwargs = {"org": tenant.organisation.slug}
        for key in route.kwargs:
            if key == "token":
                kwargs[key] = proposals.proposal_token(tenant.objects["match"])
            elif key != "org":
                kwargs[key] = tenant.objects[key].pk
        return reverse(self.url, kwargs=kwargs)


def request_is(status, outcome=""):
    return lambda before, after: after["request"] == (status, outcome)


def match_is(status):
    return lambda before, after: any(row[1] == status for row in after["matches"])


def escalation_waiting(tenant):
    with scopes_disabled():
        Escalation.objects.filter(pk=tenant.objects["escalation"].pk).update(status="wacht", professional=None)


ACTIONS = [
    Action(
        "vrijwilliger-is-ook-bewoner",
        Role.COORDINATOR,
        "matching:volunteer_resident",
        {"action": "link", "resident": "<resident>"},
        lambda b, a: b["volunteer_resident"] is None and a["volunteer_resident"] is not None,
        "is nu ook gekoppeld als bewoner",
        setup=mutual,
    ),
    Action(
        "wijkteam-neemt-over",
        Role.PROFESSIONAL,
        "matching:escalation_take_over",
        {},
        lambda b, a: a["taken over"] == b["taken over"] + 1,
        "Je hebt deze hulpvraag overgenomen.",
        setup=escalation_waiting,
    ),
    # The request page's buttons (matching/lifecycle.py), from the states where they are offered.
    Action(
        "annuleren",
        Role.COORDINATOR,
        "matching:request_transition",
        {"to_status": "geannuleerd", "reason": "Bewoner is verhuisd"},
        lambda b, a: a["request"][0] == S.CANCELLED and all(row[1] != M.PROPOSED for row in a["matches"]),
        "Status gewijzigd naar ‘geannuleerd’.",
        again="kan niet naar",
    ),
    Action(
        "opschalen",
        Role.COORDINATOR,
        "matching:request_transition",
        {"to_status": "opgeschaald", "reason": "Te zwaar voor een vrijwilliger"},
        # The wijkteam gets it; the volunteer goes on until the professional decides (matching/backstop.py).
        lambda b, a: a["escalations"] == ["wacht"] and a["request"][0] == S.MATCHED and match_is(M.ACCEPTED)(b, a),
        "Opgeschaald naar het wijkteam.",
        setup=accepted,
        again="ligt al bij het wijkteam",
    ),
    Action(
        "zoek-een-ander",
        Role.COORDINATOR,
        "matching:request_transition",
        {"to_status": "zoekend", "reason": "Vrijwilliger is ziek"},
        lambda b, a: a["request"][0] == S.SEARCHING and match_is(M.ENDED)(b, a),
        "Status gewijzigd naar ‘zoekend’.",
        setup=accepted,
        again="kan niet naar",
    ),
    Action(
        "afronden",
        Role.COORDINATOR,
        "matching:request_transition",
        {"to_status": "afgerond", "outcome": "deels", "note": "Het ging redelijk"},
        lambda b, a: request_is(S.DONE, "deels")(b, a) and match_is(M.CLOSED)(b, a),
        "Status gewijzigd naar ‘afgerond’.",
        setup=accepted,
        again="kan niet naar",
    ),
    Action(
        "heropenen",
        Role.COORDINATOR,
        "matching:request_transition",
        {"to_status": "nieuw"},
        request_is(S.NEW),
        "Status gewijzigd naar ‘nieuw’.",
        setup=cancelled,
        again="kan niet naar",
    ),
    Action(
        "terug-naar-buurthulp",
        Role.COORDINATOR,
        "matching:request_transition",
        {"to_status": "zoekend", "reason": "Kan met een maatje"},
        request_is(S.SEARCHING),
        "Status gewijzigd naar ‘zoekend’.",
        setup=escalated,
        again="kan niet naar",
    ),
    # Proposing, by mail and by phone, and recomputing.
    Action(
        "voorstellen",
        Role.COORDINATOR,
        "matching:request_propose",
        {"volunteer": "<volunteer>"},
        match_is(M.PROPOSED),
        "Voorgesteld aan",
        setup=searching,
        again="heeft deze hulpvraag al",
    ),
    Action(
        "telefonisch-afgesproken",
        Role.COORDINATOR,
        "matching:request_propose",
        {"volunteer": "<volunteer>", "by_phone": "on"},
        lambda b, a: match_is(M.ACCEPTED)(b, a) and a["request"][0] == S.MATCHED,
        "zoals telefonisch afgesproken",
        setup=searching,
        again="heeft deze hulpvraag al",
    ),
    Action(
        "opnieuw-berekenen",
        Role.COORDINATOR,
        "matching:request_recompute",
        {},
        lambda b, a: a == b,
        "",
    ),
    # The coordinator's match page.
    Action(
        "intrekken",
        Role.COORDINATOR,
        "matching:match_detail",
        {"action": "withdraw"},
        lambda b, a: match_is(M.WITHDRAWN)(b, a) and a["request"][0] == S.SEARCHING,
        "Het voorstel is ingetrokken.",
    ),
    Action(
        "koppeling-afsluiten",
        Role.COORDINATOR,
        "matching:match_detail",
        {"action": "close", "afsluiten-outcome": "geholpen", "afsluiten-note": "Top"},
        lambda b, a: match_is(M.CLOSED)(b, a) and a["request"] == (S.DONE, "geholpen"),
        "De koppeling is afgesloten.",
        setup=accepted,
        again="Alleen een actieve koppeling kan worden afgesloten.",
    ),
    Action(
        "koppeling-beeindigen",
        Role.COORDINATOR,
        "matching:match_detail",
        {"action": "end", "beeindigen-reason": "Vrijwilliger verhuist"},
        lambda b, a: match_is(M.ENDED)(b, a) and a["request"][0] == S.SEARCHING,
        "De koppeling is beëindigd.",
        setup=accepted,
        again="Alleen een actieve koppeling kan worden beëindigd.",
    ),
    Action(
        "tevredenheid-bewoner",
        Role.COORDINATOR,
        "matching:match_detail",
        {"action": "satisfaction", "bewoner-helped": "4", "bewoner-would_again": "ja"},
        lambda b, a: a["answers"] == b["answers"] + 1,
        "Het antwoord van de bewoner is opgeslagen.",
        setup=closed,
    ),
    # The volunteer's side: in the app and by the emailed link.
    Action(
        "ja-in-de-app",
        Role.VOLUNTEER,
        "matching:my_match",
        {"action": "accept"},
        lambda b, a: match_is(M.ACCEPTED)(b, a) and a["request"][0] == S.MATCHED,
        "Dank je wel! De hulpvraag is aan jou gekoppeld.",
    ),
    Action(
        "nee-in-de-app",
        Role.VOLUNTEER,
        "matching:my_match",
        {"action": "decline", "reason": "Ben op vakantie"},
        match_is(M.DECLINED),
        "Jammer, maar helemaal goed.",
        again="Dit voorstel staat niet meer open",
    ),
    Action(
        "contactmoment",
        Role.VOLUNTEER,
        "matching:my_match",
        {"action": "contact", "contact-date": "<today>", "contact-minutes": "45", "contact-note": "Koffie"},
        lambda b, a: a["contacts"] == b["contacts"] + 1,
        "Het contactmoment is opgeslagen.",
        setup=accepted,
    ),
    Action(
        "tevredenheid-vrijwilliger",
        Role.VOLUNTEER,
        "matching:my_match",
        {"action": "satisfaction", "tevreden-helped": "5", "tevreden-would_again": "ja"},
        lambda b, a: a["answers"] == b["answers"] + 1,
        "Dank je wel voor je antwoord.",
        setup=closed,
    ),
    Action(
        "ja-via-de-link",
        None,
        "matching:proposal_link",
        {"action": "accept"},
        match_is(M.ACCEPTED),
        "Dank je wel! De hulpvraag is aan jou gekoppeld.",
        again="Dit voorstel staat niet meer open",
    ),
    Action(
        "nee-via-de-link",
        None,
        "matching:proposal_link",
        {"action": "decline", "reason": ""},
        match_is(M.DECLINED),
        "Je hebt nee gezegd.",
        again="Dit voorstel staat niet meer open",
    ),
    # Batch assignment.
    Action(
        "batch-starten",
        Role.COORDINATOR,
        "matching:batch_list",
        {},
        lambda b, a: a["runs"] == b["runs"] + 1,
        "Voorstel voor alle open hulpvragen",
    ),
    Action(
        "batch-paar-bevestigen",
        Role.COORDINATOR,
        "matching:batch_decide",
        {"action": "confirm"},
        lambda b, a: a["proposal"] == "bevestigd" and match_is(M.PROPOSED)(b, a),
        "Voorgesteld aan",
        setup=pending_batch,
    ),
    Action(
        "batch-paar-laten-vallen",
        Role.COORDINATOR,
        "matching:batch_decide",
        {"action": "drop"},
        lambda b, a: a["proposal"] == "vervallen",
        "Voorstel voor alle open hulpvragen",
        setup=pending_batch,
    ),
    Action(
        "alles-bevestigen",
        Role.COORDINATOR,
        "matching:batch_confirm_all",
        {},
        lambda b, a: a["proposal"] == "bevestigd",
        "1 voorstel verstuurd.",
        setup=pending_batch,
        again="Er waren geen paren meer om te bevestigen.",
    ),
    # Erasure: once, and a second time.
    Action(
        "bewoner-wissen",
        Role.COORDINATOR,
        "netwerken:resident_erase",
        {"bevestig": "ja"},
        lambda b, a: a["resident_erased"] and a["request"][0] == S.CANCELLED,
        "De persoonsgegevens zijn gewist.",
        again="al gewist",
    ),
    Action(
        "vrijwilliger-wissen",
        Role.COORDINATOR,
        "matching:volunteer_erase",
        {"bevestig": "ja"},
        lambda b, a: a["volunteer_erased"] and match_is(M.WITHDRAWN)(b, a),
        "De gegevens van de vrijwilliger zijn gewist.",
        again="al gewist",
    ),
    Action(
        "eigen-gegevens-wissen",
        Role.VOLUNTEER,
        "matching:my_erase",
        {"bevestig": "ja"},
        lambda b, a: a["volunteer_erased"] and match_is(M.WITHDRAWN)(b, a),
        "Je gegevens zijn gewist.",
    ),
    # Signals: a professional marks one, a coordinator moves an improvement proposal on.
    Action(
        "signaal-opgepakt",
        Role.PROFESSIONAL,
        "matching:signal_status",
        {"status": "opgepakt"},
        lambda b, a: a["signal"] == "opgepakt",
        "Het signaal staat nu op ‘opgepakt’.",
        again="stond al op ‘opgepakt’",
    ),
    Action(
        "verbetervoorstel-klaar",
        Role.COORDINATOR,
        "matching:improvement_status",
        {"status": "klaar"},
        lambda b, a: a["improvement"] == "klaar",
        "staat nu op ‘klaar’.",
        again="stond al op ‘klaar’",
    ),
    # The evaluation: close a cycle (figures and survey frozen), mail the survey, approve a story,
    # move an improvement action on.
    Action(
        "cyclus-sluiten",
        Role.COORDINATOR,
        "evaluatie:cycle_close",
        {},
        lambda b, a: a["cycle"] == "gesloten" and a["frozen figures"] > 0,
        "De cyclus is gesloten",
        again="al gesloten",
    ),
    Action(
        "enquete-mailen",
        Role.ORG_ADMIN,
        "evaluatie:survey_send",
        {},
        lambda b, a: a["survey asked"] and not b["survey asked"],
        "De enquête wordt gemaild",
    ),
    Action(
        "verhaal-goedkeuren",
        Role.ORG_ADMIN,
        "evaluatie:story_approve",
        {},
        lambda b, a: a["story"] == "goedgekeurd",
        "is goedgekeurd.",
        again="was al goedgekeurd",
    ),
    Action(
        "verbeteractie-klaar",
        Role.COORDINATOR,
        "evaluatie:action_status",
        {"status": "klaar"},
        lambda b, a: a["action"] == "klaar",
        "staat nu op ‘klaar’.",
        again="stond al op ‘klaar’",
    ),
    # A funder has the report built again: queued once (its task runs after the commit), not twice.
    Action(
        "rapport-opnieuw-maken",
        Role.FUNDER,
        "evaluatie:report_request",
        {},
        lambda b, a: a["report"] == (b["report"][0] + 1, "wachtrij"),
        "Het rapport wordt gemaakt.",
        again="Het rapport wordt al gemaakt.",
    ),
    # Resident networks: someone without a record joins (once), a member stops (once).
    Action(
        "netwerk-deelnemer-toevoegen",
        Role.COORDINATOR,
        "netwerken:member_add",
        {"lid-name": "Truus Bakker", "lid-phone": "06-12345678"},
        lambda b, a: a["network members"] == b["network members"] + 1,
        "Truus Bakker doet nu mee aan",
        again="doet al mee aan",
    ),
    Action(
        "netwerk-deelnemer-gestopt",
        Role.PROFESSIONAL,
        "netwerken:member_leave",
        {},
        lambda b, a: not b["member left"] and a["member left"],
        "is gestopt bij",
        again="was al gestopt",
    ),
    Action(
        "netwerk-deelnemer-wissen",
        Role.COORDINATOR,
        "netwerken:member_erase",
        {},
        lambda b, a: b["guest name"] and a["guest name"] == "",
        "zijn gewist",
        again="waren al gewist",
    ),
    # A volunteer removes hours they logged; the second click finds them gone (404).
    Action(
        "uren-verwijderen",
        Role.VOLUNTEER,
        "matching:my_hours_delete",
        {},
        lambda b, a: a["hours"] == b["hours"] - 1,
        "De uren zijn verwijderd.",
    ),
    # A new calendar address: the old one stops working. Each click makes a new one (no harm: the page shows it).
    Action(
        "agenda-adres-vernieuwen",
        Role.VOLUNTEER,
        "matching:my_calendar_revoke",
        {},
        lambda b, a: a["calendar token"] and a["calendar token"] != b["calendar token"],
        "Het oude adres werkt niet meer.",
    ),
    # Development phases: a coordinator ticks an item off, the org admin edits one, a professional adds one,
    # the org admin deletes one and moves the organisation on, a professional starts a network's phases.
    Action(
        "fase-punt-afvinken",
        Role.COORDINATOR,
        "netwerken:checklist_item_edit",
        {"alleen": "afvinken", "done": "on"},
        lambda b, a: [row[4] for row in a["phase items"]] == [True],
        "is afgevinkt.",
    ),
    Action(
        "fase-punt-bewerken",
        Role.ORG_ADMIN,
        "netwerken:checklist_item_edit",
        {"title": "Initiatiefgroep bij elkaar", "due": "<today>", "notes": "Eerste avond in het buurthuis"},
        lambda b, a: (
            [row[3] for row in a["phase items"]] == ["Initiatiefgroep bij elkaar"]
            and a["phase items"][0][6] == "Eerste avond in het buurthuis"
        ),
        "is opgeslagen.",
    ),
    Action(
        "fase-punt-toevoegen",
        Role.PROFESSIONAL,
        "netwerken:checklist_item_add",
        {"title": "Wijksafari plannen", "phase": "verkennen"},
        lambda b, a: len(a["phase items"]) == len(b["phase items"]) + 1,
        "staat op de lijst",
        again="staat al op de lijst",
    ),
    Action(
        "fase-punt-verwijderen",
        Role.ORG_ADMIN,
        "netwerken:checklist_item_delete",
        {"bevestig": "ja"},
        lambda b, a: b["phase items"] and not a["phase items"],
        "is van de lijst gehaald.",
    ),
    Action(
        "volgende-fase",
        Role.ORG_ADMIN,
        "netwerken:phase_move",
        {"from_phase": "verkennen", "to_phase": "opzetten", "note": ""},
        lambda b, a: a["phase"] == "opzetten" and a["phase moves"] == b["phase moves"] + 1,
        "Nu in de fase ‘Opzetten’.",
        setup=lambda tenant: _unscoped_update(Organisation, tenant.organisation.pk, phase="verkennen"),
        again="al veranderd",
    ),
    Action(
        "netwerk-begint-met-fases",
        Role.PROFESSIONAL,
        "netwerken:network_phase_move",
        {"from_phase": "", "to_phase": "verkennen"},
        lambda b, a: a["network phase"] == "verkennen" and a["phase moves"] == b["phase moves"] + 1,
        "Nu in de fase ‘Verkennen en voorbereiden’.",
        again="al veranderd",
    ),
    # Activities: the organiser (the fixture's volunteer) records who was there and adds a newcomer; the
    # coordinator moves, cancels and stops; a professional turns a signal into a proposed activity.
    Action(
        "was-er-niet",
        Role.VOLUNTEER,
        "netwerken:participation_toggle",
        {"member": "<member>", "field": "attended", "value": "0"},
        lambda b, a: a["attended"] == b["attended"] - 1,
        "was er niet.",
    ),
    Action(
        "nieuwe-deelnemer",
        Role.VOLUNTEER,
        "netwerken:participant_add",
        {"name": "Truus Bakker", "phone": "06-12345678"},
        lambda b, a: a["network members"] == b["network members"] + 1 and a["attended"] == b["attended"] + 1,
        "Truus Bakker is erbij gezet.",
        again="staat al op de lijst",
    ),
    Action(
        "bijeenkomst-verplaatsen",
        Role.COORDINATOR,
        "netwerken:session_move",
        {"date": "<today>", "start_time": "14:00", "place": "Buurthuis"},
        lambda b, a: a["session"][2] and a["session"][1] != b["session"][1],
        "De bijeenkomst is verplaatst",
    ),
    Action(
        "bijeenkomst-afgelasten",
        Role.COORDINATOR,
        "netwerken:session_cancel",
        {"note": "Het regent"},
        lambda b, a: a["session"][0] == "afgelast",
        "De bijeenkomst is afgelast",
        again="al afgelast",
    ),
    Action(
        "activiteit-stoppen",
        Role.ORG_ADMIN,
        "netwerken:activity_stop",
        {},
        lambda b, a: a["activity"] == "gestopt",
        "De activiteit is gestopt",
        again="al gestopt",
    ),
    Action(
        "signaal-wordt-activiteit",
        Role.PROFESSIONAL,
        "matching:signal_propose_activity",
        {"network": "<network>", "title": "Samen boodschappen doen"},
        lambda b, a: a["signal activity"] is not None and a["signal"] == "activiteit",
        "is voorgesteld voor",
        again="al een activiteit",
    ),
    # 'Een extraatje bijverdienen': the fee ledger. The fixture's fee is € 10,00, open.
    Action(
        "vergoeding-betalen",
        Role.COORDINATOR,
        "matching:fee_payment",
        {"volunteer": "<volunteer>", "amount": "10", "paid_by": "organisatie", "date": "<today>"},
        lambda b, a: ("betaling", Decimal("-10.00")) in a["fees"] and len(a["fees"]) == len(b["fees"]) + 1,
        "De betaling aan",
        again="Er staat niets meer open",
        setup=modest_fee,
    ),
    Action(
        "vergoeding-corrigeren",
        Role.COORDINATOR,
        "matching:fee_correct",
        {"amount": "12,50", "reason": "Afgesproken bedrag"},
        lambda b, a: ("correctie", Decimal("2.50")) in a["fees"] and ("vergoeding", Decimal("10.00")) in a["fees"],
        "De correctie is geboekt",
        again="niets te corrigeren",
        setup=modest_fee,
    ),
    Action(
        "vergoeding-later-boeken",
        Role.COORDINATOR,
        "matching:fee_volunteer_ledger",
        {"match": "<match>", "quantity": "2"},
        lambda b, a: ("vergoeding", Decimal("15.00")) in a["fees"],
        "De vergoeding is geboekt.",
        setup=fee_bookable,
    ),
    Action(
        "afsluiten-met-vergoeding",
        Role.COORDINATOR,
        "matching:match_detail",
        {"action": "close", "afsluiten-outcome": "geholpen", "afsluiten-fee_quantity": "3"},
        lambda b, a: ("vergoeding", Decimal("22.50")) in a["fees"] and any(row[1] == M.CLOSED for row in a["matches"]),
        "De koppeling is afgesloten en de vergoeding is geboekt.",
        setup=fee_bookable_open,
    ),
    # Chosen on the home page after signing up outside an organisation: one confirmation, one candidate.
    Action(
        "vrijwilliger-worden-met-een-klik",
        Role.COORDINATOR,
        "matching:volunteer_join",
        {"phone": "06-18765432", "postcode": "3401 AB", "house_number": "7", "consent": "on"},
        lambda b, a: a["candidates"] == b["candidates"] + 1,
        "Je bent aangemeld als vrijwilliger bij",
        again="Je bent al vrijwilliger bij",
    ),
    # The team (netwerken/team_views.py).
    Action(
        "uitnodiging-opnieuw",
        Role.ORG_ADMIN,
        "netwerken:invitation_resend",
        {},
        lambda b, a: a["invitation"][0] != b["invitation"][0] and a["invitation mails"] == b["invitation mails"] + 1,
        "De uitnodiging is opnieuw verstuurd naar",
    ),
    Action(
        "uitnodiging-intrekken",
        Role.ORG_ADMIN,
        "netwerken:invitation_revoke",
        {},
        lambda b, a: b["invitation"][2] is None and a["invitation"][2] is not None,
        "is ingetrokken",
        again="al gebruikt of ingetrokken",
    ),
    Action(
        "uitnodiging-accepteren",
        Role.VOLUNTEER,
        "netwerken:invitation_accept",
        {},
        lambda b, a: (
            a["invitation"][1] is not None
            and len(a["memberships"]) == len(b["memberships"])
            and sum(row[1] for row in a["memberships"]) == sum(row[1] for row in b["memberships"]) + 1
        ),
        "Welkom bij",
        setup=invited_volunteer,
        again="al geaccepteerd",
    ),
    Action(
        "uit-het-team",
        Role.ORG_ADMIN,
        "netwerken:member_remove",
        {},
        lambda b, a: len(a["memberships"]) == len(b["memberships"]) - 1,
        "hoort niet meer bij het team",
    ),
    Action(
        "financier-weghalen",
        Role.ORG_ADMIN,
        "netwerken:funding_remove",
        {},
        lambda b, a: len(a["fundings"]) == len(b["fundings"]) - 1,
        "is geen financier meer van deze organisatie",
    ),
]


# Actions whose second click makes a new one on purpose (a contact moment, a batch run, a calendar address).
NEW_EACH_TIME = ("batch-starten", "contactmoment", "opnieuw-berekenen", "enquete-mailen", "agenda-adres-vernieuwen")
NEW_EACH_TIME += ("uitnodiging-opnieuw",)  # a new link each time, mailed again


def _unscoped_update(model, pk, **values):
    with scopes_disabled():
        model.objects.filter(pk=pk).update(**values)


def _payload(action, tenant):
    values = {
        "<volunteer>": str(tenant.objects["volunteer"].pk),
        "<resident>": str(tenant.objects["resident"].pk),
        "<today>": datetime.date.today().isoformat(),
        "<member>": str(tenant.objects["member"].pk),
        "<network>": str(tenant.objects["network"].pk),
        "<match>": str(tenant.objects["match"].pk),
    }
    return {key: values.get(value, value) for key, value in action.payload.items()}


def _client(action, tenant):
    client = Client()
    if action.role is not None:
        client.force_login(tenant.user(action.role))
    return client


@pytest.mark.parametrize("action", ACTIONS, ids=[a.id for a in ACTIONS])
def test_every_action_does_what_its_button_says_and_a_second_click_is_harmless(action, tenant_a):
    if action.setup is not None:
        action.setup(tenant_a)
    client, url = _client(action, tenant_a), action.path(tenant_a)
    before = _state(tenant_a)
    response = client.post(url, _payload(action, tenant_a), follow=True)
    assert response.status_code == 200, response.status_code
    after = _state(tenant_a)
    assert action.expect(before, after), (before, after)
    notes = page_notes(response) + [response.content.decode()]
    assert any(action.message in note for note in notes), page_notes(response)
    assert not any(ENGLISH.search(note) for note in page_notes(response)), page_notes(response)

    # The same post again: no 500, nothing changes twice, and it says why where a refusal is due.
    again_client = _client(action, tenant_a)
    response = again_client.post(url, _payload(action, tenant_a), follow=True)
    assert response.status_code in (200, 404, 410), response.status_code
    twice = _state(tenant_a)
    if action.id not in NEW_EACH_TIME:
        # A second contact moment or batch run is a new one on purpose; everything else happens once.
        assert twice == after, (after, twice)
    if action.again is not None:
        content = response.content.decode()
        assert any(action.again in note for note in page_notes(response)) or action.again in content, page_notes(
            response
        )


def test_every_post_action_is_in_the_table():
    """A page that takes a POST is a FormCase of the hostile table or an action here (or GET only)."""
    in_table = {action.url for action in ACTIONS}
    forms = {getattr(case.url, "route_name", None) for case in FORM_CASES}
    missing = {route.name for route in tenant_routes()} - in_table - forms - set(GET_ONLY)
    # Pages whose only POST is a form with fields (a FormCase above covers its valid baseline).
    assert not missing, f"POST pages without a valid-branch action: {sorted(missing)}"


def test_batch_confirm_all_reports_each_refused_pair(client, tenant_a):
    searching(tenant_a)
    with scope(organisation=tenant_a.organisation):
        Volunteer.objects.filter(pk=tenant_a.objects["volunteer"].pk).update(status=Volunteer.Status.INACTIVE)
    client.force_login(tenant_a.user(Role.COORDINATOR))
    url = reverse("matching:batch_confirm_all", kwargs={"org": "oost", "run": tenant_a.objects["run"].pk})
    page = client.post(url, follow=True).content.decode()
    assert re.search(r"is geen actieve vrijwilliger\.", page)
    with scopes_disabled():
        assert BatchProposal.objects.get(pk=tenant_a.objects["proposal"].pk).decision == "vervallen"
    assert batch.BatchProposal.Decision.DROPPED == "vervallen"
