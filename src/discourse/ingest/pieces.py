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
_BYLINE = re.compile(rf"^(?i:by|written by|words by|posted by|author)[:\s]+(?P<name>{_NAME})(?:\s*[,|–—-]\s*.{{0,80}})?$")
_BARE_NAME = re.compile(rf"^(?P<name>{_NAME})(?:,\s*[^.]{{0,80}})?$")
_EMBEDDED = [
    re.compile(rf"^(?P<title>.+?),?\s+(?:writes|says|argues|reports)\s+(?P<name>{_NAME})\.?$"),
    re.compile(rf"^(?P<title>.+?\bfrom\s+(?P<name>{_NAME})(?:,.*)?)$"),
    re.compile(rf"^(?P<title>.+?)\s+(?:[-–—|]\s+)?by\s+(?P<name>{_NAME})$"),
]
_NOT_NAMES = {
    "the", "and", "of", "for", "with", "our", "your", "leadership", "leading", "public",
    "service", "services", "council", "news", "opinion", "home", "about", "contact",
    "comment", "comments", "share", "policy", "change", "together", "this", "new", "why",
    "how", "what", "when", "first", "steps", "report", "blog", "event", "events", "dear",
}
_NOT_LETTER = re.compile(r"[\W\d_]+")
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
    if not _looks_like_name(name):
        return None
    return name


def _looks_like_name(name: str) -> bool:
    """Reject capitalised phrases that are not people: 'SEE ALSO', 'Step Five', 'Read More'."""
    from spacy.lang.en.stop_words import STOP_WORDS

    tokens = name.split()
    if name.isupper() and len(name) > 3:
        return False
    return not any(t.lower() in _NOT_NAMES or t.lower().strip(".") in STOP_WORDS for t in tokens)


def _corroborated(name: str, line: str, text: str) -> bool:
    """A bare name line (no 'By') is a byline only with support: it is 'Name, Role', or the
    name appears again in the text (repeated caption, sign-off, author bio)."""
    starts = len(re.findall(rf"(?m)^{re.escape(name)}\b", text))
    return bool(re.match(r"^[^,]+,\s*\S", line)) or starts >= 2


def _is_heading(block: str, allow_period: bool = False) -> bool:
    if "\n" in block or _BULLET.match(block):
        return False
    words = block.split()
    if not 1 <= len(words) <= 25 or len(block) > 200 or len(_NOT_LETTER.sub("", block)) < 3:
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


@dataclass(frozen=True, slots=True)
class _Start:
    title: str
    author: str | None
    used: int  # blocks taken by the title and its byline(s)
    strong: bool  # explicit or corroborated byline: evidence the file is a compilation
    above: int | None = None  # index of a byline written above the title


def _start_at(blocks: list[str], i: int, text: str) -> _Start | None:
    """A titled piece starting at block i, or None."""
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
        strong = bool(_BYLINE.match(nxt.split("\n")[0].strip())) or used > 2 or _corroborated(name, nxt, text)
        return _Start(blocks[i], name, used, strong)
    if not _is_heading(blocks[i]):
        return None
    emb = _embedded_byline(blocks[i])
    if emb:
        return _Start(emb[0], emb[1], 1, True)
    above = byline_name(blocks[i - 1]) if i > 0 else None
    if above and _BYLINE.match(blocks[i - 1].strip()) and not _is_heading(nxt or "x."):
        return _Start(blocks[i], above, 1, True, above=i - 1)
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


def _find_starts(blocks: list[str], text: str) -> dict[int, _Start]:
    starts: dict[int, _Start] = {}
    for i in range(len(blocks)):
        if any(i < s + st.used for s, st in starts.items()):
            continue
        found = _start_at(blocks, i, text)
        if found:
            starts[i] = found
    if sum(st.strong for st in starts.values()) >= 2:  # a compilation: bare headings split too
        taken = {j for s, st in starts.items() for j in range(s, s + st.used)}
        taken |= {st.above for st in starts.values() if st.above is not None}
        for i in range(len(blocks)):
            if i not in taken and _weak_start(blocks, i):
                starts[i] = _Start(blocks[i], None, 1, False)
    return starts


def _single(blocks: list[str], starts: dict[int, _Start]) -> Piece:
    """One article: a title (+ byline) among its first blocks is lifted, nothing else."""
    top = min(starts) if starts else None
    if top is not None and sum(len(b.split()) for b in blocks[:top]) < 40:
        st = starts[top]
        skip = set(range(top, top + st.used)) | ({st.above} if st.above is not None else set())
        return _piece([b for j, b in enumerate(blocks) if j not in skip], st.title, st.author)
    if len(blocks) > 1 and _is_heading(blocks[0]):
        return _piece(blocks[1:], blocks[0], None)  # a plain title line on top
    return _piece(blocks, None, None)


def split_pieces(text: str) -> list[Piece]:
    """Split chrome-free text into pieces (one piece when no split is found)."""
    blocks = _explode_headers(paragraphs(text))
    if not blocks:
        return []
    starts = _find_starts(blocks, text)
    if sum(st.strong for st in starts.values()) < 2:
        return [_single(blocks, starts)]
    order = sorted(starts)
    aboves = {st.above for st in starts.values() if st.above is not None}
    pieces: list[Piece] = []
    lead = [b for j, b in enumerate(blocks[: order[0]]) if j not in aboves]
    if sum(len(b.split()) for b in lead) >= 40:
        pieces.append(_piece(lead, None, None))
    for n, s in enumerate(order):
        st = starts[s]
        end = order[n + 1] if n + 1 < len(order) else len(blocks)
        body = [b for j, b in enumerate(blocks[s + st.used:end], start=s + st.used) if j not in aboves]
        pieces.append(_piece(body, st.title, st.author))
    return [p for p in pieces if p.text.strip()]
