"""BERTopic over passages, fitted on precomputed embeddings: fit and assign, nothing else.

Sub-models are built by name from `TopicSettings` (reduction `umap|pca`, clustering
`hdbscan|kmeans`, the CountVectorizer), the way BERTopic takes them as constructor
arguments; heavy backends are imported only when selected. Time slicing lives in
`discourse.trends`, plots in `discourse.report`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils.validation import check_is_fitted

from discourse.config import TopicSettings
from discourse.errors import TopicError

__all__ = ["TopicModel", "build_vectorizer", "short_label"]

logger = logging.getLogger(__name__)
OUTLIER = -1


def _reduction(s: TopicSettings, seed: int):
    if s.reduction == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=s.pca.n_components, random_state=seed)
    from umap import UMAP

    u = s.umap
    return UMAP(n_neighbors=u.n_neighbors, n_components=u.n_components, min_dist=u.min_dist,
                metric=u.metric, random_state=seed, low_memory=True, n_jobs=1)


def _clustering(s: TopicSettings, seed: int):
    if s.clustering == "kmeans":
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=s.kmeans.n_clusters, random_state=seed, n_init=10)
    from hdbscan import HDBSCAN

    h = s.hdbscan
    return HDBSCAN(min_cluster_size=h.min_cluster_size, min_samples=h.min_samples,
                   cluster_selection_method=h.cluster_selection_method, metric="euclidean",
                   prediction_data=True)


class TermCounter(CountVectorizer):
    """CountVectorizer whose feature names are built once per fitted vocabulary: BERTopic
    asks for them on every c-TF-IDF call, once per year in `topics_over_time` (47 of 154 s
    of `discourse topics` at 10k passages before this)."""

    def get_feature_names_out(self, input_features=None):
        cached = getattr(self, "_names", None)
        if cached is None or cached[0] is not self.vocabulary_:
            cached = self._names = (self.vocabulary_, super().get_feature_names_out(input_features))
        return cached[1]


def build_vectorizer(s: TopicSettings):
    """The CountVectorizer behind c-TF-IDF (also used to tokenise passages for NPMI)."""
    v = s.vectorizer
    return TermCounter(stop_words=v.stop_words, ngram_range=tuple(v.ngram_range), min_df=v.min_df,
                           max_features=v.max_features, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z'-]+\b")


def short_label(terms: list[str], n: int) -> str:
    """A readable label from a topic's ranked terms: the first `n` terms, skipping a term
    whose words are all already shown (`care` after `social care`, and the reverse)."""
    chosen: list[str] = []
    for term in terms:
        words = set(term.split())
        if any(words <= set(c.split()) or set(c.split()) <= words for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return " · ".join(chosen) if chosen else "(no terms)"


def _bertopic(s: TopicSettings, seed: int):
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer

    return BERTopic(embedding_model=None, umap_model=_reduction(s, seed), hdbscan_model=_clustering(s, seed),
                    vectorizer_model=build_vectorizer(s), ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                    top_n_words=s.top_n_words, calculate_probabilities=False, verbose=False)


class TopicModel(BaseEstimator):
    """BERTopic with the project's sub-models, fitted on given embeddings.

    After `fit`: `topics_` (final assignment, outliers reduced when configured),
    `raw_topics_` (the clustering's own assignment, -1 = outlier), `similarity_` (cosine of
    each passage to its topic's embedding), `terms_` and `labels_` per topic id, `sizes_`.
    """

    def __init__(self, *, settings: TopicSettings | None = None, random_state: int | None = None) -> None:
        self.settings = settings
        self.random_state = random_state

    def _settings(self) -> TopicSettings:
        return self.settings or TopicSettings()

    def _seed(self) -> int:
        return self.random_state if self.random_state is not None else self._settings().random_state

    def fit(self, docs: list[str], embeddings: np.ndarray) -> TopicModel:
        docs, embeddings = _check(docs, embeddings)
        s = self._settings()
        model = _bertopic(s, self._seed())
        try:
            raw, _ = model.fit_transform(docs, embeddings)
        except (ValueError, TypeError) as exc:
            raise TopicError(f"topics: fitting failed on {len(docs)} passages ({exc}); a corpus this "
                             "small may need smaller topics.hdbscan.min_cluster_size or umap.n_neighbors") from exc
        raw = np.asarray(raw)
        if len(set(raw.tolist()) - {OUTLIER}) < 2:
            raise TopicError(f"topics: the clustering found {len(set(raw.tolist()) - {OUTLIER})} topic(s) in "
                             f"{len(docs)} passages; lower topics.hdbscan.min_cluster_size "
                             f"(now {s.hdbscan.min_cluster_size}) or use clustering = \"kmeans\"")
        self.model_, self.raw_topics_ = model, raw
        self.topics_ = self._reduce_outliers(docs, embeddings, raw)
        self._describe(embeddings)
        return self

    def _reduce_outliers(self, docs: list[str], embeddings: np.ndarray, raw: np.ndarray) -> np.ndarray:
        s = self._settings()
        if s.outlier_strategy == "none" or not (raw == OUTLIER).any():
            return raw.copy()
        new = self.model_.reduce_outliers(docs, raw.tolist(), strategy=s.outlier_strategy,
                                          embeddings=embeddings, threshold=s.outlier_threshold)
        new = np.asarray(new)
        # recompute c-TF-IDF for the new assignment (BERTopic's documented follow-up); its
        # warning about custom assignments is about later topic reduction, which we never do
        with _quiet_bertopic():
            self.model_.update_topics(docs, topics=new.tolist(), top_n_words=s.top_n_words,
                                      vectorizer_model=build_vectorizer(s))
        return new

    def _describe(self, embeddings: np.ndarray) -> None:
        s = self._settings()
        ids = sorted(set(self.topics_.tolist()))
        self.terms_ = {t: [w for w, _ in (self.model_.get_topic(t) or []) if w] for t in ids}
        self.labels_ = {t: ("outliers" if t == OUTLIER else short_label(self.terms_[t], s.label_terms)) for t in ids}
        self.sizes_ = {t: int((self.topics_ == t).sum()) for t in ids}
        self.centroids_ = _centroids(embeddings, self.topics_)
        self.similarity_ = _similarity(embeddings, self.topics_, self.centroids_)

    def transform(self, docs: list[str], embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Assign new passages: the clustering's prediction, outliers then given the nearest
        topic centroid when outlier reduction is on. Returns (raw, topics, similarity)."""
        check_is_fitted(self, "topics_")
        docs, embeddings = _check(docs, embeddings)
        raw, _ = self.model_.transform(docs, embeddings)
        raw = np.asarray(raw)
        topics = raw.copy()
        if self._settings().outlier_strategy != "none":
            topics = _nearest(embeddings, self.centroids_, topics)
        return raw, topics, _similarity(embeddings, topics, self.centroids_)

    def topics_over_time(self, docs: list[str], topics: np.ndarray, years: list[int]):
        """BERTopic's `topics_over_time` (per-year c-TF-IDF terms and raw counts) for dated
        passages with the given assignment."""
        check_is_fitted(self, "topics_")
        saved = self.model_.topics_
        self.model_.topics_ = [int(t) for t in topics]  # BERTopic reads the assignment from here
        try:
            with _quiet_bertopic():  # it warns about >100 distinct years: one row per year is what we want
                return self.model_.topics_over_time(docs, [int(y) for y in years], global_tuning=True,
                                                    evolution_tuning=False)
        finally:
            self.model_.topics_ = saved

    def save(self, folder: str | Path) -> Path:
        """BERTopic's safetensors serialisation (no pickle), without the embedding model."""
        check_is_fitted(self, "topics_")
        folder = Path(folder)
        with _quiet_bertopic():  # it warns that no embedding model is saved: by design
            self.model_.save(str(folder), serialization="safetensors", save_ctfidf=True,
                             save_embedding_model=False)
        return folder


@contextmanager
def _quiet_bertopic() -> Iterator[None]:
    bt_logger = logging.getLogger("BERTopic")
    level = bt_logger.level
    bt_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        bt_logger.setLevel(level)


def _check(docs: list[str], embeddings: np.ndarray) -> tuple[list[str], np.ndarray]:
    docs = [d if isinstance(d, str) else "" for d in docs]
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or len(docs) != embeddings.shape[0]:
        raise TopicError(f"topics: {len(docs)} passages but embeddings of shape {embeddings.shape}")
    if not docs:
        raise TopicError("topics: no passages to model; run `discourse ingest` first")
    return docs, embeddings


def _centroids(embeddings: np.ndarray, topics: np.ndarray) -> dict[int, np.ndarray]:
    out = {}
    for t in sorted(set(topics.tolist()) - {OUTLIER}):
        c = embeddings[topics == t].mean(axis=0)
        out[t] = c / (np.linalg.norm(c) or 1.0)
    return out


def _similarity(embeddings: np.ndarray, topics: np.ndarray, centroids: dict[int, np.ndarray]) -> np.ndarray:
    norms = np.linalg.norm(embeddings, axis=1)
    norms[norms == 0] = 1.0
    sims = np.zeros(len(topics), dtype=np.float32)
    for t, c in centroids.items():
        mask = topics == t
        sims[mask] = embeddings[mask] @ c / norms[mask]
    return sims


def _nearest(embeddings: np.ndarray, centroids: dict[int, np.ndarray], topics: np.ndarray) -> np.ndarray:
    ids = np.array(sorted(centroids))
    out = topics.copy()
    mask = out == OUTLIER
    if mask.any() and len(ids):
        sims = embeddings[mask] @ np.stack([centroids[t] for t in ids]).T
        out[mask] = ids[sims.argmax(axis=1)]
    return out

