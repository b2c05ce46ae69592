"""Demo data: three buurthulp organisations, one of each type (liefdadigheid, er zijn voor elkaar, een
extraatje bijverdienen) and each in another phase, one account per role, a municipality that funds them,
and per organisation its areas, help categories, about 40 volunteers with their offers and about 60
residents' requests in every status, with a real status history. The requests that were proposed,
matched or done got there through the matching services (suggestions, proposal, a decline now and
then, acceptance, contact moments, closing, the short satisfaction questions), and the demo
volunteer has one proposal waiting for an answer and one match they help in now. Networks, activities,
phases, fees and reciprocity come from buurthulp.demo.networks_seed.

seed() is idempotent: it looks everything up by its natural key and only creates what is missing,
and puts roles and names back the way the demo needs them. The people and requests come from
buurthulp.demo.data, which draws them from fixed lists with a fixed random seed per organisation;
dates relative to today are computed only when a row is created, so a second run changes nothing.
Volunteers are keyed by their e-mail address, residents by name and address, requests by resident
and description.
"""

import datetime
import functools
import itertools
import logging
import operator
from contextlib import contextmanager
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from netwerken.models import Area, Consent, Funding, Membership, Organisation, OutgoingEmail, Resident, User, Volunteer
from netwerken.roles import Role
from netwerken.services import user_name_changed

from . import data as demo_data
from .networks_seed import seed_networks

logger = logging.getLogger(__name__)

ORGANISATIONS = [
    {
        "slug": "oranjekwartier",
        "name": "Buurthulp Europa- en Oranjekwartier",
        "municipality": "IJsselstein",
        "help_type": Organisation.HelpType.CHARITY,
        "phase": Organisation.Phase.RUNNING,
    },
    {
        "slug": "lombok",
        "name": "Buurthulp Lombok",
        "municipality": "Utrecht",
        "help_type": Organisation.HelpType.MUTUAL,
        "phase": Organisation.Phase.SETTING_UP,
    },
    {
        "slug": "achterveld",
        "name": "Buurthulp Achterveld",
        "municipality": "IJsselstein",
        "help_type": Organisation.HelpType.MODEST_FEE,
        "phase": Organisation.Phase.EXPLORING,
    },
]
FUNDER = {"slug": "gemeente", "name": "Gemeente IJsselstein", "municipality": "IJsselstein"}

# (local part, role, name) per buurthulp organisation
STAFF = [
    ("coordinator", Role.COORDINATOR, "Coördinator"),
    ("vrijwilliger", Role.VOLUNTEER, "Vrijwilliger"),
    ("wijkteam", Role.PROFESSIONAL, "Wijkteamprofessional"),
    ("beheerder", Role.ORG_ADMIN, "Beheerder"),
]
FUNDER_EMAIL = "financier@gemeente.demo"

DEMO_ACCOUNTS = [
    {"email": f"{local}@{org['slug']}.demo", "role": role.label, "organisation": org["name"]}
    for org in ORGANISATIONS
    for local, role, _name in STAFF
] + [{"email": FUNDER_EMAIL, "role": Role.FUNDER.label, "organisation": FUNDER["name"]}]


class _DemoPassword:
    """One hash of the demo password, shared by every demo account.

    Hashing (and checking) costs about a third of a second each with the production hasher; the
    accounts share one hash so a run hashes at most once and checks at most once.
    """

    def __init__(self):
        self.encoded = None

    def apply(self, user):
        if self.encoded is None:
            if user.password and check_password(settings.DEMO_PASSWORD, user.password):
                self.encoded = user.password
            else:
                self.encoded = make_password(settings.DEMO_PASSWORD)
        if user.password != self.encoded:
            user.password = self.encoded


@functools.lru_cache(maxsize=1)
def _shared_demo_hash():
    return make_password(settings.DEMO_PASSWORD)


def _user(email, name, password):
    user, _created = User.objects.get_or_create(email=email, defaults={"name": name})
    password.apply(user)
    user.name = name
    user.is_active = True
    user.save()
    user_name_changed(user)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _membership(user, organisation, roles):
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
    membership.set_roles(roles)
    membership.save()
    return membership


def seed():
    """Creates what is missing of the demo. Three steps, each in its own transaction (see below)."""
    password = _DemoPassword()
    with scopes_disabled(), translation.override("nl"):
        with transaction.atomic():
            organisations, staff = [], {}
            for data in ORGANISATIONS:
                org, _created = Organisation.objects.update_or_create(
                    slug=data["slug"],
                    defaults={
                        **data,
                        **demo_data.PUBLIC_PAGES.get(data["slug"], {}),
                        "kind": Organisation.Kind.PROVIDER,
                    },
                )
                organisations.append(org)
                staff[org.slug] = {}
                for local, role, label in STAFF:
                    name = f"{label} {org.name.removeprefix('Buurthulp ')}"
                    user = _user(f"{local}@{org.slug}.demo", name, password)
                    _membership(user, org, {role})
                    staff[org.slug][role] = user

            funder, _created = Organisation.objects.update_or_create(
                slug=FUNDER["slug"],
                defaults={**FUNDER, "kind": Organisation.Kind.FUNDER, "help_type": "", "phase": ""},
            )
            _membership(_user(FUNDER_EMAIL, "Beleidsmedewerker Gemeente", password), funder, {Role.FUNDER})
            for org in organisations:
                Funding.objects.get_or_create(funder=funder, organisation=org)

        for org in organisations:
            _seed_organisation(org, staff[org.slug])
    return organisations


# --- an organisation's content ------------------------------------------------------------------------


def _seed_organisation(org, staff):
    from matching.models import Category
    from netwerken import services

    # Services that locate an address query AreaPostcode through the scoped manager: run them in
    # the organisation's scope, as a request would.
    with scope(organisation=org):
        # Volunteers and requests are committed separately, volunteers first. Every service call
        # queues matching work for after the commit (suggestions for a request, a volunteer's
        # resync); committing the volunteers before any request exists makes their resyncs trivial,
        # and the requests' suggestions are then computed once, against the complete volunteer pool.
        # Each step only creates what is missing, so a run that stops halfway is completed by the next.
        with transaction.atomic():
            known = set(Area.objects.filter(organisation=org).values_list("name", flat=True))
            for name, latitude, longitude, postcodes, _streets in demo_data.ORGANISATION_DATA[org.slug]["areas"]:
                if name not in known:
                    services.area_save(
                        organisation=org, name=name, latitude=latitude, longitude=longitude, postcodes=postcodes
                    )
            services.organisation_setup(organisation=org)
            areas = {area.name: area for area in Area.objects.filter(organisation=org)}
            categories = {category.name: category for category in Category.objects.filter(organisation=org)}
            later = _Timestamps()
            to_pause = _seed_volunteers(org, staff, areas, categories, later)
            later.save()
        # The requests go through the matching services; see _demo_matching for what that takes.
        with transaction.atomic(), _demo_matching(org):
            later = _Timestamps()
            created = _seed_requests(org, staff, categories, later)
            _pause(to_pause)
            later.save()
            if created:
                _seed_dashboard(org, staff)
            _refresh_suggestions(everything=created)
        with transaction.atomic():
            _seed_backstop(org, staff)
        with transaction.atomic():
            _seed_signals(org, staff)
        # Networks, activities and their sessions, phases, the fee ledger and reciprocity (issue 10).
        seed_networks(org, staff)
        with transaction.atomic():
            _seed_evaluation(org, staff)


def _quarter(day):
    """(first day, last day, name) of the quarter `day` lies in."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    following = (start + datetime.timedelta(days=95)).replace(day=1)
    return start, following - datetime.timedelta(days=1), f"Kwartaal {(first_month + 2) // 3} {day.year}"


# What the demo's evaluation plans, with a target each (evaluatie/catalogue.py has every indicator).
DEMO_TARGETS = {
    "requests_in": 40,
    "matches": 25,
    "contact_moments": 60,
    "hours": 80,
    "residents_reached": 30,
    "volunteers_active": 20,
    "escalations": 5,
    "waiting_days": 3,
    "satisfaction_residents": 4,
}
DEMO_STORY = (
    "Een bewoonster van in de tachtig durfde na een val niet meer alleen naar de markt. Een vrijwilliger uit "
    "de buurt loopt nu elke donderdag met haar mee; inmiddels drinken ze na afloop samen koffie en kent ze "
    "weer een paar buren bij naam."
)


def _seed_evaluation(org, staff):
    """The PDCA cycle (evaluatie/): last quarter closed with its figures frozen, and the current quarter
    running with targets, a few survey answers, an approved (anonymised) story and improvement actions, one
    carried over from last quarter; a report for the funders of each. Only what is missing is created; nobody
    is mailed."""
    from evaluatie import services as evaluation
    from evaluatie.funder_reports import report_request
    from evaluatie.models import EvaluationCycle, FunderReport, ImprovementAction, Story, SurveyResponse
    from matching.models import ImprovementProposal

    coordinator, admin = staff[Role.COORDINATOR], staff[Role.ORG_ADMIN]
    today = timezone.localdate()
    current_start, current_end, current_name = _quarter(today)
    last_start, last_end, last_name = _quarter(current_start - datetime.timedelta(days=1))

    def plan(name, start, end, goals, visitors=None):
        cycle = EvaluationCycle.objects.filter(organisation=org, name=name).first()
        if cycle is None:
            cycle = evaluation.cycle_create(
                organisation=org,
                name=name,
                period_kind=EvaluationCycle.PeriodKind.QUARTER,
                start=start,
                end=end,
                goals=goals,
                targets=DEMO_TARGETS,
                manual=[
                    {
                        "name": "Bezoekers buurtkoffie",
                        "definition": "Bezoekers van de wekelijkse buurtkoffie.",
                        "target": 60,
                        "value": visitors,
                    }
                ],
                by=coordinator,
            )
        return cycle

    last = plan(last_name, last_start, last_end, "Buurthulp bekend maken in de wijk; 25 koppelingen per kwartaal.", 48)
    if not ImprovementAction.objects.filter(cycle=last).exists():
        evaluation.action_create(cycle=last, title="Folder bij de huisarts en de apotheek", owner=coordinator, by=admin)
        done = evaluation.action_create(cycle=last, title="Vrijwilligersavond organiseren", owner=admin, by=admin)
        evaluation.action_set_status(action=done, status=ImprovementAction.Status.DONE, by=admin)
        ImprovementAction.objects.filter(cycle=last, status=ImprovementAction.Status.OPEN).update(
            status=ImprovementAction.Status.IN_PROGRESS
        )
    if not last.is_closed:
        evaluation.cycle_close(cycle=last, by=admin)

    current = plan(
        current_name,
        current_start,
        current_end,
        "Meer bewoners bereiken die niet zelf bellen; wachttijd tot een eerste voorstel hooguit drie dagen.",
    )
    evaluation.actions_carry(cycle=current, from_cycle=last, by=admin)
    if not ImprovementAction.objects.filter(cycle=current, carried_from__isnull=True).exists():
        proposal = ImprovementProposal.objects.filter(organisation=org).first()
        if proposal is not None:
            evaluation.action_create(cycle=current, from_proposal=proposal, by=coordinator)
        evaluation.action_create(
            cycle=current,
            title="Nabellen na elke eerste koppeling",
            owner=coordinator,
            due=current_end,
            by=coordinator,
        )
    if not SurveyResponse.objects.filter(cycle=current).exists():
        for score, recommend in ((5, True), (4, True), (3, False)):
            evaluation.survey_record(
                cycle=current, respondent="bewoner", score=score, would_recommend=recommend, by=coordinator
            )
        for volunteer in Volunteer.objects.filter(organisation=org, status=Volunteer.Status.ACTIVE).order_by("pk")[:2]:
            evaluation.survey_record(
                cycle=current, respondent="vrijwilliger", score=4, would_recommend=True, volunteer=volunteer
            )
    if not Story.objects.filter(cycle=current).exists():
        story = evaluation.story_write(cycle=current, title="Weer samen naar de markt", text=DEMO_STORY, by=coordinator)
        evaluation.story_approve(story=story, by=admin)
    # The funders' reports: last quarter's final one (asked for when it closed) and a tussenstand of this
    # quarter, built in the background after the commit (in `make demo`, in-process: ready when it serves).
    for cycle in (last, current):
        if not FunderReport.objects.filter(cycle=cycle).exists():
            report_request(cycle=cycle, by=admin)


class _Timestamps:
    """Backdated times, written in one bulk update per model at the end (the services stamp 'now')."""

    def __init__(self):
        self.rows = {}  # model → {pk: (obj, fields)}

    def set(self, obj, **values):
        for name, value in values.items():
            setattr(obj, name, value)
        model_rows = self.rows.setdefault(type(obj), {})
        _obj, fields = model_rows.get(obj.pk, (obj, set()))
        model_rows[obj.pk] = (obj, fields | set(values))

    def save(self):
        for model, rows in self.rows.items():
            by_fields = {}
            for obj, fields in rows.values():
                by_fields.setdefault(tuple(sorted(fields)), []).append(obj)
            for fields, objs in by_fields.items():
                model.objects.bulk_update(objs, list(fields), batch_size=500)


def _moment(now, days_ago, hour=10, minute=0):
    """`days_ago` days before now at hh:mm local time, but never in the future."""
    local = timezone.localtime(now) - datetime.timedelta(days=days_ago)
    moment = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return min(moment, now - datetime.timedelta(minutes=7))


def _history(created, now, count):
    """`count` moments from `created` to (nearly) now: the first move soon after intake, the rest spread
    out, each on office hours (9–17) and each after the one before."""
    moments = [created]
    span = now - created
    for step in range(1, count):
        fraction = 0.1 + 0.85 * (step - 1) / max(count - 2, 1)
        local = timezone.localtime(created + span * fraction)
        if not 9 <= local.hour < 17:
            local = local.replace(hour=9 + (step * 3) % 8, minute=(step * 17) % 60, second=0, microsecond=0)
        moment = max(local, moments[-1] + datetime.timedelta(minutes=20))
        moments.append(min(moment, now - datetime.timedelta(minutes=count - step)))
    return moments


def _seed_volunteers(org, staff, areas, categories, later):
    from matching import services as matching_services
    from netwerken import availability, services
    from netwerken.consent import volunteer_consent_text

    specs = demo_data.volunteer_specs(org.slug)
    demo_user = staff[Role.VOLUNTEER]
    have_profile = set(Volunteer.objects.filter(organisation=org).values_list("membership__user__email", flat=True))
    missing = [spec for spec in specs if spec["email"] not in have_profile]
    if demo_user.email not in have_profile:
        missing.append({**demo_data.demo_volunteer_spec(org.slug), "email": demo_user.email, "name": None})
    if not missing:
        return []
    to_pause = []

    users = {user.email: user for user in User.objects.filter(email__in=[spec["email"] for spec in missing])}
    new_users = []
    for spec in missing:
        if spec["email"] not in users:
            # Every demo volunteer can log in, with the demo password (README), to try the volunteer's side.
            user = User(email=spec["email"], name=spec["name"], password=_shared_demo_hash())
            new_users.append(user)
    for user in User.objects.bulk_create(new_users):
        users[user.email] = user
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in new_users],
        ignore_conflicts=True,
    )

    now = timezone.now()
    coordinator = staff[Role.COORDINATOR]
    consent_text = volunteer_consent_text(org)
    for spec in missing:
        user = users[spec["email"]]
        volunteer = matching_services.volunteer_signup(
            organisation=org,
            user=user,
            phone=spec["phone"],
            postcode=spec["postcode"],
            house_number=spec["house_number"],
            areas=[areas[name] for name in spec["areas"]],
            max_distance_km=Decimal(spec["max_distance_km"]) if spec["max_distance_km"] else None,
            categories=[categories[name] for name in spec["categories"]],
            availability=availability.mask_from_codes(spec["slots"]),
            languages=spec["languages"],
            preference=spec["preference"],
            max_requests_per_month=spec["max_requests_per_month"],
            consent_text=consent_text,
            notify=False,  # dozens of demo volunteers at once: no mail to the demo coordinators for each
        )
        signed_up = _moment(now, spec["created_days_ago"], hour=20, minute=15)
        intake = signed_up + datetime.timedelta(days=spec["intake_days_after_signup"], hours=-6)
        vog_seen, vog_date, vog_expires = False, None, None
        if spec["vog"]:
            vog_seen = True
            vog_date = signed_up.date() + datetime.timedelta(days=spec["vog"]["days_after_signup"])
            # Organisations ask for a new certificate of conduct every three years.
            vog_expires = vog_date + datetime.timedelta(days=3 * 365)
        if spec["status"] in (Volunteer.Status.ACTIVE, Volunteer.Status.INACTIVE):
            services.volunteer_intake(
                volunteer=volunteer,
                by=coordinator,
                status=Volunteer.Status.ACTIVE,
                vog_seen=vog_seen,
                vog_date=vog_date,
                vog_expires=vog_expires,
            )
            later.set(volunteer, activated_at=min(intake, now))
        if spec["status"] == Volunteer.Status.INACTIVE:
            services.volunteer_intake(
                volunteer=volunteer,
                by=coordinator,
                status=Volunteer.Status.INACTIVE,
                vog_seen=vog_seen,
                vog_date=vog_date,
                vog_expires=vog_expires,
            )
        if spec["paused"]:
            # Paused three days ago: after the proposals of the history, so those are made first (see seed()).
            to_pause.append(volunteer)
        for offer in spec["offers"]:
            saved = matching_services.offer_save(
                volunteer=volunteer,
                category=categories[offer["category"]],
                description=offer["description"],
                availability_mask=availability.mask_from_codes(offer["slots"]),
            )
            offered = min(intake + datetime.timedelta(days=2), now)
            later.set(saved, created_at=offered, updated_at=offered)
        later.set(volunteer, created_at=signed_up, updated_at=min(intake, now))
        later.set(volunteer.consent, given_at=signed_up)
        later.set(volunteer.membership, created_at=signed_up)
        if spec["name"] is not None:
            later.set(user, date_joined=signed_up)
    return to_pause


def _pause(volunteers):
    from netwerken import services

    today = timezone.localdate()
    for volunteer in volunteers:
        services.volunteer_pause(
            volunteer=volunteer,
            paused_from=today - datetime.timedelta(days=3),
            paused_until=today + datetime.timedelta(days=16),
        )


def _seed_requests(org, staff, categories, later):
    """Creates the missing requests and takes each along its path. Returns whether it created any."""
    from matching import services as matching_services
    from matching.models import HelpRequest, StatusChange
    from netwerken import availability, services
    from netwerken.consent import resident_online_consent_text, resident_phone_consent_text

    S = HelpRequest.Status
    residents = {(r.name, r.postcode, r.house_number): r for r in Resident.objects.filter(organisation=org)}
    have = set(
        HelpRequest.objects.filter(organisation=org).values_list(
            "resident__name", "resident__postcode", "resident__house_number", "description"
        )
    )
    now = timezone.now()
    today = timezone.localdate()
    coordinator = staff[Role.COORDINATOR]
    phone_text, online_text = resident_phone_consent_text(org), resident_online_consent_text(org)
    matchmaker = _Matchmaker(org, staff, now)
    created_any, missing = False, []
    for spec in demo_data.resident_specs(org.slug):
        key = (spec["name"], spec["postcode"], spec["house_number"])
        todo = [request for request in spec["requests"] if (*key, request["description"]) not in have]
        if not todo:
            continue
        resident = residents.get(key)
        first_contact = _moment(now, max(request["days_ago"] for request in spec["requests"]))
        if resident is None:
            resident = services.resident_create(
                organisation=org,
                name=spec["name"],
                phone=spec["phone"],
                email=spec["email"],
                postcode=spec["postcode"],
                house_number=spec["house_number"],
                street=spec["street"],
            )
            residents[key] = resident
            later.set(resident, created_at=first_contact)
        missing += [(resident, request) for request in todo]
    # In the order they came in, so the matches of older requests are made first, as they were.
    missing.sort(key=lambda pair: -pair[1]["days_ago"])
    for resident, request in missing:
        created = _moment(now, request["days_ago"], request["hour"], request["minute"])
        online = request["channel"] == HelpRequest.Channel.ONLINE
        date = happened_on = None
        if request["date_in_days"] is not None:
            if request["status"] == S.DONE:
                # It happened between the volunteer's yes and the closing (see _history's moments). The walk
                # runs today, when that day has passed and no proposal for it could be made: the request
                # walks as "in overleg" and gets its day afterwards, with the other backdated fields.
                happened_on = (created + (now - created) * 0.87).date()
            else:
                date = today + datetime.timedelta(days=request["date_in_days"])
        time_from = time_to = None
        if request["time"]:
            time_from, time_to = (datetime.time.fromisoformat(value) for value in request["time"])
        help_request = matching_services.help_request_create(
            organisation=org,
            resident=resident,
            by=None if online else coordinator,
            channel=request["channel"],
            consent_method=Consent.Method.ONLINE if online else Consent.Method.PHONE,
            consent_text=online_text if online else phone_text,
            recurring_slots=availability.mask_from_codes(request["slots"]),
            category=categories[request["category"]],
            description=request["description"],
            kind=request["kind"],
            date=date,
            time_from=time_from,
            time_to=time_to,
            recurrence=request["recurrence"],
            location=request["location"],
            urgency=request["urgency"],
            helpers_needed=request["helpers_needed"],
            mobility=request["mobility"],
            language=request["language"],
            pets=request["pets"],
            key_safe=request["key_safe"],
            particulars=request["particulars"],
        )
        created_any = True
        steps = matchmaker.walk(help_request, request, _other_days(help_request, request, created, now))
        changes = list(StatusChange.objects.filter(help_request=help_request).order_by("pk"))
        end = now
        if help_request.status == S.MATCHED:
            # matched halfway its waiting time, so there are weeks of contact moments since
            end = created + (now - created) * 0.55
        moments = _history(created, end, len(changes))
        matchmaker.answer_in_time(moments, steps)
        if help_request.status == S.PROPOSED:
            # the proposal still waits for an answer: well within the time to think it over
            moments[-1] = max(moments[-1], now - datetime.timedelta(hours=20))
        for change, moment in zip(changes, moments, strict=True):
            later.set(change, at=moment)
        last = changes[-1].at
        later.set(help_request, created_at=created, status_changed_at=last, updated_at=last)
        if happened_on is not None and help_request.kind == HelpRequest.Kind.ONE_OFF:
            slots = availability.mask_for_window(happened_on, help_request.time_from, help_request.time_to)
            later.set(help_request, date=happened_on, slots=slots)
        later.set(help_request.consent, given_at=created)
        matchmaker.backdate(steps, moments)
        matchmaker.follow_up(help_request, request, steps, moments, later)
    if matchmaker.by_hand:
        logger.debug("%s: %s proposals to volunteers outside the suggestions", org.slug, matchmaker.by_hand)
    return created_any


# --- matching -----------------------------------------------------------------------------------------------


@contextmanager
def _demo_matching(org):
    """The matching services as the seed runs them, all in the requests' transaction:

    - the coordinator proposes every next volunteer: the organisation's auto_propose_next is off while
      the seed runs (the row is back as it was before anything commits), so a decline leaves the
      request 'zoekend' as its path says and the demo volunteer gets only the proposals meant for them;
    - nothing is mailed: these proposals, answers and closings are history, not news. The mails they
      queued are deleted, and so is the work they queued for after the commit: the mails' tasks and a
      recomputation of suggestions for every change and every volunteer involved, some hundreds of
      times the same work. The seed computes each request's suggestions once instead
      (_refresh_suggestions, before the commit, so the suggestions are there in tests too).
    On an error the transaction rolls all of it back, the setting and the queued work included.
    """
    from matching.models import MatchingSettings
    from matching.suggestions import matching_settings

    connection = transaction.get_connection()
    queued = len(connection.run_on_commit)
    last_mail = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    matching = matching_settings()
    MatchingSettings.objects.filter(pk=matching.pk).update(auto_propose_next=False)
    yield
    MatchingSettings.objects.filter(pk=matching.pk).update(auto_propose_next=matching.auto_propose_next)
    OutgoingEmail.objects.filter(pk__gt=last_mail, to__endswith=f"@{org.slug}.demo").delete()
    del connection.run_on_commit[queued:]


def _seed_dashboard(org, staff):
    """Something under every heading of the coordinator's dashboard (matching/dashboard.py) that the
    requests' stories leave empty: a proposal near its deadline, one declined this week, a match nobody
    logged contact for in weeks, a VOG that expires soon. Only what is missing, checked with the
    dashboard's own conditions; through the matching services, then backdated like the rest (the
    history keeps its order, the answer time stays 48 hours, a match has its first contact moment)."""
    from matching import dashboard, proposals, suggestions
    from matching.models import HelpRequest, Match, MatchSuggestion, StatusChange

    S = HelpRequest.Status
    now, today = timezone.now(), timezone.localdate()
    settings = dashboard.signal_settings()
    answer_time = datetime.timedelta(hours=suggestions.matching_settings().proposal_hours)
    coordinator = staff[Role.COORDINATOR]
    demo_volunteer = Volunteer.objects.filter(membership__user__email=f"vrijwilliger@{org.slug}.demo").first()

    def missing(condition):
        return not HelpRequest.objects.filter(condition).exists()

    def propose(first_moment):
        """A proposal for the oldest searching request (one helper, not soon) quiet since before `first_moment`."""
        candidates = HelpRequest.objects.filter(
            Q(date__isnull=True) | Q(date__gte=today + datetime.timedelta(days=4)),
            status=S.SEARCHING,
            helpers_needed=1,
            created_at__lt=first_moment,
            status_changed_at__lt=first_moment - datetime.timedelta(hours=1),
        ).order_by("created_at", "pk")
        for help_request in candidates:
            mark = (
                StatusChange.objects.filter(help_request=help_request).order_by("-pk").values_list("pk", flat=True)[0]
            )
            if not MatchSuggestion.objects.filter(help_request=help_request).exists():
                suggestions.compute_for_request(help_request.pk)
            suggested = MatchSuggestion.objects.filter(help_request=help_request).exclude(volunteer=demo_volunteer)
            for suggestion in suggested.select_related("volunteer").order_by("-score", "pk"):
                try:
                    match = proposals.match_propose(
                        help_request=help_request,
                        volunteer=suggestion.volunteer,
                        by=coordinator,
                        score=suggestion.score,
                    )
                except proposals.ProposalError:
                    continue
                return match, mark
        return None, None

    def backdate(match, mark, *moments):
        """The proposal (and its answer) at `moments`, and the request's history with it."""
        fields = {"proposed_at": moments[0], "deadline": moments[0] + answer_time}
        if len(moments) > 1:
            fields["responded_at"] = moments[1]
        Match.objects.filter(pk=match.pk).update(**fields)
        changes = StatusChange.objects.filter(help_request=match.help_request, pk__gt=mark).order_by("pk")
        for change, moment in zip(changes, moments, strict=True):
            StatusChange.objects.filter(pk=change.pk).update(at=moment)
        HelpRequest.objects.filter(pk=match.help_request_id).update(
            status_changed_at=moments[-1], updated_at=moments[-1]
        )
        match.refresh_from_db()
        return match

    if missing(dashboard.deadline_soon_q(now)):
        # asked 38 hours ago: 10 hours left to answer
        match, mark = propose(now - datetime.timedelta(hours=40))
        if match:
            backdate(match, mark, now + datetime.timedelta(hours=10) - answer_time)
    if missing(dashboard.declined_q(now)):
        match, mark = propose(now - datetime.timedelta(days=3))
        if match:
            proposals.match_decline(match=match, reason=demo_data.DECLINED[0])
            backdate(match, mark, now - datetime.timedelta(days=2, hours=4), now - datetime.timedelta(days=2))
    if missing(dashboard.no_contact_q(settings, now)):
        # said yes a few days over the weeks it may stay quiet, called once after, nothing logged since
        yes = now - datetime.timedelta(weeks=settings.no_contact_weeks, days=4)
        match, mark = propose(yes - datetime.timedelta(hours=7))
        if match:
            proposals.match_accept(match=match)
            match = backdate(match, mark, yes - datetime.timedelta(hours=6), yes)
            proposals.contact_log_add(
                match=match,
                date=timezone.localdate(yes + datetime.timedelta(days=2)),
                minutes=60,
                note="Kennismaking, daarna zouden we elkaar bellen.",
                by=match.volunteer.membership.user,
            )
    vog = dashboard.vog_expiring_q(settings, today)
    if not Volunteer.objects.filter(vog).exists():
        # the longest-standing VOG of a volunteer in VOG help, with nothing booked: renew within the month
        volunteer = (
            Volunteer.objects.filter(
                status=Volunteer.Status.ACTIVE, vog_seen=True, categories__requires_vog=True, vog_expires__gt=today
            )
            .exclude(pk=getattr(demo_volunteer, "pk", None))
            .exclude(matches__status__in=Match.ACTIVE)
            .order_by("vog_date", "pk")
            .first()
        )
        if volunteer:
            Volunteer.objects.filter(pk=volunteer.pk).update(vog_expires=today + datetime.timedelta(days=25))


def _seed_backstop(org, staff):
    """The wijkteam at work: a social map, escalations waiting in the queue, one taken over with a note,
    one referred to formal care (and accepted). Only what is missing, so a second run changes nothing."""
    from matching import backstop
    from matching.models import Escalation, EscalationStep, SocialMapEntry, StatusChange

    professional = staff[Role.PROFESSIONAL]
    if not SocialMapEntry.objects.filter(organisation=org).exists():
        for name, kind, phone, description in demo_data.SOCIAL_MAP:
            backstop.social_map_entry_save(
                organisation=org, name=name, kind=kind, phone=phone, description=description, active=True
            )
    escalations = Escalation.objects.filter(organisation=org)
    # The walk stamped 'now'; the request's history has when it really went to the wijkteam.
    for escalation in escalations.filter(status=Escalation.Status.WAITING):
        change = (
            StatusChange.objects.filter(help_request=escalation.help_request_id, to_status="opgeschaald")
            .order_by("-at", "-pk")
            .first()
        )
        if change is not None and change.at < escalation.escalated_at:
            Escalation.objects.filter(pk=escalation.pk).update(escalated_at=change.at)
            EscalationStep.objects.filter(escalation=escalation, action="opgeschaald").update(at=change.at)
    if (
        escalations.filter(status=Escalation.Status.TAKEN).exists()
        or escalations.filter(status=Escalation.Status.REFERRED).exists()
    ):
        return
    waiting = list(escalations.filter(status=Escalation.Status.WAITING).order_by("escalated_at", "pk"))
    # Keep at least one waiting in the queue; the oldest are the ones the wijkteam got to.
    if len(waiting) >= 2:
        referred = backstop.escalation_take_over(escalation=waiting[0], by=professional)
        entry = SocialMapEntry.objects.filter(organisation=org).order_by("pk").first()
        referral = backstop.escalation_refer(
            escalation=referred, by=professional, entry=entry, note="Intakegesprek gepland; bewoner weet ervan."
        )
        backstop.referral_answer(referral=referral, by=professional, accepted=True)
    if len(waiting) >= 3:
        taken = backstop.escalation_take_over(escalation=waiting[1], by=professional)
        backstop.professional_note_add(
            help_request=taken.help_request,
            by=professional,
            text="Huisbezoek gehad. Dochter woont ver weg; huisarts is op de hoogte. Volgende week opnieuw langs.",
        )


# Help that ended before the demo's eight weeks (_seed_pool_history): a few months of weekly help.
POOL_HISTORY_TEXT = "Een paar maanden elke week geholpen na een ziekenhuisopname; nu gaat het weer zelf."
POOL_HISTORY_NOTES = [(75, "Vaste ochtend, ging goed."), (60, "Kort, maar fijn bezig geweest."), (90, "Samen gedaan.")]


def _seed_pool_history(org, staff, now):
    """Older help, from before the demo's eight weeks: weekly help that ended in the month before last, by
    enough volunteers that last month's pool is clearly smaller (the pool-shrinking signal), whatever day
    the demo is made. Each is a closed recurring request of an existing resident, with its whole history
    (status changes, the proposal and the yes, weekly contact moments); proposed more than BUS_FACTOR_DAYS
    ago, so the bus factor still reads the last three months only. Returns how many it made."""
    from matching import signals
    from matching.models import ContactLog, HelpRequest, Match, StatusChange
    from netwerken import availability
    from netwerken.consent import resident_phone_consent_text
    from netwerken.services import consent_record

    S = HelpRequest.Status
    today = timezone.localdate(now)
    last_month, month_before = signals._month_start(today, 1), signals._month_start(today, 2)

    def helpers(start, end):
        logs = ContactLog.objects.filter(date__gte=start, date__lt=end)
        return set(logs.values_list("match__volunteer", flat=True))

    recent, earlier = helpers(last_month, signals._month_start(today)), helpers(month_before, last_month)
    wanted = signals.POOL_MIN_VOLUNTEERS
    while wanted < len(recent) / (1 - signals.POOL_DROP) - 1e-9:
        wanted += 1
    if len(earlier) >= wanted:
        return 0
    demo_email = f"vrijwilliger@{org.slug}.demo"
    candidates = (
        Volunteer.objects.filter(status=Volunteer.Status.ACTIVE, erased_at__isnull=True)
        .exclude(membership__user__email=demo_email)
        .exclude(pk__in=earlier)
        .exclude(categories=None)
        .select_related("membership__user")
        .order_by("pk")
    )
    # Who still helped last month first (they stay in the pool); then others, who have since stopped.
    chosen = sorted(candidates, key=lambda volunteer: volunteer.pk not in recent)[: wanted - len(earlier)]
    residents = list(Resident.objects.exclude(area=None).order_by("pk"))
    coordinator = staff[Role.COORDINATOR]
    consent_text = resident_phone_consent_text(org)

    def at(day, hour, minute=0):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    for i, volunteer in enumerate(chosen):
        resident = residents[i % len(residents)]
        category = volunteer.categories.order_by("pk").first()
        slot = next(bit for bit in (1 << n for n in range(len(availability.SLOTS))) if volunteer.availability & bit)
        proposed = at(today - datetime.timedelta(days=signals.BUS_FACTOR_DAYS + 5 + i % 7), 10, 5 * (i % 6))
        created = proposed - datetime.timedelta(days=2, hours=1)
        responded = proposed + datetime.timedelta(hours=5)
        # The last visit and the closing fall in the month before last.
        last_visit = last_month - datetime.timedelta(days=1 + i % 5)
        closed = at(last_visit, 17)
        consent = consent_record(
            organisation=org, text=consent_text, method=Consent.Method.PHONE, recorded_by=coordinator
        )
        Consent.objects.filter(pk=consent.pk).update(given_at=created)
        help_request = HelpRequest.objects.create(
            organisation=org,
            resident=resident,
            category=category,
            description=POOL_HISTORY_TEXT,
            kind=HelpRequest.Kind.RECURRING,
            recurrence=HelpRequest.Recurrence.WEEKLY,
            slots=slot,
            area=resident.area,
            urgency=HelpRequest.Urgency.LOW,
            channel=HelpRequest.Channel.PHONE,
            consent=consent,
            status=S.DONE,
            outcome=Match.Outcome.HELPED,
            status_changed_at=closed,
            created_by=coordinator,
            created_at=created,
        )
        HelpRequest.objects.filter(pk=help_request.pk).update(updated_at=closed)
        steps = [
            ("", S.NEW, created),
            (S.NEW, S.SEARCHING, created + datetime.timedelta(hours=1)),
            (S.SEARCHING, S.PROPOSED, proposed),
            (S.PROPOSED, S.MATCHED, responded),
            (S.MATCHED, S.DONE, closed),
        ]
        StatusChange.objects.bulk_create(
            StatusChange(organisation=org, help_request=help_request, from_status=a, to_status=b, by=coordinator, at=t)
            for a, b, t in steps
        )
        match = Match.objects.create(
            organisation=org,
            help_request=help_request,
            volunteer=volunteer,
            status=Match.Status.CLOSED,
            score=round(55.0 + (i * 7) % 35, 1),
            proposed_by=coordinator,
            proposed_at=proposed,
            deadline=proposed + datetime.timedelta(hours=48),
            responded_at=responded,
            closed_at=closed,
            outcome=Match.Outcome.HELPED,
        )
        visits, day = [], responded.date() + datetime.timedelta(days=2)
        while day < last_visit:
            visits.append(day)
            day += datetime.timedelta(days=7)
        visits.append(last_visit)
        ContactLog.objects.bulk_create(
            ContactLog(
                organisation=org,
                match=match,
                date=day,
                minutes=POOL_HISTORY_NOTES[n % 3][0],
                note=POOL_HISTORY_NOTES[n % 3][1],
                logged_by=volunteer.user,
            )
            for n, day in enumerate(visits)
        )
        if resident.created_at > created:
            Resident.objects.filter(pk=resident.pk).update(created_at=created - datetime.timedelta(days=1))
    return len(chosen)


def _seed_signals(org, staff):
    """Signals of every kind, found by the detector itself (matching/signals.py), and an improvement proposal
    from one of them. Once per organisation: when it has signals, nothing is planted again.

    What the stories leave out is planted within the demo's rules (no new person, and within the eight
    weeks no new request or match, so the counts and histories the other seed tests check stay as they
    are): a demo neighbourhood is small, so four different residents asking alike already make a
    recurring question; declines and closed matches are given to one volunteer (who then declines often,
    or carries too much), with their contact moments; an early match's contact moments lie weeks back
    (nabellen); a VOG runs out within the month. A shrinking pool needs months of contact moments:
    _seed_pool_history gives the demo older help, which ended in the month before last."""
    from collections import Counter

    from matching import signals
    from matching.models import ContactLog, ImprovementProposal, Match, SatisfactionResponse, Signal, SignalSettings

    if Signal.objects.exists():
        return
    now, today = timezone.now(), timezone.localdate()
    SignalSettings.objects.update_or_create(organisation=org, defaults={"recurring_min_residents": 4})
    settings = signals.signal_settings(org)
    _seed_pool_history(org, staff, now)
    demo = Volunteer.objects.filter(membership__user__email=f"vrijwilliger@{org.slug}.demo").first()
    others = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE).exclude(pk=getattr(demo, "pk", None))

    def give(matches, volunteer):
        """Hands `matches` to `volunteer`, with what they logged and answered."""
        for match in matches:
            before = match.volunteer.user
            Match.objects.filter(pk=match.pk).update(volunteer=volunteer)
            ContactLog.objects.filter(match=match).update(logged_by=volunteer.user)
            SatisfactionResponse.objects.filter(match=match, recorded_by=before).update(recorded_by=volunteer.user)

    def takeable(volunteer, statuses, since):
        return (
            Match.objects.filter(status__in=statuses, proposed_at__gte=since)
            .exclude(volunteer=volunteer)
            .exclude(volunteer=demo)
            .exclude(help_request__matches__volunteer=volunteer)
            .select_related("volunteer__membership__user", "help_request")
            .order_by("proposed_at", "pk")
        )

    if not signals.find_dropping_out(settings, now):
        dropping = (
            Match.Status.DECLINED,
            Match.Status.EXPIRED,
            Match.Status.ENDED,
        )
        since = now - datetime.timedelta(days=30 * settings.declines_months)
        volunteer = others.order_by("pk").first()
        if volunteer:
            have = Match.objects.filter(volunteer=volunteer, status__in=dropping, proposed_at__gte=since).count()
            give(list(takeable(volunteer, dropping, since)[: max(0, settings.declines_count - have)]), volunteer)
    if not signals.find_overloaded(settings, now):
        helping = (Match.Status.ACCEPTED, Match.Status.CLOSED)
        since = now - datetime.timedelta(days=signals.BUS_FACTOR_DAYS)
        counts = Counter(
            Match.objects.filter(status__in=helping, proposed_at__gte=since).values_list("volunteer", flat=True)
        )
        top = next((pk for pk, _n in counts.most_common() if pk != getattr(demo, "pk", None)), None)
        total = sum(counts.values())
        if top is not None and total >= signals.BUS_FACTOR_MIN_MATCHES:
            volunteer = Volunteer.objects.get(pk=top)
            wanted = -(-settings.bus_factor_share * total // 100) - counts[top]
            closed = list(takeable(volunteer, (Match.Status.CLOSED,), since))
            # Help they offer first; then whatever else was closed (they stepped in).
            offered = set(volunteer.categories.values_list("pk", flat=True))
            closed.sort(key=lambda match: match.help_request.category_id not in offered)
            give(closed[: max(0, wanted)], volunteer)
    if not signals.find_no_contact(settings, now):
        early = (
            Match.objects.filter(
                status=Match.Status.ACCEPTED,
                responded_at__lt=now - datetime.timedelta(weeks=settings.no_contact_weeks, days=1),
            )
            .exclude(volunteer=demo)
            .order_by("responded_at", "pk")
            .first()
        )
        if early:
            # They met on the day of the yes, and nobody logged anything since.
            ContactLog.objects.filter(match=early).update(date=timezone.localtime(early.responded_at).date())
    if not signals.find_vog_expiring(settings, now):
        volunteer = (
            others.filter(vog_seen=True, categories__requires_vog=True, vog_expires__gt=today)
            .exclude(matches__status__in=Match.ACTIVE)
            .order_by("vog_date", "pk")
            .first()
        )
        if volunteer:
            Volunteer.objects.filter(pk=volunteer.pk).update(vog_expires=today + datetime.timedelta(days=25))
    signals.signals_detect(organisation=org, now=now)

    professional = staff[Role.PROFESSIONAL]
    signal = Signal.objects.filter(kind=Signal.Kind.RECURRING).order_by("-count", "pk").first()
    if signal is not None:
        signals.signal_set_status(signal=signal, status=Signal.Status.PICKED_UP, by=professional)
        if not ImprovementProposal.objects.exists():
            category = (signal.facts.get("category") or "").lower()
            signals.improvement_create(
                organisation=org,
                signal=signal,
                title=f"Vaste groep of maatjes voor {category}: bespreken met een bewonersnetwerk",
                description="Navragen bij de ouderenbond en het buurthuis of een groep dit samen wil oppakken.",
                owner=professional,
                due=today + datetime.timedelta(days=21),
                by=professional,
            )


def _refresh_suggestions(everything):
    """Computes the suggestions of the organisation's requests that need it (in its scope), once each:
    every open request after a run that created requests (the volunteers' load changed), else only
    those never computed or asked for again since. A second run computes nothing."""
    from matching import scoring, suggestions
    from matching.models import HelpRequest

    open_ = Q(status__in=scoring.OPEN_STATUSES)
    stale = (
        Q(suggestions_requested_at__gt=F("suggestions_computed_at"))
        | Q(suggestions_requested_at__isnull=False, suggestions_computed_at__isnull=True)
        | (open_ & Q(suggestions_computed_at__isnull=True))
    )
    for pk in (
        HelpRequest.objects.filter((stale | open_) if everything else stale).order_by("pk").values_list("pk", flat=True)
    ):
        suggestions.compute_for_request(pk)


def _other_days(help_request, spec, created, now):
    """Other days the resident could do as well, in order, as the fields to change: for a request that
    is to be matched when no volunteer fits the first. A date within the week after the first (for a
    request that is done: between the volunteer's yes and the closing), a rhythm on another weekday."""
    from matching.models import HelpRequest
    from netwerken import availability

    if spec["status"] not in ("voorgesteld", "gekoppeld", "afgerond") or spec["demo_volunteer"]:
        return []
    if help_request.kind == HelpRequest.Kind.RECURRING:
        days = ["ma", "di", "wo", "do", "vr", "za"]
        shifted = []
        for shift in range(1, len(days)):
            codes = []
            for code in spec["slots"]:
                day, part = code.split("-")
                codes.append(f"{days[(days.index(day) + shift) % len(days)]}-{part}" if day in days else code)
            shifted.append({"slots": availability.mask_from_codes(codes)})
        return shifted
    if help_request.date is None:
        return []
    if spec["status"] == "afgerond":
        span = now - created
        first = (created + span * 0.62 + datetime.timedelta(hours=28)).date()
        last = (created + span * 0.9).date()
        dates = [last - datetime.timedelta(days=k) for k in range(7)]
        dates = [day for day in dates if first < day and day != help_request.date]
    else:
        dates = [help_request.date + datetime.timedelta(days=k) for k in range(1, 7)]
    return [
        {
            "date": day,
            "slots": availability.mask_for_window(day, help_request.time_from, help_request.time_to),
        }
        for day in dates
    ]


# How many hours after a proposal the volunteer answers, in turn: always within the time to think it over.
ANSWER_HOURS = (3, 20, 6, 27, 1, 9)


class _Matchmaker:
    """Takes a request along its path with the matching services, as the coordinator and the volunteers
    would: the coordinator proposes the best suggestion that is free at the time, the volunteer declines
    or accepts, the coordinator closes. A walk returns its steps: (index of the status change the step
    made, [(event, match), ...]), for the timestamps afterwards."""

    def __init__(self, org, staff, now):
        from matching.suggestions import matching_settings

        self.now = now
        self.coordinator = staff[Role.COORDINATOR]
        self.professional = staff[Role.PROFESSIONAL]
        self.demo_volunteer = Volunteer.objects.select_related("membership__user").get(
            organisation=org, membership__user=staff[Role.VOLUNTEER]
        )
        self.proposal_hours = matching_settings().proposal_hours
        self.by_hand = 0  # proposals to a volunteer outside the suggestions: none fitted at the time
        self.answers = self.contacts = 0  # to take the next of a list in turn

    # the walk

    def walk(self, help_request, spec, other_days=()):
        from matching import lifecycle, proposals
        from matching.models import HelpRequest, Match, StatusChange

        S, M = HelpRequest.Status, Match.Status
        path = spec["path"]
        # the demo volunteer gets the request's last proposal; someone else may have declined it before
        demo_step = max((i for i, (status, _r) in enumerate(path) if status == S.PROPOSED), default=None)
        self.computed, self.other_days, self.final_status = False, other_days, spec["status"]
        steps, previous = [], S.NEW
        for i, (to_status, reason) in enumerate(path):
            if to_status == S.PROPOSED:
                events = self._propose(help_request, demo=spec["demo_volunteer"] and i == demo_step)
            elif to_status == S.SEARCHING and previous == S.PROPOSED:
                events = [
                    ("declined", proposals.match_decline(match=match, reason=reason)[0])
                    for match in self._matches(help_request, M.PROPOSED)
                ]
            elif to_status == S.MATCHED:
                events = self._fill(help_request) or []
                events += [
                    ("accepted", proposals.match_accept(match=m)) for m in self._matches(help_request, M.PROPOSED)
                ]
            elif to_status == S.DONE and previous == S.MATCHED:
                outcome = spec["outcome"] or Match.Outcome.HELPED
                events = [
                    (
                        "closed",
                        proposals.match_close(match=m, outcome=outcome, note=spec["closing_note"], by=self.coordinator),
                    )
                    for m in self._matches(help_request, M.ACCEPTED)
                ]
            elif previous == S.ESCALATED and to_status in (S.SEARCHING, S.DONE):
                # The wijkteam's way back: a professional takes it over, then hands it back or closes it.
                from matching import backstop

                escalation = backstop.escalation_take_over(
                    escalation=lifecycle.open_escalation(help_request), by=self.professional
                )
                if to_status == S.SEARCHING:
                    backstop.escalation_hand_back(escalation=escalation, by=self.professional, advice=reason)
                else:
                    outcome = spec["outcome"] or Match.Outcome.HELPED
                    backstop.escalation_close(escalation=escalation, by=self.professional, outcome=outcome)
                events = []
            else:
                outcome = (spec["outcome"] or Match.Outcome.HELPED) if to_status == S.DONE else ""
                urgency = 3 if to_status == S.ESCALATED and help_request.urgency >= 3 else None
                lifecycle.request_transition(
                    help_request=help_request,
                    to_status=to_status,
                    by=self.coordinator,
                    reason=reason,
                    outcome=outcome,
                    urgency=urgency,
                )
                events = []
            help_request.refresh_from_db(fields=["status", "status_changed_at"])
            index = StatusChange.objects.filter(help_request=help_request).count() - 1
            steps.append((index, events or []))
            if help_request.status != to_status:
                logger.warning(
                    "Demo request %s stopped at '%s' on its way to '%s'",
                    help_request.pk,
                    help_request.status,
                    spec["status"],
                )
                break
            previous = to_status
        if help_request.status == S.PROPOSED and steps:
            # a request for two: the second place is proposed too
            steps[-1][1].extend(self._fill(help_request) or [])
        return steps

    def _matches(self, help_request, status):
        from matching.models import Match

        return list(Match.objects.filter(help_request=help_request, status=status).order_by("place", "pk"))

    def _fill(self, help_request):
        """Proposes the request's free helper places."""
        from matching.models import Match

        events = []
        for _place in range(
            help_request.helpers_needed
            - Match.objects.filter(help_request=help_request, status__in=Match.ACTIVE).count()
        ):
            proposed = self._propose(help_request)
            if proposed is None:
                break
            events += proposed
        return events

    def _propose(self, help_request, demo=False):
        """Proposes to the best suggestion that is free, or, if none is, to a volunteer the coordinator
        knows who offers this help. Only the requests meant for the demo volunteer go to them."""
        from matching import proposals
        from matching.models import Match, MatchSuggestion

        if not self.computed:
            self._suggest(help_request)
            self.computed = True
        had = set(Match.objects.filter(help_request=help_request).values_list("volunteer_id", flat=True))
        suggested = [
            s.volunteer
            for s in MatchSuggestion.objects.filter(help_request=help_request).select_related(
                "volunteer__membership__user"
            )
        ]
        demo_suggested = any(v.pk == self.demo_volunteer.pk for v in suggested)
        candidates = itertools.chain(
            [(self.demo_volunteer, demo_suggested)] if demo else [],
            ((v, True) for v in suggested if v.pk != self.demo_volunteer.pk),
            # only asked for if no suggestion is free
            ((v, False) for v in self._known(help_request, current=self.final_status == "voorgesteld")),
        )
        for volunteer, from_suggestions in candidates:
            if volunteer.pk in had:
                continue
            if not from_suggestions:
                self._widen(volunteer, help_request)
            try:
                match = proposals.match_propose(help_request=help_request, volunteer=volunteer, by=self.coordinator)
            except proposals.ProposalError as error:
                logger.debug("Demo request %s: %s", help_request.pk, error.message)
                continue  # busy at that time
            had.add(volunteer.pk)
            self.by_hand += not from_suggestions
            return [("proposed", match)]
        return None

    def _widen(self, volunteer, help_request):
        """A volunteer the coordinator knows for this help, who fails only on their stated time or area,
        said on the phone they can do it after all: their profile says so from now on. (The proposal
        service checks every hard filter; the demo's history has to pass them like a real one.)"""
        from matching import proposals

        failed = set(proposals.hard_filter_refusals(help_request, volunteer))
        if not failed or not failed <= {"availability", "distance"}:
            return
        if "availability" in failed:
            volunteer.availability |= help_request.slots
            Volunteer.objects.filter(pk=volunteer.pk).update(availability=volunteer.availability)
        if "distance" in failed and help_request.area_id:
            volunteer.areas.add(help_request.area_id)

    def _suggest(self, help_request):
        """Computes the suggestions. If nobody fits, the resident could do another day as well: the first
        on which someone fits is the one (the date and rhythm are only drawn, after all); if none is,
        the first day stays. A look at all those days at once first spares trying them one by one."""
        from matching import suggestions
        from matching.models import HelpRequest, MatchSuggestion

        def fits(fields):
            if fields:
                HelpRequest.objects.filter(pk=help_request.pk).update(**fields)
                for name, value in fields.items():
                    setattr(help_request, name, value)
            suggestions.compute_for_request(help_request.pk)
            return (
                MatchSuggestion.objects.filter(help_request=help_request)
                .exclude(volunteer=self.demo_volunteer)
                .exists()
            )

        if fits({}) or not self.other_days:
            return
        first = {name: getattr(help_request, name) for name in self.other_days[0]}
        any_day = {"slots": functools.reduce(operator.or_, (fields["slots"] for fields in self.other_days))}
        if fits(any_day) and any(fits(fields) for fields in self.other_days):
            return
        fits(first)

    def _known(self, help_request, current):
        """Active volunteers who offer the request's kind of help and may do it, the neighbourhood's first.
        A pause counts for a proposal that is `current`; the others were made weeks before it began."""
        category = help_request.category
        day = max(help_request.date or timezone.localdate(), timezone.localdate())
        volunteers = (
            Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
            .filter(Q(categories=category) | Q(offers__category=category, offers__active=True))
            .exclude(pk=self.demo_volunteer.pk)
            .distinct()
            .select_related("membership__user")
            .prefetch_related("areas")
        )
        fitting = [
            v
            for v in volunteers
            if not (current and v.paused_on(day)) and (not category.requires_vog or v.vog_valid_on(day))
        ]
        yield from sorted(
            fitting, key=lambda v: (help_request.area_id not in {a.pk for a in v.areas.all()}, v.membership.user.email)
        )

    # the times

    def answer_in_time(self, moments, steps):
        """A volunteer answers within hours of a proposal, not at the next moment of the history."""
        for (before, proposed), (index, answered) in zip(steps, steps[1:], strict=False):
            if (
                index != before
                and any(event == "proposed" for event, _m in proposed)
                and any(event in ("accepted", "declined") for event, _m in answered)
            ):
                hours = ANSWER_HOURS[self.answers % len(ANSWER_HOURS)]
                self.answers += 1
                answered_at = moments[before].astimezone(datetime.UTC) + datetime.timedelta(hours=hours)  # DST-proof
                moments[index] = min(moments[index], answered_at)

    def backdate(self, steps, moments):
        """The matches' times from the status history: a step's events end at the moment of its change."""
        from matching.models import Match

        by_index = {}
        for index, events in steps:
            by_index.setdefault(index, []).extend(events)
        for index, events in by_index.items():
            for k, (event, match) in enumerate(events):
                # in UTC, so a deadline 48 hours on is 48 hours on, also across a change to or from summer time
                at = moments[index].astimezone(datetime.UTC) - datetime.timedelta(minutes=5 * (len(events) - 1 - k))
                if event == "proposed":
                    fields = {"proposed_at": at, "deadline": at + datetime.timedelta(hours=self.proposal_hours)}
                elif event == "closed":
                    fields = {"closed_at": at}
                else:
                    fields = {"responded_at": at}
                Match.objects.filter(pk=match.pk).update(**fields)

    # after the yes

    def follow_up(self, help_request, spec, steps, moments, later):
        """Contact moments the volunteers logged since their yes; for a closed match the short questions."""
        from matching import proposals
        from matching.models import HelpRequest, Match, SatisfactionResponse

        accepted, closed = {}, {}
        for index, events in steps:
            for event, match in events:
                if event == "accepted":
                    accepted[match.pk] = timezone.localtime(moments[index])
                elif event == "closed":
                    closed[match.pk] = timezone.localtime(moments[index])
        visits = demo_data.VISITS[spec["category"]]
        recurring = help_request.kind == HelpRequest.Kind.RECURRING
        every = 14 if help_request.recurrence == HelpRequest.Recurrence.FORTNIGHTLY else 7
        for match in Match.objects.filter(pk__in=accepted).select_related("volunteer__membership__user").order_by("pk"):
            user = match.volunteer.membership.user
            yes = accepted[match.pk]
            until = (closed[match.pk] if match.pk in closed else timezone.localtime(self.now)).date()
            minutes, note = demo_data.FIRST_CONTACT[self.contacts % len(demo_data.FIRST_CONTACT)]
            self.contacts += 1
            contacts = [(yes.date(), minutes, note)]
            if recurring:
                days = [yes.date() + datetime.timedelta(days=2 + every * n) for n in range(4)]
            elif help_request.date:
                days = [help_request.date]
            else:  # a date agreed on the phone
                days = [yes.date() + datetime.timedelta(days=3)] if match.pk in closed else []
            for n, day in enumerate(d for d in days if yes.date() < d <= until):
                minutes, note = visits[n % len(visits)]
                contacts.append((day, minutes, note))
            for n, (day, minutes, note) in enumerate(contacts):
                # In 'er zijn voor elkaar' the resident often helps back (never at the first meeting): the demo
                # volunteer's resident every time since, the others' every other time (the service keeps it
                # only in that type of organisation).
                mutual = n > 0 and (match.volunteer_id == self.demo_volunteer.pk or n % 2 == 1)
                log = proposals.contact_log_add(
                    match=match, date=day, minutes=minutes, note=note, mutual=mutual, by=user
                )
                logged = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 30)))
                later.set(log, created_at=min(logged, self.now - datetime.timedelta(minutes=5)))
            if match.pk in closed and spec["satisfaction"]:
                resident_says, volunteer_says = demo_data.SATISFACTION[spec["outcome"]]
                answered = min(closed[match.pk] + datetime.timedelta(days=1), self.now - datetime.timedelta(minutes=3))
                for respondent, (helped, again, comment), by in (
                    (SatisfactionResponse.Respondent.RESIDENT, resident_says, self.coordinator),  # asked on the phone
                    (SatisfactionResponse.Respondent.VOLUNTEER, volunteer_says, user),
                ):
                    answer = proposals.satisfaction_record(
                        match=match, respondent=respondent, helped=helped, would_again=again, comment=comment, by=by
                    )
                    later.set(answer, created_at=answered)
