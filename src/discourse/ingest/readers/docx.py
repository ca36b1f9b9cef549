"""Word (.docx) reader (python-docx), with a guard against zip bombs."""

from __future__ import annotations

import io
import zipfile

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.records import RawDocument, SkipReason, YearSource

__all__ = ["read_docx"]


def _check_zip(data: bytes, limit: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if "word/document.xml" not in zf.namelist():
                raise SkipError(SkipReason.PARSE_ERROR, "not a Word document (no word/document.xml)")
    except zipfile.BadZipFile as exc:
        raise SkipError(SkipReason.PARSE_ERROR, f"broken DOCX (bad zip: {exc})") from exc
    if total > limit:
        raise SkipError(SkipReason.TOO_LARGE, f"DOCX inflates to {total:,} bytes (limit {limit:,})")


def _paragraph_text(par) -> str:
    text = par.text.strip()
    style = (par.style.name if par.style is not None else "") or ""
    if text and style.lower().startswith("list"):
        return "- " + text
    return text


def read_docx(data: bytes, settings: IngestSettings) -> RawDocument:
    _check_zip(data, settings.max_unzipped_bytes)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
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
