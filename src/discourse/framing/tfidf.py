"""A saved TF-IDF vocabulary applied without scikit-learn, for the scoring path.

`discourse score` should start in about a second; importing scikit-learn's text module costs
about 0.9 s of that on this machine. `SavedTfidf.transform` computes what a fitted
`TfidfVectorizer` with the settings the framing models use would (word analyzer, lower-case,
unicode accent stripping, the default token pattern, 1..n-grams, sublinear tf, smooth idf
weights as saved, l2 rows); `tests/framing/test_tfidf.py` checks it against scikit-learn.
Training still fits scikit-learn's vectorizer; this only reads what it saved.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np

__all__ = ["SavedTfidf", "supports"]

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern
_REQUIRED = {"lowercase": True, "analyzer": "word", "norm": "l2", "use_idf": True, "binary": False,
             "stop_words": None, "token_pattern": _TOKEN.pattern, "preprocessor": None, "tokenizer": None}


def supports(config: dict) -> bool:
    """Whether a saved vectorizer config is one this module reproduces (settings that are not
    saved are scikit-learn's defaults, which are the required ones)."""
    return (all(config.get(k, v) == v for k, v in _REQUIRED.items())
            and config.get("strip_accents") in (None, "unicode"))


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class SavedTfidf:
    """`transform(texts)` -> CSR matrix (float64), columns in vocabulary order."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, ngram_range=(1, 1), sublinear_tf: bool = False,
                 strip_accents: str | None = None, **_ignored) -> None:
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self.min_n, self.max_n = int(ngram_range[0]), int(ngram_range[1])
        self.sublinear_tf = sublinear_tf
        self.strip = strip_accents == "unicode"

    def _terms(self, text: str) -> list[str]:
        text = text.lower()
        if self.strip:
            text = _strip_accents(text)
        tokens = _TOKEN.findall(text)
        out = list(tokens) if self.min_n == 1 else []
        for n in range(max(self.min_n, 2), self.max_n + 1):
            out += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        return out

    def transform(self, texts: list[str]):
        from scipy import sparse

        indptr, indices, values = [0], [], []
        for text in texts:
            counts = Counter(j for j in map(self.vocabulary.get, self._terms(text)) if j is not None)
            cols = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
            tf = np.array([counts[j] for j in cols], dtype=np.float64)
            if self.sublinear_tf:
                tf = np.log(tf) + 1.0
            row = tf * self.idf[cols]
            norm = np.sqrt(row @ row)
            indices.append(cols)
            values.append(row / norm if norm > 0 else row)
            indptr.append(indptr[-1] + len(cols))
        shape = (len(texts), len(self.idf))
        if not texts:
            return sparse.csr_matrix(shape, dtype=np.float64)
        return sparse.csr_matrix((np.concatenate(values), np.concatenate(indices), np.array(indptr)), shape=shape)
