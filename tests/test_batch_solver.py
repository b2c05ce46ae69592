"""The batch solver: never below greedy, equal to brute force on small cases."""

import itertools

import numpy as np
import pytest

from matching.batch import greedy, optimal, total_of


def brute_force(total, feasible, capacity):
    n_requests, n_volunteers = total.shape
    best = 0.0
    choices = [[None] + [v for v in range(n_volunteers) if feasible[r, v]] for r in range(n_requests)]
    for combo in itertools.product(*choices):
        used = np.bincount([v for v in combo if v is not None], minlength=n_volunteers)
        if np.all(used <= capacity):
            best = max(best, sum(total[r, v] for r, v in enumerate(combo) if v is not None))
    return best


def test_greedy_can_be_beaten_and_the_solver_does():
    # Greedy takes the single best pair (0, 0) = 10 and leaves request 1 with nothing: 10.
    # The optimum gives volunteer 0 to request 1 and volunteer 1 to request 0: 9 + 8 = 17.
    total = np.array([[10.0, 8.0], [9.0, -np.inf]])
    feasible = np.isfinite(total)
    capacity = np.array([1, 1])
    assert total_of(greedy(total, feasible, capacity), total) == 10
    best = optimal(total, feasible, capacity)
    assert best == {0: 1, 1: 0}
    assert total_of(best, total) == 17


def test_capacity_lets_one_volunteer_take_two_requests():
    total = np.array([[5.0, 1.0], [5.0, 1.0], [5.0, 1.0]])
    feasible = np.ones_like(total, dtype=bool)
    best = optimal(total, feasible, np.array([2, 1]))
    assert sorted(best.values()) == [0, 0, 1]
    assert total_of(best, total) == 11


def test_a_volunteer_with_no_capacity_left_gets_nothing():
    total = np.array([[5.0, 1.0]])
    best = optimal(total, np.ones_like(total, dtype=bool), np.array([0, 1]))
    assert best == {0: 1}


@pytest.mark.parametrize("seed", range(40))
def test_equals_brute_force_and_beats_or_equals_greedy_on_random_small_cases(seed):
    rng = np.random.default_rng(seed)
    n_requests, n_volunteers = rng.integers(1, 6), rng.integers(1, 5)
    total = rng.integers(1, 100, size=(n_requests, n_volunteers)).astype(float)
    feasible = rng.random((n_requests, n_volunteers)) < 0.7
    total = np.where(feasible, total, -np.inf)
    capacity = rng.integers(0, 3, size=n_volunteers)
    best = optimal(total, feasible, capacity, must_include=greedy(total, feasible, capacity))
    used = np.bincount(list(best.values()), minlength=n_volunteers)
    assert np.all(used <= capacity)
    assert all(feasible[r, v] for r, v in best.items())
    assert total_of(best, total) == pytest.approx(brute_force(total, feasible, capacity))
    assert total_of(best, total) >= total_of(greedy(total, feasible, capacity), total)


def test_large_case_is_never_below_greedy():
    rng = np.random.default_rng(7)
    total = rng.random((300, 800)) * 100
    feasible = rng.random((300, 800)) < 0.05
    total = np.where(feasible, total, -np.inf)
    capacity = rng.integers(0, 3, size=800)
    greedy_pairs = greedy(total, feasible, capacity)
    best = optimal(total, feasible, capacity, must_include=greedy_pairs)
    assert total_of(best, total) >= total_of(greedy_pairs, total)
    assert np.all(np.bincount(list(best.values()), minlength=800) <= capacity)


def test_restricting_edges_keeps_at_least_greedy_even_when_it_misses_the_optimum():
    rng = np.random.default_rng(4)
    for _ in range(30):
        total = rng.integers(1, 100, size=(5, 4)).astype(float)
        feasible = rng.random((5, 4)) < 0.7
        total = np.where(feasible, total, -np.inf)
        capacity = rng.integers(0, 3, size=4)
        greedy_pairs = greedy(total, feasible, capacity)
        restricted = optimal(total, feasible, capacity, top_k=1, must_include=greedy_pairs)
        assert total_of(restricted, total) >= total_of(greedy_pairs, total)


# --- with the overlap constraint: never one volunteer at two requests at one time -------------------------


def brute_force_with_overlaps(total, feasible, capacity, conflict):
    n_requests, n_volunteers = total.shape
    best = 0.0
    choices = [[None] + [v for v in range(n_volunteers) if feasible[r, v]] for r in range(n_requests)]
    for combo in itertools.product(*choices):
        used = np.bincount([v for v in combo if v is not None], minlength=n_volunteers)
        if not np.all(used <= capacity):
            continue
        clash = any(
            combo[a] is not None and combo[a] == combo[b] and conflict[a, b]
            for a in range(n_requests)
            for b in range(a + 1, n_requests)
        )
        if not clash:
            best = max(best, sum(total[r, v] for r, v in enumerate(combo) if v is not None))
    return best


def random_conflicts(rng, n):
    upper = np.triu(rng.random((n, n)) < 0.4, k=1)
    return upper | upper.T


def assert_no_double_booking(assignment, conflict):
    by_volunteer = {}
    for r, v in assignment.items():
        by_volunteer.setdefault(v, []).append(r)
    for requests in by_volunteer.values():
        for i, a in enumerate(requests):
            for b in requests[i + 1 :]:
                assert not conflict[a, b], (a, b)


def test_overlap_makes_the_solver_choose_another_volunteer():
    # One volunteer with room for two would take both requests, but they are at the same time.
    total = np.array([[10.0, 4.0], [9.0, 3.0]])
    feasible = np.ones_like(total, dtype=bool)
    capacity = np.array([2, 1])
    conflict = np.array([[False, True], [True, False]])
    assert optimal(total, feasible, capacity) == {0: 0, 1: 0}
    best = optimal(total, feasible, capacity, conflict=conflict)
    assert total_of(best, total) == 13  # 10 + 3: volunteer 0 at one, volunteer 1 at the other
    assert_no_double_booking(best, conflict)
    assert greedy(total, feasible, capacity, conflict) == {0: 0, 1: 1}


@pytest.mark.parametrize("seed", range(60))
def test_with_overlaps_equals_brute_force_and_never_below_greedy(seed):
    rng = np.random.default_rng(1000 + seed)
    n_requests, n_volunteers = rng.integers(2, 7), rng.integers(1, 4)
    total = rng.integers(1, 100, size=(n_requests, n_volunteers)).astype(float)
    feasible = rng.random((n_requests, n_volunteers)) < 0.8
    total = np.where(feasible, total, -np.inf)
    capacity = rng.integers(0, 4, size=n_volunteers)
    conflict = random_conflicts(rng, n_requests)
    greedy_pairs = greedy(total, feasible, capacity, conflict)
    best = optimal(total, feasible, capacity, must_include=greedy_pairs, conflict=conflict)
    assert all(feasible[r, v] for r, v in best.items())
    assert np.all(np.bincount(list(best.values()), minlength=n_volunteers) <= capacity)
    assert_no_double_booking(best, conflict)
    assert_no_double_booking(greedy_pairs, conflict)
    assert total_of(best, total) == pytest.approx(brute_force_with_overlaps(total, feasible, capacity, conflict))
    assert total_of(best, total) >= total_of(greedy_pairs, total)


def test_large_case_with_overlaps_is_never_below_greedy_and_never_double_books():
    rng = np.random.default_rng(11)
    n_requests, n_volunteers = 300, 800
    total = rng.random((n_requests, n_volunteers)) * 100
    feasible = rng.random((n_requests, n_volunteers)) < 0.05
    total = np.where(feasible, total, -np.inf)
    capacity = rng.integers(0, 4, size=n_volunteers)
    # Requests on 30 days: the ones on the same day overlap.
    day = rng.integers(0, 30, size=n_requests)
    conflict = (day[:, None] == day[None, :]) & ~np.eye(n_requests, dtype=bool)
    greedy_pairs = greedy(total, feasible, capacity, conflict)
    best = optimal(total, feasible, capacity, must_include=greedy_pairs, conflict=conflict)
    assert total_of(best, total) >= total_of(greedy_pairs, total)
    assert_no_double_booking(best, conflict)
    assert np.all(np.bincount(list(best.values()), minlength=n_volunteers) <= capacity)
