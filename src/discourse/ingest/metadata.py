"""Metadata: the `sources.csv` manifest, and explicit dates found in text or URLs.

A year is never guessed: it comes from the manifest, HTML metadata, the URL, or an
explicit date expression in the text, and the source is recorded with it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ManifestRow",
    "date_from_text",
    "date_from_url",
    "parse_date",
    "read_manifest",
    "valid_year",
]

MANIFEST_NAME = "sources.csv"
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")]
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[7-9]|20)\d\d)"
_DATE_RES = [
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),
    re.compile(r"\b(?P<year>(?:1[7-9]|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
]
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I)
_CUE = re.compile(
    r"\b(published|posted|updated|first appeared|appeared|originally|written|dated?|"
    r"issued|released)\b",
    re.I,
)
_URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d\d)[/-](?P<month>[01]\d)(?:[/-](?P<day>[0-3]\d))?(?:/|-|$)")
_URL_YEAR = re.compile(r"/(?P<year>(?:19|20)\d\d)/")


def valid_year(year: int) -> bool:
    return 1700 <= year <= dt.date.today().year + 1


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not valid_year(year):
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _month_number(token: str) -> int:
    return int(token) if token.isdigit() else _MONTHS[token.lower().rstrip(".")]


def parse_date(text: str) -> str | None:
    """First full explicit date in `text` as ISO 'YYYY-MM-DD', else None."""
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            iso = _iso(int(m["year"]), _month_number(m["month"]), int(m["day"]))
            if iso:
                return iso
    return None


def date_from_text(paragraphs: list[str], edge: int = 6) -> str | None:
    """An explicit publication date near the start or end of a text.

    Accepted: a full date on a line with a publication cue ("originally published … 18th
    June 2024", "Posted on 14 March 2011"), a month-year on such a line, or a short
    dateline that is little more than a date. Dates inside body sentences are events,
    not publication dates, and are ignored.
    """
    window = paragraphs[:edge] + paragraphs[-edge:] if len(paragraphs) > 2 * edge else paragraphs
    for block in window:
        for line in block.split("\n"):
            words = len(line.split())
            cued = bool(_CUE.search(line)) and words <= 30
            if not (cued or words <= 8):
                continue
            iso = parse_date(line)
            if iso:
                return iso
            if cued and (m := _MONTH_YEAR.search(line)):
                iso = _iso(int(m["year"]), _month_number(m["month"]))
                if iso:
                    return iso
    return None


def date_from_url(url: str | None) -> str | None:
    """A date in a URL path: /2012/05/17/slug, /2012/05/, /2012-05-17-slug."""
    if not url:
        return None
    if m := _URL_DATE.search(url):
        return _iso(int(m["year"]), int(m["month"]), int(m["day"]) if m["day"] else None)
    if m := _URL_YEAR.search(url):
        return _iso(int(m["year"]))
    return None


@dataclass(frozen=True, slots=True)
class ManifestRow:
    file: str
    title: str | None = None
    author: str | None = None
    year: int | None = None
    published: str | None = None
    url: str | None = None
    doc_type: str | None = None
    extra: dict = field(default_factory=dict)


def _clean_cell(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _row_year(row: dict, problems: list[str], lineno: int) -> tuple[int | None, str | None]:
    year_text, published = _clean_cell(row.get("year")), _clean_cell(row.get("published"))
    year = None
    if year_text:
        if re.fullmatch(r"\d{4}", year_text) and valid_year(int(year_text)):
            year = int(year_text)
        else:
            problems.append(f"line {lineno}: year {year_text!r} is not a 4-digit year; ignored")
    if published:
        m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", published)
        iso = _iso(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None) if m else None
        if iso is None:
            problems.append(f"line {lineno}: published {published!r} is not YYYY[-MM[-DD]]; ignored")
            published = None
        elif year is None:
            year = int(iso[:4])
    return year, published


def read_manifest(folder: Path) -> tuple[dict[str, ManifestRow], list[str]]:
    """Read `folder/sources.csv`; return ({file name: row}, problems). Missing file → ({}, [])."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}, []
    problems: list[str] = []
    rows: dict[str, ManifestRow] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "file" not in reader.fieldnames:
                return {}, [f"no 'file' column (columns: {reader.fieldnames})"]
            for lineno, row in enumerate(reader, start=2):
                name = _clean_cell(row.get("file"))
                if not name:
                    problems.append(f"line {lineno}: empty 'file'")
                    continue
                if Path(name).name != name or name in (".", ".."):
                    problems.append(f"line {lineno}: file {name!r} is not a plain name in this folder")
                    continue
                year, published = _row_year(row, problems, lineno)
                known = {"file", "title", "author", "year", "published", "url", "doc_type"}
                rows[name] = ManifestRow(
                    file=name,
                    title=_clean_cell(row.get("title")),
                    author=_clean_cell(row.get("author")),
                    year=year,
                    published=published,
                    url=_clean_cell(row.get("url")),
                    doc_type=_clean_cell(row.get("doc_type")),
                    extra={k: v for k, v in row.items() if k not in known and k and v},
                )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return {}, [f"cannot read: {exc}"]
    return rows, problems
