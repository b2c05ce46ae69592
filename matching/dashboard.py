"""The coordinator's morning: what needs them now, each item a count and a link to the list where they act.

Each item is defined once, as a condition on the rows it counts (`*_q` below). The dashboard counts
those conditions with conditional aggregation — one query per model, however many rows there are —
and the list pages filter with the very same conditions (matching/filters.py), so "3 hulpvragen
wachten te lang" leads to a list of exactly those 3.

Thresholds come from the organisation's SignalSettings (the same ones the signals use), or the
model's defaults when the organisation has none. Runs inside the tenant's scope, as views do.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from netwerken.models import Volunteer

from .models import Category, ContactLog, Escalation, HelpRequest, Match, Signal, SignalSettings

DEADLINE_SOON = datetime.timedelta(hours=12)
DECLINED_RECENTLY = datetime.timedelta(days=7)

S = HelpRequest.Status
M = Match.Status
# Not yet helped, not with the wijkteam, not finished: the resident is still waiting for buurthulp.
OPEN = (S.NEW, S.SEARCHING, S.PROPOSED)
# Open and no proposal out either: the coordinator must find someone.
WITHOUT_VOLUNTEER = (S.NEW, S.SEARCHING)
# The states in which a request can hold a proposed or accepted match (lifecycle.derive: NEW, ESCALATED, DONE
# and CANCELLED have none). The match items say so themselves, so their lists and counts never read the rest.
WITH_MATCHES = (S.SEARCHING, S.PROPOSED, S.MATCHED)
# Every state any request item can count: the dashboard's aggregate reads only these rows (the index on
# organisation, status), so a history of finished, cancelled or escalated requests costs it nothing.
COUNTED = (S.NEW, S.SEARCHING, S.PROPOSED, S.MATCHED)


def signal_settings():
    """The organisation's thresholds, or the defaults (an unsaved row) when it has set none."""
    return SignalSettings.objects.first() or SignalSettings()


# --- the conditions: one per item, shared with the list filters ----------------------------------------


def new_from_channel_q(channel):
    return Q(status=S.NEW, channel=channel)


def waiting_too_long_q(settings, now):
    """Open and waiting more whole days than its urgency allows (SignalSettings.waiting_days_*): 14 days and an
    hour is 14 days, which 'normaal' allows; the 15th day is too long."""
    allowed = {
        HelpRequest.Urgency.URGENT: settings.waiting_days_urgent,
        HelpRequest.Urgency.HIGH: settings.waiting_days_high,
        HelpRequest.Urgency.NORMAL: settings.waiting_days_normal,
        HelpRequest.Urgency.LOW: settings.waiting_days_low,
    }
    too_old = Q()
    for urgency, days in allowed.items():
        too_old |= Q(urgency=urgency, created_at__lte=now - datetime.timedelta(days=days + 1))
    return Q(status__in=OPEN) & too_old


def deadline_soon_q(now):
    """A proposal still unanswered whose time to answer ends within 12 hours (or has just ended and the
    timer has not yet expired it)."""
    # `pk__in` an uncorrelated subquery: PostgreSQL hashes the few matching pks once, where a correlated
    # EXISTS would probe the matches once for every request counted.
    soon = Match.objects.filter(status=M.PROPOSED, deadline__lte=now + DEADLINE_SOON).values("help_request_id")
    return Q(status__in=WITH_MATCHES, pk__in=soon)


def declined_q(now):
    """Declined (or left to expire) in the last 7 days, and the request still has nobody: no proposal
    out, no volunteer."""
    recent = Match.objects.filter(status__in=(M.DECLINED, M.EXPIRED), responded_at__gte=now - DECLINED_RECENTLY).values(
        "help_request_id"
    )
    return Q(status__in=WITHOUT_VOLUNTEER, pk__in=recent)


def no_contact_q(settings, now):
    """An accepted match running for longer than SignalSettings.no_contact_weeks without a contact moment
    in that time: time to call (nabellen)."""
    since = now - datetime.timedelta(weeks=settings.no_contact_weeks)
    recent_contact = ContactLog.objects.filter(match=OuterRef("pk"), date__gte=timezone.localdate(since))
    silent = (
        Match.objects.filter(status=M.ACCEPTED)
        .filter(
            Q(responded_at__lt=since) | Q(responded_at__isnull=True, proposed_at__lt=since),
            ~Exists(recent_contact),
        )
        .values("help_request_id")
    )
    return Q(status__in=WITH_MATCHES, pk__in=silent)


def handed_back_q():
    """Handed back by the wijkteam (with advice) and not yet matched again since."""
    matched_since = Match.objects.filter(
        help_request=OuterRef("help_request"),
        status__in=(M.ACCEPTED, M.CLOSED),
        responded_at__gte=OuterRef("ended_at"),
    )
    handed_back = (
        Escalation.objects.filter(status=Escalation.Status.HANDED_BACK)
        .filter(~Exists(matched_since))
        .values("help_request_id")
    )
    return Q(status__in=OPEN, pk__in=handed_back)


def registered_volunteer_q():
    """Signed up and waiting for the intake call (kennismaking)."""
    return Q(status=Volunteer.Status.REGISTERED)


def vog_expiring_q(settings, today):
    """Active volunteers with a VOG that expires within SignalSettings.vog_weeks (6): everyone who has one,
    since renewing takes weeks. An expired VOG only for those whose help needs one (a category with
    requires_vog): for the others it no longer matters, and they should not be asked about it forever."""
    limit = today + datetime.timedelta(weeks=settings.vog_weeks)
    needs_vog = Exists(Category.objects.filter(volunteers=OuterRef("pk"), requires_vog=True))
    return Q(status=Volunteer.Status.ACTIVE, erased_at__isnull=True, vog_seen=True, vog_expires__lte=limit) & (
        Q(vog_expires__gte=today) | Q(needs_vog)
    )


def new_signal_q():
    return Q(status=Signal.Status.NEW)


# --- 'Nieuw binnengekomen': what came in by itself and nobody has handled yet ---------------------------------

ARRIVALS_SHOWN = 10


@dataclass
class Arrivals:
    """The newest online requests (still 'nieuw') and volunteer candidates (still 'aangemeld'), a few of each
    by name with a link, and how many there are in all (the rest is on the list the item links to)."""

    requests: list
    volunteers: list
    request_count: int
    volunteer_count: int

    @property
    def total(self):
        return self.request_count + self.volunteer_count

    @property
    def more_requests(self):
        return self.request_count - len(self.requests)

    @property
    def more_volunteers(self):
        return self.volunteer_count - len(self.volunteers)


def new_arrivals(*, request_count, volunteer_count, shown=ARRIVALS_SHOWN):
    """Two queries, whatever the number of rows (the counts come from coordinator_items' aggregates)."""
    requests = []
    if request_count:
        requests = list(
            HelpRequest.objects.filter(new_from_channel_q(HelpRequest.Channel.ONLINE))
            .select_related("category", "area")
            .order_by("-created_at", "-pk")[:shown]
        )
    volunteers = []
    if volunteer_count:
        volunteers = list(
            Volunteer.objects.filter(registered_volunteer_q())
            .select_related("membership__user")
            .order_by("-created_at", "-pk")[:shown]
        )
    return Arrivals(requests, volunteers, request_count, volunteer_count)


# --- the page ----------------------------------------------------------------------------------------------


@dataclass
class Item:
    key: str
    count: int
    label: str  # "3 hulpvragen wachten te lang": the link's text, says what the list holds
    empty: str  # said calmly when there is nothing
    url_name: str  # the list where the coordinator acts
    query: str = ""
    rows: list = field(default_factory=list)  # a few of the rows themselves, where names help


@dataclass
class Group:
    key: str
    heading: str
    items: list

    @property
    def total(self):
        return sum(item.count for item in self.items)


def coordinator_items(*, now=None):
    """The dashboard's groups of items. A fixed number of queries, whatever the number of rows."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    settings = signal_settings()
    C = HelpRequest.Channel
    requests = HelpRequest.objects.filter(status__in=COUNTED).aggregate(
        new_online=Count("pk", filter=new_from_channel_q(C.ONLINE)),
        new_wijkteam=Count("pk", filter=new_from_channel_q(C.WIJKTEAM)),
        waiting=Count("pk", filter=waiting_too_long_q(settings, now)),
        handed_back=Count("pk", filter=handed_back_q()),
        deadline=Count("pk", filter=deadline_soon_q(now)),
        declined=Count("pk", filter=declined_q(now)),
        no_contact=Count("pk", filter=no_contact_q(settings, now)),
    )
    vog = vog_expiring_q(settings, today)
    # Only the rows either item counts (indexes volunteer_org_status and volunteer_vog_watch), not every volunteer.
    volunteers = Volunteer.objects.filter(registered_volunteer_q() | vog).aggregate(
        registered=Count("pk", filter=registered_volunteer_q()), vog=Count("pk", filter=vog)
    )
    vog_rows = list(Volunteer.objects.filter(vog).select_related("membership__user").order_by("vog_expires")[:5])
    signals = Signal.objects.filter(new_signal_q()).count()

    def n(key, source=requests):
        return source[key]

    weeks = settings.no_contact_weeks
    vog_weeks = settings.vog_weeks
    requests_list = "matching:request_list"
    return [
        Group(
            "hulpvragen",
            gettext("Hulpvragen"),
            [
                Item(
                    "new_online",
                    n("new_online"),
                    ngettext("%(n)s nieuwe online hulpvraag", "%(n)s nieuwe online hulpvragen", n("new_online"))
                    % {"n": n("new_online")},
                    gettext("Geen nieuwe online hulpvragen."),
                    requests_list,
                    "status=nieuw&kanaal=online",
                ),
                Item(
                    "new_wijkteam",
                    n("new_wijkteam"),
                    ngettext(
                        "%(n)s nieuwe hulpvraag via het wijkteam",
                        "%(n)s nieuwe hulpvragen via het wijkteam",
                        n("new_wijkteam"),
                    )
                    % {"n": n("new_wijkteam")},
                    gettext("Geen nieuwe hulpvragen via het wijkteam."),
                    requests_list,
                    "status=nieuw&kanaal=wijkteam",
                ),
                Item(
                    "waiting",
                    n("waiting"),
                    ngettext("%(n)s hulpvraag wacht te lang", "%(n)s hulpvragen wachten te lang", n("waiting"))
                    % {"n": n("waiting")},
                    gettext("Geen hulpvragen die te lang wachten."),
                    requests_list,
                    "wacht=te-lang",
                ),
                Item(
                    "handed_back",
                    n("handed_back"),
                    ngettext(
                        "%(n)s hulpvraag teruggegeven door het wijkteam, met advies",
                        "%(n)s hulpvragen teruggegeven door het wijkteam, met advies",
                        n("handed_back"),
                    )
                    % {"n": n("handed_back")},
                    gettext("Het wijkteam heeft niets teruggegeven."),
                    requests_list,
                    "wijkteam=teruggegeven",
                ),
            ],
        ),
        Group(
            "koppelingen",
            gettext("Voorstellen en koppelingen"),
            [
                Item(
                    "deadline",
                    n("deadline"),
                    ngettext(
                        "%(n)s voorstel moet binnen 12 uur beantwoord zijn",
                        "%(n)s voorstellen moeten binnen 12 uur beantwoord zijn",
                        n("deadline"),
                    )
                    % {"n": n("deadline")},
                    gettext("Geen voorstellen die bijna verlopen."),
                    requests_list,
                    "voorstel=verloopt",
                ),
                Item(
                    "declined",
                    n("declined"),
                    ngettext(
                        "%(n)s hulpvraag afgewezen of niet beantwoord, nog zonder vrijwilliger",
                        "%(n)s hulpvragen afgewezen of niet beantwoord, nog zonder vrijwilliger",
                        n("declined"),
                    )
                    % {"n": n("declined")},
                    gettext("Deze week is niets afgewezen dat nog open staat."),
                    requests_list,
                    "voorstel=afgewezen",
                ),
                Item(
                    "no_contact",
                    n("no_contact"),
                    ngettext(
                        "%(n)s gekoppelde hulpvraag om na te bellen: geen contactmoment in %(weeks)s weken",
                        "%(n)s gekoppelde hulpvragen om na te bellen: geen contactmoment in %(weeks)s weken",
                        n("no_contact"),
                    )
                    % {"n": n("no_contact"), "weeks": weeks},
                    gettext("Alle koppelingen hebben recent contact gehad."),
                    requests_list,
                    "contact=nabellen",
                ),
            ],
        ),
        Group(
            "vrijwilligers",
            gettext("Vrijwilligers"),
            [
                Item(
                    "registered",
                    n("registered", volunteers),
                    ngettext(
                        "%(n)s nieuwe vrijwilliger wacht op een kennismakingsgesprek",
                        "%(n)s nieuwe vrijwilligers wachten op een kennismakingsgesprek",
                        n("registered", volunteers),
                    )
                    % {"n": n("registered", volunteers)},
                    gettext("Geen nieuwe vrijwilligers die op een gesprek wachten."),
                    "matching:volunteer_list",
                    "status=aangemeld",
                ),
                Item(
                    "vog",
                    n("vog", volunteers),
                    ngettext(
                        "%(n)s VOG verloopt of is verlopen",
                        "%(n)s VOG's verlopen of zijn verlopen",
                        n("vog", volunteers),
                    )
                    % {"n": n("vog", volunteers)},
                    gettext("Geen VOG's die binnen %(weeks)s weken verlopen.") % {"weeks": vog_weeks},
                    "matching:volunteer_list",
                    "vog=verloopt",
                    rows=vog_rows,
                ),
            ],
        ),
        Group(
            "signalen",
            gettext("Signalen"),
            [
                Item(
                    "signals",
                    signals,
                    ngettext("%(n)s nieuw signaal", "%(n)s nieuwe signalen", signals) % {"n": signals},
                    gettext("Geen nieuwe signalen."),
                    "matching:signal_list",
                    "status=nieuw",
                ),
            ],
        ),
    ]
