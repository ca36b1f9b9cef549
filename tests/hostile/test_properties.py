"""Property-based tests (hypothesis): the chrome remover, piece splitter, segmenter and date
parsers never raise on arbitrary unicode, offsets index the document text, and no text is
invented: everything they return is found in what they were given."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.config import IngestSettings
from discourse.ingest.chrome import strip_chrome
from discourse.ingest.metadata import date_from_text, date_from_url, parse_date, valid_year
from discourse.ingest.normalize import normalize_text, paragraphs
from discourse.ingest.pieces import split_pieces
from discourse.ingest.process import process_bytes
from discourse.ingest.segment import segment

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Lines that look like what the functions look for: chrome, bylines, headings, dates, lists,
# references; mixed with arbitrary unicode so both the rules and the edges get exercised.
_LINES = st.sampled_from([
    "Skip to main content", "Accept all", "We use cookies to improve your experience.", "Share this",
    "Home | News | Contact | About", "3 comments", "Leave a reply", "By Jane Doe", "Jane Doe, Chief Executive",
    "Leading after the pandemic", "Why shared leadership lasts, writes Tom Lee", "Posted on 14 March 2011",
    "March 3, 2014", "Updated 2022-11-08 · 6 min read", "- share the budget", "• trust the wards",
    "1. plan together", "References", "Smith, J. (2015) Leading together. London: Sage.",
    "Jane Doe is director of the Trust.", "About the author", "Originally published in The Times",
    "The council agreed that the plan belonged to everyone, and the wards met every month.",
    "", " ", "\t", "#", "# Heading", "**By Ann Lee**", "31 February 2019", "2017 was quite a year.",
    "https://example.org/2012/05/17/slug", "©", "[/]", "\u200b", "\ufeff", "\x00", "é" * 3,
])
_WORD = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12)
_LONG_PARA = st.lists(st.one_of(_WORD, st.sampled_from(["the", "plan.", "Leaders", "share", "trust."])),
                      min_size=120, max_size=240).map(" ".join)
_LINE = st.one_of(_LINES, st.text(max_size=80))
TEXTS = st.one_of(
    st.text(),
    st.lists(_LINE, max_size=40).map("\n".join),
    st.lists(_LINE, max_size=25).map("\n\n".join),
    st.lists(st.one_of(_LINE, _LONG_PARA), max_size=4).map("\n\n".join),  # over max_passage_words
)
CLEAN_TEXTS = TEXTS.map(normalize_text)  # what the cleaning functions are given in the pipeline


def _squash(text: str) -> str:
    return " ".join(text.split())


@SETTINGS
@given(TEXTS)
def test_normalize_never_raises_and_is_stable(text):
    once = normalize_text(text)
    assert isinstance(once, str) and "\x00" not in once and "\r" not in once


@SETTINGS
@given(CLEAN_TEXTS)
def test_chrome_remover_only_removes_whole_lines(text):
    kept, removed = strip_chrome(text)
    lines = text.split("\n")
    it = iter(lines)
    for line in filter(None, kept.split("\n")):  # kept lines are input lines, in order
        assert any(line == candidate for candidate in it), line
    assert all(r in lines for r in removed)


@SETTINGS
@given(CLEAN_TEXTS)
def test_piece_splitter_invents_nothing(text):
    pieces = split_pieces(text)
    blocks = set(paragraphs(text)) | {ln for b in paragraphs(text) for ln in b.split("\n")}
    flat = _squash(text)
    for piece in pieces:
        for block in paragraphs(piece.text):
            assert block in blocks, block
        for field in (piece.title, piece.author):
            assert field is None or _squash(field) in flat, field


@SETTINGS
@given(CLEAN_TEXTS, st.integers(20, 200))
def test_segmenter_offsets_index_the_text_and_cover_every_word(text, max_words):
    spans = segment(text, max_words, max(max_words, 160))
    end = 0
    covered = []
    for a, b, kind in spans:
        assert 0 <= end <= a < b <= len(text) and kind in ("body", "reference")
        assert text[a:b] == text[a:b].strip()
        covered.append(text[a:b])
        end = b
    # nothing invented, nothing dropped (a boundary may fall inside a run without spaces:
    # spaCy ends a sentence at "p0." in "p0.,0")
    assert re.sub(r"\s", "", "".join(covered)) == re.sub(r"\s", "", text)


_DATE_TEXT = st.one_of(TEXTS, st.builds(lambda d, m, y, pre: f"{pre} {d} {m} {y}",
                                        st.integers(0, 40), st.sampled_from(["March", "Sept.", "feb", "13"]),
                                        st.integers(1600, 2200), st.sampled_from(["Posted on", "", "dated"])))


@SETTINGS
@given(_DATE_TEXT)
def test_date_parsers_never_raise_and_return_valid_dates_found_in_the_text(text):
    for found in (parse_date(text), date_from_text(paragraphs(text)), date_from_text(text.split("\n"), 1),
                  date_from_url(text)):
        if found is None:
            continue
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", found), found
        assert valid_year(int(found[:4])) and found[:4] in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=3000)))
def test_whole_text_path_never_raises_and_passages_are_substrings_at_their_offsets(data):
    result = process_bytes("prop.txt", Path("prop.txt"), data, None, IngestSettings(min_document_chars=1))
    assert bool(result.documents) != bool(result.rejects) or result.documents
    texts = {d.doc_id: d.text for d in result.documents}
    for p in result.passages:
        assert texts[p.doc_id][p.char_start:p.char_end] == p.text and p.text.strip()
