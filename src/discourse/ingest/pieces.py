"""Split a file that holds several pieces into pieces; lift titles, bylines and bios.

A piece starts at a heading (a short line without closing punctuation) that has a byline
next to it (`By Name`, or a bare name line, possibly repeated as a photo caption) or a
byline inside it (`…, writes Name`, `… from Name, Role`, `Name: …`). Two or more such
starts make the file a compilation; then bare headings followed by prose also start
pieces. Otherwise the file is one piece, and a heading (+ byline) at its top is its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from discourse.ingest.normalize import paragraphs

__all__ = ["Piece", "byline_name", "split_pieces", "strip_bio"]

_NAME_TOKEN = r"(?:[A-Z][a-zA-Z'’\-]+|[A-Z]\.)"
_PARTICLE = r"(?:de|da|van|von|der|den|du|le|la|bin|al|st\.?)"
_NAME = rf"{_NAME_TOKEN}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_TOKEN}){{1,3}}"
_BYLINE = re.compile(rf"^(?:by|written by|words by|posted by|author)[:\s]+(?P<name>{_NAME})(?:\s*[,|–—-]\s*.{{0,80}})?$", re.I)
_BARE_NAME = re.compile(rf"^(?P<name>{_NAME})(?:,\s*[^.]{{0,80}})?$")
_EMBEDDED = [
    re.compile(rf"^(?P<title>.+?),?\s+(?:writes|says|argues|reports)\s+(?P<name>{_NAME})\.?$"),
    re.compile(rf"^(?P<title>.+?\bfrom\s+(?P<name>{_NAME})(?:,.*)?)$"),
    re.compile(rf"^(?P<title>.+?)\s+(?:[-–—|]\s+)?by\s+(?P<name>{_NAME})$"),
    re.compile(rf"^(?P<name>{_NAME}):\s+(?P<title>.{{8,}})$"),
]
_NOT_NAMES = {
    "the", "and", "of", "for", "with", "our", "your", "leadership", "leading", "public",
    "service", "services", "council", "news", "opinion", "home", "about", "contact",
    "comment", "comments", "share", "policy", "change", "together", "this", "new", "why",
    "how", "what", "when", "first", "steps", "report", "blog", "event", "events",
}
_BULLET = re.compile(r"^\s*(?:[\-–—•*·▪►]|\d{1,2}[.)])\s*")
_ROLE = re.compile(
    r"\b(is|was|has|blogs|works|writes|leads|chairs|runs|founded|directs|teaches)\b.*\b"
    r"(director|chief|executive|manager|head|founder|professor|fellow|editor|consultant|"
    r"advis[eo]r|coach|lecturer|partner|chair|officer|ceo|author|journalist|researcher|"
    r"experience|council|university|ltd|cic|trust|network|blog)",
    re.I,
)


_GENERIC_BIO = re.compile(
    rf"^{_NAME},?\s+(?:(?:is|was)\s+(?:a|an|the|now|currently|director|chief|head|founder|professor)\b"
    r"|has\s+(?:been|over|more|worked|spent|led)\b|blogs\b|writes\s+(?:about|on|for)\b|works\s+(?:at|for|as)\b)"
)


@dataclass(frozen=True, slots=True)
class Piece:
    title: str | None
    author: str | None
    text: str


def _clean_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip(" ,.")


def byline_name(line: str) -> str | None:
    """The person a byline line names ('By Jane Doe', 'Jane Doe, Chief Executive'); a block
    that repeats one byline on several lines (photo caption + byline) names that person."""
    line = line.strip()
    if "\n" in line:
        names = {byline_name(part) for part in line.split("\n") if part.strip()}
        return names.pop() if len(names) == 1 else None
    if len(line) > 100 or line.endswith((".", ":", ";", "?", "!")):
        return None
    m = _BYLINE.match(line) or _BARE_NAME.match(line)
    if not m:
        return None
    name = _clean_name(m["name"])
    if any(tok.lower() in _NOT_NAMES for tok in name.split()):
        return None
    return name


def _is_heading(block: str, allow_period: bool = False) -> bool:
    if "\n" in block or _BULLET.match(block):
        return False
    words = block.split()
    if not 1 <= len(words) <= 25 or len(block) > 200:
        return False
    closing = (",", ";", ":", "…") if allow_period and len(words) <= 15 else (".", ",", ";", ":", "…")
    if block.rstrip().endswith(closing):
        return False
    return block[0].isupper() or block[0].isdigit() or block[0] in "‘“\"'"


def _embedded_byline(block: str) -> tuple[str, str] | None:
    for rx in _EMBEDDED:
        m = rx.match(block)
        if m and byline_name(m["name"]):
            title = m["title"] if rx is not _EMBEDDED[1] else block
            return title.strip(" ,–—-"), _clean_name(m["name"])
    return None


def _start_at(blocks: list[str], i: int) -> tuple[str, str | None, int] | None:
    """A strong piece start at block i: (title, author, blocks consumed), else None."""
    if not _is_heading(blocks[i], allow_period=True):
        return None
    nxt = blocks[i + 1] if i + 1 < len(blocks) else ""
    name = byline_name(nxt) if nxt else None
    if name:
        used = 2
        while i + used < len(blocks) and byline_name(blocks[i + used]) == name:
            used += 1  # the same name again: photo caption plus byline
        if sum(len(b.split()) for b in blocks[i + used:i + used + 3]) < 20:
            return None  # a sign-off at the end, not a new piece
        return blocks[i], name, used
    if not _is_heading(blocks[i]):
        return None
    emb = _embedded_byline(blocks[i])
    if emb:
        return emb[0], emb[1], 1
    if i > 0 and byline_name(blocks[i - 1]) and not _is_heading(nxt or "x."):
        return blocks[i], byline_name(blocks[i - 1]), 1  # byline above the title
    return None


def _weak_start(blocks: list[str], i: int) -> bool:
    """A bare heading between prose blocks (only trusted inside a compilation)."""
    if not _is_heading(blocks[i]) or i + 1 >= len(blocks):
        return False
    return len(blocks[i + 1].split()) >= 25 and (i == 0 or not _is_heading(blocks[i - 1]))


def strip_bio(blocks: list[str], author: str | None) -> list[str]:
    """Drop author-bio paragraphs at the end of a piece ('Jane Doe is director of …')."""
    out = list(blocks)
    for _ in range(2):
        if len(out) < 2:
            break
        last = out[-1]
        if len(last.split()) > 100 or "\n" in last.strip():
            break
        by_author = bool(author) and re.match(
            rf"^{re.escape(author)}(\s+(is|was|has|blogs|writes|works|leads)\b|,)", last
        )
        generic = author is None and _GENERIC_BIO.match(last) and _ROLE.search(" ".join(last.split()[:25]))
        about = re.match(r"^about the author\b", last, re.I)
        if not (by_author or generic or about):
            break
        out.pop()
    return out


def _piece(blocks: list[str], title: str | None, author: str | None) -> Piece:
    body = strip_bio(blocks, author)
    return Piece(title=title, author=author, text="\n\n".join(body))


def _explode_headers(blocks: list[str]) -> list[str]:
    """A title and its byline(s) written on consecutive lines become separate blocks."""
    out: list[str] = []
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if 2 <= len(lines) <= 4 and _is_heading(lines[0], allow_period=True) and all(
            byline_name(ln) for ln in lines[1:]
        ):
            out.extend(lines)
        else:
            out.append(block)
    return out


def split_pieces(text: str) -> list[Piece]:
    """Split chrome-free text into pieces (one piece when no split is found)."""
    blocks = _explode_headers(paragraphs(text))
    starts: dict[int, tuple[str | None, str | None, int]] = {}
    for i in range(len(blocks)):
        found = _start_at(blocks, i)
        if found and not any(i < s + used for s, (_, _, used) in starts.items()):
            starts[i] = found
    byline_above = {i - 1 for i, (_, a, used) in starts.items() if used == 1 and i > 0
                    and byline_name(blocks[i - 1]) == a}
    if len(starts) >= 2:
        for i in range(len(blocks)):
            covered = any(s <= i < s + used for s, (_, _, used) in starts.items())
            if not covered and i not in byline_above and _weak_start(blocks, i):
                starts[i] = (blocks[i], None, 1)
    elif not starts and blocks and _is_heading(blocks[0]) and len(blocks) > 1:
        starts[0] = (blocks[0], None, 1)  # a plain title line on top of a single article
    if not starts:
        return [_piece(blocks, None, None)] if blocks else []
    order = sorted(starts)
    if len(starts) == 1:  # one titled article: the title may sit below some lead text
        title, author, used = starts[order[0]]
        skip = set(range(order[0], order[0] + used)) | byline_above
        return [_piece([b for j, b in enumerate(blocks) if j not in skip], title, author)]
    pieces: list[Piece] = []
    lead = [b for j, b in enumerate(blocks[: order[0]]) if j not in byline_above]
    if sum(len(b.split()) for b in lead) >= 40:
        pieces.append(_piece(lead, None, None))
    for n, s in enumerate(order):
        title, author, used = starts[s]
        end = order[n + 1] if n + 1 < len(order) else len(blocks)
        body = [b for j, b in enumerate(blocks[s + used:end], start=s + used) if j not in byline_above]
        pieces.append(_piece(body, title, author))
    return [p for p in pieces if p.text.strip()]
