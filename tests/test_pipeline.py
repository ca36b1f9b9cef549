"""Ingest into the store: idempotence, replacement, dedupe, rejects, crash safety, locking."""

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from discourse.errors import StoreLockedError
from discourse.pipeline import ingest
from discourse.store import Store
from tests.conftest import SAMPLE

TEXT = SAMPLE / "text"


def _tables(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = con.execute("SELECT doc_id, source, piece, title, author, year, sha256, duplicate_of "
                           "FROM documents ORDER BY doc_id").fetchall()
        pas = con.execute("SELECT passage_id, doc_id, seq, text, char_start, char_end FROM passages "
                          "ORDER BY passage_id").fetchall()
        rej = con.execute("SELECT source, reason FROM rejects ORDER BY source, reason").fetchall()
    finally:
        con.close()
    return docs, pas, rej


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(TEXT, folder)
    return folder


def test_rerun_adds_nothing_and_changed_file_replaces_rows(corpus, tmp_path):
    db = tmp_path / "s.duckdb"
    first = ingest([corpus], db)
    assert first.files_written == 15 and first.documents == 18
    before = _tables(db)
    again = ingest([corpus], db)
    assert again.files_written == 0 and again.files_skipped_unchanged == 15
    assert _tables(db) == before
    target = corpus / "t02-hallowmere-huddle.txt"
    paras = target.read_text(encoding="utf-8").split("\n\n")
    paras.insert(len(paras) // 2, "A new paragraph about trust, added in the middle of the article.")
    target.write_text("\n\n".join(paras), encoding="utf-8")
    third = ingest([corpus], db)
    assert third.files_written == 1
    docs, passages, _ = _tables(db)
    assert len(docs) == len(before[0])
    assert {d[0] for d in docs} != {d[0] for d in before[0]}  # the changed document has a new id
    assert any("A new paragraph about trust" in p[3] for p in passages)
    with Store(db, read_only=True) as store:
        assert store.query("SELECT count(*) FROM runs WHERE status = 'ok'")[0][0] == 3


def test_exact_and_near_duplicates_are_recorded_not_repeated(corpus, tmp_path):
    src = corpus / "t04-myth-of-the-super-chief.txt"
    text = src.read_text(encoding="utf-8")
    (corpus / "zz-exact-copy.txt").write_text(text, encoding="utf-8")
    (corpus / "zz-near-copy.txt").write_text(text.replace("Every force has its legend.",
                                                          "Every police force has its legend."), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    summary = ingest([corpus], db)
    assert summary.duplicates == 2
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT source, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL").fetchall()
    original = con.execute("SELECT doc_id FROM documents WHERE source = ?", [str(src)]).fetchone()[0]
    dup_passages = con.execute("SELECT count(*) FROM passages p JOIN documents d USING (doc_id) "
                               "WHERE d.duplicate_of IS NOT NULL").fetchone()[0]
    con.close()
    assert sorted(r[0].rsplit("/", 1)[1] for r in rows) == ["zz-exact-copy.txt", "zz-near-copy.txt"]
    assert {r[1] for r in rows} == {original}
    assert dup_passages == 0


def test_bad_files_become_rejects_and_batch_completes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(TEXT / "t01-corrington-castings-turnaround.txt", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "garbage.html").write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 500)
    (folder / "table.xlsx").write_bytes(b"whatever")
    (folder / "chrome-only.txt").write_text("Skip to main content\n\nAccept all\n\nTweet\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    result = subprocess.run([sys.executable, "-m", "discourse.cli", "ingest", str(folder), "--db", str(db), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    docs, _, rejects = _tables(db)
    assert len(docs) == 1
    reasons = {src.rsplit("/", 1)[1]: reason for src, reason in rejects}
    assert reasons == {"empty.txt": "empty", "binary.txt": "binary", "broken.docx": "parse-error",
                       "garbage.html": "undecodable", "table.xlsx": "unsupported-type",
                       "chrome-only.txt": "no-text"}


@pytest.mark.parametrize("batch_files", [1, 4])
def test_crash_mid_transaction_leaves_no_partial_file_and_rerun_completes(corpus, tmp_path, monkeypatch, batch_files):
    """The writer commits whole files, `batch_files` per transaction; a failure inside the
    third transaction leaves exactly the files of the first two, each whole."""
    from discourse.pipeline.ingest_run import _Writer

    monkeypatch.setattr(_Writer, "BATCH_FILES", batch_files)
    monkeypatch.setattr(_Writer, "BATCH_SECONDS", 30.0)  # batches by count only, whatever the machine's speed
    clean_db, db = tmp_path / "clean.duckdb", tmp_path / "crash.duckdb"
    ingest([corpus], clean_db)
    calls = {"n": 0}
    original = Store._insert_rejects

    def crash_in_third_transaction(self, rejects, run_id):  # after documents and passages went in
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("simulated crash after documents and passages were inserted")
        return original(self, rejects, run_id)

    monkeypatch.setattr(Store, "_insert_rejects", crash_in_third_transaction)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest([corpus], db)
    con = duckdb.connect(str(db), read_only=True)
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    files = one("SELECT count(*) FROM files")
    orphans = one("SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
    undocumented = one("SELECT count(*) FROM files f WHERE status = 'ok' AND NOT EXISTS "
                       "(SELECT 1 FROM documents d WHERE d.source = f.source)")
    unfiled = one("SELECT count(*) FROM documents WHERE source NOT IN (SELECT source FROM files)")
    con.close()
    assert files == 2 * batch_files  # the third transaction's rows were rolled back
    assert orphans == undocumented == unfiled == 0
    monkeypatch.setattr(Store, "_insert_rejects", original)
    rerun = ingest([corpus], db)
    assert rerun.files_skipped_unchanged == files and rerun.files_written == rerun.files_seen - files
    assert _tables(db) == _tables(clean_db)


def test_lock_names_live_holder_and_clears_stale(tmp_path):
    db = tmp_path / "s.duckdb"
    lock = tmp_path / "s.duckdb.lock"
    with Store(db, command="outer"):
        with Store(db):  # re-entrant within one process (a later stage opening the store again)
            pass
        assert json.loads(lock.read_text())["command"] == "outer"  # still held by the outer one
    assert not lock.exists()  # released and removed when the last one closes
    # a lock file from a PID-file-only writer (no "lock" key) is honoured while its PID lives
    lock.write_text(json.dumps({"pid": os.getppid(), "command": "discourse ingest x", "since": "now"}))
    with pytest.raises(StoreLockedError, match=f"in use by PID {os.getppid()}"), Store(db):
        pass
    # an flock-era lock file holds no flock once its writer is gone, so it is stale even if
    # its PID now belongs to someone else
    lock.write_text(json.dumps({"pid": os.getppid(), "command": "killed", "since": "then", "lock": "flock"}))
    with Store(db) as store:
        assert store.summary()["documents"] == 0
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


def test_two_parser_processes_give_the_same_tables(corpus, tmp_path):
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    ingest([corpus], one)
    summary = ingest([corpus], two, workers=2)
    assert summary.files_written == 15
    assert _tables(one) == _tables(two)


def test_file_name_that_is_not_utf8_does_not_abort_the_batch(corpus, tmp_path):
    # regression: DuckDB refused the name's lone surrogates and the whole run failed
    bad = os.fsencode(str(corpus)) + b"/caf\xe9-report.txt"
    with open(bad, "wb") as fh:
        fh.write((TEXT / "t01-corrington-castings-turnaround.txt").read_bytes().replace(b"The ", b"A ", 3))
    db = tmp_path / "s.duckdb"
    summary = ingest([corpus], db)
    assert summary.files_written == 16
    with Store(db, read_only=True) as store:
        assert store.query("SELECT count(*) FROM files WHERE source LIKE '%caf\\xe9-report.txt'")[0][0] == 1
    assert ingest([corpus], db).files_written == 0  # the escaped name is found again on a rerun


def test_links_out_of_the_folder_and_to_folders_are_recorded_not_followed(corpus, tmp_path):
    # regression: a link to /etc/passwd was read as an article; a linked folder vanished silently
    (tmp_path / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n" * 20)
    os.symlink(tmp_path / "secret.txt", corpus / "secret-link.txt")
    os.symlink("..", corpus / "up")
    db = tmp_path / "s.duckdb"
    ingest([corpus], db)
    _, passages, rejects = _tables(db)
    assert not any("root:x" in p[3] for p in passages)
    assert {(s.rsplit("/", 1)[1], r) for s, r in rejects} == {("secret-link.txt", "symlink"), ("up", "symlink")}


def test_closing_a_reader_or_closing_twice_keeps_another_openers_lock(tmp_path):
    # regression (re-entrant lock): close() released a hold it never took
    db = tmp_path / "s.duckdb"
    lock = tmp_path / "s.duckdb.lock"
    with Store(db) as writer:
        writer.start_run("r1", "test", "0")
    with Store(db, command="writer"):
        Store(db, read_only=True).close()  # (DuckDB refuses a reader beside a writer in one process)
        inner = Store(db).open()
        inner.close()
        inner.close()
        assert json.loads(lock.read_text())["command"] == "writer"
        holder = subprocess.run([sys.executable, "-c", "import sys\nfrom discourse.store import Store\n"
                                 "from discourse.errors import StoreLockedError\n"
                                 "try:\n    Store(sys.argv[1]).open()\nexcept StoreLockedError:\n    print('locked')",
                                 str(db)], capture_output=True, text=True, timeout=60)
        assert holder.stdout.strip() == "locked", holder.stderr
    assert not lock.exists()
