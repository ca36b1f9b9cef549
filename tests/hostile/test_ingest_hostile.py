"""`discourse ingest` over the whole hostile corpus: exit 0, every input accounted for with a
specific outcome, nothing expanded or fetched, limits with clear reasons, bounded memory,
text repaired where it can be."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from discourse.config import IngestSettings
from discourse.pipeline import ingest
from tests.hostile.generate import BIG_FILE, MANIFEST_PROBLEMS, MANIFESTS, PASSWD_MARKERS
from tests.hostile.ledger import check_block, check_counts

GIB = 1024**3


def _outcome(run, name: str) -> str | None:
    source = run.source(name)
    docs = run.query("SELECT duplicate_of FROM documents WHERE source = ?", [source])
    rejects = run.query("SELECT reason FROM rejects WHERE source = ?", [source])
    if docs and rejects:
        return "both"
    if docs:
        return "duplicate" if all(d[0] for d in docs) else "document"
    return rejects[0][0] if len(rejects) == 1 else None


def _files_on_disk(root: Path) -> set[str]:
    """Every entry a walk of `root` meets (files, pipes, links), but manifests and folders."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        found |= {os.fsdecode(rel / n) if str(rel) != "." else n for n in filenames}
        found |= {str(rel / d) if str(rel) != "." else d for d in dirnames if os.path.islink(Path(dirpath) / d)}
    return {f for f in found if Path(f).name != "sources.csv"}


def test_ingest_exits_0_and_accounts_for_every_input(hostile):
    assert hostile.status == 0, hostile.stderr[-3000:]
    assert "Traceback" not in hostile.stderr
    assert _files_on_disk(hostile.root) == {c.name for c in hostile.cases}  # the case list is complete
    outcomes = {c.name: _outcome(hostile, c.name) for c in hostile.cases}
    wrong = {c.name: (c.expect, outcomes[c.name]) for c in hostile.cases if outcomes[c.name] != c.expect}
    assert not wrong, f"(expected, got): {wrong}"
    stored = {s.split("#")[0] for (s,) in hostile.query("SELECT source FROM documents UNION SELECT source FROM rejects")}
    manifests = {hostile.source(m) for m in MANIFESTS}
    assert stored - manifests == {hostile.source(c.name) for c in hostile.cases}
    files = hostile.query("SELECT count(*), count(DISTINCT source) FROM files")[0]
    assert files == (len(hostile.cases), len(hostile.cases))  # one files row per input
    counts = {
        "hostile inputs tried (files, plus 3 manifests)": len(hostile.cases) + len(MANIFESTS),
        "ingest crashes (non-zero exit or traceback)": int(hostile.status != 0 or "Traceback" in hostile.stderr),
        "inputs unaccounted for": sum(o is None or o == "both" for o in outcomes.values()),
        "inputs with an unexpected outcome": len(wrong),
        "documents / duplicates / rejects": "{} / {} / {}".format(
            *(sum(o == k for o in outcomes.values()) for k in ("document", "duplicate")),
            sum(o not in ("document", "duplicate") for o in outcomes.values())),
    }
    check_counts(counts)
    check_block("cases", _case_table(hostile.cases))


_GROUP_TESTS = {
    "encodings": "test_legacy_encodings_and_mojibake_repaired, test_latin1_utf16_and_controls",
    "entities": "test_no_entity_expanded_no_outside_file_read_nothing_fetched, test_parsers_refuse_entities_and_network",
    "HTML": "test_script_payloads_never_reach_text",
    "archives": "tests/ingest/test_readers.py::test_docx_zip_bombs_are_refused_within_bounded_memory",
    "size": "test_peak_memory_on_30mb_file_under_2gib, test_size_limits_are_settings_with_clear_reasons",
    "duplicates": "test_duplicates_point_at_the_original_and_have_no_passages",
    "languages": "test_languages_kept_whole",
    "manifest": "test_manifest_problems_are_bad_manifest_rejects_and_ignored",
    "symlinks": "test_no_entity_expanded_no_outside_file_read_nothing_fetched",
    "file names": "test_rerun_over_hostile_corpus_changes_nothing; score: test_readable_hostile_documents_are_scored_and_shown_literally",
}


def _case_table(cases) -> str:
    """The table in docs/RELIABILITY.md: every case, its outcome, and the tests that check it.
    Every row is checked by test_ingest_exits_0_and_accounts_for_every_input (outcome) and,
    for refused inputs, by test_score_hostile.py (one line, exit 1)."""
    rows = ["| group | input | ingest outcome | behaviour | also checked by |", "|---|---|---|---|---|"]
    for c in sorted(cases, key=lambda c: (c.group, c.name)):
        name = c.name.encode("unicode_escape").decode() if not c.name.isprintable() else c.name
        what = c.what.replace("|", "/").replace("<", "&lt;")
        rows.append(f"| {c.group} | `{name}`: {what} | `{c.expect}` | {c.behaviour} | {_GROUP_TESTS.get(c.group, '')} |")
    return "\n".join(rows) + "\n"


def test_manifest_problems_are_bad_manifest_rejects_and_ignored(hostile):
    problems = hostile.query("SELECT source, detail FROM rejects WHERE reason = 'bad-manifest'")
    for manifest, needle in MANIFEST_PROBLEMS:
        assert any(s == hostile.source(manifest) and needle in d for s, d in problems), (manifest, needle)
    assert len(problems) == len(MANIFEST_PROBLEMS)
    years = dict(hostile.query("SELECT source, year FROM documents WHERE source LIKE '%/manifest/%'"))
    assert years[hostile.source("manifest/dated.txt")] == 2015
    assert years[hostile.source("manifest/bad-year.txt")] is None  # '20015' is not taken
    assert years[hostile.source("manifest/circa.txt")] is None


def test_no_entity_expanded_no_outside_file_read_nothing_fetched(hostile, canary):
    texts = hostile.query("SELECT text FROM passages UNION ALL SELECT text FROM documents "
                          "UNION ALL SELECT coalesce(title, '') || coalesce(author, '') FROM documents")
    for (text,) in texts:
        assert not any(m in text for m in PASSWD_MARKERS)
        assert "lollol" not in text
    assert canary[1] == []  # no request reached the local server the files point at


def test_parsers_refuse_entities_and_network():
    """The XML parsers behind the readers keep entities unexpanded and never load them."""
    import lxml.etree
    import lxml.html
    from docx.opc.oxml import oxml_parser as opc_parser
    from docx.oxml.parser import oxml_parser
    from trafilatura.utils import HTML_PARSER

    xml = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "EXPANDED"><!ENTITY f SYSTEM '
           b'"file:///etc/passwd">]><r>&a;&f;</r>')
    for parser in (oxml_parser, opc_parser):
        root = lxml.etree.fromstring(xml, parser)
        assert root.text is None and [type(c) for c in root] == [lxml.etree._Entity] * 2  # kept as references
        assert "root:" not in lxml.etree.tostring(root, encoding="unicode")
    page = lxml.html.fromstring(xml.replace(b"<r>", b"<html><body><p>").replace(b"</r>", b"</p></body></html>"),
                                parser=HTML_PARSER)
    assert "EXPANDED" not in page.text_content() and "root:" not in page.text_content()


def test_peak_memory_on_30mb_file_under_2gib(hostile):
    """The run includes the 30 MB text file (and the zip bombs); its peak RSS is the bound."""
    assert (hostile.root / BIG_FILE).stat().st_size >= 30_000_000
    assert _outcome(hostile, BIG_FILE) == "document"
    assert hostile.peak_rss < 2 * GIB, f"peak RSS {hostile.peak_rss / GIB:.2f} GiB"
    check_counts({"peak memory of the hostile ingest (limit 2 GiB)": "under 2 GiB"})


def _text(hostile, name: str) -> str:
    return hostile.query("SELECT text FROM documents WHERE source = ?", [hostile.source(name)])[0][0]


@pytest.mark.parametrize("name", ["cp1252.txt", "mojibake.txt", "mixed-encodings.txt"])
def test_legacy_encodings_and_mojibake_repaired(hostile, name):
    text = _text(hostile, name)
    assert "’" in text and not re.search("â€|Ã©|‚Ä", text)
    assert "café" in text


def test_latin1_utf16_and_controls(hostile):
    assert "réunion à la mairie" in _text(hostile, "latin-1.txt")
    for name in ("utf-16-bom.txt", "utf-16-no-bom.txt"):
        assert "\x00" not in _text(hostile, name) and " during week " in _text(hostile, name)
    text = _text(hostile, "nul-control.txt")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", text) and "[31m" not in text


def test_script_payloads_never_reach_text(hostile):
    text = _text(hostile, "script-payload.html")
    assert "PAYLOAD" not in text and "alert(" not in text and "JS-URL" not in text


def test_languages_kept_whole(hostile):
    langs = dict(hostile.query("SELECT source, language FROM documents WHERE source LIKE '%/lang-%'"))
    assert {Path(s).stem[5:]: lang for s, lang in langs.items()} == {"fr": "fr", "de": "de", "zh": "zh", "ru": "ru"}


def test_duplicates_point_at_the_original_and_have_no_passages(hostile):
    original = hostile.query("SELECT doc_id FROM documents WHERE source = ?", [hostile.source("dup-1-original.txt")])[0][0]
    rows = hostile.query("SELECT doc_id, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL")
    assert len(rows) == 3 and {r[1] for r in rows} == {original}
    assert hostile.query("SELECT count(*) FROM passages WHERE list_contains(?, doc_id)", [[r[0] for r in rows]])[0][0] == 0


def test_rerun_over_hostile_corpus_changes_nothing(hostile, tmp_path):
    """Refused files, escaped names and links are recognised on a rerun (no rewrite)."""
    import shutil

    db = tmp_path / "again.duckdb"
    shutil.copy(hostile.db, db)
    summary = ingest([hostile.root], db)
    assert summary.files_written == 0 and summary.files_skipped_unchanged == len(hostile.cases)


@pytest.mark.parametrize(("setting", "name", "needle"), [
    ("max_file_bytes", "dup-1-original.txt", "ingest.max_file_bytes"),
    ("max_unzipped_bytes", "good.docx", "ingest.max_unzipped_bytes"),
])
def test_size_limits_are_settings_with_clear_reasons(hostile, tmp_path, setting, name, needle):
    settings = IngestSettings(**{setting: 1000})
    db = tmp_path / "limits.duckdb"
    ingest([hostile.root / name], db, settings)
    from discourse.store import Store

    with Store(db, read_only=True) as store:
        rows = store.query("SELECT reason, detail FROM rejects")
    assert len(rows) == 1 and rows[0][0] == "too-large" and needle in rows[0][1] and "1,000" in rows[0][1]
