"""Matching in 'er zijn voor elkaar': meeting again counts double, and a volunteer who has been helped
themselves gets the reciprocity points; a charity organisation scores as it always did (neither)."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import batch, scoring, suggestions
from matching.explain import explain
from matching.models import ContactLog, HelpRequest, Match, MatchingSettings, MatchSuggestion
from netwerken import availability
from netwerken.models import Organisation

from .factories import (
    AreaFactory,
    CategoryFactory,
    HelpRequestFactory,
    MatchFactory,
    OrganisationFactory,
    ResidentFactory,
    VolunteerFactory,
)

TUESDAY_SLOT = availability.mask_from_codes(["di-middag"])
LONG_AGO = datetime.timedelta(days=120)  # before this month and the recency window: no load, no "last helped"
MUTUAL, CHARITY = Organisation.HelpType.MUTUAL, Organisation.HelpType.CHARITY


def _build(help_type):
    org = OrganisationFactory(help_type=help_type)
    area = AreaFactory(organisation=org, latitude=52.02, longitude=5.04, postcodes=["3401"])
    shopping = CategoryFactory(organisation=org, name="Boodschappen")
    other = CategoryFactory(organisation=org, name="Klussen")
    resident = ResidentFactory(organisation=org, area=area, latitude=52.02, longitude=5.04)
    with scopes_disabled():
        MatchingSettings.objects.create(organisation=org, weight_continuity=15, weight_reciprocity=10)

    def volunteer(name, **kwargs):
        v = VolunteerFactory(
            organisation=org,
            categories=[shopping],
            latitude=52.0254,
            longitude=5.04,
            availability=TUESDAY_SLOT,
            **kwargs,
        )
        with scopes_disabled():
            v.membership.user.name = name
            v.membership.user.save()
        return v

    def old_match(helper, helped, status=Match.Status.CLOSED):
        help_request = HelpRequestFactory(
            organisation=org, resident=helped, category=other, date=None, status="afgerond"
        )
        return MatchFactory(
            help_request=help_request, volunteer=helper, status=status, proposed_at=timezone.now() - LONG_AGO
        )

    volunteer("Onbekend")
    old_match(volunteer("Kent haar"), resident)
    # A resident too, who was helped by someone outside the category (a contact moment, match still running).
    helper = VolunteerFactory(organisation=org, categories=[other])
    reciprocal = volunteer("Kreeg hulp", resident=ResidentFactory(organisation=org, area=area))
    helped = old_match(helper, reciprocal.resident, status=Match.Status.ACCEPTED)
    ContactLog.objects.with_scopes_disabled().create(
        organisation=org, match=helped, date=timezone.localdate() - LONG_AGO, minutes=45
    )
    # A resident too, never helped: no reciprocity points.
    volunteer("Nog niet geholpen", resident=ResidentFactory(organisation=org, area=area))
    help_request = HelpRequestFactory(
        organisation=org,
        resident=resident,
        category=shopping,
        kind=HelpRequest.Kind.RECURRING,
        recurrence="wekelijks",
        date=None,
        slots=TUESDAY_SLOT,
        status=HelpRequest.Status.SEARCHING,
    )
    return org, help_request


def _suggested(org, help_request):
    with scope(organisation=org):
        suggestions.compute_for_request(help_request.pk)
        rows = MatchSuggestion.objects.filter(help_request=help_request).select_related("volunteer__membership__user")
        return {row.volunteer.membership.user.name: row for row in rows}


def _points(row):
    return {c["key"]: c["points"] for c in row.criteria}


@pytest.mark.django_db
def test_in_voor_elkaar_meeting_again_counts_double_and_reciprocity_counts():
    org, help_request = _build(MUTUAL)
    rows = _suggested(org, help_request)
    known, unknown = rows["Kent haar"], rows["Onbekend"]
    assert _points(known)["continuity"] == 30  # 2 × weight 15
    assert _points(unknown)["continuity"] == 0
    assert known.score - unknown.score == pytest.approx(30, abs=0.2)
    assert max(rows.values(), key=lambda row: row.score) is not unknown
    reciprocal, not_helped = rows["Kreeg hulp"], rows["Nog niet geholpen"]
    assert _points(reciprocal)["reciprocity"] == 10
    assert _points(not_helped)["reciprocity"] == 0
    assert reciprocal.score - not_helped.score == pytest.approx(10, abs=0.2)
    assert "kreeg zelf ook hulp (wederkerigheid)" in [text for text, _ in explain(reciprocal.criteria)]
    assert "kreeg zelf nog geen hulp" in [text for text, _ in explain(not_helped.criteria)]


@pytest.mark.django_db
def test_a_charity_organisation_gets_neither_double_continuity_nor_reciprocity():
    org, help_request = _build(CHARITY)
    rows = _suggested(org, help_request)
    assert _points(rows["Kent haar"])["continuity"] == 15  # as ever: full weight for a recurring request
    assert rows["Kent haar"].score - rows["Onbekend"].score == pytest.approx(15, abs=0.2)
    assert all("reciprocity" not in _points(row) for row in rows.values())
    assert rows["Kreeg hulp"].score == pytest.approx(rows["Nog niet geholpen"].score, abs=0.2)


@pytest.mark.django_db
@pytest.mark.parametrize("help_type", [MUTUAL, CHARITY])
def test_the_batch_scores_the_same_as_the_suggestions(help_type):
    org, help_request = _build(help_type)
    suggested = {name: _points(row) for name, row in _suggested(org, help_request).items()}
    with scope(organisation=org):
        requests, volunteers, scores, _best, _greedy = batch.solve(org)
        names = dict(
            VolunteerFactory._meta.model.objects.filter(pk__in=volunteers.pks.tolist()).values_list(
                "pk", "membership__user__name"
            )
        )
    r = requests.pks.tolist().index(help_request.pk)
    in_batch = {}
    for v, pk in enumerate(volunteers.pks.tolist()):
        if scores.feasible[r, v]:
            in_batch[names[pk]] = {
                c["key"]: c["points"] for c in scoring.criteria_for(scores, requests, volunteers, r, v)
            }
    assert {name: (p["continuity"], p.get("reciprocity")) for name, p in in_batch.items()} == {
        name: (p["continuity"], p.get("reciprocity")) for name, p in suggested.items()
    }
    expected = 10 if help_type == MUTUAL else None
    assert in_batch["Kreeg hulp"].get("reciprocity") == expected


@pytest.mark.django_db
def test_the_one_query_of_a_suggestion_run_and_the_batch_agree_on_who_was_helped():
    org, help_request = _build(MUTUAL)
    with scope(organisation=org):
        from netwerken.models import Volunteer

        pks = list(Volunteer.objects.order_by("pk").values_list("pk", flat=True))
        one = scoring.matches_of_one(help_request, org.pk, pks, mutual=True)
        many = scoring.recent_matches([help_request.pk], [help_request.resident_id], mutual=True)
        reciprocal = Volunteer.objects.get(membership__user__name="Kreeg hulp")
    assert one.reciprocal == many.reciprocal == {reciprocal.pk}
