import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django_scopes import scopes_disabled

from netwerken.models import Funding, Membership, Organisation, User
from netwerken.roles import ROLE_FIELDS


class UnscopedFactory(factory.django.DjangoModelFactory):
    """Test data is made outside any request, so factories create across tenants on purpose."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(UnscopedFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    name = factory.Faker("name", locale="nl_NL")
    password = factory.django.Password(settings.DEMO_PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


class OrganisationFactory(UnscopedFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Buurthulp Wijk {n}")
    slug = factory.Sequence(lambda n: f"wijk-{n}")
    municipality = "IJsselstein"
    kind = Organisation.Kind.PROVIDER
    help_type = Organisation.HelpType.CHARITY
    phase = Organisation.Phase.RUNNING


class FunderFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Gemeente {n}")
    slug = factory.Sequence(lambda n: f"gemeente-{n}")
    kind = Organisation.Kind.FUNDER
    help_type = ""
    phase = ""


class MembershipFactory(UnscopedFactory):
    class Meta:
        model = Membership

    class Params:
        roles = ()

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        roles = kwargs.pop("roles", ()) or ("volunteer",)
        for role, field in ROLE_FIELDS.items():
            kwargs.setdefault(field, role in roles)
        return kwargs


class FundingFactory(UnscopedFactory):
    class Meta:
        model = Funding

    funder = factory.SubFactory(FunderFactory)
    organisation = factory.SubFactory(OrganisationFactory)


# --- people, requests, offers -------------------------------------------------------------------------

import datetime  # noqa: E402

from django.utils import timezone  # noqa: E402

from matching.models import Category, HelpRequest, Offer  # noqa: E402
from netwerken import availability  # noqa: E402
from netwerken.models import Area, AreaPostcode, Consent, Resident, Volunteer  # noqa: E402


class AreaFactory(UnscopedFactory):
    class Meta:
        model = Area
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Buurt {n}")
    latitude = 52.02
    longitude = 5.04

    @factory.post_generation
    def postcodes(area, create, extracted, **kwargs):
        for prefix in extracted or ():
            AreaPostcodeFactory(area=area, organisation=area.organisation, prefix=prefix)


class AreaPostcodeFactory(UnscopedFactory):
    class Meta:
        model = AreaPostcode

    area = factory.SubFactory(AreaFactory)
    organisation = factory.SelfAttribute("area.organisation")
    prefix = factory.Sequence(lambda n: str(3400 + n % 500))


class CategoryFactory(UnscopedFactory):
    class Meta:
        model = Category

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Hulp {n}")
    requires_vog = False


class ConsentFactory(UnscopedFactory):
    class Meta:
        model = Consent

    organisation = factory.SubFactory(OrganisationFactory)
    text = "Toestemming voor de test."
    method = Consent.Method.PHONE


class ResidentFactory(UnscopedFactory):
    class Meta:
        model = Resident

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name", locale="nl_NL")
    phone = factory.Sequence(lambda n: f"+3161{n % 10**7:07d}")  # E.164, as the forms store it
    postcode = "3401 AB"
    house_number = factory.Sequence(lambda n: str(n + 1))


class VolunteerFactory(UnscopedFactory):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    membership = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..organisation"), roles=("volunteer",)
    )
    phone = factory.Sequence(lambda n: f"+3162{n % 10**7:07d}")
    sort_name = factory.LazyAttribute(lambda v: v.membership.user.name if v.membership else None)
    postcode = "3401 AC"
    house_number = "1"
    availability = availability.ALL
    status = Volunteer.Status.ACTIVE
    consent = factory.SubFactory(ConsentFactory, organisation=factory.SelfAttribute("..organisation"))

    @factory.post_generation
    def categories(volunteer, create, extracted, **kwargs):
        if create and extracted:
            with scopes_disabled():
                volunteer.categories.set(extracted)


class OfferFactory(UnscopedFactory):
    class Meta:
        model = Offer

    volunteer = factory.SubFactory(VolunteerFactory)
    organisation = factory.SelfAttribute("volunteer.organisation")
    category = factory.SubFactory(CategoryFactory, organisation=factory.SelfAttribute("..organisation"))
    description = "Ik rijd dinsdags naar het ziekenhuis"
    availability = availability.ALL


class HelpRequestFactory(UnscopedFactory):
    class Meta:
        model = HelpRequest

    organisation = factory.SubFactory(OrganisationFactory)
    resident = factory.SubFactory(ResidentFactory, organisation=factory.SelfAttribute("..organisation"))
    category = factory.SubFactory(CategoryFactory, organisation=factory.SelfAttribute("..organisation"))
    description = "Boodschappen doen bij de Jumbo"
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    slots = availability.ALL
    consent = factory.SubFactory(ConsentFactory, organisation=factory.SelfAttribute("..organisation"))


from matching.models import BatchProposal, BatchRun, Match  # noqa: E402


class MatchFactory(UnscopedFactory):
    class Meta:
        model = Match

    help_request = factory.SubFactory(HelpRequestFactory)
    organisation = factory.SelfAttribute("help_request.organisation")
    volunteer = factory.SubFactory(VolunteerFactory, organisation=factory.SelfAttribute("..organisation"))
    status = Match.Status.PROPOSED
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=48))


class BatchRunFactory(UnscopedFactory):
    class Meta:
        model = BatchRun

    organisation = factory.SubFactory(OrganisationFactory)
    status = BatchRun.Status.DONE
    progress = 100


class BatchProposalFactory(UnscopedFactory):
    class Meta:
        model = BatchProposal

    run = factory.SubFactory(BatchRunFactory)
    organisation = factory.SelfAttribute("run.organisation")
    help_request = factory.SubFactory(HelpRequestFactory, organisation=factory.SelfAttribute("..organisation"))
    volunteer = factory.SubFactory(VolunteerFactory, organisation=factory.SelfAttribute("..organisation"))
    score = 50.0


from matching.models import Escalation, ProfessionalNote, Referral, SocialMapEntry  # noqa: E402


class SocialMapEntryFactory(UnscopedFactory):
    class Meta:
        model = SocialMapEntry

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Thuiszorg De Linde {n}")
    kind = "thuiszorg"
    phone = "+31301234567"


class EscalationFactory(UnscopedFactory):
    """An escalated request waiting for the wijkteam (the request is opgeschaald, as the lifecycle leaves it)."""

    class Meta:
        model = Escalation

    help_request = factory.SubFactory(HelpRequestFactory, status=HelpRequest.Status.ESCALATED)
    organisation = factory.SelfAttribute("help_request.organisation")
    reason = "Mevrouw is erg in de war en vergeet te eten"


class ReferralFactory(UnscopedFactory):
    class Meta:
        model = Referral

    escalation = factory.SubFactory(EscalationFactory)
    organisation = factory.SelfAttribute("escalation.organisation")
    entry = factory.SubFactory(SocialMapEntryFactory, organisation=factory.SelfAttribute("..organisation"))


class ProfessionalNoteFactory(UnscopedFactory):
    class Meta:
        model = ProfessionalNote

    help_request = factory.SubFactory(HelpRequestFactory)
    organisation = factory.SelfAttribute("help_request.organisation")
    text = "Dochter woont in Zweden; huisarts is op de hoogte"


from evaluatie.models import CycleIndicator, EvaluationCycle, ImprovementAction, Story  # noqa: E402


class EvaluationCycleFactory(UnscopedFactory):
    class Meta:
        model = EvaluationCycle

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Kwartaal {n + 1}")
    period_kind = EvaluationCycle.PeriodKind.QUARTER
    start = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(days=89))
    goals = "Meer bewoners bereiken in de wijk"


class CycleIndicatorFactory(UnscopedFactory):
    class Meta:
        model = CycleIndicator

    cycle = factory.SubFactory(EvaluationCycleFactory)
    organisation = factory.SelfAttribute("cycle.organisation")
    key = "requests_in"


class StoryFactory(UnscopedFactory):
    class Meta:
        model = Story

    cycle = factory.SubFactory(EvaluationCycleFactory)
    organisation = factory.SelfAttribute("cycle.organisation")
    title = "Weer naar de markt"
    text = "Een bewoonster in de wijk kon weer zelf naar de markt, samen met een vrijwilliger."


class ImprovementActionFactory(UnscopedFactory):
    class Meta:
        model = ImprovementAction

    cycle = factory.SubFactory(EvaluationCycleFactory)
    organisation = factory.SelfAttribute("cycle.organisation")
    title = "Vaker nabellen na een koppeling"


# Networks, activities and phases (netwerken), fees and hours (matching).
from decimal import Decimal  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from matching.models import FeeEntry, HoursEntry  # noqa: E402
from netwerken.models import (  # noqa: E402
    Activity,
    ActivitySession,
    Network,
    NetworkMember,
    Participation,
    PhaseChecklistItem,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class NetworkFactory(UnscopedFactory):
    class Meta:
        model = Network
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Wandelgroep {n}")
    kind = Network.Kind.NEW_INITIATIVE
    status = Network.Status.ACTIVE
    contact_name = "Henk Jansen"

    @factory.post_generation
    def areas(network, create, extracted, **kwargs):
        if create and extracted:
            with scopes_disabled():
                network.areas.set(extracted)


class NetworkMemberFactory(UnscopedFactory):
    class Meta:
        model = NetworkMember

    network = factory.SubFactory(NetworkFactory)
    organisation = factory.SelfAttribute("network.organisation")
    name = factory.Faker("name", locale="nl_NL")
    joined_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))


class ActivityFactory(UnscopedFactory):
    class Meta:
        model = Activity

    network = factory.SubFactory(NetworkFactory)
    organisation = factory.SelfAttribute("network.organisation")
    title = factory.Sequence(lambda n: f"Wandelen op dinsdag {n}")
    place = "Bij de kerk"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=28))
    start_time = datetime.time(10, 0)
    duration_minutes = 90
    rrule = "FREQ=WEEKLY"


class ActivitySessionFactory(UnscopedFactory):
    class Meta:
        model = ActivitySession

    activity = factory.SubFactory(ActivityFactory)
    organisation = factory.SelfAttribute("activity.organisation")
    starts_at = factory.LazyFunction(
        lambda: datetime.datetime.combine(
            timezone.localdate() - datetime.timedelta(days=7), datetime.time(10, 0), tzinfo=AMSTERDAM
        )
    )
    original_start = factory.SelfAttribute("starts_at")
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=90))


class ParticipationFactory(UnscopedFactory):
    class Meta:
        model = Participation

    session = factory.SubFactory(ActivitySessionFactory)
    organisation = factory.SelfAttribute("session.organisation")
    member = factory.SubFactory(
        NetworkMemberFactory,
        network=factory.SelfAttribute("..session.activity.network"),
    )
    signed_up = True
    attended = True


class PhaseChecklistItemFactory(UnscopedFactory):
    class Meta:
        model = PhaseChecklistItem

    organisation = factory.SubFactory(OrganisationFactory)
    phase = Organisation.Phase.EXPLORING
    title = factory.Sequence(lambda n: f"Initiatiefgroep vormen {n}")


class FeeEntryFactory(UnscopedFactory):
    class Meta:
        model = FeeEntry

    volunteer = factory.SubFactory(VolunteerFactory)
    organisation = factory.SelfAttribute("volunteer.organisation")
    kind = FeeEntry.Kind.FEE
    date = factory.LazyFunction(timezone.localdate)
    unit = "uur"
    quantity = Decimal("2.00")
    rate = Decimal("5.00")
    amount = Decimal("10.00")


class HoursEntryFactory(UnscopedFactory):
    class Meta:
        model = HoursEntry

    volunteer = factory.SubFactory(VolunteerFactory)
    organisation = factory.SelfAttribute("volunteer.organisation")
    session = factory.LazyAttribute(lambda o: ActivitySessionFactory(activity__network__organisation=o.organisation))
    date = factory.LazyFunction(timezone.localdate)
    minutes = 90


import secrets  # noqa: E402

from netwerken.invitations import hash_token  # noqa: E402
from netwerken.models import Invitation  # noqa: E402


class InvitationFactory(UnscopedFactory):
    """An open invitation; the raw token of its link is on `.token` (only its hash is stored)."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"uitgenodigd{n}@example.nl")
    roles = factory.LazyFunction(lambda: ["coordinator"])
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token")
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token
        return invitation
