"""Exact and near-duplicate detection: sha256 of normalised text, MinHash over word shingles."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

__all__ = ["NearDuplicateIndex", "dedupe_key", "minhash_signature", "text_sha256"]

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_SCHEME = "affine32"  # fixed so stored signatures stay comparable across datasketch versions


def dedupe_key(text: str) -> str:
    """Text reduced for comparison: NFKC, case-folded, quotes unified, punctuation and
    whitespace runs collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _SPACE.sub(" ", _NON_WORD.sub(" ", text)).strip()


def text_sha256(text: str) -> str:
    """Hash of the normalised text: equal for exact duplicates up to case/spacing/quotes."""
    return hashlib.sha256(dedupe_key(text).encode("utf-8")).hexdigest()


def _shingles(key: str, size: int) -> set[bytes]:
    words = key.split()
    if len(words) <= size:
        return {" ".join(words).encode()}
    return {" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)}


def minhash_signature(text: str, num_perm: int = 128, shingle_words: int = 5) -> np.ndarray:
    """MinHash signature (uint64 array) of the text's word shingles."""
    from datasketch import MinHash

    mh = MinHash(num_perm=num_perm, seed=1, scheme=_SCHEME)
    mh.update_batch(list(_shingles(dedupe_key(text), shingle_words)))
    return mh.hashvalues.astype(np.uint64)


class NearDuplicateIndex:
    """MinHash LSH over signatures; `query` returns the best earlier match ≥ threshold."""

    def __init__(self, threshold: float = 0.9, num_perm: int = 128) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._sigs: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def _minhash(self, sig: np.ndarray):
        from datasketch import MinHash

        return MinHash(num_perm=self.num_perm, hashvalues=sig, seed=1, scheme=_SCHEME)

    def query(self, sig: np.ndarray) -> tuple[str, float] | None:
        best: tuple[str, float] | None = None
        for key in self._lsh.query(self._minhash(sig)):
            sim = float(np.mean(self._sigs[key] == sig))
            if sim >= self.threshold and (best is None or sim > best[1] or (sim == best[1] and key < best[0])):
                best = (key, sim)
        return best

    def add(self, key: str, sig: np.ndarray) -> None:
        if key not in self._sigs:
            self._sigs[key] = sig
            self._lsh.insert(key, self._minhash(sig))

    def remove(self, key: str) -> None:
        if key in self._sigs:
            del self._sigs[key]
            self._lsh.remove(key)
