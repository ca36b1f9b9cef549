"""Bytes to clean unicode: decoding, mojibake repair, control characters, whitespace.

Small pure functions; each takes and returns `str` (or bytes -> str for decoding).
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

from discourse.errors import SkipError
from discourse.records import SkipReason

__all__ = ["decode_bytes", "normalize_text", "paragraphs", "sniff_binary"]

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (docx/xlsx/zip)"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
    (b"\xd0\xcf\x11\xe0", "an old MS Office file"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0/C1 controls (but tab and newlines), private use, surrogates; plus U+FFFD when judging decodes
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd]")
# terminal escape sequences (CSI such as colours, OSC such as window titles): dropped whole,
# not just their ESC byte, which would leave "[31m" in the text
_ANSI = re.compile("\x1b(?:\\[[0-?]*[ -/]*[@-~]|\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[@-Z\\\\-_])")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_MOJIBAKE_HINT = re.compile("[ÂÃâÅÐÑÏÎ\x80-\x9f\ufffd]")
_SPACES = re.compile(r"[^\S\n]+")
_LINE_EDGES = re.compile(r" ?\n ?")
_MANY_BLANKS = re.compile(r"\n{3,}")
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False, fix_latin_ligatures=False, fix_character_width=False, normalization="NFC"
)


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format `data` starts with, or None."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    return None


def _bad_char_share(text: str) -> float:
    """Share of control, private-use, surrogate and replacement characters in a sample."""
    sample = text[:20000]
    if not sample:
        return 0.0
    return len(_BAD_CHARS.findall(sample)) / len(sample)


def _looks_western(text: str) -> bool:
    """Non-ASCII characters are mostly typographic punctuation, currency or accented Latin."""
    extra = [ch for ch in text[:50000] if ord(ch) > 127]
    if not extra:
        return True
    common = sum(1 for ch in extra if "\u2010" <= ch <= "\u2030" or ch in "£€©®°·" or
                 (ch.isalpha() and "\u00c0" <= ch <= "\u00ff"))
    return common >= 0.8 * len(extra) and len(extra) <= 0.2 * len(text[:50000])


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte NUL. Checked before UTF-8, because NUL bytes
    are valid UTF-8 and would decode into text that is half NULs."""
    head = data[:4096]
    if head.count(b"\x00") <= len(head) // 4:
        return None
    return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"


def _decode_by_line(data: bytes) -> str | None:
    """A file pasted together from UTF-8 and cp1252 parts: each line in whichever of the two
    it is valid in. None when no line needs UTF-8 (then this is not the mix)."""
    lines, utf8 = [], False
    for raw in data.split(b"\n"):
        try:
            lines.append(raw.decode("utf-8"))
            utf8 = utf8 or not raw.isascii()
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
    return "\n".join(lines) if utf8 else None


def _decode_candidates(data: bytes) -> list[tuple[str, str]]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return [(codec, data.decode(codec, errors="replace"))]
    out: list[tuple[str, str]] = []
    if codec := _utf16_without_bom(data):
        out.append((codec, data.decode(codec, errors="replace")))
    try:
        out.append(("utf-8", data.decode("utf-8")))
        return out
    except UnicodeDecodeError:
        pass
    try:  # the usual non-UTF-8 encoding of English web text; checked before guessing
        western = data.decode("cp1252")
        if _looks_western(western):
            out.append(("cp1252", western))
            return out
    except UnicodeDecodeError:
        pass
    mixed = _decode_by_line(data)
    if mixed is not None and _looks_western(mixed):
        out.append(("utf-8+cp1252", mixed))
        return out
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    # A guess with no language coherence is how random bytes decode (e.g. as cp949); refuse
    # it rather than ingest noise. Cost: some legacy CJK encodings are refused too.
    if best is not None and best.encoding and best.coherence > 0.05:
        out.append((best.encoding, data.decode(best.encoding, errors="replace")))
    out.append(("cp1252", data.decode("cp1252", errors="replace")))
    return out


def decode_bytes(data: bytes, max_bad_share: float = 0.02) -> tuple[str, str]:
    """Decode text bytes; return (text, encoding). Raise SkipError when they are not text."""
    if not data.strip():
        raise SkipError(SkipReason.EMPTY, "file is empty or whitespace only")
    kind = sniff_binary(data)
    if kind:
        raise SkipError(SkipReason.BINARY, f"content is {kind}, not text")
    best: tuple[float, str, str] | None = None
    for codec, text in _decode_candidates(data):
        share = _bad_char_share(text)
        if best is None or share < best[0]:
            best = (share, codec, text)
        if share <= max_bad_share:
            return text, codec
    assert best is not None
    reason = SkipReason.BINARY if b"\x00" in data[:4096] else SkipReason.UNDECODABLE
    raise SkipError(
        reason, f"no encoding gives readable text (best {best[1]}: {best[0]:.0%} control or invalid)"
    )


def _drop_controls(text: str) -> str:
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _CONTROLS.sub("", text)


def normalize_text(text: str) -> str:
    """Repair mojibake, drop control characters, normalise whitespace; keep curly quotes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # ftfy only when its own badness test finds mojibake, and that test only when the text
    # holds a character that UTF-8-read-as-Latin mojibake always produces
    if not text.isascii() and _MOJIBAKE_HINT.search(text) and is_bad(text):
        text = ftfy.fix_text(text, config=_FTFY)
    text = unicodedata.normalize("NFC", text)
    text = _drop_controls(text.translate(_ZERO_WIDTH))
    text = _LINE_EDGES.sub("\n", _SPACES.sub(" ", text))  # one pass each over the whole text
    return _MANY_BLANKS.sub("\n\n", text).strip()


def paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines (lines inside a block are kept)."""
    return [block for block in text.split("\n\n") if block.strip()]
