"""SIGKILL `discourse label` at random points, rerun, and compare the labels table to an
uninterrupted run. Each batch of labels commits on its own, so a kill may lose only the
batch in hand: after every kill the table must hold whole batches and nothing else.

The store holds about 550 generated passages (three batches of 256). The fast `tfidf`
model keeps each run short. The seed is printed in failures; DISCOURSE_KILL_SEED replays.
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

from discourse.framing.persist import DEFAULT_MODEL_DIR
from discourse.framing.predict import load_predictor
from discourse.pipeline import ingest
from discourse.pipeline.framing import label_store
from discourse.store import Store
from tests.conftest import REPO
from tests.hostile.generate import prose
from tests.hostile.ledger import check_counts

KILLS = 10
BATCH = 256  # label_store's default
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


def _labels(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT passage_id, model_id, label, p_collaborative, p_heroic, p_neutral, evidence "
                           "FROM labels ORDER BY passage_id").fetchall()
    finally:
        con.close()


def _check_whole_batches(db, total: int, where: str) -> None:
    with Store(db, command="check"):  # opens cleanly, taking over the killed run's lock
        pass
    con = duckdb.connect(str(db), read_only=True)
    try:
        n, distinct, orphans = con.execute(
            "SELECT count(*), count(DISTINCT passage_id), count(*) FILTER (WHERE passage_id NOT IN "
            "(SELECT passage_id FROM passages)) FROM labels").fetchone()
    finally:
        con.close()
    assert n == distinct and orphans == 0, where
    assert n % BATCH == 0 or n == total, (where, n)


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("label-kills")
    corpus = folder / "in"
    corpus.mkdir()
    for n in range(22):
        (corpus / f"doc{n:02d}.txt").write_text(prose(500 + n, 25), encoding="utf-8")
    db = folder / "base.duckdb"
    ingest([corpus], db)
    return db


@pytest.mark.slow
def test_sigkill_during_label_then_rerun_equals_uninterrupted_run(base_store, tmp_path):
    seed = int(os.environ.get("DISCOURSE_KILL_SEED", time.time_ns() % 10**6))
    rng = random.Random(seed)
    clean = tmp_path / "clean.duckdb"
    shutil.copy(base_store, clean)
    started = time.perf_counter()
    label_store(clean, load_predictor("tfidf", DEFAULT_MODEL_DIR))
    work = time.perf_counter() - started
    expected = _labels(clean)
    assert len(expected) > 2 * BATCH  # several batches, so kills can fall between them
    kills, chain, lost = [], 0, 0
    db = tmp_path / "chain0.duckdb"
    shutil.copy(base_store, db)
    cmd = [sys.executable, "-m", "discourse.cli", "label", "--db", str(db), "--model", "tfidf", "--json"]
    while len(kills) < KILLS:
        done = len(_labels(db)) / len(expected)  # resumed runs have less left to do
        delay = rng.uniform(0, work * (1 - done))
        proc = _kill_while_working(cmd, db.with_name(db.name + ".lock"), delay)
        where = f"seed {seed}, chain {chain}, kill {len(kills) + 1} at {delay:.2f}s"
        if proc.returncode == -signal.SIGKILL:
            kills.append(round(delay, 2))
            _check_whole_batches(db, len(expected), where)
            continue
        assert proc.returncode == 0, (where, proc.stderr.read()[-2000:])
        got = _labels(db)
        lost += len(set(expected) - set(got))
        assert got == expected, where
        chain += 1
        db = tmp_path / f"chain{chain}.duckdb"
        shutil.copy(base_store, db)
        cmd[cmd.index("--db") + 1] = str(db)
    final = subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    got = _labels(db)
    lost += len(set(expected) - set(got))
    assert got == expected, f"seed {seed}, kills at {kills}"
    print(f"seed {seed}: clean label run {work:.1f}s, kills at {kills}, {chain} chains finished between")
    check_counts({"SIGKILLs during `discourse label` (random points, then rerun)": len(kills),
                  "labels lost or duplicated after kills": lost})
