"""Passage embeddings computed once and shared: the store's `embeddings` table, keyed by
the sha256 of the passage text and the embedder's name, backs both the classifier
(`discourse label`) and the topic model (`discourse topics`)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable

import numpy as np

__all__ = ["EMBEDDERS", "StoreEncoder", "embed_store", "get_embedder"]


def _minilm(precision: str = "auto"):
    from discourse.framing.embed import MiniLMEmbedder

    return MiniLMEmbedder.get(precision)


# registered embedders (config names them; `discourse.framing.embed` holds the code). The
# store keys cached vectors by this name: "minilm" runs in bf16 where the CPU has it
# natively, "minilm-fp32" is the exact reference precision, so the two never mix.
def _fast():
    from discourse.framing.static import StaticEmbedder

    return StaticEmbedder.get()


EMBEDDERS: dict[str, Callable[[], object]] = {"minilm": _minilm, "minilm-fp32": lambda: _minilm("fp32"), "fast": _fast}


def get_embedder(name: str):
    from discourse.errors import ConfigError

    if name.startswith("tuned-") and name not in EMBEDDERS:  # a fine-tuned framing model, by model id
        from discourse.framing.tuned import encoder_for

        return encoder_for(name)
    if name not in EMBEDDERS:
        raise ConfigError(f"unknown embedder {name!r}; choose one of {sorted(EMBEDDERS)}")
    return EMBEDDERS[name]()


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


SPANS = "+spans"  # suffix of the store name under which span-pooled sentence features are kept


class StoreEncoder:
    """`encode(texts)` like the base embedder, reading cached vectors from the store and
    writing the new ones (one transaction per call), so no text is embedded twice.
    `encode_spans` likewise, when the base embedder has it: the passage vector under the
    embedder's name, the sentence mean and max (one 768-d row) under name + "+spans"."""

    def __init__(self, store, base, name: str) -> None:
        self.store, self.base, self.name = store, base, name
        self.computed = 0
        self.context_free = getattr(base, "context_free", False)
        if not hasattr(base, "encode_spans"):
            self.encode_spans = None  # embedding_features then embeds sentences alone

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found = self.store.embeddings_for(self.name, sorted(set(keys)))
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing:
            vectors = self.base.encode([t for _, t in missing])
            self.store.write_embeddings(self.name, [k for k, _ in missing], vectors)
            found.update(zip([k for k, _ in missing], vectors, strict=True))
            self.computed += len(missing)
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def encode_spans(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keys = [text_key(t) for t in texts]
        unique = sorted(set(keys))
        passages = self.store.embeddings_for(self.name, unique)
        spans = self.store.embeddings_for(self.name + SPANS, unique)
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True)
                          if k not in spans or k not in passages}.items())
        if missing:
            vectors = _write_spans(self.store, self.name, [k for k, _ in missing],
                                   self.base.encode_spans([t for _, t in missing]))
            for k, (p, sp) in zip([k for k, _ in missing], zip(*vectors, strict=True), strict=True):
                passages.setdefault(k, p)
                spans[k] = sp
            self.computed += len(missing)
        dim = len(next(iter(passages.values()))) if passages else 0
        p = np.stack([passages[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
        sp = np.stack([spans[k] for k in keys]) if keys else np.zeros((0, 2 * dim), np.float32)
        return p, sp[:, :dim], sp[:, dim:]


def _write_spans(store, name: str, keys: list[str], result) -> tuple[np.ndarray, np.ndarray]:
    """Cache an `encode_spans` result: passage vectors and the (mean | max) rows."""
    passage, mean, top = result
    joined = np.hstack([mean, top])
    store.write_embeddings(name, keys, passage)
    store.write_embeddings(name + SPANS, keys, joined)
    return passage, joined


def embed_chunk(job: tuple) -> np.ndarray | tuple[np.ndarray, ...]:
    """(embedder name, texts, mode) → vectors ("plain"), (passage, mean, max) ("spans"), or
    (vectors, companion vectors) ("pair"): the unit of work an executor runs."""
    name, texts, mode = job
    encoder = get_embedder(name)
    if mode == "spans":
        return encoder.encode_spans(texts)
    return encoder.encode_pair(texts) if mode == "pair" else encoder.encode(texts)


def embed_store(store, name: str, batch: int = 256, progress: Callable[[int, int], None] | None = None,
                executor=None, spans: bool = False) -> int:
    """Embed every body passage with no cached vector, in bounded batches, each committed
    on its own (a crash loses at most the batches in flight). With a distributed
    executor the batches are encoded on its workers; the writes stay here. With `spans`
    (a framing model pooled over sentence spans) the one pass also caches the sentence
    features. An embedder with a `companion` (the fine-tuned framing encoder, whose bottom
    layers are the base MiniLM's) also caches the companion's vectors from the same pass,
    so the topic model finds them. Returns how many were computed."""
    encoder = get_embedder(name)
    spans = spans and hasattr(encoder, "encode_spans")
    companion = None if spans else getattr(encoder, "companion", None)
    mode = "spans" if spans else "pair" if companion else "plain"
    table = name + SPANS if spans else name
    total = store.count_missing_embeddings(table) if progress else 0
    group = 4 * getattr(executor, "in_flight", 1) if executor is not None and executor.distributed else 1
    done = 0
    pending = store.iter_missing_embeddings(table, batch)
    while chunks := list(itertools.islice(pending, group)):
        jobs = ((name, [t for _, t in chunk], mode) for chunk in chunks)
        results = executor.imap(embed_chunk, jobs) if group > 1 else map(embed_chunk, jobs)
        for chunk, vectors in zip(chunks, results, strict=True):
            keys = [k for k, _ in chunk]
            if spans:
                _write_spans(store, name, keys, vectors)
            elif companion:
                store.write_embeddings(name, keys, vectors[0])
                store.write_embeddings(companion, keys, vectors[1])
            else:
                store.write_embeddings(name, keys, vectors)
            done += len(chunk)
            if progress:
                progress(done, total)
    return done
