"""Demo data: two buurthulp organisations, one account per role, a municipality that funds both,
and per organisation its areas, help categories, about 40 volunteers with their offers and about 60
residents' requests in every status, with a real status history.

seed() is idempotent: it looks everything up by its natural key and only creates what is missing,
and puts roles and names back the way the demo needs them. The people and requests come from
netwerken.demo_data, which draws them from fixed lists with a fixed random seed per organisation;
dates relative to today are computed only when a row is created, so a second run changes nothing.
Volunteers are keyed by their e-mail address, residents by name and address, requests by resident
and description.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from . import demo_data
from .models import Area, Consent, Funding, Membership, Organisation, Resident, User, Volunteer
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


def _user(email, name, password):
    user, _created = User.objects.get_or_create(email=email, defaults={"name": name})
    password.apply(user)
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


def seed():
    """Creates what is missing of the demo. Three steps, each in its own transaction (see below)."""
    password = _DemoPassword()
    with scopes_disabled(), translation.override("nl"):
        with transaction.atomic():
            organisations, staff = [], {}
            for data in ORGANISATIONS:
                org, _created = Organisation.objects.update_or_create(
                    slug=data["slug"], defaults={**data, "kind": Organisation.Kind.PROVIDER}
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

    from . import services

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
            services.organisation_setup_defaults(organisation=org)
            areas = {area.name: area for area in Area.objects.filter(organisation=org)}
            categories = {category.name: category for category in Category.objects.filter(organisation=org)}
            later = _Timestamps()
            _seed_volunteers(org, staff, areas, categories, later)
            later.save()
        with transaction.atomic():
            later = _Timestamps()
            _seed_requests(org, staff, categories, later)
            later.save()


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

    from . import availability, services
    from .consent import volunteer_consent_text

    specs = demo_data.volunteer_specs(org.slug)
    demo_user = staff[Role.VOLUNTEER]
    have_profile = set(Volunteer.objects.filter(organisation=org).values_list("membership__user__email", flat=True))
    missing = [spec for spec in specs if spec["email"] not in have_profile]
    if demo_user.email not in have_profile:
        missing.append({**demo_data.demo_volunteer_spec(org.slug), "email": demo_user.email, "name": None})
    if not missing:
        return

    users = {user.email: user for user in User.objects.filter(email__in=[spec["email"] for spec in missing])}
    new_users = []
    for spec in missing:
        if spec["email"] not in users:
            # Volunteers of the demo never log in: no password, no verified address.
            user = User(email=spec["email"], name=spec["name"])
            user.set_unusable_password()
            new_users.append(user)
    for user in User.objects.bulk_create(new_users):
        users[user.email] = user

    now = timezone.now()
    today = timezone.localdate()
    coordinator = staff[Role.COORDINATOR]
    consent_text = volunteer_consent_text(org)
    for spec in missing:
        user = users[spec["email"]]
        volunteer = services.volunteer_register(
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
            services.volunteer_pause(
                volunteer=volunteer,
                paused_from=today - datetime.timedelta(days=3),
                paused_until=today + datetime.timedelta(days=16),
            )
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


def _seed_requests(org, staff, categories, later):
    from matching import lifecycle
    from matching import services as matching_services
    from matching.models import HelpRequest, StatusChange

    from . import availability, services
    from .consent import resident_online_consent_text, resident_phone_consent_text

    residents = {(r.name, r.postcode, r.house_number): r for r in Resident.objects.filter(organisation=org)}
    have = set(
        HelpRequest.objects.filter(organisation=org).values_list(
            "resident__name", "resident__postcode", "resident__house_number", "description"
        )
    )
    now = timezone.now()
    today = timezone.localdate()
    coordinator, professional = staff[Role.COORDINATOR], staff[Role.PROFESSIONAL]
    phone_text, online_text = resident_phone_consent_text(org), resident_online_consent_text(org)
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
        for request in todo:
            created = _moment(now, request["days_ago"], request["hour"], request["minute"])
            online = request["channel"] == HelpRequest.Channel.ONLINE
            date = None
            if request["date_in_days"] is not None:
                if request["status"] == HelpRequest.Status.DONE:
                    date = (created + (now - created) * 0.6).date()  # it happened, before it was closed
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
            previous = HelpRequest.Status.NEW
            for to_status, reason in request["path"]:
                # The wijkteam hands an escalated request back; the coordinator makes every other move.
                by = professional if previous == HelpRequest.Status.ESCALATED else coordinator
                lifecycle.request_transition(help_request=help_request, to_status=to_status, by=by, reason=reason)
                previous = to_status
            changes = list(StatusChange.objects.filter(help_request=help_request).order_by("pk"))
            for change, moment in zip(changes, _history(created, now, len(changes)), strict=True):
                later.set(change, at=moment)
            last = changes[-1].at
            later.set(help_request, created_at=created, status_changed_at=last, updated_at=last)
            later.set(help_request.consent, given_at=created)
