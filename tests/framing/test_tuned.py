"""The fine-tuned framing model: training reaches what it was shown, the saved encoder gives
the trainer's numbers, and a `tuned` model round-trips through save, load and the predictor."""

import numpy as np
import pytest

from discourse.framing import train as train_mod
from discourse.framing import tuned
from discourse.framing.persist import load_model
from discourse.framing.predict import load_predictor
from tests.framing.test_train import _examples

pytest.importorskip("torch")
SMALL = tuned.TuneSettings(layers=1, epochs=6, lr=5e-4, head_lr=5e-3, batch=8)


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(tuned, "DEFAULT_SETTINGS", SMALL)
    monkeypatch.setattr(train_mod, "GRID", {**train_mod.GRID, "tuned": [4.0]})
    monkeypatch.setattr(train_mod, "WRITTEN_WEIGHTS", (0.0,))
    monkeypatch.setattr(train_mod, "CV_FOLDS", 2)
    monkeypatch.setattr(train_mod, "BLENDS", {"tuned": (0.0, 0.5)})


def _data():
    ex = [e for e in _examples() if e.origin == "real"]
    classes = np.array(sorted({e.label for e in ex}))
    return [e.text for e in ex], np.searchsorted(classes, [e.label for e in ex]), classes


def test_fine_tuning_fits_its_training_rows_and_the_encoder_reproduces_its_logits(small):
    texts, y, classes = _data()
    tuner = tuned.Tuner(texts)
    rows = np.arange(len(texts))
    state = tuner.fit(rows, y, np.ones(len(y)), len(classes), seed=0)
    logits = tuner.logits(state, rows)
    assert (logits.argmax(1) == y).mean() >= 0.9  # it learned the (easy, repeated) training labels
    assert set(state) >= {"head.weight", "head.bias", "encoder.layer.5.attention.self.qkv.weight"}
    assert not any(k.startswith("encoder.layer.4.") for k in state)  # one layer tuned, the rest shared
    encoder = tuned.TunedEncoder(state, precision="fp32")
    np.testing.assert_allclose(encoder.encode(texts), logits, atol=1e-3)
    again = tuner.fit(rows, y, np.ones(len(y)), len(classes), seed=0)
    np.testing.assert_array_equal(again["head.weight"], state["head.weight"])  # seeded: reproducible


def test_stack_folds_give_every_row_one_out_of_fold_slot():
    groups = ["a", "a", "b", "b", "c", "c", "d", "d", None, None, None, None]
    y = np.array([0, 1] * 6)
    folds = tuned.stack_folds(groups, y, 2, seed=0)
    held = np.concatenate([h for _, h in folds])
    assert sorted(held.tolist()) == list(range(12))  # each row held out exactly once
    for fit, h in folds:
        assert not set(fit) & set(h)
        assert not {groups[i] for i in fit if groups[i]} & {groups[i] for i in h if groups[i]}  # files never split


def test_tuned_model_trains_saves_and_predicts_like_the_estimator(small, tmp_path):
    report = train_mod.train_models(_examples(), tmp_path, ("tuned",), seed=0)
    assert report["models"]["tuned"]["cv"]["macro_f1"] > 0.5
    model = load_model(tmp_path, "tuned")
    text = "She took personal control and told every manager exactly what she expected."
    assert model.predict([text])[0] == "heroic"
    predictor = load_predictor("tuned", tmp_path)
    assert predictor.embedder == predictor.model_id and predictor.model_id.startswith("tuned-")
    record = predictor.predict([text])[0]
    assert record["label"] == "heroic"
    np.testing.assert_allclose([record["probs"][c] for c in model.classes_], model.predict_proba([text])[0], atol=0.05)
    assert all(e["kind"] in ("stance-rule", "cue", "phrase") for e in record["evidence"])


def test_labelling_with_a_tuned_model_also_caches_the_base_vectors_for_topics(small, tmp_path):
    from discourse.framing.embed import MiniLMEmbedder
    from discourse.pipeline import ingest
    from discourse.pipeline.framing import label_store
    from discourse.store import Store
    from tests.conftest import SAMPLE

    train_mod.train_models(_examples(), tmp_path / "models", ("tuned",), seed=0)
    predictor = load_predictor("tuned", tmp_path / "models")
    db = tmp_path / "s.duckdb"
    ingest([SAMPLE / "text"], db)
    label_store(db, predictor)
    with Store(db, read_only=True) as store:
        counts = dict(store.query("SELECT embedder, count(*) FROM embeddings GROUP BY embedder"))
        body = store.query("SELECT count(DISTINCT sha256(text)) FROM passages WHERE kind = 'body'")[0][0]
        texts = [t for (t,) in store.query("SELECT text FROM passages WHERE kind = 'body' ORDER BY passage_id LIMIT 5")]
        cached = store.embeddings_for("minilm", [__import__("hashlib").sha256(t.encode()).hexdigest() for t in texts])
    assert counts == {predictor.model_id: body, "minilm": body}  # one pass gave both
    direct = MiniLMEmbedder.get().encode(texts)
    got = np.stack([cached[__import__("hashlib").sha256(t.encode()).hexdigest()] for t in texts])
    assert (np.sum(direct * got, axis=1) > 0.999).all()  # the topic model's vectors, up to bf16 rounding
