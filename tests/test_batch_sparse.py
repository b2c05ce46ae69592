"""The batch on sparse pairs: the same scores, refusals and optimum as the dense arrays and brute force.

The batch builds only the feasible (request, volunteer) pairs (scoring.score_sparse) and solves on them
(batch.optimal_pairs). On small random organisations — arrays as load_requests/load_volunteers give them,
with bookings, pauses, VOGs, neighbourhoods, earlier matches and exclusions — that must give exactly the
pairs, totals, explanations and "why not" reasons of the dense score() every suggestion uses, whatever the
block size; and its assignment must reach the brute-force optimum with every constraint kept.
"""

import datetime
import itertools
from unittest import mock

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import batch, scoring
from matching.models import HelpRequest, Match

WEIGHTS = {
    "distance": 30,
    "availability": 20,
    "language": 10,
    "load": 15,
    "continuity": 15,
    "recency": 10,
    "reciprocity": 10,
}
CENTRE = (52.09, 5.12)


def _maybe_nan(rng, values, share):
    return np.where(rng.random(len(values)) < share, np.nan, values)


def random_organisation(rng, n_requests, n_volunteers):
    """Random request and volunteer arrays, their matches, exclusions and who met whom."""
    today = timezone.localdate()
    n_categories, n_areas = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    mutual = bool(rng.random() < 0.5)

    def week(n):
        return np.array([sum(1 << b for b in rng.choice(21, rng.integers(1, 8), replace=False)) for _ in range(n)])

    kinds = rng.random(n_requests) < 0.6  # one-off
    dated = kinds & (rng.random(n_requests) < 0.8)
    dates = np.where(dated, today.toordinal() + rng.integers(0, 6, n_requests), -1)
    start = np.where(dated & (rng.random(n_requests) < 0.5), rng.integers(9, 18, n_requests) * 60, -1)
    end = np.where(start >= 0, start + 60 * rng.integers(1, 3, n_requests), -1)
    slots = week(n_requests)
    times = scoring.TimeArrays(one_off=kinds, date=dates, start=start, end=end, slots=slots)
    language_codes = list(rng.choice(["nl", "en", "ar", "xx"], n_requests))
    requests = scoring.RequestArrays(
        pks=np.arange(100, 100 + n_requests, dtype=np.int64),
        category=rng.integers(0, n_categories, n_requests),
        requires_vog=rng.random(n_requests) < 0.3,
        slots=slots,
        language=np.array([scoring.LANGUAGE_BIT.get(code, 0) for code in language_codes], dtype=np.int64),
        language_code=language_codes,
        resident=rng.integers(1, 4, n_requests).astype(np.int64),
        lat=_maybe_nan(rng, CENTRE[0] + rng.uniform(-0.03, 0.03, n_requests), 0.15),
        lon=CENTRE[1] + rng.uniform(-0.05, 0.05, n_requests),
        area=rng.integers(-1, n_areas, n_requests),
        day=np.where(dated, dates, today.toordinal()),
        continuity_full=mutual | ~kinds,
        times=times,
        mutual=np.full(n_requests, mutual),
    )
    requests.lon = np.where(np.isnan(requests.lat), np.nan, requests.lon)

    availability = week(n_volunteers).astype(np.int32)
    category_ok = rng.random((n_volunteers, n_categories)) < 0.6
    category_availability = availability[:, None] | (
        week(n_volunteers * n_categories).reshape(n_volunteers, -1) * (rng.random((n_volunteers, n_categories)) < 0.3)
    ).astype(np.int32)
    areas = rng.random((n_volunteers, n_areas)) < 0.4
    paused = rng.random(n_volunteers) < 0.2
    paused_from = np.where(paused, today.toordinal() + rng.integers(-2, 4, n_volunteers), -1)
    volunteers = scoring.VolunteerArrays(
        pks=np.arange(500, 500 + n_volunteers, dtype=np.int64),
        lat=_maybe_nan(rng, CENTRE[0] + rng.uniform(-0.03, 0.03, n_volunteers), 0.1),
        lon=CENTRE[1] + rng.uniform(-0.05, 0.05, n_volunteers),
        max_km=_maybe_nan(rng, rng.choice([1.0, 2.0, 3.0, 5.0], n_volunteers), 0.4),
        availability=availability,
        category_ok=category_ok,
        category_availability=category_availability,
        areas=areas,
        has_areas=areas.any(axis=1) | (rng.random(n_volunteers) < 0.1),
        vog_seen=rng.random(n_volunteers) < 0.6,
        vog_expires=today.toordinal() + rng.integers(-3, 10, n_volunteers),
        paused_from=paused_from,
        paused_until=np.where(paused, paused_from + rng.integers(0, 5, n_volunteers), 10**7),
        languages=rng.choice([1, 1 | 2, 1 | 4, 0], n_volunteers).astype(np.int64),
        month_load=rng.integers(0, 3, n_volunteers),
        monthly_max=rng.integers(1, 4, n_volunteers),
        last_helped=np.where(rng.random(n_volunteers) < 0.5, today.toordinal() - rng.integers(0, 60, n_volunteers), -1),
        reciprocal=rng.random(n_volunteers) < 0.3,
    )
    volunteers.lon = np.where(np.isnan(volunteers.lat), np.nan, volunteers.lon)

    # Matches of the volunteers: proposed or accepted ones book them (some for one of these requests), others not.
    rows = []
    for pk in range(int(rng.integers(0, n_volunteers * 2 + 1))):
        one_off = bool(rng.random() < 0.6)
        day = today + datetime.timedelta(days=int(rng.integers(0, 6))) if one_off and rng.random() < 0.8 else None
        hour = int(rng.integers(9, 18)) if day and rng.random() < 0.5 else None
        rows.append(
            (
                int(rng.choice(volunteers.pks)),
                rng.choice([Match.Status.PROPOSED, Match.Status.ACCEPTED, Match.Status.CLOSED]),
                None,
                int(rng.choice(requests.pks)) if rng.random() < 0.3 else 10_000 + pk,
                int(rng.integers(1, 4)),
                HelpRequest.Kind.ONE_OFF if one_off else HelpRequest.Kind.RECURRING,
                day,
                datetime.time(hour) if hour else None,
                datetime.time(hour + 1) if hour else None,
                int(week(1)[0]),
                pk,
            )
        )
    matches = scoring.RecentMatches(rows=rows, load={})
    pairs = list(itertools.product(requests.pks.tolist(), volunteers.pks.tolist()))
    excluded = {pairs[i] for i in rng.choice(len(pairs), int(rng.integers(0, 4)))} if pairs else set()
    met = {(int(rng.integers(1, 4)), int(rng.choice(volunteers.pks))) for _ in range(int(rng.integers(0, 4)))}
    return requests, volunteers, matches, excluded, met


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_requests=st.integers(1, 9),
    n_volunteers=st.integers(1, 12),
    block=st.sampled_from([1, 5, 17, 1 << 18]),
)
def test_sparse_scores_equal_the_dense_scores_of_every_suggestion(seed, n_requests, n_volunteers, block):
    rng = np.random.default_rng(seed)
    requests, volunteers, matches, excluded, met = random_organisation(rng, n_requests, n_volunteers)
    booked = scoring.booked_matrix(requests, volunteers, matches)
    dense = scoring.score(requests, volunteers, WEIGHTS, excluded, met, booked=booked)
    with mock.patch.object(scoring, "BLOCK_PAIRS", block):
        sparse = scoring.score_sparse(
            requests, volunteers, WEIGHTS, excluded, met, booked=scoring.Bookings.of(volunteers, matches)
        )

    rows, cols = np.nonzero(dense.feasible)
    assert sparse.pair_r.tolist() == rows.tolist() and sparse.pair_v.tolist() == cols.tolist()
    np.testing.assert_allclose(sparse.pair_total, dense.total[rows, cols], rtol=1e-12)
    assert sparse.first_failed.tolist() == dense.first_failed.tolist()
    assert sparse.feasible.toarray().tolist() == dense.feasible.tolist()
    # Every feasible pair explains itself the same way (the batch page shows these).
    for r, v in zip(rows.tolist(), cols.tolist(), strict=True):
        assert scoring.criteria_for(sparse, requests, volunteers, r, v) == scoring.criteria_for(
            dense, requests, volunteers, r, v
        )
    # And the requests left over get the same reason.
    assert batch.unassigned_reasons(sparse, {}) == batch.unassigned_reasons(dense, {})


def test_a_request_nobody_fits_is_named_by_the_filter_that_left_nobody():
    rng = np.random.default_rng(3)
    requests, volunteers, matches, _excluded, _met = random_organisation(rng, 3, 4)
    volunteers.category_ok[:] = True
    volunteers.category_ok[:, requests.category[0]] = False  # nobody offers request 0's kind of help
    volunteers.paused_from[:] = -1
    volunteers.month_load[:] = 0
    volunteers.max_km[:] = np.nan
    volunteers.has_areas[:] = False
    volunteers.category_availability[:] = (1 << 21) - 1
    requests.requires_vog[:] = False
    sparse = scoring.score_sparse(requests, volunteers, WEIGHTS, booked=scoring.Bookings.of(volunteers, matches))
    reasons = batch.unassigned_reasons(sparse, {})
    assert reasons[0] == "category"
    other = [r for r in (1, 2) if requests.category[r] != requests.category[0]]
    for r in other:
        assert reasons[r] in ("taken", "booked")


# --- the solver on sparse pairs: the brute-force optimum --------------------------------------------------


def brute_force(n_requests, n_volunteers, pairs, capacity, conflict):
    """The best total over every assignment of the feasible pairs that keeps capacity and overlaps."""
    best = 0.0
    choices = [[None] + [v for (rr, v) in pairs if rr == r] for r in range(n_requests)]
    for combo in itertools.product(*choices):
        used = np.bincount([v for v in combo if v is not None], minlength=n_volunteers)
        if np.any(used > capacity):
            continue
        if any(
            combo[a] is not None and combo[a] == combo[b] and conflict[a, b]
            for a in range(n_requests)
            for b in range(a + 1, n_requests)
        ):
            continue
        best = max(best, sum(pairs[(r, v)] for r, v in enumerate(combo) if v is not None))
    return best


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_requests=st.integers(1, 6),
    n_volunteers=st.integers(1, 4),
    density=st.sampled_from([0.3, 0.6, 0.9]),
    overlaps=st.booleans(),
)
def test_the_sparse_solver_reaches_the_brute_force_optimum(seed, n_requests, n_volunteers, density, overlaps):
    rng = np.random.default_rng(seed)
    feasible = rng.random((n_requests, n_volunteers)) < density
    pair_r, pair_v = np.nonzero(feasible)
    pair_score = rng.integers(1, 60, len(pair_r)).astype(float)  # equal scores happen: ties must hold too
    capacity = rng.integers(0, 4, n_volunteers)
    conflict = np.zeros((n_requests, n_requests), dtype=bool)
    if overlaps:
        upper = np.triu(rng.random((n_requests, n_requests)) < 0.4, k=1)
        conflict = upper | upper.T
    pairs = {(r, v): s for r, v, s in zip(pair_r.tolist(), pair_v.tolist(), pair_score.tolist(), strict=True)}

    found = batch.greedy_pairs(n_requests, pair_r, pair_v, pair_score, capacity, conflict)
    best = batch.optimal_pairs(
        n_requests, n_volunteers, pair_r, pair_v, pair_score, capacity, must_include=found, conflict=conflict
    )
    assert all((r, v) in pairs for r, v in best.items())
    assert np.all(np.bincount(list(best.values()), minlength=n_volunteers) <= capacity)
    for a, b in itertools.combinations(best, 2):
        assert not (best[a] == best[b] and conflict[a, b])
    total = sum(pairs[item] for item in best.items())
    assert total == pytest.approx(brute_force(n_requests, n_volunteers, pairs, capacity, conflict))
    assert total >= sum(pairs[item] for item in found.items())
    # The dense entry point (kept for callers with arrays) is the same solver.
    dense = np.where(feasible, 0.0, -np.inf)
    dense[pair_r, pair_v] = pair_score
    assert batch.optimal(dense, feasible, capacity, must_include=found, conflict=conflict) == best
