"""Exact and near-duplicate detection: sha256 of normalised text, MinHash over word shingles."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from functools import lru_cache

import numpy as np

__all__ = ["NearDuplicateIndex", "dedupe_key", "minhash_signature", "text_sha256"]

_WORD = re.compile(r"\w+")


def dedupe_key(text: str) -> str:
    """Text reduced for comparison: NFKC, case-folded, words only (punctuation, quote style
    and spacing do not count)."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def text_sha256(text: str, key: str | None = None) -> str:
    """Hash of the normalised text: equal for exact duplicates up to case/spacing/quotes.
    Pass `key` (from `dedupe_key`) when it is already computed."""
    return hashlib.sha256((key if key is not None else dedupe_key(text)).encode("utf-8")).hexdigest()


def _shingle_hashes(key: str, size: int) -> np.ndarray:
    """Distinct 32-bit hashes of the word `size`-grams of `key`: a polynomial rolling hash
    over per-word crc32 values, vectorised with numpy."""
    words = key.split()
    if not words:
        return np.zeros(1, dtype=np.uint64)
    wh = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    n = max(len(words) - size + 1, 1)
    acc = np.zeros(n, dtype=np.uint64)
    for k in range(min(size, len(words))):
        acc = (acc * np.uint64(1_000_003) + wh[k:k + n]) & np.uint64(0xFFFFFFFF)
    return np.unique(acc)


_SHIFT = np.uint64(32)


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(1)  # fixed: stored signatures must stay comparable across runs
    a = rng.randint(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
    b = rng.randint(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def minhash_signature(text: str, num_perm: int = 128, shingle_words: int = 5,
                      key: str | None = None) -> np.ndarray:
    """MinHash signature (uint64 array) of the text's word shingles: for each of `num_perm`
    multiply-shift hashes ((a*h + b) mod 2**64) >> 32, the minimum over shingles."""
    hashes = _shingle_hashes(key if key is not None else dedupe_key(text), shingle_words)
    a, b = _permutations(num_perm)
    return ((np.outer(hashes, a) + b) >> _SHIFT).min(axis=0)


class _Signature:
    """What MinHashLSH reads of a MinHash (its hash values and length), without the cost of
    building a full MinHash object (permutation tables) for every lookup."""

    __slots__ = ("hashvalues",)

    def __init__(self, hashvalues: np.ndarray) -> None:
        self.hashvalues = hashvalues

    def __len__(self) -> int:
        return len(self.hashvalues)


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

    def _minhash(self, sig: np.ndarray) -> _Signature:
        return _Signature(sig)

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
