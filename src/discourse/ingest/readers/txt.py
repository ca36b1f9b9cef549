"""Plain text and Markdown reader."""

from __future__ import annotations

import re

from discourse.config import IngestSettings
from discourse.ingest.normalize import decode_bytes
from discourse.records import RawDocument

__all__ = ["read_txt", "unwrap_markdown"]

_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
_MD_EMPH = re.compile(r"^[*_]{1,2}(.+?)[*_]{1,2}$")
_MD_LINK_ONLY = re.compile(r"^\[([^\]]+)\]\([^)]*\)$")


def unwrap_markdown(text: str) -> str:
    """Markdown markup that would hide structure: '# Title' → 'Title' as its own
    paragraph, a line that is all emphasis loses its stars, a bare link keeps its label."""
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        if m := _MD_HEADING.match(stripped):
            out.extend(["", m[1], ""])
        elif (m := _MD_EMPH.match(stripped)) or (m := _MD_LINK_ONLY.match(stripped)):
            out.append(m[1])
        else:
            out.append(line)
    return "\n".join(out)


def read_txt(data: bytes, settings: IngestSettings) -> RawDocument:
    text, _codec = decode_bytes(data)
    if "\n#" in "\n" + text:
        text = unwrap_markdown(text)
    return RawDocument(text=text, fmt="txt")
