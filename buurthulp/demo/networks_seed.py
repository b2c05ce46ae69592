"""Demo data of issue 10: per organisation its resident networks with their people, recurring activities
with months of sessions (across a change to or from summer time), attendance and sign-ups, the organisers'
hours, the phase checklist in progress; the fee ledger of the "extraatje" organisation and the reciprocity
of the "voor elkaar" one.

Like the rest of the seed it is idempotent: a network is looked up by its name and only made (with its
members, activities, sessions and attendance) when it is missing; the checklist, the phase move, the fees
and the links between volunteers and residents are only added where they are not there yet. Everything is
drawn with a random.Random seeded per organisation and network, and dates relative to today are computed
only when a row is created.

Everything goes through the services, as a coordinator or organiser would: networks and members
(netwerken/networks.py), activities, sessions and attendance (netwerken/activities.py), the checklist
(netwerken/phases.py), hours (matching/hours.py), fees, corrections and payments (matching/fees.py), residents
and their links to volunteers (netwerken/services.py, matching/proposals.py). Only the history before the demo's
today is written as a record: the phase move of months ago.
"""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from netwerken import activities, networks, phases, recurrence
from netwerken.models import (
    ActivitySession,
    Area,
    Network,
    NetworkMember,
    Organisation,
    Participation,
    PhaseChecklistItem,
    PhaseMove,
    Resident,
    Volunteer,
)
from netwerken.roles import Role

from . import data as demo_data

TWO_PLACES = Decimal("0.01")


def seed_networks(org, staff):
    """Everything of issue 10 for one organisation, in the organisation's scope (the caller's)."""
    with transaction.atomic():
        _seed_networks(org, staff)
    with transaction.atomic():
        _seed_phases(org, staff)
    if org.help_type == Organisation.HelpType.MODEST_FEE:
        with transaction.atomic():
            _seed_fees(org, staff)
    if org.help_type == Organisation.HelpType.MUTUAL:
        with transaction.atomic():
            _seed_reciprocity(org, staff)


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def _aware(day, time):
    """Wall time in Amsterdam on `day` (10:00 stays 10:00 in winter and in summer)."""
    return datetime.datetime.combine(day, time, tzinfo=_tz())


def _demo_volunteer(org):
    return Volunteer.objects.select_related("membership__user").get(
        organisation=org, membership__user__email=f"vrijwilliger@{org.slug}.demo"
    )


# --- networks, members, activities ------------------------------------------------------------------------


def _seed_networks(org, staff):
    known = set(Network.objects.filter(organisation=org).values_list("name", flat=True))
    specs = [spec for spec in demo_data.NETWORKS[org.slug] if spec[1] not in known]
    if not specs:
        return
    base_seed = demo_data.ORGANISATION_DATA[org.slug]["seed"]
    areas = list(Area.objects.filter(organisation=org).order_by("pk"))
    residents = list(Resident.objects.filter(organisation=org, erased_at=None, volunteer=None).order_by("name", "pk"))
    demo = _demo_volunteer(org)
    volunteers = list(
        Volunteer.objects.filter(organisation=org, status=Volunteer.Status.ACTIVE, erased_at=None)
        .exclude(pk=demo.pk)
        .select_related("membership__user")
        .order_by("membership__user__email")
    )
    today = timezone.localdate()
    now = timezone.now()
    for n, (key, name, kind, area_indexes, contact, months, size) in enumerate(demo_data.NETWORKS[org.slug]):
        if name in known:
            continue
        rng = random.Random(f"{base_seed}:{key}")
        started = today - datetime.timedelta(days=round(30.5 * months))
        helpers = rng.sample(volunteers, 3 if key in ("wandelgroep", "samen_eten") else 2)
        if key == "wandelgroep":
            helpers = [demo, *helpers[:2]]
        network = _network_create(
            organisation=org,
            name=name,
            kind=kind,
            description=demo_data.NETWORK_DESCRIPTIONS[key],
            areas=[areas[i] for i in area_indexes if i < len(areas)],
            contact_name=contact[0] if contact else "",
            contact_phone=contact[1] if contact else "",
            contact_volunteer=None if contact else helpers[0],
            started_on=started,
            phase=Organisation.Phase.RUNNING if kind == Network.Kind.NEW_INITIATIVE else "",
            by=staff[Role.COORDINATOR],
        )
        members = _seed_members(org, network, rng, residents, helpers, size, started, today, n, staff[Role.COORDINATOR])
        for activity_spec in demo_data.ACTIVITIES[key]:
            _seed_activity(org, staff, network, activity_spec, members, helpers, rng, today, now)


def _network_create(*, organisation, name, kind, description, areas, contact_name, contact_phone,
                    contact_volunteer, started_on, phase, by):  # fmt: skip
    return networks.network_save(
        organisation=organisation,
        name=name,
        kind=kind,
        description=description,
        areas=areas,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_volunteer=contact_volunteer,
        started_on=started_on,
        phase=phase,
        by=by,
    )


def _seed_members(org, network, rng, residents, helpers, size, started, today, n, by):
    """Mostly residents without an account, the network's volunteers, a few known only by name; most there
    from the start, a few joined since (new people over time)."""
    offset = (n * 11) % max(len(residents), 1)
    pool = residents[offset:] + residents[:offset]
    names = demo_data.NETWORK_OTHER_NAMES
    chosen_residents = rng.sample(pool[: max(size * 2, 1)], min(size - len(helpers) - 2, len(pool)))
    rows = []
    span = (today - started).days
    people = [("volunteer", v) for v in helpers] + [("resident", r) for r in chosen_residents]
    people += [("name", names[(n + k) % len(names)]) for k in range(2)]
    for k, (what, who) in enumerate(people):
        # founders first; the last quarter joined along the way, the latest a few weeks ago
        if k < len(people) * 3 // 4:
            joined = started
        else:
            joined = started + datetime.timedelta(days=round(span * (0.3 + 0.6 * rng.random())))
        row = NetworkMember(organisation=org, network=network, joined_on=min(joined, today))
        if what == "volunteer":
            row.volunteer = who
        elif what == "resident":
            row.resident = who
        else:
            row.name = who
        rows.append(row)
    return _members_add(rows, by)


def _members_add(rows, by):
    for row in rows:
        networks.network_member_add(
            network=row.network,
            resident=row.resident,
            volunteer=row.volunteer,
            name=row.name,
            phone=row.phone,
            joined_on=row.joined_on,
            by=by,
        )
    network = rows[0].network
    return list(NetworkMember.objects.filter(network=network).order_by("joined_on", "pk"))


def _seed_activity(org, staff, network, spec, members, helpers, rng, today, now):
    title, rrule, start, minutes, place, capacity, weeks, organiser_kind, (low, high) = spec
    start_time = datetime.time.fromisoformat(start)
    first = today - datetime.timedelta(weeks=weeks)
    if rrule:
        # the series' first day is its first occurrence: the weekday the rule names, on or after `first`
        first = _first_occurrence(rrule, first, start_time)
    organiser = None
    if organiser_kind == "demo":
        organiser = helpers[0]
    elif organiser_kind == "member":
        organiser = helpers[1] if len(helpers) > 1 else helpers[0]
    place = place.format(**demo_data.ORGANISATION_DATA[org.slug]["places"])
    activity = _activity_create(
        network=network,
        title=title,
        place=place,
        area=network.areas.order_by("pk").first(),
        capacity=capacity,
        organiser=organiser,
        start_date=first,
        start_time=start_time,
        duration_minutes=minutes,
        rrule=rrule,
        by=staff[Role.COORDINATOR],
    )
    sessions = _sessions_generate(activity)
    if rrule and network.kind == Network.Kind.NEW_INITIATIVE and title == "Dinsdagwandeling":
        past = [s for s in sessions if s.starts_at < now]
        coming = [s for s in sessions if s.starts_at >= now]
        if len(past) > 8:
            _session_cancel(session=past[-7], note=demo_data.SESSION_CANCELLED, by=staff[Role.COORDINATOR])
        if len(coming) > 2:
            moved = coming[2]
            _session_move(
                session=moved,
                starts_at=moved.starts_at + datetime.timedelta(days=1),
                note=demo_data.SESSION_MOVED,
                by=organiser.user,
            )
        sessions = list(ActivitySession.objects.filter(activity=activity).order_by("starts_at", "pk"))
    _seed_attendance(org, activity, sessions, members, organiser, rng, now, low, high)


def _first_occurrence(rule, day, start_time):
    from dateutil.rrule import rrulestr

    start = datetime.datetime.combine(day, start_time)
    return rrulestr(rule, dtstart=start).after(start, inc=True).date()


def _activity_create(*, network, title, place, area, capacity, organiser, start_date, start_time,
                     duration_minutes, rrule, by):  # fmt: skip
    # The demo's rules are the plain choices the form offers, on the weekday of the first day.
    repeat = recurrence.repeat_of(rrule)
    return activities.activity_save(
        network=network,
        title=title,
        place=place,
        area=area,
        capacity=capacity,
        organiser=organiser,
        start_date=start_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        repeat=repeat,
        by=by,
    )


def _sessions_generate(activity):
    """The activity's sessions from its first day up to 90 days ahead (activity_save made them)."""
    activities.activity_sessions_generate(activity=activity)
    return list(ActivitySession.objects.filter(activity=activity).order_by("starts_at", "pk"))


def _session_cancel(*, session, note, by):
    activities.session_cancel(session=session, note=note, by=by)


def _session_move(*, session, starts_at, note, by):
    activities.session_move(session=session, starts_at=starts_at, note=note, by=by)


def _seed_attendance(org, activity, sessions, members, organiser, rng, now, low, high):
    """Who came to each past session (5–15, the regulars most often, newcomers from the day they joined),
    who signed up for the next one; the organiser's hours for each session held."""
    recorder = organiser.user if organiser else None
    regulars = {member.pk: 0.55 + 0.4 * rng.random() for member in members}
    rows, hours = [], []
    upcoming = [s for s in sessions if s.starts_at >= now and s.status == ActivitySession.Status.PLANNED]
    for session in sessions:
        if session.status == ActivitySession.Status.CANCELLED:
            continue
        day = timezone.localtime(session.starts_at).date()
        eligible = [m for m in members if m.joined_on <= day]
        if session.starts_at < now:
            wanted = min(len(eligible), rng.randint(low, high))
            ranked = sorted(eligible, key=lambda m: rng.random() * regulars[m.pk], reverse=True)
            came = ranked[:wanted]
            if organiser and not any(m.volunteer_id == organiser.pk for m in came):
                came += [m for m in eligible if m.volunteer_id == organiser.pk]
            recorded = min(session.ends_at + datetime.timedelta(hours=1), now)
            for member in came:
                rows.append(
                    Participation(
                        organisation=org,
                        session=session,
                        member=member,
                        signed_up=rng.random() < 0.4,
                        attended=True,
                        recorded_by=recorder,
                        recorded_at=recorded,
                    )
                )
            if organiser:
                hours.append((organiser, session, day, activity.duration_minutes + 30))
        elif upcoming and session.pk == upcoming[0].pk and high:
            for member in eligible[: max(3, (low + high) // 2)]:
                rows.append(
                    Participation(
                        organisation=org, session=session, member=member, signed_up=True, recorded_by=recorder
                    )
                )
    _participations_add(rows)
    _hours_add(org, hours)


def _participations_add(rows):
    """Through the organiser's own service: a full activity refuses one sign-up too many here as well."""
    for row in rows:
        activities.participation_set(
            session=row.session, member=row.member, signed_up=row.signed_up, attended=row.attended, by=row.recorded_by
        )


def _hours_add(org, hours):
    """The organiser's time for a session: the session itself and half an hour to set up and clear away,
    logged by the organiser themselves (the service checks it is their own session)."""
    from matching import hours as volunteer_hours

    for volunteer, session, day, minutes in hours:
        volunteer_hours.hours_log(
            volunteer=volunteer,
            session=session,
            date=day,
            minutes=minutes,
            note="Klaarzetten, begeleiden en opruimen.",
            by=volunteer.user,
        )


# --- phases ---------------------------------------------------------------------------------------------------


def _checklist_ensure(org):
    phases.phase_checklist_ensure(organisation=org)
    return list(PhaseChecklistItem.objects.filter(organisation=org, network=None).order_by("phase", "position", "pk"))


def _item_update(*, item, owner, due, done, notes, by):
    phases.checklist_item_update(item=item, owner=owner, due=due, done=done, notes=notes, by=by)


def _seed_phases(org, staff):
    """The organisation's checklist: the items of the phases behind it and some of its own done, with an owner
    and a date; the first open one is overdue. The organisation setting up came from "verkennen" months ago."""
    items = _checklist_ensure(org)
    if any(item.done or item.owner_id for item in items):
        return
    today = timezone.localdate()
    admin, coordinator = staff[Role.ORG_ADMIN], staff[Role.COORDINATOR]
    done_counts = demo_data.CHECKLIST_DONE[org.slug]
    order = [phase for phase, _label in Organisation.Phase.choices]
    current = order.index(org.phase)
    by_phase = {}
    for item in items:
        by_phase.setdefault(item.phase, []).append(item)
    overdue_given = False
    for index, phase in enumerate(order):
        if index > current:
            break
        done = done_counts.get(phase, 0)
        for k, item in enumerate(by_phase.get(phase, [])):
            owner = admin if k % 2 == 0 else coordinator
            if k < done:
                due = today - datetime.timedelta(days=30 * (current - index + 1) + 7 * k)
                _item_update(item=item, owner=owner, due=due, done=True, notes="", by=admin)
            elif index == current or phase == "verkennen":
                if not overdue_given:
                    due = today - datetime.timedelta(days=9)
                    overdue_given = True
                else:
                    due = today + datetime.timedelta(days=14 * (k - done + 1))
                _item_update(item=item, owner=owner, due=due, done=False, notes="", by=admin)
    if org.phase == Organisation.Phase.SETTING_UP and not PhaseMove.objects.filter(organisation=org).exists():
        moved = timezone.now() - datetime.timedelta(days=95)
        open_items = [
            item.title
            for item in PhaseChecklistItem.objects.filter(organisation=org, network=None, phase="verkennen", done=False)
        ]
        _phase_moved(org, open_items, moved, admin)


def _phase_moved(org, open_items, at, by):
    PhaseMove.objects.create(
        organisation=org,
        from_phase=Organisation.Phase.EXPLORING,
        to_phase=Organisation.Phase.SETTING_UP,
        open_items=open_items,
        note=demo_data.PHASE_MOVE_NOTE,
        by=by,
        at=at,
    )


# --- "een extraatje bijverdienen": fees ----------------------------------------------------------------------------


def _seed_fees(org, staff):
    """The fee agreed per category, some helpers job-seeking or re-integrating, a fee for each closed match
    (per hour from its contact moments, or per job), one correction, and payments for most."""
    from matching.models import Category, ContactLog, FeeEntry, Match

    for category in Category.objects.filter(organisation=org, fee_unit=""):
        if category.name in demo_data.FEES:
            unit, amount = demo_data.FEES[category.name]
            _category_fee_set(category=category, unit=unit, amount=Decimal(amount))
    volunteers = list(
        Volunteer.objects.filter(organisation=org, status=Volunteer.Status.ACTIVE)
        .exclude(membership__user__email=f"vrijwilliger@{org.slug}.demo")
        .order_by("pk")
    )
    if not Volunteer.objects.filter(organisation=org).filter(job_seeker=True).exists():
        for k, volunteer in enumerate(volunteers):
            if k % 3 in (0, 1):
                _volunteer_mark(volunteer=volunteer, job_seeker=k % 3 == 0, reintegrating=k % 3 == 1)
    coordinator = staff[Role.COORDINATOR]
    booked = set(FeeEntry.objects.filter(organisation=org, kind=FeeEntry.Kind.FEE).values_list("match_id", flat=True))
    closed = (
        Match.objects.filter(organisation=org, status=Match.Status.CLOSED, help_request__category__fee_amount__gte=0)
        .exclude(pk__in=booked)
        .select_related("help_request__category", "help_request__resident", "volunteer")
        .order_by("closed_at", "pk")
    )
    minutes = {}
    for match_id, logged in ContactLog.objects.filter(organisation=org).values_list("match_id", "minutes"):
        minutes[match_id] = minutes.get(match_id, 0) + logged
    for match in closed:
        category = match.help_request.category
        if category.fee_unit == "uur":
            quantity = max(Decimal(1), (Decimal(minutes.get(match.pk, 60)) / 30).to_integral_value() / 2)
        else:
            quantity = Decimal(1)
        _fee_book(
            match=match,
            date=timezone.localtime(match.closed_at).date(),
            quantity=quantity,
            by=coordinator,
        )
    fees = list(
        FeeEntry.objects.filter(organisation=org, kind=FeeEntry.Kind.FEE)
        .select_related("volunteer")
        .order_by("date", "pk")
    )
    if fees and not FeeEntry.objects.filter(organisation=org, kind=FeeEntry.Kind.CORRECTION).exists():
        wrong = next((fee for fee in fees if fee.unit == "uur" and fee.quantity > 1), fees[0])
        _fee_correct(
            entry=wrong,
            amount=-(wrong.rate / 2 if wrong.unit == "uur" else wrong.amount / 2).quantize(TWO_PLACES),
            reason=demo_data.FEE_CORRECTION_REASON,
            date=wrong.date + datetime.timedelta(days=2),
            by=coordinator,
        )
    if fees and not FeeEntry.objects.filter(organisation=org, kind=FeeEntry.Kind.PAYMENT).exists():
        today = timezone.localdate()
        # the last few are still open; every fourth the organisation pays (a resident with a small purse)
        for k, fee in enumerate(fees[:-3]):
            owed = fee.amount + sum(
                (c.amount for c in FeeEntry.objects.filter(corrects=fee, kind=FeeEntry.Kind.CORRECTION)), Decimal(0)
            )
            by_organisation = k % 4 == 3
            _fee_record_payment(
                fee=fee,
                amount=owed,
                paid_by=FeeEntry.PaidBy.ORGANISATION if by_organisation else FeeEntry.PaidBy.RESIDENT,
                date=min(fee.date + datetime.timedelta(days=3 + k % 8), today),
                by=coordinator,
            )


def _category_fee_set(*, category, unit, amount):
    from matching import services as matching_services

    matching_services.category_save(
        organisation=category.organisation,
        category=category,
        name=category.name,
        requires_vog=category.requires_vog,
        active=category.active,
        fee_unit=unit,
        fee_amount=amount,
    )


def _volunteer_mark(*, volunteer, job_seeker, reintegrating):
    from netwerken import services

    services.volunteer_intake(
        volunteer=volunteer,
        by=None,
        status=volunteer.status,
        vog_seen=volunteer.vog_seen,
        vog_date=volunteer.vog_date,
        vog_expires=volunteer.vog_expires,
        job_seeker=job_seeker,
        reintegrating=reintegrating,
    )


def _fee_book(*, match, date, quantity, by):
    from matching import fees

    return fees.fee_book(match=match, quantity=quantity, date=date, by=by)


def _fee_correct(*, entry, amount, reason, date, by):
    """`amount`: the difference; the service takes what the fee should come to."""
    from matching import fees

    return fees.fee_correct(entry=entry, amount=fees.entry_total(entry) + amount, reason=reason, by=by)


def _fee_record_payment(*, fee, amount, paid_by, date, by):
    from matching import fees

    return fees.fee_record_payment(
        volunteer=fee.volunteer, resident=fee.resident, amount=amount, paid_by=paid_by, date=date, by=by
    )


# --- "er zijn voor elkaar": reciprocity ------------------------------------------------------------------------


def _seed_reciprocity(org, staff):
    """Volunteers who are residents too (the same person asks and helps): the demo volunteer and three others
    who help now or helped, each linked to their resident record. Their meetings in which the resident helped
    back were logged as mutual with the help (seed.py's follow_up), so it counts both ways."""
    from matching.models import Match
    from netwerken import services

    if Volunteer.objects.filter(organisation=org).exclude(resident=None).exists():
        return
    demo = _demo_volunteer(org)
    helping = (
        Volunteer.objects.filter(
            organisation=org,
            status=Volunteer.Status.ACTIVE,
            matches__status__in=(Match.Status.ACCEPTED, Match.Status.CLOSED),
            matches__contact_logs__mutual=True,
        )
        .exclude(pk=demo.pk)
        .select_related("membership__user", "organisation")
        .distinct()
        .order_by("membership__user__email")
    )
    for volunteer in [demo, *list(helping)[:3]]:
        resident = services.resident_create(
            organisation=org,
            name=volunteer.name,
            phone=volunteer.phone,
            postcode=volunteer.postcode,
            house_number=volunteer.house_number,
        )
        services.volunteer_link_resident(volunteer=volunteer, resident=resident, by=staff[Role.COORDINATOR])
