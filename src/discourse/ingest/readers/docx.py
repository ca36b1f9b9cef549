"""Word (.docx) reader (python-docx), with a guard against zip bombs."""

from __future__ import annotations

import io
import zipfile
import zlib

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.records import RawDocument, SkipReason, YearSource

__all__ = ["read_docx"]


_CHUNK = 1 << 20
_SLACK = 1024  # deflate never grows data by more than ~0.03 % plus a few bytes per block


def _forged(info: zipfile.ZipInfo) -> bool:
    """A member whose compressed data is larger than the size it declares: the declared
    size is a lie (the usual zip-bomb disguise), since deflate never expands data."""
    return info.compress_size > info.file_size + info.file_size // 100 + _SLACK


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limit: int) -> bytes:
    """One member, inflated 1 MiB at a time (zipfile's one-shot `read()` inflates up to
    2 GiB before trimming to the declared size), refused past `budget`."""
    parts, total = [], 0
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            total += len(chunk)
            if total > budget:
                raise SkipError(SkipReason.TOO_LARGE, f"DOCX inflates to more than {limit:,} bytes "
                                                      "(setting ingest.max_unzipped_bytes)")
            parts.append(chunk)
    return b"".join(parts)


def _safe_package(data: bytes, limit: int) -> bytes:
    """The DOCX re-packed (uncompressed) from its members inflated within `limit` bytes in
    all, so python-docx only ever reads bytes that were counted. Declared sizes are checked
    first (cheap), then the real ones, because declared sizes can lie."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            total = sum(info.file_size for info in infos)
            if total > limit:
                raise SkipError(SkipReason.TOO_LARGE, f"DOCX inflates to {total:,} bytes (limit {limit:,}, "
                                                      "setting ingest.max_unzipped_bytes)")
            if "word/document.xml" not in {i.filename for i in infos}:
                raise SkipError(SkipReason.PARSE_ERROR, "not a Word document (no word/document.xml)")
            if forged := [i.filename for i in infos if _forged(i)]:
                raise SkipError(SkipReason.PARSE_ERROR, f"broken DOCX: {forged[0]} holds more compressed "
                                                        "data than the size it declares (a zip bomb?)")
            out, budget = io.BytesIO(), limit
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
                for info in infos:
                    blob = _inflate(zf, info, budget, limit)
                    budget -= len(blob)
                    dst.writestr(info.filename, blob)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError, ValueError) as exc:  # RuntimeError: encrypted member
        raise SkipError(SkipReason.PARSE_ERROR, f"broken DOCX (bad zip: {exc})") from exc
    return out.getvalue()


def _paragraph_text(par) -> str:
    text = par.text.strip()
    style = (par.style.name if par.style is not None else "") or ""
    if text and style.lower().startswith("list"):
        return "- " + text
    return text


def read_docx(data: bytes, settings: IngestSettings) -> RawDocument:
    package = _safe_package(data, settings.max_unzipped_bytes)
    try:
        import docx

        document = docx.Document(io.BytesIO(package))
        blocks: list[str] = []
        for par in document.paragraphs:
            text = _paragraph_text(par)
            if not text:
                continue
            if text.startswith("- ") and blocks and (blocks[-1].split("\n")[-1].startswith("- ")
                                                    or blocks[-1].endswith(":")):
                blocks[-1] += "\n" + text
            else:
                blocks.append(text)
        props = document.core_properties
    except SkipError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types on broken files
        raise SkipError(SkipReason.PARSE_ERROR, f"DOCX cannot be read: {type(exc).__name__}: {exc}") from exc
    if not blocks:
        raise SkipError(SkipReason.NO_TEXT, "DOCX has no text paragraphs")
    created = props.created.date().isoformat() if props.created else None
    return RawDocument(
        text="\n\n".join(blocks),
        title=props.title or None,
        author=props.author or None,
        published=created,
        year_source=YearSource.FILE_META if created else None,
        fmt="docx",
    )
