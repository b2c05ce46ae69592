import datetime
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from buurthulp.demo import data as demo_data
from buurthulp.demo.seed import DEMO_ACCOUNTS, POOL_HISTORY_TEXT
from matching.models import (
    Category,
    ContactLog,
    HelpRequest,
    Match,
    MatchingSettings,
    MatchSuggestion,
    Offer,
    SatisfactionResponse,
    StatusChange,
)
from netwerken.models import (
    Area,
    AreaPostcode,
    Consent,
    Funding,
    Membership,
    Organisation,
    OutgoingEmail,
    Resident,
    User,
    Volunteer,
)

SLUGS = ("oranjekwartier", "lombok", "achterveld")
S = HelpRequest.Status
M = Match.Status


def _rows(queryset, *fields):
    # repr as the sort key: rows mix None with dates and numbers.
    return sorted(queryset.values_list(*fields), key=repr)


def _snapshot():
    with scopes_disabled():
        volunteers = Volunteer.objects.all()
        return {
            "organisations": sorted(
                Organisation.objects.values_list("slug", "name", "municipality", "kind", "help_type", "phase")
            ),
            "users": sorted(User.objects.values_list("email", "name", "is_active", "date_joined")),
            "memberships": sorted(
                Membership.objects.values_list(
                    "user__email",
                    "organisation__slug",
                    "is_volunteer",
                    "is_coordinator",
                    "is_professional",
                    "is_org_admin",
                    "is_funder",
                    "created_at",
                )
            ),
            "fundings": sorted(Funding.objects.values_list("funder__slug", "organisation__slug")),
            "areas": _rows(Area.objects.all(), "organisation__slug", "name", "latitude", "longitude"),
            "area_postcodes": _rows(AreaPostcode.objects.all(), "organisation__slug", "area__name", "prefix"),
            "categories": _rows(Category.objects.all(), "organisation__slug", "name", "requires_vog", "active"),
            "volunteers": _rows(
                volunteers,
                "organisation__slug",
                "membership__user__email",
                "phone",
                "postcode",
                "house_number",
                "area__name",
                "latitude",
                "longitude",
                "max_distance_km",
                "availability",
                "languages",
                "preference",
                "max_requests_per_month",
                "status",
                "activated_at",
                "intake_by__email",
                "vog_seen",
                "vog_date",
                "vog_expires",
                "paused_from",
                "paused_until",
                "consent__method",
                "consent__given_at",
                "created_at",
                "updated_at",
            ),
            "volunteer_categories": _rows(volunteers, "membership__user__email", "categories__name"),
            "volunteer_areas": _rows(volunteers, "membership__user__email", "areas__name"),
            "offers": _rows(
                Offer.objects.all(),
                "organisation__slug",
                "volunteer__membership__user__email",
                "category__name",
                "description",
                "availability",
                "active",
                "created_at",
                "updated_at",
            ),
            "residents": _rows(
                Resident.objects.all(),
                "organisation__slug",
                "name",
                "phone",
                "email",
                "postcode",
                "house_number",
                "street",
                "area__name",
                "created_at",
            ),
            "help_requests": _rows(
                HelpRequest.objects.all(),
                "organisation__slug",
                "resident__name",
                "category__name",
                "description",
                "kind",
                "date",
                "time_from",
                "time_to",
                "recurrence",
                "slots",
                "location",
                "area__name",
                "urgency",
                "mobility",
                "language",
                "pets",
                "key_safe",
                "particulars",
                "helpers_needed",
                "channel",
                "consent__method",
                "consent__recorded_by__email",
                "consent__given_at",
                "status",
                "status_changed_at",
                "created_by__email",
                "created_at",
                "updated_at",
                "suggestions_requested_at",
                "suggestions_computed_at",
            ),
            "status_changes": _rows(
                StatusChange.objects.all(),
                "organisation__slug",
                "help_request__resident__name",
                "help_request__description",
                "from_status",
                "to_status",
                "by__email",
                "at",
                "reason",
            ),
            "consents": _rows(Consent.objects.all(), "organisation__slug", "method", "text", "recorded_by__email"),
            "matches": _rows(
                Match.objects.all(),
                "organisation__slug",
                "help_request__resident__name",
                "help_request__description",
                "volunteer__membership__user__email",
                "place",
                "status",
                "score",
                "proposed_by__email",
                "proposed_at",
                "deadline",
                "reminder_sent_at",
                "responded_at",
                "decline_reason",
                "closed_at",
                "outcome",
                "closing_note",
            ),
            "contact_logs": _rows(
                ContactLog.objects.all(),
                "match__help_request__description",
                "match__volunteer__membership__user__email",
                "date",
                "minutes",
                "note",
                "logged_by__email",
                "created_at",
            ),
            "satisfaction": _rows(
                SatisfactionResponse.objects.all(),
                "match__help_request__description",
                "match__volunteer__membership__user__email",
                "respondent",
                "helped",
                "would_again",
                "comment",
                "recorded_by__email",
                "created_at",
            ),
            "suggestions": _rows(
                MatchSuggestion.objects.all(),
                "help_request__resident__name",
                "help_request__description",
                "volunteer__membership__user__email",
                "score",
                "criteria",
                "computed_at",
            ),
            "matching_settings": _rows(
                MatchingSettings.objects.all(), "organisation__slug", "auto_propose_next", "proposal_hours"
            ),
            "outgoing_emails": OutgoingEmail.objects.count(),
            **_issue_10_snapshot(),
        }


def _issue_10_snapshot():
    """Networks, activities, sessions, attendance, hours, phases, fees and reciprocity (networks_seed)."""
    from matching.models import FeeEntry, HoursEntry
    from netwerken.models import (
        Activity,
        ActivitySession,
        Network,
        NetworkMember,
        Participation,
        PhaseChecklistItem,
        PhaseMove,
    )

    return {
        "networks": _rows(
            Network.objects.all(),
            "organisation__slug",
            "name",
            "kind",
            "contact_name",
            "contact_volunteer__membership__user__email",
            "status",
            "phase",
            "started_on",
        ),
        "network_areas": _rows(Network.objects.all(), "name", "areas__name"),
        "network_members": _rows(
            NetworkMember.objects.all(),
            "network__name",
            "resident__name",
            "volunteer__membership__user__email",
            "name",
            "joined_on",
        ),
        "activities": _rows(
            Activity.objects.all(),
            "network__name",
            "title",
            "organiser__membership__user__email",
            "start_date",
            "start_time",
            "rrule",
            "status",
        ),
        "sessions": _rows(
            ActivitySession.objects.all(), "activity__title", "original_start", "starts_at", "status", "note"
        ),
        "participations": _rows(
            Participation.objects.all(),
            "session__activity__network__name",
            "session__original_start",
            "member__pk",
            "signed_up",
            "attended",
        ),
        "hours_entries": _rows(HoursEntry.objects.all(), "volunteer__membership__user__email", "date", "minutes"),
        "checklist": _rows(
            PhaseChecklistItem.objects.all(), "organisation__slug", "phase", "title", "owner__email", "due", "done"
        ),
        "phase_moves": _rows(PhaseMove.objects.all(), "organisation__slug", "from_phase", "to_phase", "at"),
        "fee_entries": _rows(
            FeeEntry.objects.all(),
            "organisation__slug",
            "kind",
            "volunteer__membership__user__email",
            "match__help_request__description",
            "date",
            "quantity",
            "rate",
            "amount",
            "paid_by",
        ),
        "linked_volunteers": _rows(
            Volunteer.objects.exclude(resident=None), "membership__user__email", "resident__name"
        ),
        "mutual_contact_logs": ContactLog.objects.filter(mutual=True).count(),
    }


def test_seed_demo_twice_gives_the_same_data(db):
    call_command("seed_demo", force=True)
    first = _snapshot()
    call_command("seed_demo", force=True)
    assert _snapshot() == first
    # Days later too: dates relative to today are computed when a row is created, never again.
    later = timezone.now() + datetime.timedelta(days=3, hours=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("seed_demo", force=True)
    assert _snapshot() == first
    assert len(first["users"]) == 4 * len(SLUGS) + 1 + len(SLUGS) * demo_data.VOLUNTEERS_PER_ORGANISATION
    assert (
        "oranjekwartier",
        "Buurthulp Europa- en Oranjekwartier",
        "IJsselstein",
        "buurthulp",
        "liefdadigheid",
        "uitvoering",
    ) in first["organisations"]
    assert ("lombok", "Buurthulp Lombok", "Utrecht", "buurthulp", "voor_elkaar", "opzetten") in first["organisations"]
    assert ("achterveld", "Buurthulp Achterveld", "IJsselstein", "buurthulp", "extraatje", "verkennen") in first[
        "organisations"
    ]
    assert first["fundings"] == [("gemeente", "achterveld"), ("gemeente", "lombok"), ("gemeente", "oranjekwartier")]


def test_seed_restores_what_was_deleted_and_leaves_the_rest(db):
    call_command("seed_demo", force=True)
    first = _snapshot()
    with scopes_disabled():
        HelpRequest.objects.filter(organisation__slug="lombok", status=S.DONE).first().delete()
        Volunteer.objects.filter(
            organisation__slug="oranjekwartier", status=Volunteer.Status.REGISTERED
        ).first().delete()
    call_command("seed_demo", force=True)
    again = _snapshot()
    for key in ("organisations", "users", "areas", "categories", "offers", "residents"):
        assert again[key] == first[key], key
    for key in ("volunteers", "help_requests", "status_changes", "contact_logs", "satisfaction"):
        assert len(again[key]) == len(first[key]), key
    # the request that was done is again, with the same history of proposals, answers and closing
    assert Counter(row[5] for row in again["matches"]) == Counter(row[5] for row in first["matches"])
    assert again["matching_settings"] == first["matching_settings"]
    assert again["outgoing_emails"] == 0


def test_every_organisation_has_a_realistic_population(db):
    call_command("seed_demo", force=True)
    now = timezone.now()
    with scopes_disabled():
        for slug in SLUGS:
            org = Organisation.objects.get(slug=slug)
            coordinator = User.objects.get(email=f"coordinator@{slug}.demo")

            areas = Area.objects.filter(organisation=org)
            assert 3 <= areas.count() <= 4
            prefixes = list(AreaPostcode.objects.filter(organisation=org).values_list("prefix", flat=True))
            assert len(prefixes) == len(set(prefixes)) >= 4
            assert all(len(prefix) == 4 for prefix in prefixes)
            categories = Category.objects.filter(organisation=org)
            assert categories.count() == 9
            assert set(categories.filter(requires_vog=True).values_list("name", flat=True)) == set(
                demo_data.VOG_CATEGORIES
            )

            volunteers = Volunteer.objects.filter(organisation=org).select_related("membership__user")
            assert 38 <= volunteers.count() <= 45
            statuses = Counter(volunteers.values_list("status", flat=True))
            assert statuses[Volunteer.Status.ACTIVE] >= 28
            assert statuses[Volunteer.Status.REGISTERED] >= 3
            assert statuses[Volunteer.Status.INACTIVE] >= 2
            assert volunteers.filter(area=None).count() == 0
            assert volunteers.exclude(paused_from=None).count() >= 2
            assert all(v.membership.is_volunteer for v in volunteers)
            assert all(v.phone.startswith("06") and len(v.phone) == 10 for v in volunteers)
            assert all(v.availability for v in volunteers)
            languages = [set(v.language_list) for v in volunteers]
            assert sum("nl" in spoken for spoken in languages) >= 0.9 * len(languages)
            assert sum(bool(spoken & {"ar", "tr", "pl", "en"}) for spoken in languages) >= 5
            assert Offer.objects.filter(organisation=org).count() >= 25
            for name in demo_data.VOG_CATEGORIES:
                # enough volunteers with a valid certificate of conduct for these categories to be matched
                with_vog = [
                    v
                    for v in volunteers.filter(status=Volunteer.Status.ACTIVE, categories__name=name)
                    if v.vog_valid_on(timezone.localdate())
                ]
                assert len(with_vog) >= 2, (slug, name)
            # Every demo volunteer can log in with the demo password (README), with a verified address.
            for volunteer in volunteers.select_related("membership__user"):
                user = volunteer.membership.user
                assert user.check_password("buurthulp-demo"), user.email
                assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()

            # The demo's eight weeks of requests, and older help that ended before (the pool's history).
            history = HelpRequest.objects.filter(organisation=org, description=POOL_HISTORY_TEXT)
            assert history.exists() and not history.exclude(status=S.DONE).exists()
            assert not history.filter(created_at__gte=now - datetime.timedelta(days=57)).exists()
            requests = HelpRequest.objects.filter(organisation=org).exclude(pk__in=history)
            assert requests.count() == demo_data.REQUESTS_PER_ORGANISATION
            assert 50 <= Resident.objects.filter(organisation=org).count() <= 60
            assert Resident.objects.filter(organisation=org, area=None).count() == 0
            by_status = Counter(requests.values_list("status", flat=True))
            # Three escalated, of which the wijkteam has since referred one to formal care (afgerond).
            assert all(by_status[status] >= (2 if status == S.ESCALATED else 3) for status in S), by_status
            assert by_status[S.NEW] >= 10 and by_status[S.SEARCHING] >= 10
            assert len(set(requests.values_list("category", flat=True))) == 9
            assert len(set(requests.values_list("urgency", flat=True))) >= 3
            assert requests.filter(kind=HelpRequest.Kind.RECURRING).exclude(slots=0).count() >= 8
            assert requests.filter(kind=HelpRequest.Kind.ONE_OFF, date__gt=timezone.localdate()).count() >= 10
            channels = Counter(requests.values_list("channel", flat=True))
            assert channels[HelpRequest.Channel.PHONE] > channels[HelpRequest.Channel.ONLINE] >= 3
            assert channels[HelpRequest.Channel.WIJKTEAM] >= 3
            assert requests.filter(key_safe=True).exists() and requests.filter(pets=True).exists()
            assert requests.exclude(mobility="").exists()
            # waiting times spread over the past eight weeks
            assert requests.filter(created_at__lt=now - datetime.timedelta(days=30)).exists()
            assert requests.filter(status=S.NEW, created_at__lt=now - datetime.timedelta(days=7)).exists()
            assert not requests.filter(created_at__lt=now - datetime.timedelta(days=57)).exists()
            assert not requests.filter(created_at__gt=now).exists()

            everything = HelpRequest.objects.filter(organisation=org)
            for help_request in everything.select_related("consent__recorded_by").prefetch_related("status_changes"):
                consent = help_request.consent
                if help_request.channel == HelpRequest.Channel.ONLINE:
                    assert consent.method == Consent.Method.ONLINE and consent.recorded_by is None
                else:
                    assert consent.method == Consent.Method.PHONE and consent.recorded_by == coordinator
                changes = list(help_request.status_changes.all())
                assert (changes[0].from_status, changes[0].to_status) == ("", S.NEW)
                for before, after in zip(changes, changes[1:], strict=False):
                    assert after.from_status == before.to_status
                    assert after.at > before.at
                    if after.to_status in (S.CANCELLED, S.ESCALATED):
                        assert after.reason
                assert changes[-1].to_status == help_request.status
                assert changes[0].at == help_request.created_at
                assert changes[-1].at == help_request.status_changed_at <= now


def test_matching_is_at_work_in_every_organisation(db):
    """Suggestions computed, proposals, declines, matches with contact moments, closings and the short
    questions after: every request that got that far got there through the matching services."""
    call_command("seed_demo", force=True)
    now, today = timezone.now(), timezone.localdate()
    with scopes_disabled():
        assert OutgoingEmail.objects.count() == 0  # the demo's history is not mailed to anyone
        for slug in SLUGS:
            org = Organisation.objects.get(slug=slug)
            assert MatchingSettings.objects.get(organisation=org).auto_propose_next
            requests = HelpRequest.objects.filter(organisation=org).prefetch_related("matches", "suggestions")
            by_status = Counter(requests.values_list("status", flat=True))
            assert all(by_status[status] >= 3 for status in (S.SEARCHING, S.PROPOSED, S.MATCHED, S.DONE)), by_status

            for help_request in requests:
                matches = list(help_request.matches.all())
                statuses = Counter(match.status for match in matches)
                if help_request.status == S.PROPOSED:
                    assert 1 <= statuses[M.PROPOSED] <= help_request.helpers_needed, help_request
                    assert statuses[M.ACCEPTED] < help_request.helpers_needed
                elif help_request.status == S.MATCHED:
                    assert statuses[M.ACCEPTED] == help_request.helpers_needed and not statuses[M.PROPOSED]
                elif help_request.status == S.DONE and help_request.outcome == "verwezen":
                    # The wijkteam referred the resident to formal care: done without a volunteer.
                    assert not statuses[M.PROPOSED] and not statuses[M.ACCEPTED]
                elif help_request.status == S.DONE:
                    assert statuses[M.CLOSED] >= 1 and not statuses[M.PROPOSED] and not statuses[M.ACCEPTED]
                else:
                    assert not statuses[M.PROPOSED] and not statuses[M.ACCEPTED], help_request
                # suggestions: computed for every open request, none kept for the others
                if help_request.status in (S.SEARCHING, S.PROPOSED):
                    assert help_request.suggestions_computed_at is not None
                    assert help_request.suggestions_computed_at >= (help_request.suggestions_requested_at or now)
                else:
                    assert not help_request.suggestions.all()
                for match in matches:
                    assert help_request.created_at <= match.proposed_at < match.deadline
                    assert match.deadline == match.proposed_at + datetime.timedelta(hours=48)
                    if match.responded_at:
                        assert match.proposed_at < match.responded_at <= match.deadline  # answered in time
                    if match.status == M.CLOSED:
                        assert match.responded_at < match.closed_at <= now and match.outcome
                    if match.status == M.PROPOSED:
                        assert match.deadline > now and match.responded_at is None
            searching = requests.filter(status=S.SEARCHING)
            assert sum(bool(r.suggestions.all()) for r in searching) >= searching.count() // 2
            assert MatchSuggestion.objects.filter(organisation=org, help_request__status=S.PROPOSED).exists()

            matches = Match.objects.filter(organisation=org)
            # most proposals went to a suggested volunteer (the score is the suggestion's)
            assert matches.exclude(score=None).count() >= matches.count() / 2
            # some volunteers said no, with a reason in their own words, before the next said yes
            declined = matches.filter(status=M.DECLINED)
            assert declined.count() >= 3
            assert set(declined.values_list("decline_reason", flat=True)) <= set(demo_data.DECLINED)
            assert requests.filter(status__in=(S.MATCHED, S.DONE), matches__status=M.DECLINED).exists()
            assert requests.filter(status=S.SEARCHING, matches__status=M.DECLINED).exists()
            declines = StatusChange.objects.filter(organisation=org, from_status=S.PROPOSED, to_status=S.SEARCHING)
            assert declines.count() == declined.count()

            # who helps logs contact moments, in the past and since their yes
            for match in matches.filter(status__in=(M.ACCEPTED, M.CLOSED)).prefetch_related("contact_logs"):
                logs = list(match.contact_logs.all())
                assert logs, match
                until = timezone.localtime(match.closed_at).date() if match.closed_at else today
                for log in logs:
                    assert timezone.localtime(match.responded_at).date() <= log.date <= until
                    assert log.logged_by == match.volunteer.membership.user and log.created_at <= now
            outcomes = Counter(matches.filter(status=M.CLOSED).values_list("outcome", flat=True))
            assert outcomes[Match.Outcome.HELPED] >= 3 and len(outcomes) >= 2, outcomes
            answered = SatisfactionResponse.objects.filter(organisation=org)
            both = Counter(answered.values_list("match", flat=True))
            assert sum(count == 2 for count in both.values()) >= 3
            assert all(answer.created_at > answer.match.closed_at for answer in answered.select_related("match"))

            # the demo volunteer: one proposal waiting for an answer, one match they help in now
            demo = Volunteer.objects.get(membership__user__email=f"vrijwilliger@{slug}.demo")
            pending = list(demo.matches.filter(status=M.PROPOSED))
            assert len(pending) == 1 and pending[0].deadline > now
            assert pending[0].help_request.status == S.PROPOSED
            active = list(demo.matches.filter(status=M.ACCEPTED))
            assert len(active) == 1 and active[0].contact_logs.exists()
            assert demo.matches.count() == 2


def test_every_demo_account_can_log_in(client, db):
    call_command("seed_demo", force=True)
    for account in DEMO_ACCOUNTS:
        client.logout()
        response = client.post(reverse("account_login"), {"login": account["email"], "password": "buurthulp-demo"})
        assert response.status_code == 302, account["email"]
        assert client.get(response.url, follow=True).status_code == 200


def test_demo_volunteer_has_a_profile_with_offers(client, db):
    call_command("seed_demo", force=True)
    for slug in SLUGS:
        with scopes_disabled():
            volunteer = Volunteer.objects.get(membership__user__email=f"vrijwilliger@{slug}.demo")
            assert volunteer.organisation.slug == slug
            assert volunteer.status == Volunteer.Status.ACTIVE
            assert volunteer.area is not None
            assert volunteer.vog_valid_on(timezone.localdate())
            offers = list(volunteer.offers.values_list("description", flat=True))
            assert len(offers) >= 2
        client.logout()
        client.post(reverse("account_login"), {"login": f"vrijwilliger@{slug}.demo", "password": "buurthulp-demo"})
        response = client.get(reverse("matching:my_profile", kwargs={"org": slug}))
        assert response.status_code == 200
        response = client.get(reverse("matching:my_offers", kwargs={"org": slug}))
        assert response.status_code == 200
        assert offers[0] in response.content.decode()
        # their dashboard shows matching at work: a proposal to answer and the help they give now
        with scopes_disabled():
            proposal = volunteer.matches.select_related("help_request").get(status=Match.Status.PROPOSED)
            active = volunteer.matches.select_related("help_request").get(status=Match.Status.ACCEPTED)
            log = active.contact_logs.first()
        response = client.get(reverse("netwerken:volunteer_dashboard", kwargs={"org": slug}))
        assert response.status_code == 200
        page = response.content.decode()
        assert proposal.help_request.description[:40] in page
        assert active.help_request.description[:40] in page
        assert reverse("matching:my_match", kwargs={"org": slug, "match": proposal.pk}) in page
        response = client.get(reverse("matching:my_match", kwargs={"org": slug, "match": active.pk}))
        assert response.status_code == 200
        assert log.note in response.content.decode()


def test_coordinator_sees_the_seeded_requests_and_volunteers(client, db):
    call_command("seed_demo", force=True)
    client.post(reverse("account_login"), {"login": "coordinator@lombok.demo", "password": "buurthulp-demo"})
    with scopes_disabled():
        help_request = HelpRequest.objects.filter(organisation__slug="lombok", status=S.MATCHED).first()
        volunteer = Volunteer.objects.filter(organisation__slug="lombok").first()
    response = client.get(reverse("matching:request_list", kwargs={"org": "lombok"}))
    assert response.status_code == 200
    assert help_request.resident.name in response.content.decode()
    response = client.get(reverse("matching:request_detail", kwargs={"org": "lombok", "help_request": help_request.pk}))
    assert response.status_code == 200
    response = client.get(reverse("matching:volunteer_list", kwargs={"org": "lombok"}))
    assert response.status_code == 200
    response = client.get(reverse("matching:volunteer_detail", kwargs={"org": "lombok", "volunteer": volunteer.pk}))
    assert response.status_code == 200


def test_demo_people_do_not_depend_on_hash_seed_or_test_libraries():
    """The same people on every machine: no set ordering, no Faker (a test-only dependency)."""
    source = Path(demo_data.__file__).read_text() + Path(demo_data.__file__).with_name("seed.py").read_text()
    assert "faker" not in source.lower() and "import factory" not in source
    here = json.dumps([demo_data.volunteer_specs(slug) + demo_data.resident_specs(slug) for slug in SLUGS])
    script = (
        "import json, sys; sys.path.insert(0, '.'); from buurthulp.demo import data as d; "
        f"print(json.dumps([d.volunteer_specs(s) + d.resident_specs(s) for s in {SLUGS!r}]))"
    )
    root = Path(demo_data.__file__).parent.parent.parent
    for hash_seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == here


def test_login_page_lists_the_demo_accounts_when_the_demo_is_installed(client, db):
    assert "coordinator@oranjekwartier.demo" in client.get(reverse("account_login")).content.decode()


def _production_settings(**env):
    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'buurthulp.settings'; "
        "from django.conf import settings; "
        "print(json.dumps([settings.INSTALLED_APPS, settings.TEMPLATES[0]['OPTIONS']['context_processors']]))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        env={"PATH": "", **env},
        capture_output=True,
        text=True,
    )


def test_production_has_no_demo_app_and_no_demo_context_processor():
    result = _production_settings(SECRET_KEY="x" * 50)
    apps, processors = json.loads(result.stdout)
    assert "buurthulp.demo" not in apps
    assert not any("demo" in processor for processor in processors)
    apps, processors = json.loads(_production_settings(SECRET_KEY="x" * 50, BUURTHULP_DEMO="1").stdout)
    assert "buurthulp.demo" in apps


def test_production_refuses_to_start_without_a_secret_key():
    result = _production_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert _production_settings(DEBUG="1").returncode == 0


def test_checks_run_without_a_secret_key_but_the_server_does_not():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "BUURTHULP_DEMO", "DATABASE_URL")}

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True)

    assert manage("check").returncode == 0
    assert manage("makemigrations", "--check", "--dry-run").returncode == 0
    served = manage("runserver", "--noreload", "127.0.0.1:0")
    assert served.returncode != 0 and "SECRET_KEY is not set" in served.stderr


def test_seed_demo_refuses_outside_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("seed_demo")
    assert not Organisation.objects.exists()


def test_the_wijkteam_has_work_in_the_demo(client, db):
    """Escalations waiting in the queue, one taken over with a note, one referred and accepted, a social map,
    a request handed back with advice: what a professional logging in to the demo should find."""
    from matching.models import Escalation, ProfessionalNote, Referral, SocialMapEntry

    call_command("seed_demo", force=True)
    with scopes_disabled():
        for slug in ("oranjekwartier", "lombok"):
            escalations = Escalation.objects.filter(organisation__slug=slug)
            assert escalations.filter(status=Escalation.Status.WAITING).exists(), slug
            assert escalations.filter(status=Escalation.Status.TAKEN).exists(), slug
            assert escalations.filter(status=Escalation.Status.HANDED_BACK).exclude(advice="").exists(), slug
            assert Referral.objects.filter(organisation__slug=slug, accepted=True).exists(), slug
            assert ProfessionalNote.objects.filter(organisation__slug=slug).exists(), slug
            assert SocialMapEntry.objects.filter(organisation__slug=slug).count() >= 3, slug
    client.force_login(User.objects.get(email="wijkteam@oranjekwartier.demo"))
    queue = client.get("/wijkteam/")
    assert queue.status_code == 200 and len(queue.context["rows"]) >= 2


def _last_day_of_this_month():
    today = timezone.localdate()
    first_of_next = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    day = first_of_next - datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.mark.parametrize("when", ["now", "end of the month"])
def test_the_demo_has_a_signal_of_each_kind_whatever_the_day(db, when):
    """Every kind of signal, also the pool shrinking month on month, which needs help from before the eight
    weeks: on the last day of a month the month before last lies entirely outside them."""
    from matching.models import Signal

    moment = timezone.now() if when == "now" else _last_day_of_this_month()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        call_command("seed_demo", force=True)
    with scopes_disabled():
        for slug in SLUGS:
            kinds = set(Signal.objects.filter(organisation__slug=slug).values_list("kind", flat=True))
            assert kinds == set(Signal.Kind.values), (slug, set(Signal.Kind.values) - kinds)
            pool = Signal.objects.get(organisation__slug=slug, key="pool_krimpt:volunteers")
            assert pool.facts["after"] <= 0.8 * pool.facts["before"], pool.facts


# --- issue 10: types, networks, activities, the fee ledger, reciprocity, phases ---------------------------------


def _reciprocity(volunteer):
    """(gave, received) as the volunteer's own pages count them (matching/reciprocity.py)."""
    from django_scopes import scope

    from matching.reciprocity import person_reciprocity

    with scope(organisation=volunteer.organisation):
        counts = person_reciprocity(volunteer=volunteer)
    return counts["gave"], counts["received"]


def test_each_demo_organisation_has_its_own_type_networks_activities_and_phase(db):
    from matching.models import FeeEntry, HoursEntry
    from netwerken.models import Activity, ActivitySession, Network, PhaseChecklistItem, PhaseMove

    call_command("seed_demo", force=True)
    now = timezone.now()
    with scopes_disabled():
        providers = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER)
        assert sorted(providers.values_list("help_type", flat=True)) == sorted(Organisation.HelpType.values)
        assert sorted(providers.values_list("phase", flat=True)) == sorted(Organisation.Phase.values)
        for org in providers:
            networks = Network.objects.filter(organisation=org).prefetch_related("members", "areas")
            assert networks.count() >= 3, org.slug
            for network in networks:
                assert 8 <= len(network.members.all()) <= 20, network
                assert network.areas.all() and (network.contact_name or network.contact_volunteer_id), network
                assert network.started_on < timezone.localdate() - datetime.timedelta(days=60), network
                members = network.members.all()
                assert sum(m.resident_id is not None for m in members) > len(members) / 2, network
                assert any(m.volunteer_id for m in members), network
            kinds = set(networks.values_list("kind", flat=True))
            assert {"nieuw_initiatief", "kerk"} <= kinds and len(kinds) >= 3

            # The weekly walk: months of sessions at 10:00 wall time across a change of summer time, attendance
            # in at least three past months, one moved and one cancelled, sign-ups for the next.
            walk = Activity.objects.get(organisation=org, rrule="FREQ=WEEKLY;INTERVAL=1;BYDAY=TU")
            assert walk.organiser.membership.user.email == f"vrijwilliger@{org.slug}.demo"
            sessions = list(ActivitySession.objects.filter(activity=walk).prefetch_related("participations"))
            regular = [s for s in sessions if not s.changed]
            assert {timezone.localtime(s.starts_at).time() for s in regular} == {datetime.time(10)}
            assert {timezone.localtime(s.starts_at).weekday() for s in regular} == {1}
            assert len({timezone.localtime(s.starts_at).utcoffset() for s in sessions}) == 2  # winter and summer
            cancelled = [s for s in sessions if s.status == ActivitySession.Status.CANCELLED]
            moved = [s for s in sessions if s.changed and s.starts_at != s.original_start]
            assert len(cancelled) == 1 and len(moved) == 1 and cancelled[0].note and moved[0].note
            assert not [p for p in cancelled[0].participations.all() if p.attended]
            past = [s for s in sessions if s.starts_at < now and s.status == ActivitySession.Status.PLANNED]
            attended = [sum(p.attended for p in s.participations.all()) for s in past]
            assert all(5 <= count <= 15 for count in attended), attended
            months = {
                timezone.localtime(s.starts_at).strftime("%Y-%m") for s, n in zip(past, attended, strict=True) if n
            }
            assert len(months) >= 3
            upcoming = [s for s in sessions if s.starts_at >= now and s.status == ActivitySession.Status.PLANNED]
            assert [p for p in upcoming[0].participations.all() if p.signed_up and not p.attended]
            # newcomers: someone's first walk was months after the first one
            firsts = {}
            for session in past:
                for participation in session.participations.all():
                    if participation.attended:
                        firsts.setdefault(participation.member_id, session.starts_at)
            assert any(first > past[0].starts_at + datetime.timedelta(days=40) for first in firsts.values())
            rules = set(Activity.objects.filter(organisation=org).values_list("rrule", flat=True))
            assert {"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "FREQ=MONTHLY;INTERVAL=1;BYDAY=1SA", ""} <= rules
            # the organisers' hours for the sessions held
            hours = HoursEntry.objects.filter(organisation=org, session__activity=walk)
            assert hours.count() == len(past) and not hours.exclude(volunteer=walk.organiser).exists()

            # The phase checklist in progress: some items done with an owner and a date, one overdue.
            items = PhaseChecklistItem.objects.filter(organisation=org, network=None)
            done = items.filter(done=True)
            assert done.exists() and items.filter(done=False).exists(), org.slug
            assert not done.filter(owner=None).exists() and not done.filter(due=None).exists()
            assert items.filter(done=False, due__lt=timezone.localdate()).count() == 1, org.slug
            if org.phase == Organisation.Phase.SETTING_UP:
                move = PhaseMove.objects.get(organisation=org)
                assert (move.from_phase, move.to_phase) == ("verkennen", "opzetten") and move.open_items

            fees = FeeEntry.objects.filter(organisation=org)
            linked = Volunteer.objects.filter(organisation=org).exclude(resident=None)
            if org.help_type == Organisation.HelpType.MODEST_FEE:
                assert fees.filter(kind=FeeEntry.Kind.FEE).count() >= 10
                assert fees.filter(kind=FeeEntry.Kind.CORRECTION).count() == 1
                payments = fees.filter(kind=FeeEntry.Kind.PAYMENT)
                assert payments.count() > fees.filter(kind=FeeEntry.Kind.FEE).count() / 2
                assert set(payments.values_list("paid_by", flat=True)) == {"bewoner", "organisatie"}
                assert len(set(fees.values_list("date__month", flat=True))) >= 2
                amounts = list(fees.values_list("amount", flat=True))
                assert all(isinstance(amount, Decimal) for amount in amounts)
                assert isinstance(sum(amounts, Decimal(0)), Decimal) and sum(amounts) > 0  # a few still open
                categories = Category.objects.filter(organisation=org)
                assert not categories.filter(fee_unit="").exists()
                assert {"uur", "klus"} == set(categories.values_list("fee_unit", flat=True))
                assert Volunteer.objects.filter(organisation=org, job_seeker=True).exists()
                assert Volunteer.objects.filter(organisation=org, reintegrating=True).exists()
            else:
                assert not fees.exists() and not Category.objects.filter(organisation=org).exclude(fee_unit="")
            if org.help_type == Organisation.HelpType.MUTUAL:
                assert linked.count() >= 3
                demo = linked.get(membership__user__email=f"vrijwilliger@{org.slug}.demo")
                gave, received = _reciprocity(demo)
                assert gave > 0 and received > 0, (gave, received)
                assert ContactLog.objects.filter(organisation=org, mutual=True).exists()
            else:
                assert not linked.exists()
                assert not ContactLog.objects.filter(organisation=org, mutual=True).exists()


def test_the_demo_volunteer_organises_an_activity(client, db):
    call_command("seed_demo", force=True)
    from netwerken.models import Activity

    with scopes_disabled():
        for slug in SLUGS:
            volunteer = Volunteer.objects.get(membership__user__email=f"vrijwilliger@{slug}.demo")
            assert Activity.objects.filter(organiser=volunteer).exists()
            assert volunteer.network_memberships.exists()
