"""Inviting staff by email: the org admin invites, the invitee accepts with one button (or signs up first).

The link is /o/<org>/uitnodiging/<token>/. The token is random (secrets) and only its SHA-256 is stored;
it is looked up inside the organisation's scope, so a token is worth nothing under another organisation's
address. Someone without an account is sent to allauth's sign-up with the address filled in and counted as
verified (the link proved it: allauth's stash_verified_email); after the sign-up the invitation is accepted
by the receiver at the bottom of this module. A person with an account accepts only while signed in with
the invited address.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .mail import queue_email
from .models import Invitation, Membership, Organisation, User
from .roles import Role

VALID_FOR = datetime.timedelta(days=14)
# Roles an invitation can give: the staff of a buurthulp organisation; a funder organisation's people.
PROVIDER_INVITE_ROLES = (Role.COORDINATOR, Role.PROFESSIONAL, Role.ORG_ADMIN)
FUNDER_INVITE_ROLES = (Role.FUNDER,)
SESSION_KEY = "_bh_invitation"


class InvitationError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def invite_roles(organisation: Organisation) -> tuple:
    return FUNDER_INVITE_ROLES if organisation.is_funder else PROVIDER_INVITE_ROLES


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()


def invitation_link(invitation: Invitation, token: str) -> str:
    path = reverse(
        "netwerken:invitation_accept",
        kwargs={"org": invitation.organisation.slug, "invitation_token": token},
    )
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _send(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "link": invitation_link(invitation, token),
        "roles": ", ".join(str(label) for label in invitation.role_labels()),
        "inviter": invitation.invited_by,
        "days": VALID_FOR.days,
    }
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("netwerken/email/invitation.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    queue_email(
        to=invitation.email,
        subject=subject.strip(),
        body_text=body.strip() + "\n",
        organisation_id=invitation.organisation_id,
    )


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + VALID_FOR
    return token


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, roles, by: User | None) -> Invitation:
    """Invites `email` with `roles` and mails the link (after the commit). An open invitation for the same
    address is renewed instead (new roles, new link, new expiry): one open invitation per address."""
    email = email.strip().lower()
    roles = [role for role in invite_roles(organisation) if role in set(roles)]
    if not roles:
        raise InvitationError(_("Kies minstens één rol."))
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise InvitationError(_("%(email)s hoort al bij het team.") % {"email": email})
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organisation=organisation, email=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation(organisation=organisation, email=email, created_at=timezone.now())
    invitation.roles = roles
    invitation.invited_by = by
    token = _new_token(invitation)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # the same address invited at the same moment by someone else
        raise InvitationError(_("%(email)s is net al uitgenodigd.") % {"email": email}) from None
    _send(invitation, token)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User | None) -> Invitation:
    """A new link (the old one stops working) with a new expiry, mailed again."""
    if not invitation.is_open:
        raise InvitationError(_("Deze uitnodiging is al gebruikt of ingetrokken."))
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    _send(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User | None) -> Invitation:
    if not invitation.is_open:
        raise InvitationError(_("Deze uitnodiging is al gebruikt of ingetrokken."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_problem(invitation: Invitation) -> str | None:
    """Why this invitation can no longer be accepted (Dutch), or None while it can."""
    if invitation.accepted_at is not None:
        return _("Deze uitnodiging is al geaccepteerd.")
    if invitation.revoked_at is not None:
        return _("Deze uitnodiging is ingetrokken.")
    if invitation.is_expired:
        return _("Deze uitnodiging is verlopen.")
    return None


def email_matches(invitation: Invitation, user: User) -> bool:
    return bool(user.is_authenticated and user.email and user.email.strip().lower() == invitation.email.lower())


@transaction.atomic
def invitation_accept(*, invitation: Invitation, by: User) -> Membership:
    """`by` joins the organisation with the invitation's roles (added to any roles they already hold there)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise InvitationError(problem)
    if not email_matches(invitation, by):
        raise InvitationError(
            _("Deze uitnodiging is voor %(email)s. Log in met dat e-mailadres om haar te accepteren.")
            % {"email": invitation.email}
        )
    membership = Membership.objects.filter(organisation=invitation.organisation, user=by).first()
    if membership is None:
        membership = Membership(organisation=invitation.organisation, user=by)
    membership.set_roles(set(membership.roles) | set(invitation.roles))
    membership.save()
    invitation.accepted_at, invitation.accepted_by = timezone.now(), by
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


# --- after allauth's sign-up: the invitation that sent the person there is accepted ------------------------


def remember_for_signup(request, invitation: Invitation, token: str) -> None:
    """Before sending an invitee without an account to the sign-up: the address counts as verified there,
    and the invitation is accepted once the account exists."""
    from allauth.account.adapter import get_adapter

    get_adapter(request).stash_verified_email(request, invitation.email)
    request.session[SESSION_KEY] = {"organisation": invitation.organisation_id, "token": token}


def accept_after_signup(request, user) -> Membership | None:
    from django_scopes import scope

    pending = request.session.pop(SESSION_KEY, None) if hasattr(request, "session") else None
    if not isinstance(pending, dict):
        return None
    organisation = Organisation.objects.filter(pk=pending.get("organisation")).first()
    if organisation is None:
        return None
    with scope(organisation=organisation):
        invitation = Invitation.objects.filter(token_hash=hash_token(str(pending.get("token", "")))).first()
        if invitation is None:
            return None
        try:
            return invitation_accept(invitation=invitation, by=user)
        except InvitationError:
            return None


def _signed_up(sender, request=None, user=None, **kwargs):
    if request is not None and user is not None:
        accept_after_signup(request, user)


def connect():
    from allauth.account.signals import user_signed_up

    user_signed_up.connect(_signed_up, dispatch_uid="buurthulp-invitation-signup")
