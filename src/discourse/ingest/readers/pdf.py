"""PDF reader (pypdf): text per page, lines reflowed into paragraphs, hyphens mended."""

from __future__ import annotations

import io
import re

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.ingest.metadata import parse_date
from discourse.records import RawDocument, SkipReason, YearSource

__all__ = ["read_pdf", "reflow_lines"]

_TERMINAL = (".", "?", "!", ":", "”", '"', "’")


def reflow_lines(lines: list[str]) -> str:
    """Join hard-wrapped lines; a short line ending a sentence, or a bullet, breaks a paragraph."""
    width = max((len(ln) for ln in lines if ln.strip()), default=0)
    paras: list[str] = []
    cur = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            if cur:
                paras.append(cur)
            cur = ""
            continue
        bullet = bool(re.match(r"^([-•*–]|\d{1,2}[.)])\s", line))
        if cur and bullet:
            paras.append(cur)
            cur = line
        elif cur.endswith("-") and line[:1].islower():
            cur = cur[:-1] + line
        else:
            cur = f"{cur} {line}" if cur else line
        if len(line) < 0.75 * width and line.endswith(_TERMINAL):
            paras.append(cur)
            cur = ""
    if cur:
        paras.append(cur)
    return "\n\n".join(paras)


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
