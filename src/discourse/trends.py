"""Themes and framing over the years, with uncertainty.

Shares are ratios of passage counts, and their 95 % intervals come from a cluster bootstrap
that resamples *documents* within each period (a document's passages are not independent
draws). Every cell carries the number of documents behind it and a `low_n` flag when that
is under `min_docs`; small cells are flagged, never dropped. Intervals are percentile
intervals; in a skewed cell with few documents the percentile interval can miss the point
estimate, and it is then widened to include it (so the interval is never narrower than the
data allow). Inputs and outputs are
DataFrames; the pipeline reads them from and writes them to the store.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from discourse.config import TrendSettings
from discourse.errors import TrendError

__all__ = ["TREND_FILES", "bootstrap_shares", "changepoint", "compute_trends", "exemplars", "what_moved"]

FRAMINGS = ["heroic", "collaborative", "neutral"]
# store table → CSV file name (the CSV names are the documented contract)
TREND_FILES = {
    "trend_topic_year": "topics_over_time",
    "trend_framing_year": "framing_by_year",
    "trend_topic_framing_year": "topic_framing_by_year",
    "trend_moves": "what_moved",
    "trend_exemplars": "exemplars",
}
_NO_CHANGEPOINT = ("changepoint_year", "share_before", "share_after", "step_r2")  # a short series: None
_CHUNK = 250  # bootstrap resamples drawn at a time (bounds memory on large periods)


def _doc_counts(group: pd.DataFrame, category: str, levels: list) -> np.ndarray:
    """Documents × categories passage counts for one cell group."""
    _, doc_idx = np.unique(group["doc_id"].to_numpy(), return_inverse=True)
    pos = {c: i for i, c in enumerate(levels)}
    cat_idx = np.array([pos[c] for c in group[category]])
    counts = np.zeros((doc_idx.max() + 1, len(levels)))
    np.add.at(counts, (doc_idx, cat_idx), 1.0)
    return counts


def _draws(counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap shares (n_boot × categories): documents resampled with replacement."""
    n = counts.shape[0]
    totals = counts.sum(axis=1)
    out = []
    for start in range(0, n_boot, _CHUNK):
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=min(_CHUNK, n_boot - start)).astype(np.float64)
        out.append((w @ counts) / (w @ totals)[:, None])
    return np.vstack(out)


def _interval(draws: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - confidence) / 2 * 100
    return np.percentile(draws, tail, axis=0), np.percentile(draws, 100 - tail, axis=0)


def bootstrap_shares(frame: pd.DataFrame, by: list[str], category: str, levels: list,
                     settings: TrendSettings, rng: np.random.Generator) -> pd.DataFrame:
    """Share of each category level among the passages of each `by` group, with a document
    bootstrap interval. `frame`: one row per passage with doc_id, the `by` columns, `category`."""
    rows = []
    for key, group in frame.groupby(by, sort=True):
        counts = _doc_counts(group, category, levels)
        point = counts.sum(axis=0) / counts.sum()
        low, high = _interval(_draws(counts, settings.bootstrap, rng), settings.confidence)
        n_docs = counts.shape[0]
        key = key if isinstance(key, tuple) else (key,)
        for i, level in enumerate(levels):
            rows.append({**dict(zip(by, key, strict=True)), category: level, "n_docs": n_docs,
                         "n_docs_with": int((counts[:, i] > 0).sum()), "n_passages": int(counts[:, i].sum()),
                         "n_passages_total": int(counts.sum()), "share": float(point[i]),
                         "ci_low": float(min(low[i], point[i])), "ci_high": float(max(high[i], point[i])),
                         "low_n": n_docs < settings.min_docs})
    return pd.DataFrame(rows)


def changepoint(periods: np.ndarray, shares: np.ndarray, weights: np.ndarray, min_periods: int) -> dict | None:
    """One change-point by weighted binary segmentation: the split minimising the weighted
    squared error of a two-level step. Returns the first period of the new level, the
    levels before/after and the share of variance the step explains; None when short."""
    if len(periods) < min_periods:
        return None
    w = np.asarray(weights, dtype=float)
    x = np.asarray(shares, dtype=float)
    total = float((w * (x - np.average(x, weights=w)) ** 2).sum())
    best = None
    for k in range(2, len(x) - 1):  # at least two periods on each side
        left, right = slice(0, k), slice(k, None)
        ml, mr = np.average(x[left], weights=w[left]), np.average(x[right], weights=w[right])
        sse = float((w[left] * (x[left] - ml) ** 2).sum() + (w[right] * (x[right] - mr) ** 2).sum())
        if best is None or sse < best[0]:
            best = (sse, k, ml, mr)
    if best is None:
        return None
    sse, k, ml, mr = best
    return {"changepoint_year": int(periods[k]), "share_before": float(ml), "share_after": float(mr),
            "step_r2": float(1 - sse / total) if total > 0 else 0.0}


def _windows(periods: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = periods.min(), periods.max()
    if hi - lo + 1 < 2 * width:  # too short for two full windows: compare halves
        width = max(1, (hi - lo + 1) // 2)
    return periods[periods < lo + width], periods[periods > hi - width]


def what_moved(frame: pd.DataFrame, category: str, levels: list, series: pd.DataFrame,
               settings: TrendSettings, rng: np.random.Generator, what: str) -> pd.DataFrame:
    """Change in each level's share between the first and last windows of periods, with a
    bootstrap interval of the difference (documents resampled within each window), and a
    change-point on the per-period series."""
    periods = np.sort(frame["year"].unique())
    if len(periods) < 2:
        return pd.DataFrame()
    first, last = _windows(periods, settings.window_years)
    parts = [frame[frame["year"].isin(w)] for w in (first, last)]
    counts = [_doc_counts(p, category, levels) for p in parts]
    points = [c.sum(axis=0) / c.sum() for c in counts]
    diff = _draws(counts[1], settings.bootstrap, rng) - _draws(counts[0], settings.bootstrap, rng)
    low, high = _interval(diff, settings.confidence)
    rows = []
    for i, level in enumerate(levels):
        s = series[series[category] == level].sort_values("year")
        cp = changepoint(s["year"].to_numpy(), s["share"].to_numpy(), s["n_passages_total"].to_numpy(),
                         settings.min_changepoint_periods) or dict.fromkeys(_NO_CHANGEPOINT)
        change = float(points[1][i] - points[0][i])
        rows.append({"what": what, "level": level, "first_from": int(first.min()), "first_to": int(first.max()),
                     "last_from": int(last.min()), "last_to": int(last.max()),
                     "share_first": float(points[0][i]), "share_last": float(points[1][i]), "change": change,
                     "ci_low": float(min(low[i], change)), "ci_high": float(max(high[i], change)),
                     "n_docs_first": counts[0].shape[0], "n_docs_last": counts[1].shape[0],
                     "clear": bool(low[i] > 0 or high[i] < 0), **cp})
    return pd.DataFrame(rows)


def exemplars(joined: pd.DataFrame, k: int) -> pd.DataFrame:
    """For each topic × framing cell, the `k` most representative passages (framing
    probability × similarity to the topic), one per document."""
    joined = joined[joined["label"].isin(FRAMINGS)].copy()
    joined["p_label"] = np.select([joined["label"] == f for f in FRAMINGS],
                                  [joined[f"p_{f}"] for f in FRAMINGS], default=np.nan)
    joined["score"] = joined["p_label"] * joined["similarity"].clip(lower=0)
    joined = joined.sort_values(["topic_id", "label", "score", "passage_id"], ascending=[True, True, False, True])
    best = joined.drop_duplicates(["topic_id", "label", "doc_id"]).groupby(["topic_id", "label"]).head(k)
    best = best.assign(rank=best.groupby(["topic_id", "label"]).cumcount() + 1)
    cols = ["topic_id", "topic_label", "label", "rank", "passage_id", "doc_id", "title", "author", "year",
            "score", "p_label", "text", "evidence"]
    return best[cols].rename(columns={"label": "framing"}).reset_index(drop=True)


def _period(years: pd.Series, width: int) -> pd.Series:
    return (years.astype(int) // width) * width if width > 1 else years.astype(int)


def compute_trends(passages: pd.DataFrame, documents: pd.DataFrame, labels: pd.DataFrame,
                   assignments: pd.DataFrame, topics: pd.DataFrame, terms_by_year: pd.DataFrame,
                   settings: TrendSettings | None = None) -> dict[str, pd.DataFrame]:
    """All trend tables (keys: store table names). `passages`: passage_id, doc_id, text,
    year; `labels`: passage_id, label, p_*; `assignments`: passage_id, topic_id, similarity."""
    s = settings or TrendSettings()
    rng = np.random.default_rng(s.random_state)
    df = (passages.merge(labels, on="passage_id", how="inner")
          .merge(assignments[["passage_id", "topic_id", "similarity"]], on="passage_id", how="inner"))
    df = df[df["year"].notna()].copy()
    if df.empty:
        raise TrendError("trends: no passage is dated, labelled and assigned a topic; run ingest, "
                         "label and topics on the same store first")
    df["year"] = _period(df["year"], s.year_bin)
    topic_label = dict(zip(topics["topic_id"], topics["label"], strict=True))
    topic_levels = sorted(df["topic_id"].unique().tolist())
    framing_levels = FRAMINGS + sorted(set(df["label"]) - set(FRAMINGS))
    by_topic = bootstrap_shares(df, ["year"], "topic_id", topic_levels, s, rng)
    by_topic.insert(1, "label", by_topic["topic_id"].map(topic_label))
    if s.year_bin == 1 and len(terms_by_year):
        terms = terms_by_year.rename(columns={"terms": "year_terms", "frequency": "bertopic_frequency"})
        by_topic = by_topic.merge(terms, on=["topic_id", "year"], how="left")
    by_framing = bootstrap_shares(df, ["year"], "label", framing_levels, s, rng)
    by_cell = bootstrap_shares(df, ["topic_id", "year"], "label", framing_levels, s, rng)
    by_cell.insert(1, "topic_label", by_cell["topic_id"].map(topic_label))
    moves = pd.concat([
        what_moved(df, "label", framing_levels, by_framing, s, rng, "framing"),
        what_moved(df, "topic_id", topic_levels, by_topic, s, rng, "topic"),
    ], ignore_index=True)
    if len(moves):
        moves["level"] = [str(topic_label.get(v, v)) if w == "topic" else str(v) for w, v in zip(moves["what"], moves["level"], strict=True)]
    joined = df.merge(documents[["doc_id", "title", "author"]], on="doc_id", how="left")
    joined["topic_label"] = joined["topic_id"].map(topic_label)
    joined["evidence"] = [e if isinstance(e, str) else json.dumps(e) for e in joined["evidence"]]
    return {
        "trend_topic_year": _order(by_topic, ["topic_id", "label", "year", "n_passages", "share", "ci_low", "ci_high"]),
        "trend_framing_year": _order(by_framing, ["year", "label", "n_docs", "share", "ci_low", "ci_high"]),
        "trend_topic_framing_year": by_cell,
        "trend_moves": moves,
        "trend_exemplars": exemplars(joined, s.exemplars),
    }


def _order(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """The contract columns first, in the documented order, then the extra ones."""
    return frame[first + [c for c in frame.columns if c not in first]]
