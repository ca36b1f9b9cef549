"""The store's embedding cache: one encoder pass per passage, shared by labels and topics."""

import numpy as np
import pytest

from discourse.pipeline.embeddings import SPANS, StoreEncoder, embed_store, text_key
from discourse.store import Store


class SpanCounter:
    """A stand-in encoder with a span pass, counting the texts it encodes."""

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += len(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)

    def encode_spans(self, texts):
        p = self.encode(texts)
        return p, p + 1, p + 2


@pytest.fixture
def store_and_encoder(labelled_sample, tmp_path, monkeypatch):
    import shutil

    from discourse.pipeline import embeddings

    db = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample, db)
    enc = SpanCounter()
    monkeypatch.setitem(embeddings.EMBEDDERS, "counter", lambda: enc)
    return db, enc


def test_span_features_are_computed_once_and_shared(store_and_encoder):
    db, enc = store_and_encoder
    with Store(db) as store:
        n = embed_store(store, "counter", spans=True)
        assert n > 0 and enc.calls == n
        texts = [t for _, t in store.con.execute("SELECT passage_id, text FROM passages LIMIT 5").fetchall()]
        cached = StoreEncoder(store, enc, "counter")
        p, mean, top = cached.encode_spans(texts)
        assert enc.calls == n and cached.computed == 0  # all from the store
        assert np.allclose(mean, p + 1) and np.allclose(top, p + 2)
        assert np.allclose(cached.encode(texts), p)  # the topic model reads the same passage vectors
        assert embed_store(store, "counter") == 0 and embed_store(store, "counter", spans=True) == 0
        rows = store.embeddings_for("counter" + SPANS, [text_key(texts[0])])
        assert len(next(iter(rows.values()))) == 6


def test_an_encoder_without_a_span_pass_falls_back(store_and_encoder, hash_embedder):
    db, _ = store_and_encoder
    from discourse.framing.explain import embedding_features

    with Store(db) as store:
        assert embed_store(store, "hash", spans=True) > 0
        assert store.count_missing_embeddings("hash" + SPANS) > 0  # nothing written under +spans
        cached = StoreEncoder(store, hash_embedder, "hash")
        features = embedding_features(cached, ["One. Two sentences here."], "spans")
        assert features.shape == (1, 3 * 48)
