"""Staff and organisations: inviting staff by email, accepting (with or without an account), removing members
and the last-admin guard, searching the team, the organisation's funders, and a new organisation set up."""

import datetime
import re
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from netwerken import invitations, services
from netwerken.models import Funding, Invitation, Membership, Organisation, OutgoingEmail, PhaseChecklistItem, User
from netwerken.roles import Role

from .factories import FunderFactory, InvitationFactory, MembershipFactory, UserFactory

A, C, V, F = Role.ORG_ADMIN, Role.COORDINATOR, Role.VOLUNTEER, Role.FUNDER


def _invite(client, tenant, email, roles=("coordinator",)):
    client.force_login(tenant.user(A))
    url = reverse("netwerken:invitation_new", kwargs={"org": tenant.organisation.slug})
    return client.post(url, {"email": email, "roles": list(roles)}, follow=True)


def _link_path(email):
    """The path of the invitation link in the last mail queued to `email`."""
    mail = OutgoingEmail.objects.filter(to=email).order_by("-created_at", "-pk").first()
    assert mail is not None, f"no mail to {email}"
    match = re.search(r"https?://[^/\s]+(/o/[^\s]+/uitnodiging/[^\s/]+/)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def _open(tenant, email):
    with scopes_disabled():
        return Invitation.objects.get(organisation=tenant.organisation, email=email, accepted_at__isnull=True)


# --- inviting and accepting -------------------------------------------------------------------------------


def test_invitation_is_mailed_with_a_link_and_only_its_hash_is_stored(client, tenant_a):
    response = _invite(client, tenant_a, "Nieuwe.Collega@Example.nl", roles=["coordinator", "professional"])
    assert "De uitnodiging is verstuurd naar nieuwe.collega@example.nl." in response.content.decode()
    invitation = _open(tenant_a, "nieuwe.collega@example.nl")
    assert set(invitation.roles) == {"coordinator", "professional"}
    assert invitation.invited_by == tenant_a.user(A)
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=14)
    path = _link_path("nieuwe.collega@example.nl")
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40 and token not in invitation.token_hash
    assert invitation.token_hash == invitations.hash_token(token)
    mail = OutgoingEmail.objects.get(to="nieuwe.collega@example.nl")
    assert mail.organisation_id == tenant_a.organisation.pk and tenant_a.organisation.name in mail.subject
    # The team page lists it, with resend and revoke.
    content = client.get(reverse("netwerken:staff_list", kwargs={"org": "oost"})).content.decode()
    assert "nieuwe.collega@example.nl" in content and "Opnieuw versturen naar" in content and "intrekken" in content


def test_signed_in_person_with_the_invited_address_accepts_with_one_button(client, tenant_a):
    person = UserFactory(email="wijkteam@example.nl")
    _invite(client, tenant_a, person.email, roles=["professional"])
    path = _link_path(person.email)
    client.force_login(person)
    page = client.get(path)
    assert page.status_code == 200 and "Uitnodiging accepteren" in page.content.decode()
    response = client.post(path, follow=True)
    assert response.redirect_chain[-1][0] == reverse("netwerken:professional_dashboard", kwargs={"org": "oost"})
    with scopes_disabled():
        membership = Membership.objects.get(user=person, organisation=tenant_a.organisation)
        assert membership.roles == {Role.PROFESSIONAL}
        assert Invitation.objects.get(email=person.email).accepted_by == person


def test_an_existing_member_keeps_their_roles_and_gets_the_invited_one(client, tenant_a):
    volunteer = tenant_a.user(V)
    invitation = InvitationFactory(organisation=tenant_a.organisation, email=volunteer.email, roles=["coordinator"])
    with scope(organisation=tenant_a.organisation):
        invitations.invitation_accept(invitation=invitation, by=volunteer)
    with scopes_disabled():
        assert Membership.objects.get(user=volunteer, organisation=tenant_a.organisation).roles == {V, C}


def test_someone_signed_in_with_another_address_cannot_accept(client, tenant_a):
    """Planted defect: accepting without comparing the address (anyone with the link joins)."""
    invitation = tenant_a.objects["invitation"]
    stranger = UserFactory(email="iemand.anders@example.nl")
    client.force_login(stranger)
    path = reverse("netwerken:invitation_accept", kwargs={"org": "oost", "invitation_token": invitation.token})
    page = client.get(path).content.decode()
    assert "Je bent ingelogd met een ander e-mailadres" in page and "Uitnodiging accepteren" not in page
    response = client.post(path, follow=True)
    assert "Deze uitnodiging is voor nieuw@oost.nl" in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(user=stranger).exists()
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    with scope(organisation=tenant_a.organisation), pytest.raises(invitations.InvitationError):
        invitations.invitation_accept(invitation=invitation, by=stranger)


def test_a_token_of_another_organisation_is_404_under_this_organisations_address(client, tenant_a, tenant_b):
    """Planted defect: looking the token up across organisations (B's invitation would join A's team)."""
    foreign = tenant_b.objects["invitation"]
    with scopes_disabled():
        Invitation.objects.filter(pk=foreign.pk).update(email=tenant_a.user(V).email)
    client.force_login(tenant_a.user(V))
    path = reverse("netwerken:invitation_accept", kwargs={"org": "oost", "invitation_token": foreign.token})
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    with scopes_disabled():
        assert Invitation.objects.get(pk=foreign.pk).accepted_at is None
        assert Membership.objects.get(user=tenant_a.user(V), organisation=tenant_a.organisation).roles == {V}


@pytest.mark.parametrize(
    "state, message",
    [
        ({"accepted_at": timezone.now()}, "Deze uitnodiging is al geaccepteerd."),
        ({"revoked_at": timezone.now()}, "Deze uitnodiging is ingetrokken."),
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "Deze uitnodiging is verlopen."),
    ],
    ids=["gebruikt", "ingetrokken", "verlopen"],
)
def test_used_revoked_or_expired_link_says_so_in_dutch(client, tenant_a, state, message):
    invitation = tenant_a.objects["invitation"]
    with scopes_disabled():
        Invitation.objects.filter(pk=invitation.pk).update(**state)
    path = reverse("netwerken:invitation_accept", kwargs={"org": "oost", "invitation_token": invitation.token})
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 410
        content = response.content.decode()
        assert message in content and "Vraag de beheerder van de organisatie om een nieuwe uitnodiging" in content
    assert client.get(path.replace(invitation.token, "onzin")).status_code == 404


def test_reinviting_an_address_renews_the_one_open_invitation(client, tenant_a):
    """Planted defect: a second open invitation for the same address (two live links, two sets of roles)."""
    _invite(client, tenant_a, "dubbel@example.nl", roles=["coordinator"])
    first_path = _link_path("dubbel@example.nl")
    response = _invite(client, tenant_a, "DUBBEL@example.nl", roles=["professional"])
    assert response.status_code == 200
    with scopes_disabled():
        open_ = Invitation.objects.filter(organisation=tenant_a.organisation, email="dubbel@example.nl")
        assert open_.count() == 1 and open_.get().roles == ["professional"]
    # The new mail's link works; the old one no longer does.
    assert client.get(_link_path("dubbel@example.nl")).status_code == 200
    assert client.get(first_path).status_code == 404


def test_the_database_refuses_a_second_open_invitation(tenant_a):
    InvitationFactory(organisation=tenant_a.organisation, email="een@example.nl")
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(organisation=tenant_a.organisation, email="een@example.nl")
    # A used or revoked one does not count: the address can be invited again.
    with scopes_disabled():
        Invitation.objects.filter(email="een@example.nl").update(revoked_at=timezone.now())
    InvitationFactory(organisation=tenant_a.organisation, email="een@example.nl")


def test_inviting_a_member_or_without_a_role_is_a_dutch_form_error(client, tenant_a):
    content = _invite(client, tenant_a, tenant_a.user(C).email).content.decode()
    assert "Iemand met dit e-mailadres hoort al bij het team." in content
    content = _invite(client, tenant_a, "geen.rol@example.nl", roles=[]).content.decode()
    assert "Kies minstens één rol." in content and 'value="geen.rol@example.nl"' in content
    content = _invite(client, tenant_a, "vrijwilliger@example.nl", roles=["volunteer"]).content.decode()
    assert "Selecteer een geldige keuze" in content
    with scopes_disabled():
        assert not Invitation.objects.filter(email__in=["geen.rol@example.nl", "vrijwilliger@example.nl"]).exists()


def test_resend_gives_a_new_link_and_revoke_ends_it(client, tenant_a):
    invitation = tenant_a.objects["invitation"]
    client.force_login(tenant_a.user(A))
    old = reverse("netwerken:invitation_accept", kwargs={"org": "oost", "invitation_token": invitation.token})
    client.post(reverse("netwerken:invitation_resend", kwargs={"org": "oost", "invitation": invitation.pk}))
    new = _link_path(invitation.email)
    assert new != old and client.get(old).status_code == 404 and client.get(new).status_code == 200
    client.post(reverse("netwerken:invitation_revoke", kwargs={"org": "oost", "invitation": invitation.pk}))
    assert client.get(new).status_code == 410
    content = client.get(reverse("netwerken:staff_list", kwargs={"org": "oost"})).content.decode()
    assert invitation.email not in content


# --- end to end: a new staff member without an account ------------------------------------------------------


@override_settings(MFA_ENFORCE=True)
def test_invitation_accepted_by_a_new_staff_member_end_to_end(client, tenant_a):
    """invite → mail in the queue → link → sign-up with the address filled in and verified → membership with the
    role → two-factor set-up required, as for all staff."""
    admin = tenant_a.user(A)
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = _invite(client, tenant_a, "Nieuwe.Coordinator@Example.nl", roles=["coordinator"])
    assert "De uitnodiging is verstuurd" in response.content.decode()
    path = _link_path("nieuwe.coordinator@example.nl")

    visitor = client.__class__()
    page = visitor.get(path)
    assert page.status_code == 200 and "Account aanmaken" in page.content.decode()
    response = visitor.post(path)
    assert response.status_code == 302 and response.url == reverse("account_signup")
    signup = visitor.get(response.url)
    assert 'value="nieuwe.coordinator@example.nl"' in signup.content.decode()
    response = visitor.post(
        reverse("account_signup"),
        {
            "name": "Nina Nieuw",
            "email": "nieuwe.coordinator@example.nl",
            "password1": "een-lang-wachtwoord-42",
            "password2": "een-lang-wachtwoord-42",
        },
        follow=True,
    )
    user = User.objects.get(email="nieuwe.coordinator@example.nl")
    # The link proved the address: verified, no confirmation mail, signed in straight away.
    assert EmailAddress.objects.get(user=user).verified
    assert not OutgoingEmail.objects.filter(to=user.email, subject__icontains="bevestig").exists()
    with scopes_disabled():
        assert Membership.objects.get(user=user, organisation=tenant_a.organisation).roles == {Role.COORDINATOR}
        assert Invitation.objects.get(email=user.email).accepted_by == user
    # Staff sign in with a second factor: the first page after the sign-up is its set-up (which asks for the
    # password once more first, as allauth does before adding an authenticator).
    chain = [url for url, _status in response.redirect_chain]
    assert reverse("mfa_activate_totp") in [unquote(url).split("?next=")[-1] for url in chain], chain
    assert not any("/o/" in url for url in chain), chain
    dashboard = visitor.get(reverse("netwerken:coordinator_dashboard", kwargs={"org": "oost"}))
    assert dashboard.status_code == 302 and dashboard.url == reverse("mfa_activate_totp")
    # The link is used now.
    assert client.__class__().get(path).status_code == 410


def test_signup_after_the_link_with_an_existing_account_sends_to_login(client, tenant_a):
    person = UserFactory(email="heeft.account@example.nl")
    invitation = InvitationFactory(organisation=tenant_a.organisation, email=person.email)
    path = reverse("netwerken:invitation_accept", kwargs={"org": "oost", "invitation_token": invitation.token})
    assert "Er is al een account met dit e-mailadres" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login") + "?next=")


# --- changing roles and removing members -------------------------------------------------------------------


def test_the_last_org_admin_cannot_be_removed_or_demoted(client, tenant_a):
    """Planted defect: dropping the last-admin check (the organisation would have nobody to manage it)."""
    admin = tenant_a.members[A]
    with scope(organisation=tenant_a.organisation):
        with pytest.raises(services.TeamError, match="minstens één beheerder"):
            services.membership_remove(membership=admin, by=None)
        with pytest.raises(services.TeamError, match="minstens één beheerder"):
            services.membership_set_roles(membership=admin, roles={Role.COORDINATOR}, by=None)
    with scopes_disabled():
        assert Membership.objects.get(pk=admin.pk).is_org_admin


def test_an_admin_cannot_lock_themselves_out_but_another_admin_can_do_it(client, tenant_a):
    admin = tenant_a.members[A]
    second = MembershipFactory(organisation=tenant_a.organisation, roles=(A,))
    client.force_login(admin.user)
    remove = reverse("netwerken:member_remove", kwargs={"org": "oost", "membership": admin.pk})
    assert "Je kunt jezelf niet als beheerder weghalen" in client.get(remove).content.decode()
    response = client.post(remove, follow=True)
    assert "Je kunt jezelf niet als beheerder weghalen" in response.content.decode()
    edit = reverse("netwerken:member_edit", kwargs={"org": "oost", "membership": admin.pk})
    response = client.post(edit, {"roles": ["coordinator"]})
    assert response.status_code == 200 and "Je kunt jezelf niet als beheerder weghalen" in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.get(pk=admin.pk).is_org_admin
    client.force_login(second.user)
    response = client.post(remove, follow=True)
    assert "hoort niet meer bij het team" in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(pk=admin.pk).exists()
        assert User.objects.filter(pk=admin.user_id).exists(), "the account itself stays"


def test_removing_a_member_asks_first_and_then_takes_away_access(client, tenant_a):
    coordinator = tenant_a.members[C]
    client.force_login(tenant_a.user(A))
    url = reverse("netwerken:member_remove", kwargs={"org": "oost", "membership": coordinator.pk})
    page = client.get(url).content.decode()
    assert "uit het team halen?" in page and "Ja, uit het team halen" in page
    with scopes_disabled():
        assert Membership.objects.filter(pk=coordinator.pk).exists()
    client.post(url)
    client.force_login(coordinator.user)
    assert client.get(reverse("netwerken:coordinator_dashboard", kwargs={"org": "oost"})).status_code == 404


def test_a_volunteer_is_not_removed_here(client, tenant_a):
    """A volunteer's profile holds personal data: it goes through the volunteer's erasure, not a dangling row."""
    client.force_login(tenant_a.user(A))
    url = reverse("netwerken:member_remove", kwargs={"org": "oost", "membership": tenant_a.members[V].pk})
    response = client.post(url, follow=True)
    assert "is vrijwilliger" in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.filter(pk=tenant_a.members[V].pk).exists()


# --- the team list: search and paging ---------------------------------------------------------------------


def test_team_search_by_name_and_email(client, tenant_a):
    MembershipFactory(organisation=tenant_a.organisation, roles=(C,), user__name="Zoë Zoekbaar", user__email="zz@x.nl")
    client.force_login(tenant_a.user(A))
    url = reverse("netwerken:staff_list", kwargs={"org": "oost"})
    for query in ("zoekbaar", "ZZ@X", "Zoë"):
        names = [m.user.name for m in client.get(url, {"zoek": query}).context["page"]]
        assert names == ["Zoë Zoekbaar"], query
    assert "Niemand gevonden." in client.get(url, {"zoek": "bestaatniet"}).content.decode()


@pytest.mark.parametrize("size", [1, 40])
def test_team_list_query_count_is_the_same_for_1_and_40_members(client, db, size, django_assert_num_queries):
    from .factories import OrganisationFactory

    organisation = OrganisationFactory(slug="klein")
    admin = MembershipFactory(organisation=organisation, roles=(A,))
    MembershipFactory.create_batch(size - 1, organisation=organisation, roles=(C,))
    InvitationFactory.create_batch(3, organisation=organisation)
    client.force_login(admin.user)
    url = reverse("netwerken:staff_list", kwargs={"org": "klein"})
    client.get(url)
    # Session, user, the memberships (tenant, roles and switcher in one); count and page of members; open invitations.
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert len(response.context["page"]) == min(size, 25)
    assert response.context["page"].paginator.count == size


QUERIES = 6


def test_team_list_pages_keep_the_search(client, tenant_a):
    MembershipFactory.create_batch(30, organisation=tenant_a.organisation, roles=(C,), user__name="Jan Veel")
    client.force_login(tenant_a.user(A))
    url = reverse("netwerken:staff_list", kwargs={"org": "oost"})
    first = client.get(url, {"zoek": "veel"})
    assert len(first.context["page"]) == 25 and "zoek=veel&amp;pagina=2" in first.content.decode()
    assert len(client.get(url, {"zoek": "veel", "pagina": "2"}).context["page"]) == 5


# --- funders of an organisation ------------------------------------------------------------------------------


def test_org_admin_links_a_funder_who_then_sees_the_organisation_and_no_longer_after_removal(client, tenant_a):
    fund = FunderFactory(name="Fonds Samen", slug="fonds-samen")
    reader = MembershipFactory(organisation=fund, roles=(F,))
    overview = reverse("netwerken:funder_dashboard", kwargs={"org": "fonds-samen"})
    report = reverse("netwerken:funder_dashboard", kwargs={"org": "oost"})
    client.force_login(reader.user)
    assert list(client.get(overview).context["funded"]) == []
    assert client.get(report).status_code == 404

    client.force_login(tenant_a.user(A))
    url = reverse("netwerken:funder_list", kwargs={"org": "oost"})
    assert "Fonds Samen" in client.get(url).content.decode()
    response = client.post(url, {"funder": str(fund.pk)}, follow=True)
    assert "Fonds Samen is toegevoegd als financier." in response.content.decode()
    funding = Funding.objects.get(funder=fund, organisation=tenant_a.organisation)

    client.force_login(reader.user)
    assert [org.slug for org in client.get(overview).context["funded"]] == ["oost"]
    assert client.get(report).status_code == 200

    client.force_login(tenant_a.user(A))
    remove = reverse("netwerken:funding_remove", kwargs={"org": "oost", "funding": funding.pk})
    assert "geen financier meer" in client.post(remove, follow=True).content.decode()
    client.force_login(reader.user)
    assert list(client.get(overview).context["funded"]) == []
    assert client.get(report).status_code == 404


def test_only_funder_organisations_can_be_chosen_and_not_twice(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user(A))
    url = reverse("netwerken:funder_list", kwargs={"org": "oost"})
    already = tenant_a.funder_membership.organisation
    for pk in (tenant_b.organisation.pk, already.pk, tenant_a.organisation.pk):
        response = client.post(url, {"funder": str(pk)})
        assert response.status_code == 200
        assert "Deze keuze bestaat niet (meer). Kies opnieuw uit de lijst." in response.content.decode()
    assert Funding.objects.filter(organisation=tenant_a.organisation).count() == 2


def test_another_organisations_funding_cannot_be_removed(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user(A))
    foreign = tenant_b.objects["funding"]
    url = reverse("netwerken:funding_remove", kwargs={"org": "oost", "funding": foreign.pk})
    assert client.post(url).status_code == 404
    assert Funding.objects.filter(pk=foreign.pk).exists()


# --- a new organisation, set up completely ----------------------------------------------------------------------


def test_organisation_create_sets_up_everything_and_invites_the_first_admin(db):
    from matching.models import Category

    organisation = services.organisation_create(
        name="Buurthulp Zuilen",
        slug="zuilen",
        municipality="Utrecht",
        help_type=Organisation.HelpType.MUTUAL,
        phase=Organisation.Phase.EXPLORING,
        admin_email="Eerste.Beheerder@Example.nl",
    )
    with scopes_disabled():
        assert Category.objects.filter(organisation=organisation).count() >= 3
        assert PhaseChecklistItem.objects.filter(organisation=organisation, network=None).count() >= 3
        invitation = Invitation.objects.get(organisation=organisation)
    assert invitation.email == "eerste.beheerder@example.nl" and invitation.roles == [Role.ORG_ADMIN]
    mail = OutgoingEmail.objects.get(to="eerste.beheerder@example.nl")
    assert "/o/zuilen/uitnodiging/" in mail.body_text


def test_a_new_funder_organisation_invites_a_funder_reader(db):
    organisation = services.organisation_create(
        name="Gemeente Houten", slug="houten", municipality="Houten", kind="financier", admin_email="rapport@houten.nl"
    )
    with scopes_disabled():
        assert Invitation.objects.get(organisation=organisation).roles == [Role.FUNDER]
        assert not PhaseChecklistItem.objects.filter(organisation=organisation).exists()


def test_django_admin_creates_an_organisation_through_the_service(client, db):
    superuser = User.objects.create_superuser(email="root@example.nl", password="x")
    client.force_login(superuser)
    response = client.post(
        "/admin/netwerken/organisation/add/",
        {
            "name": "Buurthulp Zuilen",
            "slug": "zuilen",
            "municipality": "Utrecht",
            "kind": "buurthulp",
            "help_type": "liefdadigheid",
            "phase": "verkennen",
            "retention_months": "24",
            "admin_email": "beheer@zuilen.nl",
            "fundings_received-TOTAL_FORMS": "0",
            "fundings_received-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        invitation = Invitation.objects.get(organisation__slug="zuilen")
        assert PhaseChecklistItem.objects.filter(organisation__slug="zuilen").exists()
    assert invitation.email == "beheer@zuilen.nl" and invitation.invited_by == superuser
    assert OutgoingEmail.objects.filter(to="beheer@zuilen.nl").exists()
    # Editing it later sends nothing new.
    response = client.get(f"/admin/netwerken/organisation/{invitation.organisation_id}/change/")
    assert response.status_code == 200 and "admin_email" not in response.content.decode()
