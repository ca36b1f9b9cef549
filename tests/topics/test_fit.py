"""Topic model: labels, determinism, outlier reduction, quality and stability measures."""

import numpy as np
import pytest

from discourse.config import TopicSettings
from discourse.errors import TopicError
from discourse.topics import OUTLIER, TopicModel, analyse_topics, short_label
from discourse.topics.fit import build_vectorizer
from discourse.topics.quality import baseline_terms, npmi, topic_diversity
from discourse.topics.stability import compare_fits

THEMES = {
    "schools": ["pupils", "teachers", "classroom", "school", "exams", "headteacher"],
    "hospitals": ["patients", "nurses", "ward", "hospital", "clinic", "surgery"],
    "farming": ["farmers", "harvest", "cattle", "crops", "tractor", "fields"],
}


def _corpus(per_theme: int = 40, seed: int = 0):
    """Passages built from three word families, with embeddings clustered by family."""
    rng = np.random.default_rng(seed)
    docs, emb = [], []
    centres = rng.normal(size=(len(THEMES), 32))
    for k, words in enumerate(THEMES.values()):
        for _ in range(per_theme):
            docs.append(" ".join(rng.choice(words, size=12)) + " and the week")
            emb.append(centres[k] + 0.15 * rng.normal(size=32))
    emb = np.asarray(emb, dtype=np.float32)
    return docs, emb / np.linalg.norm(emb, axis=1, keepdims=True)


FAST = TopicSettings(reduction="pca", clustering="kmeans", kmeans={"n_clusters": 3})


@pytest.mark.parametrize(("terms", "n", "expected"), [
    (["social care", "care", "workforce", "trust"], 3, "social care · workforce · trust"),
    (["care", "social care", "trust"], 2, "care · trust"),
    ([], 3, "(no terms)"),
])
def test_short_label_skips_terms_already_shown(terms, n, expected):
    assert short_label(terms, n) == expected


def test_kmeans_topics_recover_the_three_themes():
    docs, emb = _corpus()
    model = TopicModel(settings=FAST).fit(docs, emb)
    assert sorted(model.sizes_.values()) == [40, 40, 40]
    words = {w for terms in model.terms_.values() for w in terms[:6]}
    assert {"pupils", "patients", "farmers"} <= words
    raw, topics, sim = model.transform(docs[:5], emb[:5])
    assert (topics == model.topics_[:5]).all() and (sim > 0.5).all()


@pytest.mark.slow
def test_umap_hdbscan_fit_is_deterministic_for_a_seed_and_reduces_outliers():
    docs, emb = _corpus()
    extra_docs = ["a passage about nothing in particular"] * 3
    rng = np.random.default_rng(5)
    noise = rng.normal(size=(3, 32)).astype(np.float32)
    docs, emb = docs + extra_docs, np.vstack([emb, noise / np.linalg.norm(noise, axis=1, keepdims=True)])
    s = TopicSettings(umap={"n_neighbors": 10}, hdbscan={"min_cluster_size": 10})
    a = TopicModel(settings=s, random_state=7).fit(docs, emb)
    b = TopicModel(settings=s, random_state=7).fit(docs, emb)
    assert (a.raw_topics_ == b.raw_topics_).all() and (a.topics_ == b.topics_).all()
    assert len(set(a.topics_) - {OUTLIER}) == 3
    assert not (a.topics_ == OUTLIER).any()  # outliers reduced by embeddings...
    assert a.raw_topics_.shape == a.topics_.shape  # ...with the original kept


def test_too_few_clusters_is_a_clear_error():
    docs, emb = _corpus(per_theme=8)
    with pytest.raises(TopicError, match="min_cluster_size"):
        TopicModel(settings=TopicSettings(reduction="pca", hdbscan={"min_cluster_size": 100})).fit(docs, emb)


def test_mismatched_embeddings_are_refused():
    with pytest.raises(TopicError, match="embeddings of shape"):
        TopicModel(settings=FAST).fit(["a", "b"], np.zeros((3, 4)))


def test_npmi_is_one_for_terms_always_together_and_minus_one_for_never():
    docs = ["alpha beta"] * 5 + ["gamma"] * 5 + ["delta"] * 5
    vec = build_vectorizer(TopicSettings())
    assert npmi([["alpha", "beta"]], docs, vec) == pytest.approx(1.0)
    assert npmi([["gamma", "delta"]], docs, vec) == pytest.approx(-1.0)
    assert -1.0 < npmi([["alpha", "beta"], ["gamma", "delta"]], docs, vec) < 1.0


def test_diversity_counts_repeated_terms():
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5


def test_baseline_terms_find_the_themes():
    docs, _ = _corpus()
    terms = baseline_terms(docs, build_vectorizer(TopicSettings()), 3, 5, kind="nmf")
    assert len(terms) == 3
    for t in terms:  # each baseline topic is one theme's words
        assert sum(bool(set(t) & set(words)) for words in THEMES.values()) == 1


def test_stability_is_label_permutation_invariant_and_finds_unstable_topics():
    a = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    same = np.array([2, 2, 2, 0, 0, 0, 1, 1, 1])
    other = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    r = compare_fits([a, same])
    assert r["ari"][0][1] == 1.0 and r["persistent_topics"] == [0, 1, 2]
    r = compare_fits([a, same, other])
    assert r["kept"] in (0, 1) and r["ari"][0][2] < 0.1
    assert r["persistent_topics"] == []  # `other` shares no topic with a


def test_analyse_topics_samples_then_assigns_the_rest_and_reports_quality():
    import pandas as pd

    docs, emb = _corpus()
    frame = pd.DataFrame({"passage_id": [f"p{i}" for i in range(len(docs))], "text": docs,
                          "year": [2000 + i % 5 for i in range(len(docs))]})
    s = FAST.model_copy(update={"max_passages": 60, "seeds": 2})
    r = analyse_topics(frame, emb, s)
    assert r.quality["fitted_on"] == 60 and int(r.passage_topics["fitted"].sum()) == 60
    assert len(r.passage_topics) == 120 and r.topics["size"].sum() == 120
    assert set(r.quality["baseline"]) >= {"npmi", "diversity"} and -1 <= r.quality["npmi"] <= 1
    assert len(r.quality["stability"]["mean_ari"]) == 2
    assert set(r.terms_by_year["year"]) <= set(range(2000, 2005))


def test_baseline_vocabulary_is_capped_at_the_most_frequent_terms():
    from sklearn.feature_extraction.text import CountVectorizer

    docs, _ = _corpus()
    vec = build_vectorizer(TopicSettings())
    counts = CountVectorizer(**{k: v for k, v in vec.get_params().items() if k in ("ngram_range", "stop_words")},
                             min_df=2).fit(docs)
    full = set(counts.get_feature_names_out())
    assert len(full) > 40  # the cap below bites
    totals = np.asarray(counts.transform(docs).sum(axis=0)).ravel()
    names = counts.get_feature_names_out()
    frequent = {names[i] for i in np.flatnonzero(totals >= np.sort(totals)[-20])}  # the top 20, with ties
    capped = baseline_terms(docs, vec, 3, 5, kind="nmf", max_features=20)
    assert {t for topic in capped for t in topic} <= frequent
    uncapped = baseline_terms(docs, vec, 3, 5, kind="nmf")
    assert {t for topic in uncapped for t in topic} <= full


def test_baseline_tol_reaches_nmf(monkeypatch):
    """The settings' tolerance is the one NMF stops at (the 100k benchmark's topics stage
    depends on it), and the quality report records it."""
    from sklearn import decomposition

    seen = []
    real = decomposition.NMF

    class Spy(real):
        def fit(self, X, y=None, **kw):
            seen.append(self.tol)
            return super().fit(X, y, **kw)

    monkeypatch.setattr(decomposition, "NMF", Spy)
    docs, _ = _corpus()
    baseline_terms(docs, build_vectorizer(TopicSettings()), 3, 5, kind="nmf", tol=0.005)
    assert seen == [0.005]
    assert TopicSettings().baseline_tol == 1e-3
