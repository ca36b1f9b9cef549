"""Line-by-line page-chrome remover for scraped plain text.

Works on the signals pages really carry: browser and cookie notices, sign-in and comment
widgets, terms boilerplate, share and navigation lines, reading-time badges, provenance
lines ("originally published in …"). Each rule is a small predicate over one line; a
line is dropped only when a rule matches the whole line's job, so body sentences that
merely mention a cookie or a comment survive.
"""

from __future__ import annotations

import re

from discourse.ingest.metadata import date_from_text

__all__ = ["COMMENT_HEADER", "is_chrome_line", "is_provenance_line", "strip_chrome"]

_I = re.IGNORECASE
# Short lines that are, in full, a widget, button or menu label.
_LABELS = {
    "accept", "accept all", "accept cookies", "reject all", "decline", "ok", "got it",
    "manage preferences", "cookie settings", "learn more", "find out more", "read more",
    "more", "close", "menu", "main menu", "navigation", "search", "search this site",
    "skip to content", "skip to main content", "skip to navigation", "skip to footer",
    "accessibility links", "accessability links", "home", "sign in", "log in", "login",
    "register", "sign up", "subscribe", "share", "share this", "share this article",
    "share this post", "share this page", "tweet", "print", "print this page", "email",
    "email this", "back to top", "top", "related posts", "related articles", "related",
    "you may also like", "comments", "comment", "leave a reply", "leave a comment",
    "post a comment", "add new comment", "add a comment", "have your say", "reply",
    "log in to reply", "cancel reply", "view comments", "show comments", "load more",
    "previous post", "next post", "previous", "next", "advertisement", "advertising",
    "sponsored", "news", "opinion", "features", "analysis", "blog", "blogs", "jobs", "events",
    "latest", "facebook", "twitter", "linkedin", "whatsapp", "instagram", "x",
}
_PATTERNS = [re.compile(p, _I) for p in (
    r"your browser (is|appears|does not|doesn.t|isn.t|version)\b",
    r"\b(upgrade|update) (to a newer version|your browser)\b",
    r"^for the best (possible )?(experience|viewing)\b",
    r"\b(we|this (web)?site|our (web)?site) uses? cookies\b",
    r"\b(use|accept|enable|disable[sd]?|consent to|allow)( the)?( use of)? cookies\b",
    r"\bcookies? (policy|settings|preferences|disabled|notice)\b",
    r"\bagree(ing)? to (our|the) use of cookies\b",
    r"\bassume (that )?(we have your consent|you('re| are) happy)\b",
    r"^you (must|need to) (be )?(sign(ed)? in|log(ged)? in|register(ed)?) to\b",
    r"\byour email address will not be published\b",
    r"\brequired fields are marked\b",
    r"\blinks may be included in your comments?\b",
    r"\bsubmission of any material is governed by\b",
    r"^comments? (are|is) (closed|moderated)\b",
    r"^(©|\(c\)|copyright\b)",
    r"\ball rights reserved\.?$",
    r"^(privacy( policy| notice)?|terms( and conditions| of use| of service)?|cookie policy"
    r"|accessibility( statement)?|contact( us)?|sitemap)( ?[|·•/] ?.*)?$",
    r"^(sign up|subscribe) (to|for) (our|the) (free )?(newsletter|daily|weekly|email)",
    r"^(share|post|send) (on|to|via|this on) (facebook|twitter|x|linkedin|email|whatsapp|reddit)\b",
    r"^\d+ ?(min|minute)s?( read)?$",
    r"^(\d+|no|one|two|three) (comments?|responses?|replies|thoughts)( on .{0,120})?$",
    r"^tags?: ",
    r"^(filed|posted) under: ",
    r"^(photo|image|picture)( credit)?: ",
    r"^(click|tap) here to\b",
    r"^(was|is) this (page|article|information|content) (helpful|useful)\??$",
    r"^(you are here|breadcrumb)s?:",
    r"^(collection|series|categor(y|ies)|section|topics?|filed in|posted in|more from)\s*:",
)]
# One alternation for the patterns anchored at the line start (cheap to fail), and one for
# the rest, tried only when the line holds one of the words those patterns need.
_ANCHORED = re.compile("|".join(f"(?:{p.pattern})" for p in _PATTERNS if p.pattern.startswith("^")), _I)
_FLOATING = re.compile("|".join(f"(?:{p.pattern})" for p in _PATTERNS if not p.pattern.startswith("^")), _I)
_FLOATING_WORDS = ("browser", "newer version", "cookie", "consent", "assume", "email", "fields", "comment",
                   "material", "rights", "reserved")


def _matches_pattern(line: str) -> bool:
    if _ANCHORED.match(line):
        return True
    low = line.lower()
    return any(w in low for w in _FLOATING_WORDS) and bool(_FLOATING.search(line))
_PROVENANCE = re.compile(
    r"^(this (article|blog|post|piece|column|story) )?(was |has been )?(originally |first )"
    r"(published|appeared|appeard|posted|ran)\b|\bcross-?post(ed)?\b|\brepublished (here )?with permission",
    _I,
)
_NAV_SPLIT = re.compile(r"\s*[|·•»›]\s*|\s+/\s+")
_BULLETISH = re.compile(r"^[\-–—•*·▪►]+\s*")
COMMENT_HEADER = re.compile(
    r"^((\d+|no|one|two|three) (comments?|responses?|replies)|leave a (reply|comment)|"
    r"have your say|add new comment|comments|post a comment|join the discussion)$",
    _I,
)


def _is_label(line: str) -> bool:
    if len(line) > 40:
        return False
    core = _BULLETISH.sub("", line).strip(" :.!›»→").lower()
    return core in _LABELS


def _is_nav_bar(line: str) -> bool:
    if not any(sep in line for sep in "|·•»›/"):
        return False
    parts = [p for p in _NAV_SPLIT.split(line) if p]
    if len(parts) < 3:
        return False
    return all(len(p.split()) <= 3 and not p.endswith(".") for p in parts)


def is_provenance_line(line: str) -> bool:
    """'This article was originally published in …', 'cross-posted with permission'."""
    return len(line.split()) <= 40 and bool(_PROVENANCE.search(line))


def is_chrome_line(line: str) -> bool:
    """True when the whole line is page furniture rather than writing."""
    line = line.strip()
    if not line or len(line) > 400:  # chrome is short; most body paragraphs stop here
        return False
    if _is_label(line) or _is_nav_bar(line):
        return True
    if len(line.split()) > 45:
        return False
    return _matches_pattern(line) or is_provenance_line(line) or _is_dateline(line)


def _is_dateline(line: str) -> bool:
    """'Posted on 14 March 2011', 'March 3, 2014', 'Updated 2022-11-08 · 6 min read'."""
    return len(line.split()) <= 12 and date_from_text([line]) is not None


def _comment_tail_start(lines: list[str]) -> int | None:
    """Index of a comment-section header in the last third of the text with only short
    lines (reader comments, widget labels) after it; None when there is none."""
    cut = (2 * len(lines)) // 3
    for i in range(len(lines) - 1, cut - 1, -1):
        if COMMENT_HEADER.match(lines[i].strip()):
            tail = [ln for ln in lines[i + 1:] if ln.strip()]
            if all(len(ln.split()) <= 80 for ln in tail):
                return i
    return None


def strip_chrome(text: str, drop_comment_tail: bool = True) -> tuple[str, list[str]]:
    """Remove chrome lines from normalised text; return (text, removed lines)."""
    lines = text.split("\n")
    removed: list[str] = []
    if drop_comment_tail:
        start = _comment_tail_start(lines)
        if start is not None:
            removed.extend(ln for ln in lines[start:] if ln.strip())
            lines = lines[:start]
    kept: list[str] = []
    for line in lines:
        if is_chrome_line(line):
            removed.append(line)
        else:
            kept.append(line)
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return out, removed
