"""The lean MiniLM encoder against sentence-transformers (the reference implementation)."""

import numpy as np
import pytest

from discourse.errors import DiscourseError
from discourse.framing import embed

TEXTS = ["The new chief executive took personal control.",
         "We lead together with our partners and communities, sharing power.",
         "",
         "A much longer passage about councils and budgets " * 40]


@pytest.mark.slow
def test_matches_sentence_transformers():
    st = pytest.importorskip("sentence_transformers")
    ours = embed.MiniLMEmbedder().encode(TEXTS)
    ref = st.SentenceTransformer(str(embed.minilm_dir()), device="cpu").encode(TEXTS, normalize_embeddings=True)
    assert ours.shape == (4, embed.EMBED_DIM)
    assert np.abs(ours - ref).max() < 1e-4


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
