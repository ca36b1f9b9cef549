"""The lean MiniLM encoder against sentence-transformers (the reference implementation)."""

import numpy as np
import pytest

from discourse.errors import DiscourseError
from discourse.framing import embed

TEXTS = ["The new chief executive took personal control.",
         "We lead together with our partners and communities, sharing power.",
         "",
         "A much longer passage about councils and budgets " * 40]


@pytest.fixture(scope="module")
def reference():
    st = pytest.importorskip("sentence_transformers")
    return st.SentenceTransformer(str(embed.minilm_dir()), device="cpu").encode(TEXTS, normalize_embeddings=True)


@pytest.mark.slow
def test_fp32_matches_sentence_transformers(reference):
    ours = embed.MiniLMEmbedder(precision="fp32").encode(TEXTS)
    assert ours.shape == (4, embed.EMBED_DIM)
    assert np.abs(ours - reference).max() < 1e-4


@pytest.mark.slow
def test_bf16_stays_close_to_sentence_transformers(reference):
    ours = embed.MiniLMEmbedder(precision="bf16").encode(TEXTS)
    cosine = (ours * reference).sum(axis=1)
    assert cosine.min() > 0.999, cosine


def test_batching_does_not_change_a_text_vector():
    """Padding is masked out: a text encoded alone or among longer ones gets the same vector."""
    enc = embed.MiniLMEmbedder(precision="fp32", batch_size=4)
    together = enc.encode(TEXTS)
    enc._cache.clear()
    alone = np.vstack([enc.encode([t]) for t in TEXTS])
    assert np.abs(together - alone).max() < 1e-5


def test_more_texts_than_the_cache_holds():
    enc = embed.MiniLMEmbedder(precision="fp32", batch_size=2)
    enc._cache.size = 2
    texts = [f"Passage number {i} about partnership." for i in range(7)] + ["Passage number 0 about partnership."]
    out = enc.encode(texts)
    assert np.allclose(out[0], out[7]) and not np.allclose(out[0], out[1])
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)


def test_cache_returns_identical_rows():
    enc = embed.MiniLMEmbedder.get()
    a = enc.encode(TEXTS[:2])
    b = enc.encode(list(reversed(TEXTS[:2])))
    assert np.array_equal(a, b[::-1])
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)


def test_weights_with_wrong_hash_are_refused(monkeypatch):
    monkeypatch.setattr(embed, "MINILM_SHA256", "0" * 64)
    with pytest.raises(DiscourseError, match="sha256"):
        embed.MiniLMEmbedder()


def test_span_pass_gives_the_passage_vector_and_sentence_pools():
    enc = embed.MiniLMEmbedder(precision="fp32")
    texts = ["Leaders must take charge and decide alone. Partners are only a distraction.",
             "One sentence about shared leadership.", ""]
    passage, mean, top = enc.encode_spans(texts)
    assert np.abs(passage - enc.encode(texts)).max() < 1e-5  # same vector the topic model uses
    assert not np.allclose(mean[0], top[0])  # two sentences: mean and max differ
    assert np.allclose(mean[1], top[1])  # one sentence: they coincide
    assert (top[0] >= mean[0] - 1e-6).all()
    again = enc.encode_spans(texts[::-1])
    assert all(np.allclose(a, b[::-1]) for a, b in zip((passage, mean, top), again, strict=True))
