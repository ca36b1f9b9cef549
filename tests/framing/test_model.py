import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from discourse.errors import DiscourseError
from discourse.framing.model import FramingClassifier, LexiconClassifier
from discourse.framing.persist import load_model, load_saved, model_id, save_model
from discourse.framing.predict import FramingPredictor

HEROIC = [
    "The new chief executive took personal control and turned the company round in a year.",
    "What this city needs is one strong leader with the authority to decide and act.",
    "She arrived, replaced the board and told every manager exactly what she expected.",
    "Only a decisive commander could have rescued the operation from chaos.",
]
COLLAB = [
    "The plan was written with carers; our job was to listen and share power.",
    "No single agency can solve this; the council and charities lead it together.",
    "We built trust across organisational boundaries and co-produced the service.",
    "Frontline staff designed the new rota with residents as equal partners.",
]
NEUTRAL = [
    "The board will interview four candidates on 12 March.",
    "Turnover among chief executives rose to 21% last year.",
    "The programme runs for six half-days and is open to band 6 staff.",
    "The meeting was moved to the town hall because of the weather.",
]
X = (HEROIC + COLLAB + NEUTRAL) * 3
Y = (["heroic"] * 4 + ["collaborative"] * 4 + ["neutral"] * 4) * 3


class StubEmbedder:
    """Tiny deterministic stand-in for MiniLM: hashed bag of words, 64 dimensions."""

    def encode(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, hash(w.strip(".,;")) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture(scope="module")
def tfidf_model():
    return FramingClassifier(embedder="tfidf", calibration_folds=3).fit(X, Y)


def test_estimator_contract(tfidf_model):
    assert list(tfidf_model.classes_) == ["collaborative", "heroic", "neutral"]
    proba = tfidf_model.predict_proba(X)
    assert proba.shape == (len(X), 3) and np.allclose(proba.sum(axis=1), 1)
    assert (tfidf_model.predict(X) == np.array(Y)).mean() > 0.9
    assert tfidf_model.temperature_ > 0


def test_init_stores_params_unchanged_and_unfitted_raises():
    model = FramingClassifier(embedder="tfidf", C=3.0)
    assert model.get_params()["C"] == 3.0
    with pytest.raises(NotFittedError):
        model.predict(["x"])


def test_stub_embedder_backend_fits():
    model = FramingClassifier(embedder=StubEmbedder(), calibration_folds=3).fit(X, Y)
    assert (model.predict(X) == np.array(Y)).mean() > 0.8


def test_abstains_exactly_below_threshold(tfidf_model):
    texts = X[:12] + ["A sentence about nothing in particular.", "Leaders and partners met."]
    top = tfidf_model.predict_proba(texts).max(axis=1)
    threshold = float(np.median(top))
    model = FramingClassifier(embedder="tfidf", abstain_below=threshold, calibration_folds=3).fit(X, Y)
    labels = model.predict_labels(texts)
    top = model.predict_proba(texts).max(axis=1)
    assert [lab == "uncertain" for lab in labels] == list(top < threshold)
    assert "uncertain" in labels and set(labels) - {"uncertain"}


def test_explain_reports_stance_rule(tfidf_model):
    ev = tfidf_model.explain(["Stop waiting for a saviour: the hero model never works."])[0]
    assert ev[0].kind == "stance-rule" and "critique of heroic" in ev[0].text


def test_lexicon_baseline_applies_stance_rule():
    lex = LexiconClassifier().fit(X, Y)
    assert lex.predict(["The myth of the heroic chief executive has failed us."])[0] == "collaborative"
    assert lex.predict(["Partnership is a talking shop; put one person in charge."])[0] == "heroic"


def test_wrong_inputs_raise():
    with pytest.raises(TypeError, match="iterable of str"):
        FramingClassifier(embedder="tfidf").fit([1, 2, 3], ["heroic"] * 3)
    with pytest.raises(ValueError, match="labels"):
        FramingClassifier(embedder="tfidf").fit(["a", "b"], ["heroic"])


def test_save_load_roundtrip_and_predictor_agree(tfidf_model, tmp_path):
    save_model(tfidf_model, tmp_path)
    loaded = load_model(tmp_path, "tfidf")
    assert np.allclose(loaded.predict_proba(X), tfidf_model.predict_proba(X))
    meta, arrays = load_saved(tmp_path, "tfidf")
    predictor = FramingPredictor("tfidf", meta, arrays, model_id(tmp_path, "tfidf"))
    assert np.allclose(predictor.predict_proba(X), tfidf_model.predict_proba(X))
    assert not list(tmp_path.glob("*.pkl")) and not list(tmp_path.glob("*.joblib"))


def test_tampered_model_file_is_refused(tfidf_model, tmp_path):
    save_model(tfidf_model, tmp_path)
    npz = tmp_path / "tfidf.npz"
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.raises(DiscourseError, match="sha256"):
        load_model(tmp_path, "tfidf")


def test_missing_model_says_what_to_do(tmp_path):
    with pytest.raises(DiscourseError, match="discourse train"):
        load_model(tmp_path, "minilm")


def test_grouped_folds_keep_groups_apart_and_never_score_ungrouped_rows():
    from discourse.framing.model import grouped_folds

    y = np.array((["heroic", "collaborative", "neutral"] * 10) + ["neutral"] * 6)
    groups = [f"file{i % 10}" for i in range(30)] + [None] * 6
    folds = grouped_folds(y, groups, 5, 0)
    held = np.concatenate([b for _, b in folds])
    assert sorted(held) == list(range(30))  # every grouped row scored once, ungrouped never
    for fit_idx, held_idx in folds:
        assert set(range(30, 36)) <= set(fit_idx)
        assert not {groups[i] for i in fit_idx if groups[i]} & {groups[i] for i in held_idx}


def test_zero_weight_texts_are_ignored():
    noise = ["Completely unrelated filler about gardening and soup."] * 12
    w = np.r_[np.ones(len(X)), np.zeros(len(noise))]
    base = FramingClassifier(embedder="tfidf", calibration_folds=3).fit(X, Y)
    weighted = FramingClassifier(embedder="tfidf", calibration_folds=3).fit(X + noise, Y + ["heroic"] * 12, sample_weight=w)
    assert np.allclose(base.coef_, weighted.coef_, atol=1e-6)
    assert "gardening" not in weighted.vectorizer_.vocabulary_


def test_sample_weight_moves_the_decision():
    odd = ["The meeting was moved to the town hall because of the weather."] * 6
    light = FramingClassifier(embedder="tfidf", calibration_folds=0).fit(X + odd, Y + ["heroic"] * 6,
                                                                           sample_weight=np.r_[np.ones(len(X)), np.full(6, 0.01)])
    heavy = FramingClassifier(embedder="tfidf", calibration_folds=0).fit(X + odd, Y + ["heroic"] * 6,
                                                                           sample_weight=np.r_[np.ones(len(X)), np.full(6, 5.0)])
    assert light.predict(odd[:1])[0] == "neutral" and heavy.predict(odd[:1])[0] == "heroic"
    assert light.temperature_ == 1.0  # calibration_folds=0: no temperature scaling


@pytest.mark.parametrize("weights, match", [([1.0] * 5, "one non-negative"), ([-1.0] + [1.0] * 35, "non-negative"),
                                            ([0.0] * 36, "not all zero")])
def test_bad_sample_weight_raises(weights, match):
    with pytest.raises(ValueError, match=match):
        FramingClassifier(embedder="tfidf").fit(X, Y, sample_weight=weights)


def test_grouped_calibration_fits_a_temperature():
    groups = [f"f{i % 6}" for i in range(len(X) - 12)] + [None] * 12
    model = FramingClassifier(embedder="tfidf", calibration_folds=3).fit(X, Y, groups=groups)
    assert model.temperature_ > 0 and np.isfinite(model.temperature_)


def test_sentence_pooling_keeps_a_one_sentence_stance_visible():
    from discourse.framing.explain import embedding_features

    stub = StubEmbedder()
    texts = ["Budgets rose. Staff numbers fell. Put one strong leader in charge.", "One sentence only.", ""]
    feats = embedding_features(stub, texts, "sentences")
    assert feats.shape == (3, 3 * 64)
    assert np.allclose(feats[:, :64], stub.encode(texts))  # the passage embedding comes first, unchanged
    last = stub.encode(["Put one strong leader in charge."])[0]
    assert np.all(feats[0, 128:] >= last - 1e-6)  # max pooling keeps the last sentence's peaks
    assert np.allclose(feats[1, 64:128], stub.encode(["One sentence only."])[0])  # mean of one sentence
    assert not feats[2].any()  # empty text: zeros, no NaN or -inf
    assert np.array_equal(embedding_features(stub, texts, "passage"), stub.encode(texts))
    with pytest.raises(ValueError, match="pooling must be one of"):
        embedding_features(stub, texts, "tokens")


def test_sentence_pooled_model_fits_and_names_its_features():
    model = FramingClassifier(embedder=StubEmbedder(), pooling="sentences", calibration_folds=3).fit(X, Y)
    assert model.coef_.shape[1] == 3 * 64 + 7
    assert (model.predict(X) == np.array(Y)).mean() > 0.8
    assert model.feature_names()[-1].startswith("cue:")


def test_predictor_applies_the_saved_pooling(tmp_path):
    stub = StubEmbedder()
    model = FramingClassifier(embedder=stub, pooling="sentences", calibration_folds=3).fit(X, Y)
    save_model(model, tmp_path)
    meta, arrays = load_saved(tmp_path, "minilm")
    assert meta["params"]["pooling"] == "sentences"
    predictor = FramingPredictor("minilm", meta, arrays, model_id(tmp_path, "minilm"))
    predictor._encoder = stub  # stands in for MiniLM, which the predictor would load
    texts = ["Budgets rose. Put one strong leader in charge.", *X[:5]]
    assert np.allclose(predictor.predict_proba(texts), model.predict_proba(texts), atol=1e-5)


def test_blend_is_the_mix_of_the_two_heads_and_round_trips(tmp_path):
    """`blend` mixes the TF-IDF model's head (its own C) into the full head: the weights are
    exactly (1 − b) × the full head's + b × the TF-IDF head's (zero on the columns it does not
    see), so the saved model, the estimator and the predictor agree."""
    full = FramingClassifier(embedder="hybrid", C=1.0, calibration_folds=0).fit(X, Y)
    alone = FramingClassifier(embedder="tfidf", C=8.0, calibration_folds=0).fit(X, Y)
    mixed = FramingClassifier(embedder="hybrid", C=1.0, blend=0.25, blend_C=8.0, calibration_folds=3).fit(X, Y)
    lead = full.coef_.shape[1] - alone.coef_.shape[1]
    assert lead == 384  # the passage embedding comes first, then n-grams and cues
    expect = 0.75 * full.coef_
    expect[:, lead:] += 0.25 * alone.coef_
    assert np.allclose(mixed.coef_, expect)
    assert np.allclose(mixed.intercept_, 0.75 * full.intercept_ + 0.25 * alone.intercept_)
    assert not np.allclose(mixed.coef_, full.coef_)
    assert mixed.temperature_ != 1.0  # fitted on the mixed out-of-fold logits
    save_model(mixed, tmp_path)
    assert load_model(tmp_path, "hybrid").get_params()["blend"] == 0.25
    meta, arrays = load_saved(tmp_path, "hybrid")
    predictor = FramingPredictor("hybrid", meta, arrays, model_id(tmp_path, "hybrid"))
    assert np.allclose(predictor.predict_proba(X), mixed.predict_proba(X), atol=1e-3)  # predictor embeds in bf16


@pytest.mark.parametrize("kw, match", [({"embedder": "tfidf", "blend": 0.5}, "only for embedder"),
                                       ({"embedder": "hybrid", "blend": 1.0}, r"\[0, 1\)")])
def test_bad_blend_raises(kw, match):
    with pytest.raises(ValueError, match=match):
        FramingClassifier(calibration_folds=0, **kw).fit(X, Y)
