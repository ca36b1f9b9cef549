"""Language identification with py3langid (its model ships inside the wheel)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["detect_language"]

_NOT_LETTER = re.compile(r"[\W\d_]+")


@lru_cache(maxsize=1)
def _identifier():
    # The model file ships inside the installed py3langid wheel (not a user path).
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


_ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "it",
        "as",
        "was",
        "with",
        "be",
        "by",
        "on",
        "not",
        "he",
        "i",
        "this",
        "are",
        "or",
        "his",
        "from",
        "at",
        "which",
        "but",
        "have",
        "an",
        "they",
        "you",
        "were",
        "her",
        "she",
        "there",
        "their",
        "one",
        "all",
        "we",
        "can",
        "has",
        "been",
        "if",
        "more",
        "when",
        "will",
        "would",
        "who",
        "so",
        "no",
        "our",
        "its",
        "also",
        "than",
        "them",
        "these",
        "into",
        "only",
        "other",
    ]
)
_WORDS = re.compile(r"[a-z]+")


def _clearly_english(sample: str) -> bool:
    """A quick test that spares loading the identifier (0.5 s) for most English text: at
    least 30 words, over a quarter of them common English function words."""
    words = _WORDS.findall(sample.lower())
    return len(words) >= 30 and sum(w in _ENGLISH for w in words) >= 0.25 * len(words)


def detect_language(text: str, sample_chars: int = 2000, min_chars: int = 20) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or too uncertain."""
    sample = text[:sample_chars]
    if len(_NOT_LETTER.sub("", sample)) < min_chars:
        return None
    if _clearly_english(sample):
        return "en"
    lang, prob = _identifier().classify(sample)
    return lang if prob >= 0.5 else None
