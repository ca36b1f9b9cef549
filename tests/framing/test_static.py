"""The fast tier: static token embeddings distilled from MiniLM (`discourse.framing.static`)."""

import json
import shutil

import numpy as np
import pytest

from discourse.errors import DiscourseError
from discourse.framing import static


@pytest.fixture(scope="module")
def fast():
    return static.StaticEmbedder()


def test_vectors_are_unit_length_and_in_input_order(fast):
    texts = ["The chief executive took personal control.", "", "Partners share the work of leading."]
    out = fast.encode(texts)
    assert out.shape == (3, fast.dim) and out.dtype == np.float32
    assert np.allclose(np.linalg.norm(out[[0, 2]], axis=1), 1, atol=1e-5)
    assert not out[1].any()  # empty text: a zero row, not NaN
    assert np.array_equal(fast.encode(texts[::-1])[::-1], out)


def test_similar_meaning_is_closer_than_unrelated(fast):
    a, b, c = fast.encode(["We build trust with partners and listen to communities.",
                           "Collaboration with partner organisations depends on trust and listening.",
                           "Quarterly revenue fell four percent on lower freight volumes."])
    assert a @ b > a @ c + 0.1


def test_a_tampered_table_is_refused(tmp_path):
    folder = tmp_path / "fast"
    shutil.copytree(static.FAST_DIR, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DiscourseError, match="sha256"):
        static.StaticEmbedder(folder)


@pytest.mark.slow
def test_distillation_rebuilds_the_shipped_table(tmp_path):
    from safetensors.numpy import load_file

    manifest = static.distill(tmp_path)
    shipped = load_file(str(static.FAST_DIR / "static.safetensors"))["embeddings"].astype(np.float32)
    rebuilt = load_file(str(tmp_path / "static.safetensors"))["embeddings"].astype(np.float32)
    assert manifest["dims"] == shipped.shape[1] and rebuilt.shape == shipped.shape
    assert np.abs(rebuilt - shipped).max() < 1e-3


def test_one_pass_sentence_pools_equal_embedding_each_sentence(fast):
    from discourse.framing.explain import embedding_features

    class Plain:  # the same vectors without the one-pass shortcut
        def encode(self, texts):
            return fast.encode(texts)

    texts = ["Leaders must take charge. Partners slow us down! Do we listen?", "", "   ", "One sentence",
             "—. ?! Trust partners. ", "We co-produce services with residents. Trust grows."]
    one_pass = embedding_features(fast, texts, "sentences")
    assert np.abs(one_pass - embedding_features(Plain(), texts, "sentences")).max() < 1e-6
    assert one_pass.shape == (len(texts), 3 * fast.dim) and not one_pass[1].any()
