"""Stability across seeds: adjusted Rand index between assignments, and which topics persist
(a topic persists when, in every other fit, some topic shares at least half its passages
by Jaccard overlap of members)."""

from __future__ import annotations

from itertools import combinations

import numpy as np

__all__ = ["compare_fits", "persistence"]


def _members(topics: np.ndarray) -> dict[int, set[int]]:
    return {int(t): set(np.flatnonzero(topics == t).tolist()) for t in np.unique(topics) if t != -1}


def _best_jaccard(members: set[int], other: dict[int, set[int]]) -> float:
    return max((len(members & m) / len(members | m) for m in other.values()), default=0.0)


def persistence(assignments: list[np.ndarray], index: int) -> dict[int, float]:
    """For each topic of fit `index`: the smallest, over the other fits, best-match Jaccard."""
    mine = _members(assignments[index])
    others = [_members(a) for i, a in enumerate(assignments) if i != index]
    if not others:
        return {t: 1.0 for t in mine}
    return {t: min(_best_jaccard(m, o) for o in others) for t, m in mine.items()}


def compare_fits(assignments: list[np.ndarray], threshold: float = 0.5) -> dict:
    """Pairwise ARI, the most stable fit (highest mean ARI to the others) and its topics'
    persistence."""
    from sklearn.metrics import adjusted_rand_score

    k = len(assignments)
    ari = np.ones((k, k))
    for i, j in combinations(range(k), 2):
        ari[i, j] = ari[j, i] = adjusted_rand_score(assignments[i], assignments[j])
    mean = [(ari[i].sum() - 1) / (k - 1) if k > 1 else 1.0 for i in range(k)]
    best = int(np.argmax(mean))
    persist = persistence(assignments, best)
    return {
        "ari": [[round(float(v), 4) for v in row] for row in ari],
        "mean_ari": [round(float(v), 4) for v in mean],
        "kept": best,
        "persistence": {int(t): round(v, 4) for t, v in persist.items()},
        "persistent_topics": sorted(int(t) for t, v in persist.items() if v >= threshold),
        "threshold": threshold,
    }
