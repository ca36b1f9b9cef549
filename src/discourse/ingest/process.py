"""One input file → documents and passages (or a reject). Pure: no store, no printing."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.ingest.chrome import strip_chrome
from discourse.ingest.dedupe import dedupe_key, minhash_signature, text_sha256
from discourse.ingest.language import detect_language
from discourse.ingest.metadata import ManifestRow, date_from_text, date_from_url
from discourse.ingest.normalize import normalize_text, paragraphs
from discourse.ingest.pieces import Piece, split_pieces
from discourse.ingest.readers import read_file_bytes, reader_for
from discourse.ingest.segment import segment
from discourse.records import (
    Document,
    FileResult,
    Passage,
    RawDocument,
    Reject,
    SkipReason,
    YearSource,
)

__all__ = ["FileResult", "clean_file", "clean_text", "process_bytes", "process_file", "read_input",
           "source_name"]

_PLURAL_AUTHORS = {"several", "various", "multiple", "many", "anonymous", "staff"}


def source_name(path: str | Path) -> str:
    """The path as text that can be stored and printed: bytes of a file name that are not
    UTF-8 (held by Python as lone surrogates, which DuckDB refuses) become `\\xff` escapes.
    The same path always gives the same name, so reruns find their earlier rows."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _short_hash(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def clean_text(raw: RawDocument, settings: IngestSettings | None = None) -> tuple[list[Piece], str | None, str | None]:
    """Normalise, remove chrome, split pieces.

    Returns (pieces, date found in the text, language of the cleaned text)."""
    settings = settings or IngestSettings()
    text = normalize_text(raw.text)
    text_date = date_from_text(paragraphs(text), settings.date_search_paragraphs)
    stripped, _removed = strip_chrome(text)
    language = detect_language(stripped, settings.language_sample_chars)
    if language not in ("en", None):
        # title/byline/compilation cues are English-specific; keep other languages whole
        return ([Piece(None, None, stripped)] if stripped else []), text_date, language
    pieces = [Piece(p.title and normalize_text(p.title), p.author, p.text) for p in split_pieces(stripped)]
    return pieces, text_date, language


def _dating(raw: RawDocument, row: ManifestRow | None, text_date: str | None) -> tuple[str | None, str | None]:
    """(published, year_source) in the order manifest > HTML meta/URL > manifest URL > text > file meta."""
    if row and row.year:
        return row.published or f"{row.year:04d}", YearSource.MANIFEST
    if raw.published and raw.year_source in (YearSource.HTML_META, YearSource.URL):
        return raw.published, raw.year_source
    url_date = date_from_url(row.url if row else None) or date_from_url(raw.url)
    if url_date:
        return url_date, YearSource.URL
    if raw.published and raw.year_source == YearSource.TEXT:
        return raw.published, YearSource.TEXT
    if text_date:
        return text_date, YearSource.TEXT
    if raw.published:
        return raw.published, raw.year_source
    return None, None


def _meta(piece: Piece, raw: RawDocument, row: ManifestRow | None, several: bool) -> tuple[str | None, str | None]:
    if several:  # a compilation: each piece's own title and byline
        return piece.title, piece.author
    m_author = row.author if row and row.author and row.author.lower() not in _PLURAL_AUTHORS else None
    title = (row.title if row else None) or piece.title or raw.title
    return title, m_author or piece.author or raw.author


def _build(source: str, raw: RawDocument, pieces: list[Piece], row: ManifestRow | None,
           text_date: str | None, language: str | None, settings: IngestSettings,
           result: FileResult) -> None:
    published, year_source = _dating(raw, row, text_date)
    several = len(pieces) > 1
    for n, piece in enumerate(pieces, start=1):
        if len(piece.text) < settings.min_document_chars:
            result.rejects.append(Reject(f"{source}#{n}", SkipReason.NO_TEXT,
                                         f"piece {n} has {len(piece.text)} characters after cleaning"))
            continue
        key = dedupe_key(piece.text)
        sha = text_sha256(piece.text, key)
        doc_id = _short_hash(source, n, sha)
        title, author = _meta(piece, raw, row, several)
        result.documents.append(Document(
            doc_id=doc_id, source=source, piece=n, title=title, author=author,
            published=published, year=int(published[:4]) if published else None,
            year_source=str(year_source) if year_source else None,
            language=detect_language(piece.text, settings.language_sample_chars) if several else language,
            text=piece.text, sha256=sha, url=(row.url if row else None) or raw.url,
            doc_type=row.doc_type if row else None, fmt=raw.fmt,
        ))
        for seq, (a, b, kind) in enumerate(segment(piece.text, settings.max_passage_words,
                                                   settings.list_leadin_max_words)):
            result.passages.append(Passage(_short_hash(doc_id, seq, a, b), doc_id, seq,
                                           piece.text[a:b], a, b, kind))
        result.signatures[doc_id] = minhash_signature(piece.text, settings.minhash_permutations,
                                                      settings.shingle_words, key)


def process_bytes(source: str, path: Path, data: bytes, row: ManifestRow | None,
                  settings: IngestSettings) -> FileResult:
    """Read, clean, split, date and segment one file's bytes; never raises SkipError."""
    result = FileResult(source, hashlib.sha256(data).hexdigest(), len(data))
    try:
        reader_for(path)
        if len(data) > settings.max_file_bytes:
            raise SkipError(SkipReason.TOO_LARGE, f"{len(data):,} bytes > limit {settings.max_file_bytes:,} "
                                                  "(setting ingest.max_file_bytes)")
        raw = read_file_bytes(path, data, settings)
        pieces, text_date, language = clean_text(raw, settings)
        if not pieces:
            raise SkipError(SkipReason.NO_TEXT, "nothing left after removing page chrome")
        _build(source, raw, pieces, row, text_date, language, settings, result)
        if not result.documents:
            raise SkipError(SkipReason.NO_TEXT, f"text shorter than {settings.min_document_chars} characters after cleaning")
    except SkipError as exc:
        result.documents.clear()
        result.passages.clear()
        result.signatures.clear()
        result.rejects = [Reject(source, SkipReason(exc.reason), exc.detail)]
    return result


def _link_refusal(path: Path, root: Path) -> str | None:
    """Why a symbolic link met while walking `root` is not followed, or None to read it."""
    if not path.is_symlink():
        return None
    if path.is_dir():
        return "symbolic link to a folder; folders are walked without following links (loops)"
    target, top = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath([target, top]) != top:
        return f"symbolic link to {source_name(target)}, outside {source_name(root)}; not followed"
    return None


def read_input(path: Path, settings: IngestSettings, root: Path | None = None) -> bytes:
    """A file's bytes, or SkipError: a symbolic link out of `root` (the folder being
    walked), not a regular file (a named pipe would block), over `max_file_bytes`
    (checked before reading, and again while reading in case the file grows), unreadable."""
    if root is not None and (why := _link_refusal(path, root)):
        raise SkipError(SkipReason.SYMLINK, why)
    limit = settings.max_file_bytes
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise SkipError(SkipReason.UNREADABLE, exc.strerror or str(exc)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SkipError(SkipReason.UNREADABLE, "not a regular file (a folder, named pipe, device "
                                                   "or socket); not read")
        if info.st_size > limit:
            raise SkipError(SkipReason.TOO_LARGE, f"{info.st_size:,} bytes > limit {limit:,} "
                                                  "(setting ingest.max_file_bytes)")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise SkipError(SkipReason.UNREADABLE, exc.strerror or str(exc)) from exc
    finally:
        os.close(fd)
    if len(data) > limit:
        raise SkipError(SkipReason.TOO_LARGE, f"more than {limit:,} bytes (setting ingest.max_file_bytes)")
    return data


def process_file(path: str | Path, source: str | None = None, row: ManifestRow | None = None,
                 settings: IngestSettings | None = None) -> FileResult:
    """Process one file from disk (see `process_bytes`)."""
    path = Path(path)
    settings = settings or IngestSettings()
    source = source or source_name(path)
    try:
        data = read_input(path, settings)
    except SkipError as exc:
        return FileResult(source, f"{exc.reason}:{exc.detail}", 0, rejects=[Reject(source, SkipReason(exc.reason), exc.detail)])
    return process_bytes(source, path, data, row, settings)


def clean_file(path: str | Path, settings: IngestSettings | None = None) -> str:
    """The cleaned main text of one file: every piece in order (its title line first when
    it has one), separated by blank lines. Raises SkipError when the file is rejected."""
    path = Path(path)
    settings = settings or IngestSettings()
    reader_for(path)
    raw = read_file_bytes(path, read_input(path, settings), settings)
    pieces, _date, _lang = clean_text(raw, settings)
    if not pieces:
        raise SkipError(SkipReason.NO_TEXT, "nothing left after removing page chrome")
    blocks = []
    for piece in pieces:
        title = piece.title or (raw.title if len(pieces) == 1 else None)
        blocks.extend([normalize_text(title)] if title else [])
        blocks.append(piece.text)
    return "\n\n".join(blocks) + "\n"
