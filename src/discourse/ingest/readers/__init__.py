"""Readers, one per format, registered under versioned names (`reader.html.v1`).

A reader takes the file's bytes and returns a `RawDocument` whose text has paragraphs
separated by blank lines, or raises `SkipError` with a `SkipReason`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.ingest.readers.docx import read_docx
from discourse.ingest.readers.html import read_html
from discourse.ingest.readers.pdf import read_pdf
from discourse.ingest.readers.txt import read_txt
from discourse.records import RawDocument, SkipReason

__all__ = ["EXTENSIONS", "READERS", "reader_for", "read_file_bytes"]

Reader = Callable[[bytes, IngestSettings], RawDocument]

READERS: dict[str, Reader] = {
    "reader.html.v1": read_html,
    "reader.txt.v1": read_txt,
    "reader.pdf.v1": read_pdf,
    "reader.docx.v1": read_docx,
}
EXTENSIONS: dict[str, str] = {
    ".html": "reader.html.v1",
    ".htm": "reader.html.v1",
    ".xhtml": "reader.html.v1",
    ".txt": "reader.txt.v1",
    ".md": "reader.txt.v1",
    ".markdown": "reader.txt.v1",
    ".text": "reader.txt.v1",
    ".pdf": "reader.pdf.v1",
    ".docx": "reader.docx.v1",
}


def reader_for(path: Path) -> str:
    """Registered reader name for a path, or raise SkipError(unsupported-type)."""
    name = EXTENSIONS.get(path.suffix.lower())
    if name is None:
        kinds = ", ".join(sorted(EXTENSIONS))
        raise SkipError(SkipReason.UNSUPPORTED_TYPE, f"'{path.suffix or '(none)'}' is not one of {kinds}")
    return name


def read_file_bytes(path: Path, data: bytes, settings: IngestSettings) -> RawDocument:
    return READERS[reader_for(path)](data, settings)
