"""PDF reader (pypdf): text per page, hard-wrapped lines reflowed into paragraphs."""

from __future__ import annotations

import io
import re

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.ingest.metadata import parse_date
from discourse.records import RawDocument, SkipReason, YearSource

__all__ = ["read_pdf", "reflow_lines"]

_BULLET = re.compile(r"^([-•*–]|\d{1,2}[.)])\s")


def reflow_lines(lines: list[str]) -> str:
    """Join hard-wrapped lines into paragraphs. A line much shorter than the page's text
    width ends a paragraph; a bullet starts an item; items of one list stay in one block."""
    width = max((len(ln.strip()) for ln in lines if ln.strip()), default=0)
    paras: list[list[str]] = []  # each paragraph: list of lines (list items) or one line
    cur = ""

    def flush() -> None:
        nonlocal cur
        if cur:
            is_item = bool(_BULLET.match(cur))
            if is_item and paras and _BULLET.match(paras[-1][-1]):
                paras[-1].append(cur)
            else:
                paras.append([cur])
        cur = ""

    for raw in lines:
        line = raw.strip()
        if not line:
            flush()
            continue
        if cur and _BULLET.match(line):
            flush()
        if cur.endswith("-") and line[:1].islower():
            cur = cur + line  # keep the hyphen: 'decision-making' is commoner than a split syllable
        else:
            cur = f"{cur} {line}" if cur else line
        if len(line) < 0.8 * width:
            flush()
    flush()
    return "\n\n".join("\n".join(p) for p in paras)


def _pdf_date(raw: str | None) -> str | None:
    m = re.match(r"^D:(\d{4})(\d{2})?(\d{2})?", raw or "")
    if not m:
        return None
    return parse_date("-".join([m[1], m[2] or "01", m[3] or "01"])) if m[2] else m[1]


def read_pdf(data: bytes, settings: IngestSettings) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SkipError(SkipReason.ENCRYPTED, "PDF is encrypted; decrypt it first")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except SkipError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise SkipError(SkipReason.PARSE_ERROR, f"PDF cannot be read: {type(exc).__name__}: {exc}") from exc
    text = reflow_lines("\n\n".join(pages).split("\n"))
    if not text.strip():
        raise SkipError(SkipReason.NO_TEXT, "PDF has no extractable text (scanned image?)")
    published = _pdf_date(info.get("/CreationDate"))
    return RawDocument(
        text=text,
        title=(info.get("/Title") or None),
        author=(info.get("/Author") or None),
        published=published,
        year_source=YearSource.FILE_META if published else None,
        fmt="pdf",
    )
