"""The codebook as code: label set, lexicon cues and stance cues.

Used three ways: as the lexicon baseline (`LexiconClassifier`), as extra features for the
learned models (counts of cue matches, which let a linear head learn the stance rule), and
as readable evidence ("critique of heroic framing" when that cue fires).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["CUE_NAMES", "LABELS", "SCHEME_VERSION", "Cue", "cue_matrix", "find_cues", "split_sentences"]

SCHEME_VERSION = "2"
LABELS = ("collaborative", "heroic", "neutral")  # sorted: the order of classes_

_HEROIC = (
    r"(take|took|taking|takes) (personal |direct )?(charge|control|command|the reins)",
    r"in charge", r"personal(ly)? (control|charge|grip)", r"\bgrip\b", r"decisive(ness|ly)?",
    r"\bstrong (leader|leadership|hand|man|chief|boss)", r"strongm[ae]n", r"single (leader|person|point of accountability|accountable)",
    r"one (person|leader|man|woman) (in charge|accountable|at the top)", r"command and control", r"top[- ]down",
    r"turn(ed|s|ing)? (it|the \w+|things) (round|around)", r"turnaround", r"rescue[ds]?", r"saviou?r",
    r"superhead", r"\bhero(es|ic|ism)?\b", r"charisma(tic)?", r"visionary", r"iron (fist|will)",
    r"(told|tell|telling) (everyone|every \w+|staff|managers|them) (what|exactly)", r"answer(ed)? to (him|her|me) personally",
    r"overrul(e|ed|ing)", r"(his|her|my) vision", r"firm hand", r"no[- ]nonsense", r"by sheer force",
    r"(i|he|she) (alone|decided|will act|acted)", r"chain of command", r"\bobey(ed)?\b", r"\bauthority\b",
)
_COLLAB = (
    r"partner(s|ship|ships)?\b", r"collaborat(e|ed|ion|ive|ively)", r"co-?produc(e|ed|tion)", r"co-?design(ed)?",
    r"together", r"shared (leadership|power|ownership|responsibility|decision)", r"distributed leadership",
    r"collective(ly)?", r"\btrust(ed|ing)?\b", r"listen(ed|ing|s)?\b", r"humil(ity|e)", r"empower(ed|ing|ment)?",
    r"\benabl(e|ed|ing)\b", r"let(ting)? go", r"relational", r"across (organisational |organizational )?boundaries",
    r"\bsystems? leadership", r"place-based", r"communit(y|ies) (as|are) partners", r"alongside",
    r"\bconven(e|ed|ing)\b", r"\balliance", r"\bnetwork(s|ed)?\b", r"\bcitizens?\b", r"\bfront ?line (staff|workers|teams)",
    r"\bbipartisan", r"\bcooperat(e|ion|ive)", r"\bwork(ing|ed)? with\b", r"\bconsensus\b", r"\bdialogue\b",
)
_NEGATIVE = (
    r"myth", r"\bfail(s|ed|ing|ure)?\b", r"never work(s|ed)?", r"doesn.t work", r"did not work", r"stop (waiting|looking)",
    r"no longer", r"danger(ous)?", r"cult of", r"obsess(ed|ion)", r"\bmisguided\b", r"\bflawed\b", r"\bfantasy\b",
    r"\btoxic\b", r"\bbroken\b", r"\bwrong\b", r"\bfar fewer\b", r"\bnot (about|the answer|enough|a one[- ]\w+ show)",
    r"\brather than\b", r"\binstead of\b", r"\bbeyond\b", r"\bmove(d)? away from\b", r"\bantidote\b", r"\bunlearn",
    r"\bsilver bullet\b", r"\bcan.t do it alone\b", r"\bno single\b", r"\bnobody (can|rode|is coming)\b",
    r"\bcollaps(e|ed|es|ing)\b", r"\b(keep|kept|still) waiting\b", r"\bwaiting for (a|the|another)\b",
    r"(didn.t|doesn.t|did not|does not|never) last", r"\bshort-lived\b", r"\bburn(ed|t)? out\b", r"\bfragile\b",
    r"\boverrated\b", r"\bromantic\b", r"\billusion\b", r"\bfolklore\b", r"\blegend\b", r"\bmessiah",
    r"\bworship", r"\bglorif", r"\boutdated\b", r"\bold[- ]fashioned\b", r"\bdiscredited\b", r"\bbackfir",
    r"\bdelusion", r"\bego\b", r"\bhubris\b", r"\barrogan",
)
_DISMISS = (
    r"talking shop", r"\bendless\b", r"\bslow(ly|er|ness)?\b", r"\bdelay(s|ed)?\b", r"\bexcuse", r"\bdither",
    r"\bcommittee", r"\bdiffus(e|es|ed)\b", r"nobody (owns|owned|is accountable|was accountable)", r"\benough of\b",
    r"\bwaffle\b", r"\bhand-?wringing\b", r"\bpaper(work)?\b", r"\bmeetings? (after|about) meetings?",
    r"not the time for", r"no time for", r"\bweak(ness)?\b", r"\bbureaucra", r"\bcumbersome\b", r"\bconsultation\b",
)


def _compile(patterns: tuple[str, ...], flags: int = re.I) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


CUE_NAMES = ("heroic_terms", "collab_terms", "critique_of_heroic", "dismissal_of_collaboration",
             "negated_heroic", "negated_collab", "first_person_command")
_PATTERNS = {"heroic": _HEROIC, "collaborative": _COLLAB, "negative": _NEGATIVE, "dismiss": _DISMISS,
             "negation": (r"\b(not|never|no|nobody|nothing|isn.t|wasn.t|doesn.t|don.t|won.t|cannot|can.t)\b",),
             "first_person": (r"\b(I|we) (will|shall|have|must) (act|decide|lead|deliver|fix|not let|take)\b",
                              r"\bI (alone|decided|ordered)\b")}
# Two compilations of the same patterns. Case-insensitive matching in `re` is slow (about twice
# the time of a case-sensitive scan); on text whose only non-ASCII characters have no case
# (punctuation, quotes, dashes, symbols) lower-casing first gives exactly the same matches at the
# same offsets, so `find_cues` scans the lower-cased text with lower-case patterns and falls back
# to case-insensitive patterns for anything else (accented letters, Greek, ...).


def _first_chars(items) -> set[str] | None:
    """The characters a parsed pattern can start with, or None when that is not known (an
    optional first item, a class like \\w). Exact by construction: only what the parse says."""
    from re import _constants as c  # the parse tree's opcodes (CPython 3.11+)

    for op, arg in items:
        if op is c.AT:  # \\b and friends consume nothing
            continue
        if op is c.LITERAL:
            return {chr(arg)}
        if op is c.IN:
            out: set[str] = set()
            for kind, value in arg:
                if kind is c.LITERAL:
                    out.add(chr(value))
                elif kind is c.RANGE:
                    out |= {chr(x) for x in range(value[0], value[1] + 1)}
                else:
                    return None
            return out
        if op is c.SUBPATTERN:
            return _first_chars(arg[-1])
        if op is c.BRANCH:
            out = set()
            for alternative in arg[1]:
                chars = _first_chars(alternative)
                if chars is None:
                    return None
                out |= chars
            return out
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
            return _first_chars(arg[2])
        return None
    return None


def _compile_lower(patterns: tuple[str, ...]) -> re.Pattern:
    """Case-sensitive lower-case patterns for lower-cased text, led by a look-ahead for the
    characters a match can start with: `re` then rejects most positions with one set test
    instead of trying every alternative (about a third faster; the same matches)."""
    pattern = _compile(tuple(x.lower() for x in patterns), 0)
    try:
        from re import _parser

        chars = _first_chars(list(_parser.parse(pattern.pattern)))
    except (ImportError, AttributeError):  # another Python's internals: no look-ahead
        chars = None
    if not chars:
        return pattern
    return re.compile(f"(?=[{''.join(re.escape(ch) for ch in sorted(chars))}])(?:{pattern.pattern})")


_RX = {name: _compile(p) for name, p in _PATTERNS.items()}
_RX_LOWER = {name: _compile_lower(p) for name, p in _PATTERNS.items()}
assert not any(re.search(r"\\[A-Z]", x) for p in _PATTERNS.values() for x in p), "escapes must survive lower()"
_CASELESS_ONLY = re.compile(r"[^\x00-\x7f\u00a0-\u00bf\u2000-\u206f]")


@dataclass(frozen=True, slots=True)
class Cue:
    name: str  # one of CUE_NAMES
    phrase: str  # the matched words, as written
    start: int


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(start, sentence) pairs: the text split after . ! or ? followed by white space."""
    out, pos = [], 0
    for part in re.split(r"(?<=[.!?])\s+", text):
        out.append((text.find(part, pos), part))
        pos = out[-1][0] + len(part)
    return out


@lru_cache(maxsize=4096)
def find_cues(text: str) -> tuple[Cue, ...]:
    """Every cue in the text. Stance cues are sentence-level: a heroic term in a sentence
    with negative evaluation or negation is a critique of heroic framing; a collaborative
    term in a sentence with dismissive words is a dismissal of collaboration. The evaluative
    patterns are only searched in sentences that have a term. Recent texts are remembered
    (features and evidence both ask)."""
    return _find(text, lower=not _CASELESS_ONLY.search(text))


def _phrase(sent: str, m: re.Match) -> str:
    return sent[m.start():m.end()]  # as written (the match may be on the lower-cased copy)


def _find(text: str, lower: bool) -> tuple[Cue, ...]:
    rx = _RX_LOWER if lower else _RX
    cues: list[Cue] = []
    for start, sent in split_sentences(text):
        scan = sent.lower() if lower else sent
        heroic = list(rx["heroic"].finditer(scan))
        collab = list(rx["collaborative"].finditer(scan))
        cues += [Cue("heroic_terms", _phrase(sent, m), start + m.start()) for m in heroic]
        cues += [Cue("collab_terms", _phrase(sent, m), start + m.start()) for m in collab]
        negated = rx["negation"].search(scan) if heroic or collab else None
        if heroic:
            negative = rx["negative"].search(scan)
            if negative:
                cues.append(Cue("critique_of_heroic", f"{_phrase(sent, heroic[0])} … {_phrase(sent, negative)}", start))
            elif negated:
                cues.append(Cue("negated_heroic", f"{_phrase(sent, negated)} … {_phrase(sent, heroic[0])}", start))
        if collab:
            dismiss = rx["dismiss"].search(scan)
            if dismiss:
                cues.append(Cue("dismissal_of_collaboration", f"{_phrase(sent, collab[0])} … {_phrase(sent, dismiss)}", start))
            elif negated:
                cues.append(Cue("negated_collab", f"{_phrase(sent, negated)} … {_phrase(sent, collab[0])}", start))
        if m := rx["first_person"].search(scan):
            cues.append(Cue("first_person_command", _phrase(sent, m), start + m.start()))
    return tuple(cues)


def cue_matrix(texts: list[str]) -> np.ndarray:
    """Cue counts per text (columns in CUE_NAMES order), log-scaled: log1p(count)."""
    out = np.zeros((len(texts), len(CUE_NAMES)), dtype=np.float32)
    index = {name: i for i, name in enumerate(CUE_NAMES)}
    for row, text in enumerate(texts):
        for cue in find_cues(text or ""):
            out[row, index[cue.name]] += 1
    return np.log1p(out)
