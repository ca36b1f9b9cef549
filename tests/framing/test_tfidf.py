"""The predictor's TF-IDF transform (no scikit-learn on the scoring path) must give what the
saved scikit-learn vectorizer gives."""

import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from discourse.framing.persist import DEFAULT_MODEL_DIR, load_saved, tfidf_from_saved
from discourse.framing.tfidf import SavedTfidf, supports
from tests.conftest import REPO

TEXTS = [
    "She took personal control and told every manager exactly what she expected.",
    "Partnership working across boundaries: councils, the NHS and citizens co-design services together.",
    "CAFÉ naïve façade — “smart quotes” don’t matter; ÆSIR Straße ﬁnance İstanbul 2024 a b c",
    "", "   ", "a", "The the THE the. Leadership, leadership; leadership!",
    "日本語のテキスト and English words mixed with ünïcödé",
]


def _annotated_texts(n: int = 300) -> list[str]:
    texts = []
    for name in ("written_hard.jsonl", "written_coverage.jsonl"):
        path = REPO / "corpus" / "annotations" / name
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return texts[:n]


@pytest.mark.parametrize("config", [
    dict(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=30000, strip_accents="unicode"),
    dict(ngram_range=(1, 3), min_df=1, sublinear_tf=False, strip_accents=None),
])
def test_same_matrix_as_scikit_learn(config):
    fit_on = _annotated_texts() + TEXTS
    vec = TfidfVectorizer(**config).fit(fit_on)
    ours = SavedTfidf(vec.vocabulary_, vec.idf_, **config)
    probe = TEXTS + _annotated_texts(600)[300:] + [t.upper() for t in _annotated_texts(50)]
    expected, got = vec.transform(probe), ours.transform(probe)
    assert got.shape == expected.shape and expected.nnz > 1000
    np.testing.assert_allclose(got.toarray(), expected.toarray(), rtol=0, atol=1e-12)
    assert ours.transform([]).shape == (0, len(vec.idf_))


def test_shipped_models_use_it_and_agree_with_their_saved_vectorizer():
    meta, arrays = load_saved(DEFAULT_MODEL_DIR, "tuned")
    assert supports(meta["vectorizer"])
    ours = tfidf_from_saved(meta, arrays, estimator=False)
    theirs = tfidf_from_saved(meta, arrays)
    assert isinstance(ours, SavedTfidf) and isinstance(theirs, TfidfVectorizer)
    np.testing.assert_allclose(ours.transform(TEXTS).toarray(), theirs.transform(TEXTS).toarray(), atol=1e-12)


def test_settings_it_does_not_reproduce_fall_back_to_scikit_learn():
    assert not supports({"ngram_range": [1, 2], "analyzer": "char"})
    assert not supports({"ngram_range": [1, 2], "strip_accents": "ascii"})


def test_dense_rows_matches_toarray():
    """`dense_rows` (the evidence path of the predictor and the estimator) gives each row of
    sparse features exactly as `toarray` would: empty rows, and a row with a duplicate entry
    (summed)."""
    from scipy import sparse

    from discourse.framing.explain import dense_rows

    m = (sparse.diags([1.0, 1, 1, 0, 1, 1, 1]) @ sparse.random(7, 50, density=0.1, random_state=0)).tocsr()
    m.eliminate_zeros()
    assert m[3].nnz == 0
    dup = sparse.csr_matrix((np.array([1.0, 2.0]), np.array([4, 4]), np.array([0, 0, 2, 2, 2, 2, 2, 2])), shape=(7, 50))
    assert not dup.has_canonical_format
    for feats in (m, dup):
        got = [row.copy() for row in dense_rows(feats)]
        assert np.array_equal(np.stack(got), feats.toarray())
    assert not dup.has_canonical_format  # the caller's matrix is left as it was
    assert list(np.flatnonzero(feats.toarray()[1])) == [4] and feats.toarray()[1, 4] == 3.0
    dense = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(np.stack(list(dense_rows(dense))), dense)
