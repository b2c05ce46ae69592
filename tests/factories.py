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
