"""netwerken's own entries in the registries: its menu items and its part of a person's data."""

import re

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import networks, phases, privacy, registry
from .models import Membership, NetworkMember, OutgoingEmail, Resident, User, Volunteer
from .roles import Role
from .validators import phone_variants

ERASED = "[gewist]"

registry.register_menu(Role.COORDINATOR, gettext_lazy("Coördinatie"), "netwerken:coordinator_dashboard", order=0)
registry.register_menu(Role.PROFESSIONAL, gettext_lazy("Wijkteam"), "netwerken:professional_dashboard", order=0)
registry.register_menu(Role.VOLUNTEER, gettext_lazy("Mijn vrijwilligerswerk"), "netwerken:volunteer_dashboard", order=0)
registry.register_menu(Role.ORG_ADMIN, gettext_lazy("Beheer"), "netwerken:admin_dashboard", order=0)
registry.register_menu(Role.ORG_ADMIN, gettext_lazy("Team"), "netwerken:staff_list", order=10)
registry.register_menu(Role.ORG_ADMIN, gettext_lazy("Buurten"), "netwerken:area_list", order=30)
registry.register_menu(
    Role.ORG_ADMIN, gettext_lazy("Financiers"), "netwerken:funder_list", order=35, when=lambda org: not org.is_funder
)
registry.register_menu(Role.FUNDER, gettext_lazy("Rapportage"), "netwerken:funder_dashboard", order=0)
# Resident networks: the coordinator, the wijkteam and the admin map them ("welke netwerken zijn er").
registry.register_menu(Role.COORDINATOR, gettext_lazy("Netwerken"), "netwerken:network_list", order=80)
registry.register_menu(Role.PROFESSIONAL, gettext_lazy("Netwerken"), "netwerken:network_list", order=80)
registry.register_menu(Role.ORG_ADMIN, gettext_lazy("Netwerken"), "netwerken:network_list", order=80)
for _role in (Role.ORG_ADMIN, Role.PROFESSIONAL, Role.COORDINATOR):
    registry.register_menu(_role, gettext_lazy("Fase"), "netwerken:phase_checklist", order=85)


# --- development phases: a new organisation starts with the seed's checklist; a card on two dashboards --------


def _phase_card(request):
    from .phase_selectors import phase_summary

    return {"phase_row": phase_summary(request.tenant.organisation)}


registry.register_organisation_setup(phases.phase_checklist_ensure)
registry.register_section("professional_dashboard", "phase", "netwerken/phases/_dashboard_card.html", _phase_card, 300)
registry.register_section("admin_dashboard", "phase", "netwerken/phases/_dashboard_card.html", _phase_card, 300)
for _role, _order in ((Role.COORDINATOR, 80), (Role.PROFESSIONAL, 60), (Role.ORG_ADMIN, 70)):
    registry.register_menu(_role, gettext_lazy("Activiteiten"), "netwerken:activity_list", order=_order)


def _volunteer_activities(request):
    """The volunteer's dashboard: the next sessions of the activities they organise (nothing when none)."""
    from .activity_selectors import volunteer_sessions
    from .selectors import volunteer_of_request

    sessions = volunteer_sessions(volunteer=volunteer_of_request(request))
    return {"organised_sessions": sessions} if sessions else None


registry.register_section(
    "volunteer_dashboard",
    "activities",
    "netwerken/activities/_dashboard_volunteer.html",
    _volunteer_activities,
    order=30,
)


# --- mail that mentions a person ----------------------------------------------------------------------


def _scrub_mail(organisation_id, strings, linked, *, recipient=False):
    """Unsent mail linked to the person is dropped, sent mail linked to them is blanked (and, when the mail
    went *to* them, its address too), and any other mail of the organisation that mentions one of
    `strings` (a name typed into a note) has it replaced."""
    OutgoingEmail.objects.filter(linked, sent_at__isnull=True).delete()
    blanked = {"subject": ERASED, "body_text": ERASED, "body_html": ""}
    if recipient:
        blanked["to"] = "gewist@gewist.invalid"
    OutgoingEmail.objects.filter(linked).update(**blanked)
    strings = sorted({s for s in strings if s and len(s) >= 3}, key=len, reverse=True)
    if not strings:
        return
    mentions = Q()
    for text in strings:
        mentions |= Q(subject__icontains=text) | Q(body_text__icontains=text) | Q(body_html__icontains=text)
    # A name is written in any case ("Jan de Vries", "jan De Vries"): matched and replaced regardless.
    pattern = re.compile("|".join(re.escape(text) for text in strings), re.IGNORECASE)
    for mail in OutgoingEmail.objects.filter(Q(organisation_id=organisation_id) | Q(organisation__isnull=True)).filter(
        mentions
    ):
        for field in ("subject", "body_text", "body_html"):
            setattr(mail, field, pattern.sub(ERASED, getattr(mail, field)))
        mail.save(update_fields=["subject", "body_text", "body_html"])


def identifying_strings_of_resident(resident):
    address = f"{resident.street} {resident.house_number}".strip() if resident.street else ""
    return [resident.name, resident.email, resident.street, address, *phone_variants(resident.phone)]


# --- residents --------------------------------------------------------------------------------------


def export_resident(resident):
    return {
        "naam": resident.name,
        "telefoon": resident.phone,
        "e-mail": resident.email,
        "straat": resident.street,
        "huisnummer": resident.house_number,
        "postcode": resident.postcode,
        "buurt": resident.area.name if resident.area else None,
        "geregistreerd_op": resident.created_at.isoformat(),
        "inzage": [
            {"wie": str(log.user) if log.user else None, "wat": log.get_action_display(), "wanneer": log.at.isoformat()}
            for log in privacy.access_logs_of(resident, limit=None)
        ],
    }


def erase_resident(resident, *, by, reason):
    _scrub_mail(resident.organisation_id, identifying_strings_of_resident(resident), Q(resident=resident))
    Resident.objects.filter(pk=resident.pk).update(
        name=_("Gewiste bewoner"),
        phone="",
        email="",
        street="",
        house_number="",
        postcode=resident.postcode[:4],  # the postcode area stays, for counts per neighbourhood
        latitude=None,
        longitude=None,
        erased_at=timezone.now(),
    )


def residents_to_keep(cutoff):
    # A resident registered within the period is kept even before their first request.
    return Resident.objects.filter(created_at__gte=cutoff).values_list("pk", flat=True)


# --- volunteers -------------------------------------------------------------------------------------


def export_volunteer(volunteer):
    user = volunteer.user
    return {
        "naam": volunteer.name,
        "e-mail": user.email if user else None,
        "telefoon": volunteer.phone,
        "postcode": volunteer.postcode,
        "huisnummer": volunteer.house_number,
        "buurten": [area.name for area in volunteer.areas.all()],
        "maximale_afstand_km": str(volunteer.max_distance_km) if volunteer.max_distance_km is not None else None,
        "beschikbaarheid": volunteer.availability_text,
        "talen": volunteer.language_list,
        "voorkeur": volunteer.get_preference_display(),
        "hulpvragen_per_maand": volunteer.max_requests_per_month,
        "status": volunteer.get_status_display(),
        "vog": {
            "gezien": volunteer.vog_seen,
            "datum": volunteer.vog_date.isoformat() if volunteer.vog_date else None,
            "geldig_tot": volunteer.vog_expires.isoformat() if volunteer.vog_expires else None,
        },
        "pauze": {
            "vanaf": volunteer.paused_from.isoformat() if volunteer.paused_from else None,
            "tot_en_met": volunteer.paused_until.isoformat() if volunteer.paused_until else None,
        },
        "toestemming": {
            "tekst": volunteer.consent.text,
            "hoe": volunteer.consent.get_method_display(),
            "wanneer": volunteer.consent.given_at.isoformat(),
        },
        "aangemeld_op": volunteer.created_at.isoformat(),
    }


def erase_volunteer(volunteer, *, by, reason):
    membership, user = volunteer.membership, volunteer.user
    strings = [*phone_variants(volunteer.phone)]
    linked = Q(pk__in=[])
    if user is not None:
        strings += [user.name, user.email]
        linked = Q(to__iexact=user.email, organisation_id=volunteer.organisation_id)
    _scrub_mail(volunteer.organisation_id, strings, linked, recipient=True)
    volunteer.areas.clear()
    Volunteer.objects.filter(pk=volunteer.pk).update(
        membership=None,
        sort_name=None,
        phone="",
        house_number="",
        postcode=volunteer.postcode[:4],
        latitude=None,
        longitude=None,
        max_distance_km=None,
        availability=0,
        languages="",
        status=Volunteer.Status.INACTIVE,
        vog_seen=False,
        vog_date=None,
        vog_expires=None,
        paused_from=None,
        paused_until=None,
        erased_at=timezone.now(),
    )
    if membership is None:
        return
    membership.is_volunteer = False
    if membership.roles:
        membership.save(update_fields=["is_volunteer"])
    else:
        membership.delete()
    if (
        user is not None
        and not user.is_staff
        and not Membership.objects.with_scopes_disabled().filter(user=user).exists()
    ):
        _anonymise_user(user)


def _anonymise_user(user):
    """The account of someone who belongs to no organisation any more: no name, no address, no login."""
    from allauth.account.models import EmailAddress

    _scrub_mail(None, [user.email, user.name], Q(to__iexact=user.email), recipient=True)
    EmailAddress.objects.filter(user=user).delete()
    user.email = f"gewist-{user.pk}@gewist.invalid"
    user.name = ""
    user.is_active = False
    user.set_unusable_password()
    User.objects.filter(pk=user.pk).update(email=user.email, name="", is_active=False, password=user.password)


privacy.register(
    privacy.DataPart(
        key="bewoner",
        order=900,
        export_resident=export_resident,
        erase_resident=erase_resident,
        residents_to_keep=residents_to_keep,
    )
)
privacy.register(
    privacy.DataPart(key="vrijwilliger", order=900, export_volunteer=export_volunteer, erase_volunteer=erase_volunteer)
)


# --- resident networks: a person's place in a network ------------------------------------------------------


def _network_memberships(rows):
    return [
        {
            "netwerk": member.network.name,
            "naam": member.name or None,
            "telefoon": member.phone or None,
            "lid_sinds": member.joined_on.isoformat(),
            "gestopt_op": member.left_on.isoformat() if member.left_on else None,
        }
        for member in rows.select_related("network").order_by("joined_on", "pk")
    ]


def export_resident_networks(resident):
    return _network_memberships(NetworkMember.objects.filter(resident=resident))


def export_volunteer_networks(volunteer):
    return _network_memberships(NetworkMember.objects.filter(volunteer=volunteer))


def erase_resident_networks(resident, *, by, reason):
    networks.erase_network_members(NetworkMember.objects.filter(resident=resident))


def erase_volunteer_networks(volunteer, *, by, reason):
    networks.erase_network_members(NetworkMember.objects.filter(volunteer=volunteer))


def residents_in_networks(cutoff):
    """Residents still in a network, or who left it within the retention period."""
    return (
        NetworkMember.objects.filter(resident__isnull=False)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=cutoff.date()))
        .values_list("resident_id", flat=True)
        .distinct()
    )


privacy.register(
    privacy.DataPart(
        key="netwerken",
        order=500,
        export_resident=export_resident_networks,
        erase_resident=erase_resident_networks,
        residents_to_keep=residents_in_networks,
        export_volunteer=export_volunteer_networks,
        erase_volunteer=erase_volunteer_networks,
    )
)


# --- activities: who signed up for and came to which session ------------------------------------------


def _participations(**member):
    from .models import Participation

    rows = (
        Participation.objects.filter(**{f"member__{key}": value for key, value in member.items()})
        .select_related("session__activity__network")
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "activiteit": row.session.activity.title,
            "netwerk": row.session.activity.network.name,
            "wanneer": row.session.starts_at.isoformat(),
            "aangemeld": row.signed_up,
            "was_er": row.attended,
        }
        for row in rows
    ]


# Attendance stays for the counts after erasure (a member without a name is "Gewiste deelnemer"); the
# network membership itself is the networks' part.
privacy.register(
    privacy.DataPart(
        key="activiteiten",
        order=500,
        export_resident=lambda resident: _participations(resident=resident),
        export_volunteer=lambda volunteer: _participations(volunteer=volunteer),
    )
)
