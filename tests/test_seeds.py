"""The five real seed articles in ../shared/corpus/seeds (read from there, never copied).

Which lines of each seed are not body text is recorded here by line number (of the file
after `normalize_text`), so the test holds no third-party text: chrome, titles, bylines
and author bios must be absent from every passage; every other line must be present.
"""

import csv

import duckdb
import pytest

from discourse.ingest.normalize import normalize_text
from discourse.pipeline import ingest
from tests.conftest import shared_dir

NOT_BODY = {
    "000_2c76576b08962cb2.txt": {"chrome": [0, 2, 4, 6, 7, 12, 38, 40, 42, 44, 46],
                                 "title": [9], "byline": [11], "bio": [36]},
    "001_6ae95b4a7f1d639a.txt": {"chrome": [0], "bio": [30]},
    "002_3b07b283f40d4d14.txt": {"bio": [19]},
    "003_c11ba22d910aae33.txt": {"chrome": [150], "title": [0, 28, 44, 74, 84, 112, 130],
                                 "byline": [86, 88, 114, 116, 132], "bio": [26, 110, 128, 148]},
    "004_bccd31a6cf6b2f6b.txt": {"chrome": [0, 28], "title": [2]},
}
PIECE_AUTHORS = ["John Tizard", "Mike Cooke", None, None, "Emma Browes", "Kate Bagley", "Miia Chambers"]


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    folder = shared_dir("seeds")
    db = tmp_path_factory.mktemp("seeds") / "x.duckdb"
    ingest([folder], db)
    con = duckdb.connect(str(db), read_only=True)
    yield folder, con
    con.close()


def _lines(folder, name):
    return normalize_text((folder / name).read_text(encoding="utf-8")).split("\n")


def _passages(con, name):
    rows = con.execute("SELECT p.text FROM passages p JOIN documents d USING (doc_id) "
                       "WHERE d.source LIKE ? ORDER BY d.piece, p.seq", [f"%{name}"]).fetchall()
    return [r[0] for r in rows]


def test_eleven_documents_with_manifest_years(seeds_db):
    folder, con = seeds_db
    with open(folder / "sources.csv", encoding="utf-8") as fh:
        manifest = {r["file"]: int(r["year"]) for r in csv.DictReader(fh)}
    rows = con.execute("SELECT source, year, year_source, duplicate_of FROM documents").fetchall()
    assert len(rows) == 11
    for source, year, year_source, dup in rows:
        assert year == manifest[source.rsplit("/", 1)[1]] and year_source == "manifest" and dup is None


def test_seed_003_split_into_seven_titled_pieces(seeds_db):
    folder, con = seeds_db
    name = "003_c11ba22d910aae33.txt"
    lines = _lines(folder, name)
    rows = con.execute("SELECT piece, title, author FROM documents WHERE source LIKE ? ORDER BY piece",
                       [f"%{name}"]).fetchall()
    assert [r[0] for r in rows] == list(range(1, 8))
    assert [r[2] for r in rows] == PIECE_AUTHORS
    for (_, title, _), idx in zip(rows, NOT_BODY[name]["title"], strict=True):
        assert lines[idx].startswith(title) and len(title) >= 0.6 * len(lines[idx])


@pytest.mark.parametrize("name", sorted(NOT_BODY))
def test_no_chrome_and_every_body_paragraph_present(seeds_db, name):
    folder, con = seeds_db
    lines = _lines(folder, name)
    passages = _passages(con, name)
    passage_lines = {ln.strip() for p in passages for ln in p.split("\n")}
    flat = " ".join(" ".join(p.split()) for p in passages)
    not_body = {i for idxs in NOT_BODY[name].values() for i in idxs}
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if i in not_body:
            assert line.strip() not in passage_lines, f"line {i} ({NOT_BODY[name]}) leaked"
            if len(line.split()) >= 6:
                assert line.strip() not in flat, f"line {i} leaked inside a passage"
        else:
            assert " ".join(line.split()) in flat, f"body line {i} lost"


def test_reference_list_kept_and_marked(seeds_db):
    _, con = seeds_db
    kinds = con.execute("SELECT kind, count(*) FROM passages GROUP BY kind ORDER BY kind").fetchall()
    assert dict(kinds).get("reference", 0) >= 1
