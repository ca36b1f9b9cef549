"""Shared fixtures: the network is blocked for every test; ../shared is optional."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
SAMPLE = REPO / "corpus" / "sample"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def shared_dir(name: str) -> Path:
    """A folder of ../shared/corpus, or skip: a fresh clone has no ../shared (CI has it)."""
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"needs ../shared/corpus/{name} beside the repo (absent in a fresh clone; CI has it)")
    return path


class HashEmbedder:
    """A tiny deterministic stand-in for MiniLM in model-free tests: hashed word counts
    projected to 48 dimensions, L2-normalised (texts sharing words land near each other)."""

    def __init__(self) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import HashingVectorizer

        self.vec = HashingVectorizer(n_features=2**12, alternate_sign=False, stop_words="english")
        self.proj = np.random.default_rng(0).normal(size=(2**12, 48)).astype(np.float32)
        self.calls = 0

    def encode(self, texts):
        import numpy as np

        self.calls += len(texts)
        x = np.asarray((self.vec.transform(texts) @ self.proj), dtype=np.float32)
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.where(norms == 0, 1, norms)


@pytest.fixture
def hash_embedder(monkeypatch):
    """Register `HashEmbedder` as the embedder named "hash" (config: topics.embedder = "hash")."""
    from discourse.pipeline import embeddings

    emb = HashEmbedder()
    monkeypatch.setitem(embeddings.EMBEDDERS, "hash", lambda: emb)
    return emb


@pytest.fixture(scope="session")
def labelled_sample(tmp_path_factory):
    """corpus/sample ingested and labelled with the TF-IDF model (no torch needed); copy
    the returned store before changing it."""
    from discourse.framing.predict import load_predictor
    from discourse.pipeline import ingest
    from discourse.pipeline.framing import label_store

    db = tmp_path_factory.mktemp("labelled") / "sample.duckdb"
    ingest([SAMPLE], db)
    label_store(db, load_predictor("tfidf"))
    return db
