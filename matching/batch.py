"""'Voorstel voor alle open hulpvragen': the best overall assignment of open requests to volunteers.

The scores come from matching/scoring.py (the same hard filters and criteria as single suggestions,
booked volunteers included), as the feasible pairs only (score_sparse: a few percent of all
request × volunteer pairs), so memory grows with the pairs that fit, not with requests × volunteers.
The assignment maximises the total score with each volunteer used at most their remaining monthly
capacity and never for two requests at overlapping times within the run. Without overlaps among the
candidate pairs that is a maximum-weight bipartite matching (scipy's min_weight_full_bipartite_matching,
each volunteer once per unit of capacity, a dummy column per request to stay unassigned); when its
optimum gives someone two overlapping requests, the same problem with the overlap constraints is solved
exactly as an integer programme (scipy.optimize.milp, HiGHS). The edges are each request's best
candidates plus every pair the greedy pass uses, so the optimum over them is never below greedy's total.
"""

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from netwerken.models import Volunteer

from . import scoring
from .models import BatchProposal, BatchRun, HelpRequest, Match
from .suggestions import indexes, matching_settings

TOP_K = 50
MILP_TOP_K = 10


def _no_conflicts(conflict, n_requests):
    return np.zeros((n_requests, n_requests), dtype=bool) if conflict is None else conflict


def _pairs(total, feasible):
    """A dense (requests × volunteers) problem as its feasible pairs, row-major, with their scores."""
    rows, cols = np.nonzero(feasible)
    return rows, cols, total[rows, cols]


def greedy(total, feasible, capacity, conflict=None):
    """greedy_pairs() for a dense (requests × volunteers) score array."""
    return greedy_pairs(total.shape[0], *_pairs(total, feasible), capacity, conflict)


def greedy_pairs(n_requests, pair_r, pair_v, pair_score, capacity, conflict=None, by_score=None):
    """Best remaining pair first, skipping a volunteer who is full or already has an overlapping request.

    The pairs are the feasible ones, row-major (equal scores: the lower request, then volunteer, first).
    `conflict` is (requests × requests): the two requests claim a volunteer at the same time.
    `by_score` is by_score(pair_score), if the caller has it already. Returns {request: volunteer}.
    """
    conflict = _no_conflicts(conflict, n_requests)
    order = by_score_of(pair_score) if by_score is None else by_score
    left = capacity.astype(np.int64).copy()
    assigned, given = {}, {}
    for r, v in zip(pair_r[order].tolist(), pair_v[order].tolist(), strict=True):
        if r in assigned or left[v] <= 0:
            continue
        if any(conflict[r, other] for other in given.get(v, ())):
            continue
        assigned[r] = v
        given.setdefault(v, []).append(r)
        left[v] -= 1
        if len(assigned) == n_requests:
            break
    return assigned


def by_score_of(pair_score):
    """The pairs' positions, best score first (equal scores in the pairs' order)."""
    return np.argsort(-pair_score, kind="stable")


def _ranked(pair_r, pair_score, by_score=None):
    """Positions of the pairs by request, best first (equal scores: the lower volunteer first), and each one's
    rank within its request (0 for the best)."""
    by_score = by_score_of(pair_score) if by_score is None else by_score
    key = pair_r[by_score]
    if len(key) and key.max() < 2**16:
        key = key.astype(np.uint16)  # a stable sort of 16-bit integers is a radix sort: a few times faster
    # Stable: by request, and within a request by score, ties in the pairs' (row-major) order.
    order = by_score[np.argsort(key, kind="stable")]
    sorted_r = pair_r[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_r, sorted_r, side="left")
    return order, rank


def _edges(pair_r, pair_v, n_volunteers, ranked, must_include, top_k):
    """The positions of the pairs the solver considers: each request's best `top_k` and every pair of
    `must_include` that is among the pairs; each once, row-major."""
    order, rank = ranked
    chosen = order[rank < top_k]
    if must_include:
        extra = np.array(list(must_include.items()), dtype=np.int64)
        keys = pair_r.astype(np.int64) * n_volunteers + pair_v
        wanted = extra[:, 0] * n_volunteers + extra[:, 1]
        i = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        chosen = np.concatenate([chosen, i[keys[i] == wanted]]) if len(keys) else chosen
    return np.unique(chosen)


def _bipartite(n_requests, n_volunteers, edge_r, edge_v, scores, capacity):
    """Maximum total score, each volunteer at most `capacity` times, overlaps not considered."""
    used = np.unique(edge_v)
    copies = np.minimum(capacity[used], np.bincount(edge_v, minlength=n_volunteers)[used]).astype(np.int64)
    start = np.zeros(n_volunteers, dtype=np.int64)
    start[used] = np.concatenate([[0], np.cumsum(copies)[:-1]])
    n_real = int(copies.sum())
    owner = np.repeat(used, copies)
    copies_of = np.zeros(n_volunteers, dtype=np.int64)
    copies_of[used] = copies

    repeat = copies_of[edge_v]
    rows = np.repeat(edge_r, repeat)
    # 0, 1, …, repeat[i] - 1 for each edge i, without a Python loop.
    offsets = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    cols = np.repeat(start[edge_v], repeat) + offsets
    ceiling = float(scores.max()) + 1.0
    # Costs must be positive (zero means "no edge"): cost = ceiling - score, a dummy costs the ceiling.
    weights = ceiling - np.repeat(scores, repeat)
    rows = np.concatenate([rows, np.arange(n_requests)])
    cols = np.concatenate([cols, n_real + np.arange(n_requests)])
    weights = np.concatenate([weights, np.full(n_requests, ceiling)])
    graph = csr_matrix((weights, (rows, cols)), shape=(n_requests, n_real + n_requests))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    return {int(r): int(owner[c]) for r, c in zip(row_ind, col_ind, strict=True) if c < n_real}


def clique_cover(conflict):
    """Groups of requests that all overlap each other, together covering every overlapping pair.

    A volunteer may get at most one request of such a group; one row per (volunteer, group) in the
    integer programme says so, which is both fewer and tighter than a row per overlapping pair (requests
    on one day form one group, not hundreds of pairs). Greedy: start from a pair not yet covered and
    add every request that overlaps all the group so far.
    """
    conflict = np.asarray(conflict, dtype=bool)
    uncovered = np.triu(conflict, k=1)
    cliques = []
    for a in range(conflict.shape[0]):
        while uncovered[a].any():
            b = int(np.flatnonzero(uncovered[a])[0])
            members = [a, b]
            common = conflict[a] & conflict[b]
            while common.any():
                c = int(np.flatnonzero(common)[0])
                members.append(c)
                common &= conflict[c]
            members = np.array(sorted(members))
            uncovered[np.ix_(members, members)] = False
            cliques.append(members)
    return cliques


def _milp(n_requests, n_volunteers, edge_r, edge_v, scores, capacity, cliques):
    """The exact optimum with the overlap constraints, as a 0/1 integer programme (HiGHS)."""
    n_edges = len(edge_r)
    columns = np.arange(n_edges)
    rows = [edge_r, n_requests + edge_v]
    cols = [columns, columns]
    n_rows = n_requests + n_volunteers
    if cliques:
        # Edge e belongs to the (volunteer, clique) row of every clique that holds its request.
        member_r = np.concatenate(cliques)
        member_k = np.repeat(np.arange(len(cliques)), [len(c) for c in cliques])
        order = np.argsort(member_r, kind="stable")
        member_r, member_k = member_r[order], member_k[order]
        first = np.searchsorted(member_r, edge_r, side="left")
        last = np.searchsorted(member_r, edge_r, side="right")
        counts = last - first
        e = np.repeat(columns, counts)
        k = member_k[np.concatenate([np.arange(f, end) for f, end in zip(first, last, strict=True)])] if len(e) else e
        keys = edge_v[e].astype(np.int64) * len(cliques) + k
        unique, inverse, sizes = np.unique(keys, return_inverse=True, return_counts=True)
        # A (volunteer, clique) row with one edge constrains nothing: left out.
        keep = sizes[inverse] >= 2
        remap = np.cumsum(sizes >= 2) - 1
        rows.append(n_rows + remap[inverse[keep]])
        cols.append(e[keep])
        n_rows += int((sizes >= 2).sum())
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, n_edges)).tocsr()
    upper = np.concatenate([np.ones(n_requests), capacity.astype(float), np.ones(n_rows - n_requests - n_volunteers)])
    result = milp(
        c=-scores,
        constraints=LinearConstraint(matrix, -np.inf, upper),
        integrality=np.ones(n_edges),
        bounds=Bounds(0, 1),
    )
    if result.x is None:  # pragma: no cover - a 0/1 problem with x = 0 feasible always has a solution
        raise RuntimeError(f"batch assignment not solved: {result.message}")
    chosen = np.flatnonzero(result.x > 0.5)
    return {int(edge_r[i]): int(edge_v[i]) for i in chosen}


def optimal(total, feasible, capacity, top_k=TOP_K, must_include=None, conflict=None):
    """optimal_pairs() for a dense (requests × volunteers) score array."""
    n_requests, n_volunteers = total.shape
    return optimal_pairs(n_requests, n_volunteers, *_pairs(total, feasible), capacity, top_k, must_include, conflict)


def optimal_pairs(
    n_requests,
    n_volunteers,
    pair_r,
    pair_v,
    pair_score,
    capacity,
    top_k=TOP_K,
    must_include=None,
    conflict=None,
    by_score=None,
):
    """Maximum total score with each volunteer used at most `capacity` times and never for two
    requests that overlap in time (`conflict`, requests × requests), over the feasible pairs (row-major,
    with their scores; `by_score` as for greedy_pairs). Returns {request: volunteer}."""
    if n_requests == 0 or n_volunteers == 0:
        return {}
    conflict = _no_conflicts(conflict, n_requests)
    usable = (capacity[pair_v] > 0) & np.isfinite(pair_score)
    if not usable.all():
        pair_r, pair_v, pair_score, by_score = pair_r[usable], pair_v[usable], pair_score[usable], None
    if not len(pair_r):
        return {}
    ranked = _ranked(pair_r, pair_score, by_score)
    edges = _edges(pair_r, pair_v, n_volunteers, ranked, must_include, top_k)
    relaxed = _bipartite(n_requests, n_volunteers, pair_r[edges], pair_v[edges], pair_score[edges], capacity)
    given = {}
    for r, v in relaxed.items():
        given.setdefault(v, []).append(r)
    if not any(conflict[np.ix_(rs, rs)].any() for rs in given.values() if len(rs) > 1):
        # The optimum without the overlap constraints keeps them: it is the optimum with them too.
        return relaxed
    # The integer programme over each request's MILP_TOP_K best candidates, plus every pair greedy or the
    # relaxation uses (so never below greedy): on the benchmark's 1,000 × 5,000 the same optimum as over 50
    # candidates each, in a fifth of the time.
    edges = _edges(pair_r, pair_v, n_volunteers, ranked, {**(must_include or {}), **relaxed}, min(top_k, MILP_TOP_K))
    return _milp(
        n_requests,
        n_volunteers,
        pair_r[edges],
        pair_v[edges],
        pair_score[edges],
        capacity,
        clique_cover(conflict),
    )


def total_of(assignment, total):
    return float(sum(total[r, v] for r, v in assignment.items()))


def open_requests():
    """Requests still looking for a volunteer and without an active proposal."""
    has_active = Exists(Match.objects.filter(help_request=OuterRef("pk"), status__in=Match.ACTIVE))
    return (
        HelpRequest.objects.filter(status=HelpRequest.Status.SEARCHING)
        .annotate(_active=has_active)
        .filter(_active=False)
        .select_related("category", "resident")
        .order_by("pk")
    )


def unassigned_reasons(scores, best):
    """{request index: reason} for requests the assignment left without a volunteer.

    The reason is the first hard filter (in scoring.HARD_FILTERS order) after which no volunteer is
    left, or "taken": some volunteer fitted, but each one went to a request where the total score
    gained more, had reached their capacity, or would have had two requests at one time.
    """
    first_failed = scores.first_failed
    return {
        r: scoring.HARD_FILTERS[first_failed[r]] if first_failed[r] >= 0 else "taken"
        for r in range(len(first_failed))
        if r not in best
    }


def solve(organisation, progress=lambda percent: None):
    """Scores every open request against every active volunteer and assigns optimally.

    Only the feasible pairs are built (scoring.score_sparse), never a requests × volunteers array."""
    category_index, area_index = indexes()
    requests_list = list(open_requests())
    volunteers_qs = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
    requests = scoring.load_requests(requests_list, category_index, area_index, organisation)
    # 'Er zijn voor elkaar' also reads who has been helped themselves (the reciprocity criterion).
    matches = scoring.recent_matches(requests.pks, requests.resident, mutual=bool(requests.mutual.any()))
    volunteers = scoring.load_volunteers(volunteers_qs, category_index, area_index, matches)
    progress(40)
    excluded, met = scoring.pair_sets(requests.pks, matches)
    booked = scoring.Bookings.of(volunteers, matches)
    scores = scoring.score_sparse(requests, volunteers, matching_settings().weights, excluded, met, booked=booked)
    conflict = scoring.overlap_blocks(requests.times, requests.times)
    np.fill_diagonal(conflict, False)
    progress(70)
    capacity = np.clip(volunteers.monthly_max - volunteers.month_load, 0, None)
    n_requests, n_volunteers = scores.shape
    pairs = (scores.pair_r, scores.pair_v, scores.pair_total)
    by_score = by_score_of(scores.pair_total)
    greedy_found = greedy_pairs(n_requests, *pairs, capacity, conflict, by_score=by_score)
    best = optimal_pairs(
        n_requests, n_volunteers, *pairs, capacity, must_include=greedy_found, conflict=conflict, by_score=by_score
    )
    progress(90)
    return requests, volunteers, scores, best, greedy_found


def _total(scores, assignment):
    if not assignment:
        return 0.0
    pairs = np.array(list(assignment.items()), dtype=np.int64)
    return float(scores.pair_total[scores.index(pairs[:, 0], pairs[:, 1])].sum())


def _claim(run_id) -> bool:
    """Take the run for this task, atomically: a waiting or failed run, or a running one whose worker stopped
    beating (killed). A second task for a run that is alive finds nothing to claim and does nothing."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=settings.BATCH_RUN_PATIENCE_SECONDS)
    claimable = Q(status__in=[BatchRun.Status.QUEUED, BatchRun.Status.FAILED]) | Q(
        status=BatchRun.Status.RUNNING, heartbeat_at__lt=stale
    )
    return bool(
        BatchRun.objects.filter(claimable, pk=run_id).update(
            status=BatchRun.Status.RUNNING, progress=10, heartbeat_at=now, attempts=F("attempts") + 1, error=""
        )
    )


def run(run_id):
    batch = BatchRun.objects.select_related("organisation").filter(pk=run_id).first()
    if batch is None or batch.status == BatchRun.Status.DONE or not _claim(run_id):
        return 0

    def progress(percent):
        BatchRun.objects.filter(pk=run_id).update(progress=percent, heartbeat_at=timezone.now())

    try:
        requests, volunteers, scores, best, greedy_found = solve(batch.organisation, progress)
        reasons = unassigned_reasons(scores, best)
        scores.detail(best.items())  # the facts behind the chosen pairs' points, in one pass
        with transaction.atomic():
            BatchProposal.objects.filter(run_id=run_id).delete()
            BatchProposal.objects.bulk_create(
                [
                    BatchProposal(
                        organisation_id=batch.organisation_id,
                        run_id=run_id,
                        help_request_id=int(requests.pks[r]),
                        volunteer_id=int(volunteers.pks[v]),
                        score=round(scores.total_at(r, v), 1),
                        criteria=scoring.criteria_for(scores, requests, volunteers, r, v),
                    )
                    for r, v in best.items()
                ]
            )
            BatchRun.objects.filter(pk=run_id).update(
                status=BatchRun.Status.DONE,
                progress=100,
                finished_at=timezone.now(),
                request_count=len(requests.pks),
                total_score=round(_total(scores, best), 1),
                greedy_score=round(_total(scores, greedy_found), 1),
                greedy_count=len(greedy_found),
                unassigned=[
                    {"request": int(requests.pks[r]), "reason": reason} for r, reason in sorted(reasons.items())
                ],
            )
    except Exception as error:
        BatchRun.objects.filter(pk=run_id).update(status=BatchRun.Status.FAILED, error=str(error)[:2000])
        raise
    return len(best)


# A run still waiting this long after it was asked for is taken as lost (the broker was down), and queued again.
QUEUED_PATIENCE = timezone.timedelta(minutes=5)


def lost_run_ids():
    """Runs asked for more than QUEUED_PATIENCE ago that no worker has started, and running runs whose worker
    stopped beating (killed) that have attempts left."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=settings.BATCH_RUN_PATIENCE_SECONDS)
    waiting = Q(status=BatchRun.Status.QUEUED, created_at__lt=now - QUEUED_PATIENCE)
    stuck = Q(status=BatchRun.Status.RUNNING, heartbeat_at__lt=stale, attempts__lt=settings.BATCH_RUN_MAX_ATTEMPTS)
    return list(BatchRun.objects.filter(waiting | stuck).values_list("pk", flat=True))


def batch_runs_fail_stuck() -> int:
    """Running runs whose worker was killed on every attempt: marked failed with the reason, so the coordinator
    sees it and can start a new proposal, instead of "bezig" for ever."""
    stale = timezone.now() - timezone.timedelta(seconds=settings.BATCH_RUN_PATIENCE_SECONDS)
    return BatchRun.objects.filter(
        status=BatchRun.Status.RUNNING, heartbeat_at__lt=stale, attempts__gte=settings.BATCH_RUN_MAX_ATTEMPTS
    ).update(
        status=BatchRun.Status.FAILED,
        error=gettext("De berekening is %(count)s keer onderbroken. Start een nieuw voorstel.")
        % {"count": settings.BATCH_RUN_MAX_ATTEMPTS},
    )


def batch_start(*, organisation, by):
    from netwerken.background import enqueue_on_commit

    from .tasks import run_batch

    batch = BatchRun.objects.create(organisation=organisation, created_by=by)
    enqueue_on_commit(run_batch, organisation.pk, batch.pk)
    return batch


def proposal_decide(*, proposal: BatchProposal, confirm: bool, by) -> BatchProposal:
    """Confirms a pair (a real proposal to the volunteer, with every check of match_propose) or drops it."""
    from .proposals import ProposalError, match_propose

    if proposal.decision != BatchProposal.Decision.PENDING:
        return proposal
    if confirm:
        try:
            with transaction.atomic():
                match_propose(
                    help_request=proposal.help_request, volunteer=proposal.volunteer, by=by, score=proposal.score
                )
        except ProposalError as error:
            proposal.decision, proposal.note = BatchProposal.Decision.DROPPED, str(error.message)[:300]
            proposal.save(update_fields=["decision", "note"])
            raise
        proposal.decision = BatchProposal.Decision.CONFIRMED
    else:
        proposal.decision = BatchProposal.Decision.DROPPED
    proposal.save(update_fields=["decision", "note"])
    return proposal


def batch_confirm_all(*, run: BatchRun, by) -> tuple[int, list]:
    """'Alles bevestigen': every pair still to be reviewed is proposed. Returns (proposed, [refused pairs])."""
    from .proposals import ProposalError

    proposed, refused = 0, []
    pending = BatchProposal.objects.filter(run=run, decision=BatchProposal.Decision.PENDING).select_related(
        "help_request__organisation", "help_request__category", "volunteer__membership__user"
    )
    for proposal in pending.order_by("-score", "pk"):
        try:
            proposal_decide(proposal=proposal, confirm=True, by=by)
            proposed += 1
        except ProposalError:
            refused.append(proposal)
    return proposed, refused
