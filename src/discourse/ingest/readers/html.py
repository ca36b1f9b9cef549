"""HTML reader: trafilatura for main text, title, author and date (comments excluded)."""

from __future__ import annotations

import re

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.ingest.metadata import date_from_url
from discourse.ingest.normalize import decode_bytes
from discourse.records import RawDocument, SkipReason, YearSource

__all__ = ["html_text_to_paragraphs", "read_html"]

_LIST_ITEM = re.compile(r"^\s*[-•*]\s")
_META_DATE = re.compile(
    r"<(meta|time)\b[^>]*(published|pubdate|datePublished|dc\.date|article:published|"
    r"date|datetime|created)[^>]*>",
    re.I,
)


def html_text_to_paragraphs(text: str) -> str:
    """trafilatura puts one paragraph per line; make blank-line paragraphs, keeping a
    list's items together with a lead-in line that ends in ':'."""
    out: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if _LIST_ITEM.match(line) and out and (_LIST_ITEM.match(out[-1].split("\n")[-1])
                                              or out[-1].rstrip().endswith(":")):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out)


def _year_source(date: str, html: str, url: str | None) -> YearSource:
    """Where trafilatura's (htmldate's) date was found: markup, URL, or visible text."""
    year = date[:4]
    for m in _META_DATE.finditer(html[:300_000]):
        if year in m.group(0):
            return YearSource.HTML_META
    if url and (date_from_url(url) or "").startswith(year):
        return YearSource.URL
    return YearSource.TEXT


_BYLINE_XPATH = (
    "//*[(contains(@class, 'byline') or contains(@class, 'author') or @rel='author' or "
    "@itemprop='author') and not(contains(@class, 'bio'))] | //p | //span"
)


def _html_byline(html: str) -> str | None:
    """A visible byline trafilatura left out: an element marked as author/byline, or a short
    'By Name' paragraph or span near the top of the page."""
    import lxml.html
    from lxml.etree import ParserError

    from discourse.ingest.pieces import byline_name

    try:
        tree = lxml.html.fromstring(html[:300_000])
    except (ParserError, ValueError):
        return None
    for el in tree.xpath(_BYLINE_XPATH)[:400]:
        text = " ".join(el.text_content().split())
        if not text or len(text) > 80:
            continue
        marked = any(k in (el.get("class") or "") for k in ("byline", "author")) or el.get("rel") == "author"
        if (marked or text.lower().startswith("by ")) and (name := byline_name(text)):
            return name
    return None


def read_html(data: bytes, settings: IngestSettings) -> RawDocument:
    import trafilatura

    html, _codec = decode_bytes(data)
    if "<" not in html[:5000]:
        raise SkipError(SkipReason.PARSE_ERROR, "no markup in the first 5,000 characters; not HTML")
    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params={"original_date": True, "extensive_search": True},
        )
    except Exception as exc:  # trafilatura/lxml raise many types on broken pages
        raise SkipError(SkipReason.PARSE_ERROR, f"HTML extraction failed: {type(exc).__name__}: {exc}") from exc
    if doc is None or not (doc.text or "").strip():
        raise SkipError(SkipReason.NO_TEXT, "no main text found in the page")
    date = doc.date if doc.date and re.match(r"^\d{4}", doc.date) else None
    return RawDocument(
        text=html_text_to_paragraphs(doc.text),
        title=doc.title or None,
        author=doc.author or _html_byline(html),
        published=date,
        year_source=_year_source(date, html, doc.url) if date else None,
        url=doc.url or None,
        fmt="html",
    )
