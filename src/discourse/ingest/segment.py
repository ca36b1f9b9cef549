"""Paragraph-aware passages: a paragraph is a passage, split on sentence boundaries
into chunks of at most `max_words`; a bullet list stays with its short lead-in; a
reference list is kept and marked `kind='reference'`. Offsets index the document text.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["Span", "segment"]

Span = tuple[int, int, str]  # (char_start, char_end, kind)

_BULLET = re.compile(r"^\s*(?:[\-–—•*·▪►]|\d{1,2}[.)])\s+")
_CITATION = re.compile(
    r"\b(1[89]|20)\d\d\b.*|(\b[A-Z][a-z]+,?\s+[A-Z]{1,3}[.,]\s)|\b(press|publishing|journal|"
    r"university|pp\.|doi|vol\.|https?://)",
    re.I,
)
_SURNAME_INITIALS = re.compile(r"^([A-Z][\w'’\-]+,?\s+[A-Z]{1,3}\.?[,.]?\s|[A-Z][\w'’\-]+,\s+[A-Z]\.)")
_REF_HEADING = re.compile(r"^(references|bibliography|notes|sources|further reading|endnotes)$", re.I)
_WORD = re.compile(r"\S+")


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 5_000_000
    return nlp


def _blocks(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for part in re.split(r"(\n\s*\n)", text):
        if part.strip() and not re.fullmatch(r"\n\s*\n", part):
            lead = len(part) - len(part.lstrip())
            spans.append((pos + lead, pos + len(part.rstrip())))
        pos += len(part)
    return spans


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for line in text[start:end].split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            out.append((pos + lead, pos + len(line.rstrip())))
        pos += len(line) + 1
    return out


def _is_reference_line(line: str) -> bool:
    core = _BULLET.sub("", line)
    return bool(_SURNAME_INITIALS.match(core)) and len(_CITATION.findall(core)) >= 1 and bool(
        re.search(r"\b(1[89]|20)\d\d\b", core)
    )


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    doc = _nlp()(text[start:end])
    out = []
    for sent in doc.sents:
        raw = sent.text
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            out.append((start + sent.start_char + lead, start + sent.start_char + len(raw.rstrip())))
    return out


def _words(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """Hard split of an over-long unit at word boundaries (no sentence ends to use)."""
    spans = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
    return [(spans[i][0], spans[min(i + max_words, len(spans)) - 1][1])
            for i in range(0, len(spans), max_words)]


def _nwords(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def _units(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    lines = _lines(text, start, end)
    is_list = any(_BULLET.match(text[a:b]) for a, b in lines[1:]) or len(lines) > 1 and all(
        _BULLET.match(text[a:b]) for a, b in lines
    )
    units = lines if is_list else [(start, end)]
    out: list[tuple[int, int]] = []
    for a, b in units:
        if _nwords(text, a, b) <= max_words:
            out.append((a, b))
            continue
        for sa, sb in _sentences(text, a, b):
            out.extend(_words(text, sa, sb, max_words) if _nwords(text, sa, sb) > max_words else [(sa, sb)])
    return out


def _pack(text: str, units: list[tuple[int, int]], max_words: int) -> list[tuple[int, int]]:
    chunks: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    count = 0
    for a, b in units:
        n = _nwords(text, a, b)
        if cur is not None and count + n <= max_words:
            cur, count = (cur[0], b), count + n
        else:
            if cur is not None:
                chunks.append(cur)
            cur, count = (a, b), n
    if cur is not None:
        chunks.append(cur)
    return chunks


def _merge_leadins(text: str, blocks: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Join a short lead-in paragraph ending in ':' with the bullet list after it."""
    out: list[tuple[int, int]] = []
    for a, b in blocks:
        if out and _BULLET.match(text[a:b]):
            pa, pb = out[-1]
            prev = text[pa:pb]
            if prev.rstrip().endswith(":") and "\n" not in prev and _nwords(text, pa, b) <= limit:
                out[-1] = (pa, b)
                continue
        out.append((a, b))
    return out


def segment(text: str, max_words: int = 120, list_leadin_max_words: int = 160) -> list[Span]:
    """Passages of `text` as (char_start, char_end, kind) spans, in order."""
    spans: list[Span] = []
    in_refs = False
    for a, b in _merge_leadins(text, _blocks(text), list_leadin_max_words):
        block = text[a:b]
        if _REF_HEADING.match(block.strip()):
            in_refs = True
            spans.append((a, b, "reference"))
            continue
        lines = [text[x:y] for x, y in _lines(text, a, b)]
        refs = sum(_is_reference_line(ln) for ln in lines)
        in_refs = in_refs and (refs > 0 or _BULLET.match(block) is not None)
        kind = "reference" if in_refs or (refs >= 2 and refs >= 0.6 * len(lines)) else "body"
        limit = list_leadin_max_words if len(lines) > 1 and _nwords(text, a, b) <= list_leadin_max_words else max_words
        for ca, cb in _pack(text, _units(text, a, b, max_words), limit):
            spans.append((ca, cb, kind))
    return spans
