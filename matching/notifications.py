"""Who is told what, by mail. Mail is queued in the database (netwerken/mail.py) and sent after the commit.

Every mail names the organisation and, where it is about a resident, the resident, so erasing a
resident finds every copy (netwerken/privacy.py). Mail to a volunteer never carries the resident's
name, health, mobility or household: only the kind of help, the day and time and the neighbourhood.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from netwerken.mail import queue_email
from netwerken.models import Membership


def _coordinator_emails(organisation_id):
    return list(
        # A deactivated account (someone who left) gets no more mail about residents.
        Membership.objects.filter(
            organisation_id=organisation_id, is_coordinator=True, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _mail(template, to, context, *, organisation_id, resident_id=None):
    # Mail goes out in the organisation's language, not in whatever language the sender's screen is in.
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"matching/email/{template}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    queue_email(
        to=to,
        subject=subject.strip(),
        body_text=body.strip() + "\n",
        organisation_id=organisation_id,
        resident_id=resident_id,
    )


def absolute(path):
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def proposal_links(match):
    from .proposals import proposal_token

    org = match.help_request.organisation.slug
    return {
        "link": absolute(reverse("matching:proposal_link", kwargs={"org": org, "token": proposal_token(match)})),
        "app_link": absolute(reverse("matching:my_match", kwargs={"org": org, "match": match.pk})),
    }


def _volunteer_email(match):
    user = match.volunteer.user
    return user.email if user is not None and user.is_active else None


def tell_volunteer(match, template, **extra):
    """proposal, reminder, withdrawn, ended, closed: to the volunteer of `match`."""
    email = _volunteer_email(match)
    if email is None:
        return
    context = {"match": match, "request": match.help_request, **proposal_links(match), **extra}
    # No resident: what a volunteer is mailed holds nothing of the resident (see the module docstring).
    _mail(template, email, context, organisation_id=match.organisation_id)


def tell_coordinators(match, template, **extra):
    """accepted, declined, expired, volunteer_left: to every coordinator of the organisation."""
    context = {
        "match": match,
        "request": match.help_request,
        "link": absolute(
            reverse(
                "matching:request_detail",
                kwargs={"org": match.help_request.organisation.slug, "help_request": match.help_request_id},
            )
        ),
        **extra,
    }
    for email in _coordinator_emails(match.organisation_id):
        _mail(
            template,
            email,
            context,
            organisation_id=match.organisation_id,
            resident_id=match.help_request.resident_id,
        )


def tell_about_vog(volunteer, days_left):
    """The six-week warning before a certificate of conduct expires: to the volunteer and the coordinators."""
    context = {"volunteer": volunteer, "days_left": days_left}
    recipients = _coordinator_emails(volunteer.organisation_id)
    if volunteer.user is not None and volunteer.user.is_active:
        _mail("vog_expiring_volunteer", volunteer.user.email, context, organisation_id=volunteer.organisation_id)
    for email in recipients:
        _mail("vog_expiring", email, context, organisation_id=volunteer.organisation_id)


def _professional_emails(organisation_id):
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id, is_professional=True, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def tell_professionals(escalation):
    """A new escalation: to every professional of the organisation, with the link to their queue only."""
    context = {
        "organisation": escalation.help_request.organisation,
        "urgency": escalation.get_urgency_display(),
        "link": absolute(reverse("backstop_queue")),
    }
    for email in _professional_emails(escalation.organisation_id):
        _mail("escalation_new", email, context, organisation_id=escalation.organisation_id)


def tell_coordinators_handed_back(escalation):
    request = escalation.help_request
    context = {
        "request": request,
        "link": absolute(
            reverse("matching:request_detail", kwargs={"org": request.organisation.slug, "help_request": request.pk})
        ),
    }
    for email in _coordinator_emails(escalation.organisation_id):
        _mail(
            "handed_back", email, context, organisation_id=escalation.organisation_id, resident_id=request.resident_id
        )


def tell_coordinators_new_request(help_request):
    """A resident's online request came in: to every coordinator, the kind of help and the link only. The mail
    holds nothing of the resident (no name, no description: that may be about their health)."""
    organisation = help_request.organisation
    context = {
        "organisation": organisation,
        "category": help_request.category.name,
        "link": absolute(
            reverse("matching:request_detail", kwargs={"org": organisation.slug, "help_request": help_request.pk})
        ),
    }
    for email in _coordinator_emails(help_request.organisation_id):
        _mail(
            "new_request",
            email,
            context,
            organisation_id=help_request.organisation_id,
            resident_id=help_request.resident_id,
        )


def tell_coordinators_new_volunteer(volunteer):
    """Someone signed up as a volunteer (a candidate, 'aangemeld'): to every coordinator, to plan the intake."""
    organisation = volunteer.organisation
    context = {
        "organisation": organisation,
        "volunteer": volunteer,
        "link": absolute(
            reverse("matching:volunteer_detail", kwargs={"org": organisation.slug, "volunteer": volunteer.pk})
        ),
    }
    for email in _coordinator_emails(volunteer.organisation_id):
        _mail("new_volunteer", email, context, organisation_id=volunteer.organisation_id)
