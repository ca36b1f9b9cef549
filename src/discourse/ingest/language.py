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


def detect_language(text: str, sample_chars: int = 2000, min_chars: int = 20) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or too uncertain."""
    sample = text[:sample_chars]
    if len(_NOT_LETTER.sub("", sample)) < min_chars:
        return None
    lang, prob = _identifier().classify(sample)
    return lang if prob >= 0.5 else None
