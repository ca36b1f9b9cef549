"""SIGKILL `discourse ingest` at random points, check the store after every kill, finish with
a rerun, and compare to an uninterrupted run: equal tables, no duplicate rows.

The corpus is corpus/sample plus a second copy of its text folder (exact duplicates, so
dedupe state is exercised across kills). Kills are chained: after each kill the next run resumes
the same store; when a run finishes before its kill, the finished store is compared and a
new chain starts. The seed is random per run and printed in failures; set
DISCOURSE_KILL_SEED to replay one.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from discourse.pipeline import ingest
from discourse.store import Store
from tests.conftest import REPO, SAMPLE
from tests.hostile.ledger import check_counts

KILLS = 10
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


def _kill_while_working(cmd: list[str], lock, delay: float) -> subprocess.Popen:
    """Start `cmd`; once it holds the store's lock (its work has begun), let it run `delay`
    seconds more and SIGKILL it, unless it has finished by then."""
    proc = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not lock.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        proc.wait(delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return proc


def _hashable(row: tuple) -> tuple:
    return tuple(tuple(v) if isinstance(v, list) else v for v in row)


def _snapshot(db) -> dict[str, list[tuple]]:
    """The tables without run ids and timestamps, sorted."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {
            "documents": con.execute("SELECT doc_id, source, piece, title, author, published, year, year_source, "
                                     "language, text, sha256, duplicate_of, url, doc_type, fmt, minhash "
                                     "FROM documents ORDER BY doc_id").fetchall(),
            "passages": con.execute("SELECT * FROM passages ORDER BY passage_id").fetchall(),
            "rejects": con.execute("SELECT source, reason, detail FROM rejects ORDER BY ALL").fetchall(),
            "files": con.execute("SELECT source, file_sha256, size, status FROM files ORDER BY source").fetchall(),
        }
        return {name: [_hashable(r) for r in rows] for name, rows in tables.items()}
    finally:
        con.close()


def _check_consistent(db, where: str) -> None:
    """What a kill may leave: fewer files, never part of one, never a duplicate row."""
    with Store(db, command="check"):  # opens cleanly, taking over the killed run's lock
        pass
    con = duckdb.connect(str(db), read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT doc_id FROM documents)") == 0, where
        assert one("SELECT count(*) FROM documents WHERE source NOT IN (SELECT source FROM files)") == 0, where
        assert one("SELECT count(*) FROM files f WHERE status = 'ok' AND NOT EXISTS "
                   "(SELECT 1 FROM documents d WHERE d.source = f.source)") == 0, where
        assert one("SELECT count(*) - count(DISTINCT (source, reason, detail)) FROM rejects") == 0, where
        assert one("SELECT count(*) FROM runs WHERE status = 'ok' AND finished IS NULL") == 0, where
    finally:
        con.close()


@pytest.fixture(scope="module")
def sample_and_copies(tmp_path_factory):
    root = tmp_path_factory.mktemp("kills") / "in"
    shutil.copytree(SAMPLE, root / "sample")
    shutil.copytree(SAMPLE / "text", root / "text-again")
    return root


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_equals_uninterrupted_run(sample_and_copies, tmp_path):
    seed = int(os.environ.get("DISCOURSE_KILL_SEED", time.time_ns() % 10**6))
    rng = random.Random(seed)
    clean = tmp_path / "clean.duckdb"
    started = time.perf_counter()
    ingest([sample_and_copies], clean)
    work = time.perf_counter() - started
    expected = _snapshot(clean)
    chain, kills, finished_chains, lost = 0, [], 0, 0
    db = tmp_path / "chain0.duckdb"
    while len(kills) < KILLS:
        workers = rng.choice(["1", "2"])
        cmd = [sys.executable, "-m", "discourse.cli", "ingest", str(sample_and_copies), "--db", str(db), "-q",
               "--workers", workers]
        done = len(_snapshot(db)["files"]) / len(expected["files"]) if db.exists() else 0.0
        delay = rng.uniform(0, work * (1 - done))  # resumed runs have less left to do
        proc = _kill_while_working(cmd, db.with_name(db.name + ".lock"), delay)
        where = f"seed {seed}, chain {chain}, kill {len(kills) + 1} at {delay:.2f}s, workers {workers}"
        if proc.returncode == -signal.SIGKILL:
            kills.append(round(delay, 2))
            _check_consistent(db, where)
            continue
        assert proc.returncode == 0, (where, proc.stderr.read()[-2000:])
        got = _snapshot(db)  # this chain ran to the end: compare and start a new one
        lost += sum(len(set(expected[t]) - set(got[t])) for t in expected)
        assert got == expected, where
        finished_chains += 1
        chain += 1
        db = tmp_path / f"chain{chain}.duckdb"
    final = subprocess.run([sys.executable, "-m", "discourse.cli", "ingest", str(sample_and_copies), "--db", str(db), "-q"],
                           cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    got = _snapshot(db)
    lost += sum(len(set(expected[t]) - set(got[t])) for t in expected)
    assert got == expected, f"seed {seed}, kills at {kills}"
    print(f"seed {seed}: clean run {work:.1f}s, kills at {kills}, {finished_chains} chains finished between")
    check_counts({"SIGKILLs during `discourse ingest` (random points, then rerun)": len(kills),
                  "rows lost or duplicated after kills": lost})
