"""The demo corpus (written by us): every document dated, cleaning keeps articles, drops chrome."""

import csv
from pathlib import Path

import duckdb
import pytest

from discourse.pipeline import clean_paths, ingest
from tests.conftest import SAMPLE

FIXTURES = Path(__file__).parent / "ingest" / "fixtures"


def _expectations(name):
    with open(FIXTURES / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sample") / "demo.duckdb"
    summary = ingest([SAMPLE], db)
    con = duckdb.connect(str(db), read_only=True)
    yield summary, con
    con.close()


def test_demo_corpus_ingests_with_every_document_dated(sample_db):
    summary, con = sample_db
    assert summary.rejects == {} and summary.duplicates == 0
    n, dated, years = con.execute(
        "SELECT count(*), count(year), count(DISTINCT year) FROM documents").fetchone()
    assert n >= 30 and dated == n and years >= 10
    fmts = {r[0] for r in con.execute("SELECT DISTINCT fmt FROM documents").fetchall()}
    assert fmts == {"html", "txt", "pdf", "docx"}


@pytest.mark.parametrize("row", _expectations("text_expectations.csv") + _expectations("html_expectations.csv"),
                         ids=lambda r: r["file"])
def test_documents_have_true_year_title_and_author(sample_db, row):
    _, con = sample_db
    name, _, piece = row["file"].partition("#")
    got = con.execute("SELECT year, title, author FROM documents WHERE source LIKE ? AND piece = ?",
                      [f"%/{name}", int(piece or 1)]).fetchone()
    assert got is not None
    assert got[0] == int(row["year"])
    assert got[1] and row["title"].split(":")[0][:25].lower() in got[1].lower()
    if row["author"]:
        assert got[2] == row["author"]


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    results = clean_paths([SAMPLE / "html", SAMPLE / "text"], out)
    assert all(r["output"] for r in results)
    return {Path(r["input"]).name: Path(r["output"]).read_text(encoding="utf-8") for r in results}


@pytest.mark.parametrize("row", _expectations("html_expectations.csv") + _expectations("text_expectations.csv"),
                         ids=lambda r: r["file"])
def test_clean_keeps_article_and_drops_chrome(cleaned, row):
    text = cleaned[row["file"].split("#")[0]]
    flat = " ".join(text.split())
    lines = {ln.strip() for ln in text.split("\n")}
    assert " ".join(row["first_body_sentence"].split()) in flat
    assert " ".join(row["last_body_sentence"].split()) in flat
    # chrome lists are ' | '-separated; nav bars contain ' | ' themselves, so each fragment
    # must be absent as a whole line, and longer fragments absent anywhere
    for frag in (row.get("chrome_lines") or row.get("chrome_phrases") or "").split(" | "):
        frag = frag.strip()
        if frag:
            assert frag not in lines, frag
            if len(frag.split()) >= 4:
                assert frag not in flat, frag
