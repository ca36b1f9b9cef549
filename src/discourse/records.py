"""Records passed between stages. A leaf module: imports nothing from discourse."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Document", "FileResult", "Passage", "RawDocument", "Reject", "SkipReason", "YearSource"]


class SkipReason(StrEnum):
    """Why an input file (or piece of one) was not ingested. Stored in `rejects.reason`."""

    UNSUPPORTED_TYPE = "unsupported-type"
    EMPTY = "empty"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    TOO_LARGE = "too-large"
    PARSE_ERROR = "parse-error"
    NO_TEXT = "no-text"
    ENCRYPTED = "encrypted"
    UNREADABLE = "unreadable"
    BAD_MANIFEST = "bad-manifest"
    INTERNAL_ERROR = "internal-error"
    IGNORED = "ignored"
    SYMLINK = "symlink"


class YearSource(StrEnum):
    """Where a document's year came from (`documents.year_source`); None means unknown."""

    MANIFEST = "manifest"
    HTML_META = "html-meta"
    URL = "url"
    TEXT = "text"
    FILE_META = "file-meta"


@dataclass(frozen=True, slots=True)
class RawDocument:
    """What a reader returns: text with paragraphs separated by blank lines, plus metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    year_source: YearSource | None = None
    url: str | None = None
    fmt: str = "txt"


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    source: str
    piece: int
    title: str | None
    author: str | None
    published: str | None
    year: int | None
    year_source: str | None
    language: str | None
    text: str
    sha256: str
    duplicate_of: str | None = None
    url: str | None = None
    doc_type: str | None = None
    fmt: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    passage_id: str
    doc_id: str
    seq: int
    text: str
    char_start: int
    char_end: int
    kind: str = "body"


@dataclass(frozen=True, slots=True)
class Reject:
    source: str
    reason: SkipReason
    detail: str
    extra: dict = field(default_factory=dict)


@dataclass(slots=True)
class FileResult:
    """Everything one input file gave: what the store writes for it in one go."""

    source: str
    file_sha256: str
    size: int
    documents: list[Document] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    signatures: dict[str, np.ndarray] = field(default_factory=dict)
