import os
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from buurthulp.celery import app as celery_app
from matching.models import Escalation, HelpRequest
from netwerken.roles import PROVIDER_ROLES, Role

from .factories import (
    AreaFactory,
    BatchProposalFactory,
    BatchRunFactory,
    CategoryFactory,
    EscalationFactory,
    FundingFactory,
    HelpRequestFactory,
    InvitationFactory,
    MatchFactory,
    MembershipFactory,
    OfferFactory,
    OrganisationFactory,
    ProfessionalNoteFactory,
    ReferralFactory,
    ResidentFactory,
    SocialMapEntryFactory,
    VolunteerFactory,
)

SERVICES = bool(os.environ.get("CELERY_BROKER_URL"))


def pytest_configure(config):
    from django.conf import settings

    # Real hashing costs ~0.3 s a user; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs CELERY_BROKER_URL and PostgreSQL: run `make test-services`")
    for item in items:
        if "services" in item.keywords and not SERVICES:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_cache():
    # allauth's rate limits count in the cache; one test's logins must not throttle the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process except in the tests that send them to a real worker."""
    if "services" in request.keywords:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@contextmanager
def celery_conf(**values):
    """Celery settings changed for the duration (monkeypatch cannot undo them: Celery's conf is dict-like)."""
    previous = {name: getattr(celery_app.conf, name) for name in values}
    for name, value in values.items():
        setattr(celery_app.conf, name, value)
    try:
        yield
    finally:
        for name, value in previous.items():
            setattr(celery_app.conf, name, value)


@dataclass
class Tenant:
    organisation: object
    members: dict = field(default_factory=dict)  # role -> Membership
    funder_membership: object = None
    objects: dict = field(default_factory=dict)  # one object of each tenant model, by URL keyword

    def user(self, role):
        if role == Role.FUNDER:
            return self.funder_membership.user
        return self.members[role].user


def _signal_objects(tenant):
    """A signal of a recurring question (the fixture's request behind it) and an improvement proposal from it."""
    import datetime

    from django.utils import timezone
    from django_scopes import scopes_disabled

    from matching.models import ImprovementProposal, Signal

    organisation, area = tenant.organisation, tenant.objects["area"]
    with scopes_disabled():
        signal = Signal.objects.create(
            organisation=organisation,
            kind=Signal.Kind.RECURRING,
            key=f"terugkerend:{tenant.objects['category'].pk}:buurt{area.pk}:di-ochtend",
            facts={"residents": 5, "weeks": 8, "category": "Boodschappen", "place": "Centrum", "place_kind": "area"}
            | {"week_part": "di-ochtend"},
            count=5,
        )
        signal.requests.add(tenant.objects["help_request"])
        improvement = ImprovementProposal.objects.create(
            organisation=organisation,
            signal=signal,
            title="Samen boodschappen doen op dinsdag",
            owner=tenant.user(Role.PROFESSIONAL),
            due=timezone.localdate() + datetime.timedelta(days=30),
        )
    return {"signal": signal, "improvement": improvement}


def _evaluation_objects(tenant):
    """A running evaluation cycle with one catalogue indicator, a draft story and an improvement action."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from evaluatie.models import FunderReport

    from .factories import CycleIndicatorFactory, EvaluationCycleFactory, ImprovementActionFactory, StoryFactory

    cycle = EvaluationCycleFactory(organisation=tenant.organisation, name="Dit kwartaal")
    # Its funder report, built (placeholder files: building real ones costs a second a tenant).
    with scopes_disabled():
        FunderReport.objects.create(
            organisation=tenant.organisation,
            cycle=cycle,
            status=FunderReport.Status.READY,
            progress=100,
            built_generation=1,
            built_at=timezone.now(),
            pdf=b"%PDF-1.4 fixture",
            xlsx=b"PK fixture",
            csv=b"Indicator;Waarde\n",
            html="<p>Rapportage Dit kwartaal</p>",
        )
    return {
        "cycle": cycle,
        "indicator": CycleIndicatorFactory(cycle=cycle, key="requests_in", target=10),
        "story": StoryFactory(cycle=cycle),
        "action": ImprovementActionFactory(cycle=cycle, owner=tenant.user(Role.COORDINATOR)),
    }


def _network_objects(tenant):
    """A network in the neighbourhood with a resident and the volunteer in it, a weekly activity the
    volunteer organises, last week's session with the resident there, hours for it, and a phase item."""
    from django_scopes import scopes_disabled

    from matching.calendar_feed import calendar_token_renew

    from .factories import (
        ActivityFactory,
        ActivitySessionFactory,
        FeeEntryFactory,
        HoursEntryFactory,
        NetworkFactory,
        NetworkMemberFactory,
        ParticipationFactory,
        PhaseChecklistItemFactory,
    )

    organisation, volunteer = tenant.organisation, tenant.objects["volunteer"]
    network = NetworkFactory(
        organisation=organisation,
        name=f"Wandelgroep {organisation.slug}",
        contact_name=f"Henk Netwerk van {organisation.slug}",
        areas=[tenant.objects["area"]],
    )
    member = NetworkMemberFactory(network=network, resident=tenant.objects["resident"], name="")
    NetworkMemberFactory(network=network, volunteer=volunteer, name="")
    activity = ActivityFactory(network=network, organiser=volunteer, title=f"Wandelen in {organisation.slug}")
    session = ActivitySessionFactory(activity=activity)
    ParticipationFactory(session=session, member=member)
    # The volunteer's private calendar address (matching/calendar_feed.py).
    with scopes_disabled():
        calendar_token_renew(volunteer=volunteer, by=None)
    return {
        "network": network,
        "member": member,
        # Someone without a record, noted by name and number (can be erased on the network page).
        "guest": NetworkMemberFactory(
            network=network, name=f"Gast Zonderrecord {organisation.slug}", phone="+31687654321"
        ),
        "activity": activity,
        "session": session,
        "hours": HoursEntryFactory(volunteer=volunteer, session=session),
        "item": PhaseChecklistItemFactory(organisation=organisation),
        # 'Een extraatje bijverdienen': a fee for the volunteer's help to the resident (no match: booked by hand).
        "fee": FeeEntryFactory(
            organisation=organisation,
            volunteer=volunteer,
            resident=tenant.objects["resident"],
            category=tenant.objects["category"],
            reason=f"Ramen gelapt bij {tenant.objects['resident'].name}",
        ),
    }


@dataclass(frozen=True)
class LinkToken:
    """A link's secret token where the tables expect an object: they fill URL keywords with `.pk`."""

    pk: str


def make_tenant(**org_kwargs):
    organisation = OrganisationFactory(**org_kwargs)
    tenant = Tenant(organisation=organisation)
    for role in PROVIDER_ROLES:
        tenant.members[role] = MembershipFactory(organisation=organisation, roles=(role,))
    funding = FundingFactory(organisation=organisation)
    tenant.funder_membership = MembershipFactory(organisation=funding.funder, roles=(Role.FUNDER,))
    invitation = InvitationFactory(
        organisation=organisation, invited_by=tenant.members[Role.ORG_ADMIN].user, email=f"nieuw@{organisation.slug}.nl"
    )
    area = AreaFactory(organisation=organisation, name=f"Centrum {organisation.slug}", postcodes=["3401"])
    category = CategoryFactory(organisation=organisation, name="Boodschappen")
    volunteer = VolunteerFactory(
        organisation=organisation, membership=tenant.members[Role.VOLUNTEER], categories=[category]
    )
    resident = ResidentFactory(organisation=organisation, name=f"Mevrouw De Vries van {organisation.slug}")
    tenant.objects = {
        "membership": tenant.members[Role.COORDINATOR],
        "area": area,
        "category": category,
        "volunteer": volunteer,
        "offer": OfferFactory(volunteer=volunteer, category=category),
        "resident": resident,
        # Proposed to the volunteer (the match below): request and match agree, as the lifecycle keeps them.
        "help_request": HelpRequestFactory(
            organisation=organisation, resident=resident, category=category, status=HelpRequest.Status.PROPOSED
        ),
    }
    match = MatchFactory(help_request=tenant.objects["help_request"], volunteer=volunteer)
    run = BatchRunFactory(organisation=organisation)
    # The wijkteam's side: a request of the same resident escalated, taken over, referred once, with a note.
    escalated = HelpRequestFactory(
        organisation=organisation,
        resident__name=f"Meneer Bakker van {organisation.slug}",
        category=category,
        status=HelpRequest.Status.ESCALATED,
    )
    escalation = EscalationFactory(
        help_request=escalated,
        status=Escalation.Status.TAKEN,
        professional=tenant.members[Role.PROFESSIONAL].user,
        reason=f"Te zwaar voor buurthulp bij {escalated.resident.name}",
    )
    entry = SocialMapEntryFactory(organisation=organisation, name=f"Thuiszorg van {organisation.slug}")
    ProfessionalNoteFactory(help_request=escalated, text=f"Notitie over {escalated.resident.name}")
    tenant.objects.update(
        escalation=escalation,
        entry=entry,
        referral=ReferralFactory(escalation=escalation, entry=entry),
    )
    tenant.objects.update(
        match=match,
        run=run,
        proposal=BatchProposalFactory(run=run, help_request=tenant.objects["help_request"], volunteer=volunteer),
    )
    tenant.objects.update(_signal_objects(tenant))
    tenant.objects.update(_evaluation_objects(tenant))
    tenant.objects.update(_network_objects(tenant))
    # The team: an open invitation (its link's token as an object whose pk is the token) and the funding.
    # The funding is a second funder's (no people): removing it leaves the funder role's access as it is.
    tenant.objects.update(
        invitation=invitation,
        invitation_token=LinkToken(invitation.token),
        funding=FundingFactory(organisation=organisation),
    )
    return tenant


@pytest.fixture
def tenant_a(db):
    return make_tenant(name="Buurthulp Oost", slug="oost")


@pytest.fixture
def tenant_b(db):
    return make_tenant(name="Buurthulp West", slug="west")


ALL_ROLES = (*PROVIDER_ROLES, Role.FUNDER)
