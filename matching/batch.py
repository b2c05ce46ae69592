"""'Voorstel voor alle open hulpvragen': the best overall assignment of open requests to volunteers.

The score matrix comes from matching/scoring.py (the same hard filters and criteria as single
suggestions). The assignment is a maximum-weight bipartite matching, solved with scipy's
min_weight_full_bipartite_matching on a sparse graph: each volunteer appears once per unit of
remaining monthly capacity, each request may also stay unassigned (a dummy column), and the edges
are each request's best candidates plus every edge the greedy pass uses, so the optimum over them
is never below greedy's total.
"""

import numpy as np
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from netwerken.models import Volunteer

from . import scoring
from .models import BatchProposal, BatchRun, HelpRequest, Match
from .suggestions import indexes, matching_settings

TOP_K = 50


def greedy(total, feasible, capacity):
    """Best remaining pair first. Returns {request: volunteer}."""
    rows, cols = np.nonzero(feasible)
    order = np.argsort(-total[rows, cols], kind="stable")
    left = capacity.astype(np.int64).copy()
    assigned = {}
    n_requests = total.shape[0]
    for r, v in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if r in assigned or left[v] <= 0:
            continue
        assigned[r] = v
        left[v] -= 1
        if len(assigned) == n_requests:
            break
    return assigned


def optimal(total, feasible, capacity, top_k=TOP_K, must_include=None):
    """Maximum total score with each volunteer used at most `capacity` times. Returns {request: volunteer}."""
    n_requests, n_volunteers = total.shape
    if n_requests == 0 or n_volunteers == 0:
        return {}
    masked = np.where(feasible & (capacity > 0), total, -np.inf)
    k = min(top_k, n_volunteers)
    candidates = (
        np.argpartition(-masked, k - 1, axis=1)[:, :k]
        if k < n_volunteers
        else np.tile(np.arange(n_volunteers), (n_requests, 1))
    )
    edge_r = np.repeat(np.arange(n_requests), candidates.shape[1])
    edge_v = candidates.ravel()
    if must_include:
        extra = np.array(list(must_include.items()), dtype=np.int64)
        edge_r, edge_v = np.concatenate([edge_r, extra[:, 0]]), np.concatenate([edge_v, extra[:, 1]])
    keep = np.isfinite(masked[edge_r, edge_v])
    edges = np.unique(np.stack([edge_r[keep], edge_v[keep]], axis=1), axis=0)
    if not len(edges):
        return {}
    edge_r, edge_v = edges[:, 0], edges[:, 1]
    scores = masked[edge_r, edge_v]

    # One column per unit of capacity of each volunteer that has an edge, then one dummy per request.
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
    offsets = np.concatenate([np.arange(c) for c in repeat]) if len(repeat) else np.array([], dtype=np.int64)
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


def solve(organisation, progress=lambda percent: None):
    """Scores every open request against every active volunteer and assigns optimally."""
    category_index, area_index = indexes()
    requests_list = list(open_requests())
    volunteers_qs = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
    requests = scoring.load_requests(requests_list, category_index, area_index, organisation)
    matches = scoring.recent_matches(requests.pks, requests.resident)
    volunteers = scoring.load_volunteers(volunteers_qs, category_index, area_index, matches)
    progress(40)
    excluded, met = scoring.pair_sets(requests.pks, matches)
    scores = scoring.score(requests, volunteers, matching_settings().weights, excluded, met)
    progress(70)
    capacity = np.clip(volunteers.monthly_max - volunteers.month_load, 0, None)
    greedy_pairs = greedy(scores.total, scores.feasible, capacity)
    best = optimal(scores.total, scores.feasible, capacity, must_include=greedy_pairs)
    progress(90)
    return requests, volunteers, scores, best, greedy_pairs


def run(run_id):
    batch = BatchRun.objects.select_related("organisation").filter(pk=run_id).first()
    if batch is None or batch.status == BatchRun.Status.DONE:
        return 0

    def progress(percent):
        BatchRun.objects.filter(pk=run_id).update(progress=percent)

    BatchRun.objects.filter(pk=run_id).update(status=BatchRun.Status.RUNNING, progress=10)
    try:
        requests, volunteers, scores, best, greedy_pairs = solve(batch.organisation, progress)
        with transaction.atomic():
            BatchProposal.objects.filter(run_id=run_id).delete()
            BatchProposal.objects.bulk_create(
                [
                    BatchProposal(
                        organisation_id=batch.organisation_id,
                        run_id=run_id,
                        help_request_id=int(requests.pks[r]),
                        volunteer_id=int(volunteers.pks[v]),
                        score=round(float(scores.total[r, v]), 1),
                    )
                    for r, v in best.items()
                ]
            )
            BatchRun.objects.filter(pk=run_id).update(
                status=BatchRun.Status.DONE,
                progress=100,
                finished_at=timezone.now(),
                request_count=len(requests.pks),
                total_score=round(total_of(best, scores.total), 1),
                greedy_score=round(total_of(greedy_pairs, scores.total), 1),
            )
    except Exception as error:
        BatchRun.objects.filter(pk=run_id).update(status=BatchRun.Status.FAILED, error=str(error)[:2000])
        raise
    return len(best)


def batch_start(*, organisation, by):
    from .tasks import run_batch

    batch = BatchRun.objects.create(organisation=organisation, created_by=by)
    transaction.on_commit(lambda: run_batch.delay(organisation.pk, batch.pk))
    return batch


def proposal_decide(*, proposal, confirm, by):
    """Confirms a pair (a real proposal to the volunteer) or drops it."""
    from .proposals import ProposalError, match_propose

    if proposal.decision != BatchProposal.Decision.PENDING:
        return proposal
    if confirm:
        try:
            match_propose(help_request=proposal.help_request, volunteer=proposal.volunteer, by=by, score=proposal.score)
        except ProposalError as error:
            proposal.decision, proposal.note = BatchProposal.Decision.DROPPED, str(error.message)[:300]
            proposal.save(update_fields=["decision", "note"])
            raise
        proposal.decision = BatchProposal.Decision.CONFIRMED
    else:
        proposal.decision = BatchProposal.Decision.DROPPED
    proposal.save(update_fields=["decision", "note"])
    return proposal
