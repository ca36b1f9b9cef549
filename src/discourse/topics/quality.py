"""Topic quality measured on the corpus itself: NPMI coherence and topic diversity, for the
fitted model and for a fast scikit-learn baseline (NMF or LDA) on the same passages.

NPMI uses document co-occurrence over the passages (each passage one document), with the
same tokenisation as the topic model's CountVectorizer, so bigram terms are counted as
bigrams. A pair never seen together scores -1 (the measure's floor).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from scipy import sparse

__all__ = ["baseline_terms", "npmi", "topic_diversity"]


def npmi(topic_terms: list[list[str]], docs: list[str], vectorizer) -> float:
    """Mean NPMI over topics of the mean NPMI over each topic's term pairs. `vectorizer` is
    an unfitted CountVectorizer (cloned here, vocabulary fixed to the topics' terms)."""
    from sklearn.base import clone

    vocab = sorted({t for terms in topic_terms for t in terms})
    if not vocab or not docs:
        return float("nan")
    vec = clone(vectorizer).set_params(vocabulary=vocab, min_df=1, max_df=1.0, max_features=None, binary=True)
    x = sparse.csr_matrix(vec.fit_transform(docs), dtype=np.float64)
    x.data[:] = 1.0
    n = x.shape[0]
    p1 = np.asarray(x.sum(axis=0)).ravel() / n
    p2 = (x.T @ x).toarray() / n
    index = {t: i for i, t in enumerate(vocab)}
    scores = []
    for terms in topic_terms:
        pairs = [_npmi_pair(p1, p2, index[a], index[b]) for a, b in combinations(terms, 2)]
        if pairs:
            scores.append(float(np.mean(pairs)))
    return float(np.mean(scores)) if scores else float("nan")


def _npmi_pair(p1: np.ndarray, p2: np.ndarray, i: int, j: int) -> float:
    joint = p2[i, j]
    if joint <= 0 or p1[i] <= 0 or p1[j] <= 0:
        return -1.0
    if joint >= 1.0:
        return 1.0
    return float(np.log(joint / (p1[i] * p1[j])) / -np.log(joint))


def topic_diversity(topic_terms: list[list[str]]) -> float:
    """Share of unique terms among all topics' top terms (1 = no topic repeats another's)."""
    total = sum(len(t) for t in topic_terms)
    return len({w for t in topic_terms for w in t}) / total if total else float("nan")


def baseline_terms(docs: list[str], vectorizer, n_topics: int, top_n: int, kind: str = "nmf",
                   random_state: int = 0, max_features: int | None = None, tol: float = 1e-4) -> list[list[str]]:
    """Top terms of an NMF (on TF-IDF) or LDA (on counts) fit of the same passages, over the
    `max_features` most frequent terms (None: every term in at least two passages); `tol` is
    NMF's stopping tolerance."""
    from sklearn.base import clone
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import TfidfTransformer

    caps = [c for c in (max_features, vectorizer.get_params().get("max_features")) if c is not None]
    vec = clone(vectorizer).set_params(min_df=2 if len(docs) >= 50 else 1, max_features=min(caps, default=None))
    counts = vec.fit_transform(docs)
    n_topics = max(2, min(n_topics, counts.shape[1] - 1, counts.shape[0] - 1))
    if kind == "lda":
        model = LatentDirichletAllocation(n_components=n_topics, random_state=random_state, learning_method="batch")
        model.fit(counts)
    else:
        model = NMF(n_components=n_topics, random_state=random_state, init="nndsvda", max_iter=400, tol=tol)
        model.fit(TfidfTransformer().fit_transform(counts))
    names = vec.get_feature_names_out()
    return [[str(names[i]) for i in row.argsort()[::-1][:top_n]] for row in model.components_]
