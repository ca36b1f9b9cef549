"""One topic analysis of a corpus: fit (on a sample when the corpus is large, with several
seeds when asked), assign every passage, and measure quality against a baseline.

Takes and returns DataFrames; knows nothing of the store (the pipeline wires it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from discourse.config import TopicSettings
from discourse.topics.fit import OUTLIER, TopicModel, build_vectorizer
from discourse.topics.quality import baseline_terms, npmi, topic_diversity
from discourse.topics.stability import compare_fits

__all__ = ["TopicResult", "analyse_topics"]

logger = logging.getLogger(__name__)


@dataclass
class TopicResult:
    """Tables `topics`, `passage_topics`, `topic_terms_by_year`, the quality report, the model."""

    topics: pd.DataFrame
    passage_topics: pd.DataFrame
    terms_by_year: pd.DataFrame
    quality: dict
    model: TopicModel
    extra: dict = field(default_factory=dict)


def _sample(n: int, limit: int, seed: int) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def _fit_seeds(docs: list[str], emb: np.ndarray, s: TopicSettings) -> tuple[TopicModel, dict]:
    fits = [TopicModel(settings=s, random_state=s.random_state + k).fit(docs, emb) for k in range(s.seeds)]
    stability = compare_fits([f.topics_ for f in fits])
    stability["seeds"] = [s.random_state + k for k in range(s.seeds)]
    return fits[stability["kept"]], stability


def _assign(model: TopicModel, docs: list[str], emb: np.ndarray, fit_idx: np.ndarray) -> tuple[np.ndarray, ...]:
    raw = np.full(len(docs), OUTLIER)
    final = np.full(len(docs), OUTLIER)
    sim = np.zeros(len(docs), dtype=np.float32)
    raw[fit_idx], final[fit_idx], sim[fit_idx] = model.raw_topics_, model.topics_, model.similarity_
    rest = np.setdiff1d(np.arange(len(docs)), fit_idx)
    for start in range(0, len(rest), 5000):  # bounded batches
        idx = rest[start:start + 5000]
        r, f, s = model.transform([docs[i] for i in idx], emb[idx])
        raw[idx], final[idx], sim[idx] = r, f, s
    return raw, final, sim


def _quality(model: TopicModel, docs: list[str], final: np.ndarray, raw: np.ndarray, s: TopicSettings,
             fit_docs: list[str]) -> dict:
    """NPMI and diversity of the topics and of the NMF/LDA baseline, both scored on every
    passage. The baseline is fitted on the passages BERTopic was fitted on (`max_passages`):
    fitted on all 100k passages, NMF alone ran for over 17 minutes (benchmarks/RESULTS.md);
    and on its `baseline_max_features` most frequent terms: on a 20,000-passage sample of the
    100k benchmark corpus the whole vocabulary (177,628 terms) took NMF 455 s of a 550 s topics
    stage, 20,000 terms 80 s, at a cost in the baseline's NPMI (0.177 to 0.165; BERTopic 0.177).
    NMF stops at `baseline_tol` (1e-3): scikit-learn's 1e-4 ran 336 iterations there for no
    better topics (NPMI 0.1645 against 0.1655 after 62 iterations; 0.1420 / 0.1422 at 10k)."""
    k = s.quality_top_n
    ids = [t for t in sorted(model.terms_) if t != OUTLIER]
    terms = [model.terms_[t][:k] for t in ids]
    vec = build_vectorizer(s)
    base = baseline_terms(fit_docs, vec, len(ids), k, kind=s.baseline, random_state=s.random_state,
                          max_features=s.baseline_max_features, tol=s.baseline_tol)
    return {
        "passages": len(docs), "topics": len(ids),
        "outlier_share_raw": round(float((raw == OUTLIER).mean()), 4),
        "outlier_share": round(float((final == OUTLIER).mean()), 4),
        "outlier_strategy": s.outlier_strategy,
        "npmi": round(npmi(terms, docs, vec), 4), "diversity": round(topic_diversity(terms), 4),
        "baseline": {"kind": s.baseline, "topics": len(base), "fitted_on": len(fit_docs),
                     "max_features": s.baseline_max_features, "tol": s.baseline_tol,
                     "npmi": round(npmi(base, docs, vec), 4),
                     "diversity": round(topic_diversity(base), 4)},
        "top_n": k,
    }


def analyse_topics(passages: pd.DataFrame, embeddings: np.ndarray, settings: TopicSettings | None = None) -> TopicResult:
    """`passages`: columns passage_id, text, year (nullable), rows aligned with `embeddings`."""
    s = settings or TopicSettings()
    docs = passages["text"].astype(str).tolist()
    emb = np.asarray(embeddings, dtype=np.float32)
    fit_idx = _sample(len(docs), s.max_passages, s.random_state)
    model, stability = _fit_seeds([docs[i] for i in fit_idx], emb[fit_idx], s)
    raw, final, sim = _assign(model, docs, emb, fit_idx)
    persist = stability["persistence"]
    topics = pd.DataFrame([
        {"topic_id": t, "label": model.labels_[t], "top_terms": ", ".join(model.terms_[t][:s.top_n_words]),
         "size": int((final == t).sum()), "persistence": persist.get(t)}
        for t in sorted(model.labels_)
    ])
    passage_topics = pd.DataFrame({"passage_id": passages["passage_id"].to_numpy(), "topic_id": final,
                                   "topic_raw": raw, "similarity": sim.round(4),
                                   "fitted": np.isin(np.arange(len(docs)), fit_idx)})
    quality = _quality(model, docs, final, raw, s, [docs[i] for i in fit_idx])
    quality["stability"] = stability
    quality["fitted_on"] = len(fit_idx)
    return TopicResult(topics, passage_topics, _terms_by_year(model, passages, final), quality, model)


def _terms_by_year(model: TopicModel, passages: pd.DataFrame, final: np.ndarray) -> pd.DataFrame:
    dated = passages["year"].notna().to_numpy()
    cols = ["topic_id", "year", "terms", "frequency"]
    if dated.sum() == 0:
        return pd.DataFrame(columns=cols)
    docs = passages.loc[dated, "text"].astype(str).tolist()
    tot = model.topics_over_time(docs, final[dated], passages.loc[dated, "year"].astype(int).tolist())
    out = tot.rename(columns={"Topic": "topic_id", "Timestamp": "year", "Words": "terms", "Frequency": "frequency"})
    out["year"] = out["year"].astype(int)
    return out[cols].sort_values(["topic_id", "year"]).reset_index(drop=True)
