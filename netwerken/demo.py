"""Demo data: two buurthulp organisations, one account per role, a municipality that funds both.

seed() is idempotent: it looks everything up by its natural key and only creates what is missing,
and puts roles and names back the way the demo needs them.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django_scopes import scopes_disabled

from .models import Funding, Membership, Organisation, User
from .roles import Role

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


def _user(email, name):
    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created or not user.check_password(settings.DEMO_PASSWORD):
        user.set_password(settings.DEMO_PASSWORD)
    user.name = name
    user.is_active = True
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _membership(user, organisation, roles):
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
    membership.set_roles(roles)
    membership.save()
    return membership


@transaction.atomic
def seed():
    with scopes_disabled():
        organisations = []
        for data in ORGANISATIONS:
            org, _created = Organisation.objects.update_or_create(
                slug=data["slug"], defaults={**data, "kind": Organisation.Kind.PROVIDER}
            )
            organisations.append(org)
            for local, role, label in STAFF:
                user = _user(f"{local}@{org.slug}.demo", f"{label} {org.name.removeprefix('Buurthulp ')}")
                _membership(user, org, {role})

        funder, _created = Organisation.objects.update_or_create(
            slug=FUNDER["slug"], defaults={**FUNDER, "kind": Organisation.Kind.FUNDER, "help_type": "", "phase": ""}
        )
        _membership(_user(FUNDER_EMAIL, "Beleidsmedewerker Gemeente"), funder, {Role.FUNDER})
        for org in organisations:
            Funding.objects.get_or_create(funder=funder, organisation=org)
    return organisations
