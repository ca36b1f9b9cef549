"""Readable evidence and the shared numeric pieces of the linear framing head (numpy only,
so the scoring path does not import scikit-learn)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from discourse.framing.codebook import CUE_NAMES, cue_matrix, find_cues, split_sentences

__all__ = ["POOLINGS", "Evidence", "cue_evidence", "dense_features", "embedding_features", "linear_evidence", "softmax",
           "stance_evidence"]


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # "stance-rule", "cue", "phrase"
    text: str
    weight: float

    def as_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "weight": round(float(self.weight), 4)}


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


POOLINGS = ("passage", "sentences", "spans")


def segment_reduce(values: np.ndarray, lengths, ufunc=np.add) -> np.ndarray:
    """Reduce consecutive runs of rows (`lengths[i]` rows for run i; 0 gives a zero row) with
    `ufunc`, np.add (a sparse indicator-matrix product) or np.maximum (`reduceat`), instead of
    `ufunc.at`, which is tens of times slower."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if ufunc is np.add:
        return np.asarray(runs_matrix(lengths, np.arange(len(values)), len(values)) @ values, dtype=np.float32)
    out = np.zeros((len(lengths), values.shape[1]), dtype=np.float32)
    filled = lengths > 0
    if filled.any():
        out[filled] = ufunc.reduceat(values, (np.cumsum(lengths) - lengths)[filled], axis=0)
    return out


def runs_matrix(lengths: np.ndarray, columns: np.ndarray, width: int):
    """Sparse count matrix with one row per run: row i counts the `lengths[i]` entries of
    `columns` that belong to run i (runs are consecutive)."""
    from scipy import sparse

    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return sparse.csr_matrix((np.ones(len(columns), np.float32), columns, indptr), shape=(len(lengths), width))


def embedding_features(encoder, texts: list[str], pooling: str = "passage") -> np.ndarray:
    """Sentence-embedding features of each text. "passage": the passage's own embedding (the
    same vector the topic model uses). "sentences": that embedding, then the mean and the
    element-wise max of the embeddings of its sentences, so a stance carried by one sentence
    is not diluted by the rest of the passage. "spans": the same three blocks from one encoder pass
    (`MiniLMEmbedder.encode_spans`: each sentence pooled from its passage's token vectors);
    an encoder without `encode_spans` falls back to embedding sentences alone."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, not {pooling!r}")
    # a context-free encoder (static vectors) gives the same sentence vectors from one pass
    one_pass = pooling == "spans" or (pooling == "sentences" and getattr(encoder, "context_free", False))
    span_pass = getattr(encoder, "encode_spans", None) if one_pass else None
    if span_pass is not None:
        return np.hstack([np.asarray(a, dtype=np.float32) for a in span_pass(texts)])
    passage = np.asarray(encoder.encode(texts), dtype=np.float32)
    if pooling == "passage":
        return passage
    owner, sents = [], []
    for i, text in enumerate(texts):
        for _, sent in split_sentences(text or ""):
            if sent.strip():
                owner.append(i)
                sents.append(sent)
    counts = np.bincount(np.array(owner, dtype=np.int64), minlength=len(texts))
    vectors = np.asarray(encoder.encode(sents), dtype=np.float32) if sents else np.zeros((0, passage.shape[1]), np.float32)
    mean = segment_reduce(vectors, counts) / np.maximum(counts, 1)[:, None]
    return np.hstack([passage, mean, segment_reduce(vectors, counts, np.maximum)])


def dense_features(base, texts: list[str], cue_weight: float):
    """Base features (embeddings array or sparse TF-IDF) with the cue counts appended."""
    cues = cue_matrix(texts) * cue_weight
    if hasattr(base, "tocsr"):
        from scipy import sparse

        return sparse.hstack([base, sparse.csr_matrix(cues)]).tocsr()
    return np.hstack([base, cues])


def dense_rows(features) -> Iterator[np.ndarray]:
    """Each row of a feature matrix (dense array or scipy sparse) as a dense vector, for
    `linear_evidence`. A sparse matrix is read from its CSR arrays into one buffer that is
    filled and cleared per row (valid until the next row is taken): slicing scipy rows costs
    ~0.15 ms each, which was 15 s of labelling 100k passages."""
    if not hasattr(features, "tocsr"):
        yield from np.asarray(features)
        return
    csr = features.tocsr()
    if not csr.has_canonical_format:  # duplicate entries: sum them, on a copy
        csr = csr.copy()
        csr.sum_duplicates()
    buf = np.zeros(csr.shape[1], dtype=csr.dtype)
    for i in range(csr.shape[0]):
        cols = csr.indices[csr.indptr[i]:csr.indptr[i + 1]]
        buf[cols] = csr.data[csr.indptr[i]:csr.indptr[i + 1]]
        yield buf
        buf[cols] = 0


def stance_evidence(text: str) -> list[Evidence]:
    out = []
    for cue in find_cues(text):
        if cue.name == "critique_of_heroic":
            out.append(Evidence("stance-rule", f"critique of heroic framing: {cue.phrase}", 1.0))
        elif cue.name == "dismissal_of_collaboration":
            out.append(Evidence("stance-rule", f"collaboration dismissed: {cue.phrase}", 1.0))
    return out


def cue_evidence(text: str) -> list[Evidence]:
    return [Evidence("cue", c.phrase, 1.0) for c in find_cues(text) if c.name in ("heroic_terms", "collab_terms")]


def readable_mask(names: list[str]) -> np.ndarray:
    """True for features a person can read (terms and cues), False for embedding dimensions."""
    return np.array([not n.startswith("emb") for n in names], dtype=bool)


def linear_evidence(text: str, row: np.ndarray, coef: np.ndarray, cls: int, names: list[str],
                    top: int = 5, centred: np.ndarray | None = None, readable: np.ndarray | None = None) -> list[Evidence]:
    """The features that pushed this text towards class `cls`: value × (class weight − mean
    weight), largest first; embedding dimensions are skipped (not readable). `centred`
    (coef minus its column means) and `readable` (`readable_mask(names)`) can be passed
    when scoring many rows."""
    centred = coef - coef.mean(axis=0) if centred is None else centred
    readable = readable_mask(names) if readable is None else readable
    readable = np.flatnonzero((row[:len(names)] != 0) & readable)
    contrib = row[readable] * centred[cls, readable]
    evidence = stance_evidence(text)
    cues = None
    for j in readable[np.argsort(-contrib, kind="stable")]:
        value = row[j] * centred[cls, j]
        if value <= 0 or len(evidence) >= top:
            break
        name = names[j]
        if name.startswith("cue:"):
            cues = cues if cues is not None else find_cues(text)
            phrases = ", ".join(dict.fromkeys(c.phrase for c in cues if c.name == name[4:]))
            evidence.append(Evidence("cue", f"{name[4:].replace('_', ' ')}: {phrases[:80]}", value))
        else:
            evidence.append(Evidence("phrase", name, value))
    return evidence


def feature_names(n_emb: int, vocabulary: list[str] | None = None) -> list[str]:
    """Names in feature order: embedding dimensions, then TF-IDF terms, then cues."""
    return [f"emb{i}" for i in range(n_emb)] + list(vocabulary or []) + [f"cue:{n}" for n in CUE_NAMES]
