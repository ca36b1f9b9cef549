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

SCHEME_VERSION = "1"
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
_NEGATION = re.compile(r"\b(not|never|no|nobody|nothing|isn.t|wasn.t|doesn.t|don.t|won.t|cannot|can.t)\b", re.I)


def _compile(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


_RX = {"heroic": _compile(_HEROIC), "collaborative": _compile(_COLLAB),
       "negative": _compile(_NEGATIVE), "dismiss": _compile(_DISMISS)}
CUE_NAMES = ("heroic_terms", "collab_terms", "critique_of_heroic", "dismissal_of_collaboration",
             "negated_heroic", "negated_collab", "first_person_command")
_FIRST_PERSON = re.compile(r"\b(I|we) (will|shall|have|must) (act|decide|lead|deliver|fix|not let|take)\b|\bI (alone|decided|ordered)\b", re.I)


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
    cues: list[Cue] = []
    for start, sent in split_sentences(text):
        heroic = list(_RX["heroic"].finditer(sent))
        collab = list(_RX["collaborative"].finditer(sent))
        cues += [Cue("heroic_terms", m.group(0), start + m.start()) for m in heroic]
        cues += [Cue("collab_terms", m.group(0), start + m.start()) for m in collab]
        negated = _NEGATION.search(sent) if heroic or collab else None
        if heroic:
            negative = _RX["negative"].search(sent)
            if negative:
                cues.append(Cue("critique_of_heroic", f"{heroic[0].group(0)} … {negative.group(0)}", start))
            elif negated:
                cues.append(Cue("negated_heroic", f"{negated.group(0)} … {heroic[0].group(0)}", start))
        if collab:
            dismiss = _RX["dismiss"].search(sent)
            if dismiss:
                cues.append(Cue("dismissal_of_collaboration", f"{collab[0].group(0)} … {dismiss.group(0)}", start))
            elif negated:
                cues.append(Cue("negated_collab", f"{negated.group(0)} … {collab[0].group(0)}", start))
        if m := _FIRST_PERSON.search(sent):
            cues.append(Cue("first_person_command", m.group(0), start + m.start()))
    return tuple(cues)


def cue_matrix(texts: list[str]) -> np.ndarray:
    """Cue counts per text (columns in CUE_NAMES order), log-scaled: log1p(count)."""
    out = np.zeros((len(texts), len(CUE_NAMES)), dtype=np.float32)
    index = {name: i for i, name in enumerate(CUE_NAMES)}
    for row, text in enumerate(texts):
        for cue in find_cues(text or ""):
            out[row, index[cue.name]] += 1
    return np.log1p(out)
