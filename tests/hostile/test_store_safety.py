"""Two processes on one store, stale locks, and stores that cannot be written (unwritable
path, read-only folder, disk full): a clear one-line error, earlier results intact."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time

import pytest

from discourse.pipeline import ingest
from tests.conftest import REPO, SAMPLE
from tests.hostile.conftest import run_measured
from tests.test_pipeline import _tables

ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}
HOLD = ("import sys, time\nfrom discourse.store import Store\n"
        "with Store(sys.argv[1], command='holder'):\n    print('ready', flush=True)\n    time.sleep(120)\n")


def _cli(*args: str, **kw) -> tuple[int, str, str]:
    status, out, err, _, _ = run_measured([sys.executable, "-m", "discourse.cli", *args], timeout=180, **kw)
    return status, out, err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def text_corpus(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE / "text", folder)
    return folder


def test_second_process_is_told_the_pid_and_a_killed_holders_lock_is_cleared(tmp_path, text_corpus):
    db = tmp_path / "s.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, env=ENV, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        status, _, err = _cli("ingest", str(text_corpus), "--db", str(db), "-q")
        assert status == 1 and f"is in use by PID {holder.pid} (holder" in _one_line(err)
        holder.send_signal(signal.SIGKILL)  # dies holding the lock: the lock file stays behind
        holder.wait()
        assert (tmp_path / "s.duckdb.lock").exists()
        status, _, err = _cli("ingest", str(text_corpus), "--db", str(db), "-q")
        assert status == 0, err
    finally:
        holder.kill()
        holder.wait()
    assert not (tmp_path / "s.duckdb.lock").exists()
    assert len(_tables(db)[0]) == 18


def test_processes_racing_for_the_lock_never_both_win(tmp_path):
    # regression: check-then-create let a racer crash with FileExistsError, or two racers
    # each clear the other's lock as stale and both run
    db = tmp_path / "s.duckdb"
    start = time.time() + 1.5
    racer = ("import sys, time\nfrom discourse.errors import StoreLockedError\nfrom discourse.store import Store\n"
             f"time.sleep(max(0, {start} - time.time()))\n"
             "try:\n    with Store(sys.argv[1]):\n        time.sleep(1.0)\n    print('won')\n"
             "except StoreLockedError:\n    print('locked')\n")
    procs = [subprocess.Popen([sys.executable, "-c", racer, str(db)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=ENV, text=True) for _ in range(4)]
    results = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [r[1] for r in results]
    assert sorted(r[0].strip() for r in results) == ["locked", "locked", "locked", "won"]


def test_unwritable_db_path_is_a_clear_error(tmp_path, text_corpus):
    # regression: a --db under a file raised FileExistsError with a traceback
    (tmp_path / "a-file").write_text("x")
    status, _, err = _cli("ingest", str(text_corpus), "--db", str(tmp_path / "a-file" / "s.duckdb"))
    assert status == 1 and "choose a --db in a writable folder" in _one_line(err)


def _without_dac_override() -> list[str]:
    """A command prefix that takes root's power to ignore file permissions (none needed
    for other users); skips when it cannot be dropped."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv or subprocess.run([setpriv, "--bounding-set", "-dac_override,-dac_read_search", "true"]).returncode:
        pytest.skip("running as root without setpriv to drop CAP_DAC_OVERRIDE: permissions cannot be tested")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def test_read_only_folder_is_a_clear_error_and_the_store_is_intact(tmp_path, text_corpus):
    out = tmp_path / "out"
    db = out / "s.duckdb"
    ingest([text_corpus], db)
    before = _tables(db)
    prefix = _without_dac_override()
    (text_corpus / "new.txt").write_text((text_corpus / "t01-corrington-castings-turnaround.txt").read_text()[::-1])
    os.chmod(db, 0o444)
    os.chmod(out, 0o555)
    try:
        status, _, err, _, _ = run_measured([*prefix, sys.executable, "-m", "discourse.cli", "ingest", str(text_corpus),
                                             "--db", str(db), "-q"], timeout=120)
    finally:
        os.chmod(out, 0o755)
        os.chmod(db, 0o644)
    assert status == 1 and "writable folder" in _one_line(err)
    assert _tables(db) == before


def _fsize_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_is_a_clear_error_and_a_rerun_completes(tmp_path):
    """RLIMIT_FSIZE makes writes past 60 kB fail as a full disk would (even for root)."""
    clean, db = tmp_path / "clean.duckdb", tmp_path / "s.duckdb"
    parts = [SAMPLE / "html", SAMPLE / "office", SAMPLE / "text"]
    ingest(parts, clean)
    ingest([SAMPLE / "text"], db)
    before = _tables(db)
    status, _, err, _, _ = run_measured([sys.executable, "-m", "discourse.cli", "ingest", *map(str, parts),
                                         "--db", str(db), "-q"], timeout=120, preexec_fn=_fsize_limit(60_000))
    assert status == 1 and "free disk space" in _one_line(err)
    after = _tables(db)
    assert all(set(b) <= set(a) for b, a in zip(before, after, strict=True))  # nothing committed was lost
    assert not (tmp_path / "s.duckdb.lock").exists()
    ingest(parts, db)
    assert _tables(db) == _tables(clean)


def test_a_forked_child_does_not_keep_a_killed_parents_lock(tmp_path):
    """A child forked while the store is open (a parser or executor process) drops its copy
    of the lock descriptor, so killing the parent frees the store even while the child lives."""
    db = tmp_path / "s.duckdb"
    parent = ("import os, sys, time\nfrom discourse.store import Store\n"
              "with Store(sys.argv[1], command='parent'):\n"
              "    if os.fork() == 0:\n        os.write(1, b'child\\n')\n        time.sleep(60)\n        os._exit(0)\n"
              "    os.write(1, b'parent\\n')\n    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", parent, str(db)], stdout=subprocess.PIPE, env=ENV, text=True,
                            start_new_session=True)
    try:
        assert {proc.stdout.readline().strip(), proc.stdout.readline().strip()} == {"child", "parent"}
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        from discourse.store import Store

        with Store(db) as store:  # the sleeping child does not hold it
            assert store.summary()["documents"] == 0
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the orphaned child
