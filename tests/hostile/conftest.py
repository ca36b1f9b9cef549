"""The hostile corpus, written once per session, and one `discourse ingest` over all of it
(a subprocess, so its exit status, stderr and peak memory are the real ones)."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO
from tests.hostile.generate import Case, write_corpus

MEASURE = Path(__file__).with_name("measure.py")


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _Canary.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def canary():
    """A local HTTP server the hostile files point at: any request is a fetch that must not happen."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Canary.hits
    server.shutdown()


def run_measured(cmd: list[str], timeout: float = 300, **kw) -> tuple[int, str, str, int, float]:
    """Run `cmd`; return (exit status, stdout, stderr, peak RSS in bytes of `cmd` and the
    children it waited for, seconds). The figure comes from `measure.py`, not from this
    process's wait4, which would include pytest's own peak (see there)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen([sys.executable, str(MEASURE), str(peak_file), "--", *cmd],
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=REPO,
                                    env={**os.environ, "PYTHONPATH": str(REPO / "src")},
                                    start_new_session=True, **kw)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the command under it
                proc.wait()
        texts = out_path.read_bytes().decode(errors="replace"), err_path.read_bytes().decode(errors="replace")
        peak = int(peak_file.read_text()) if peak_file.exists() else 0
    return proc.returncode, *texts, peak, time.perf_counter() - started


@dataclass
class HostileRun:
    root: Path
    db: Path
    cases: list[Case]
    status: int
    stdout: str
    stderr: str
    peak_rss: int
    seconds: float

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def source(self, name: str) -> str:
        from discourse.ingest.process import source_name

        return source_name(self.root / name)

    @property
    def summary(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory, canary) -> HostileRun:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "in"
    cases = write_corpus(root, canary[0])
    db = base / "store.duckdb"
    cmd = [sys.executable, "-m", "discourse.cli", "ingest", str(root), "--db", str(db), "--json"]
    status, out, err, rss, seconds = run_measured(cmd)
    return HostileRun(root, db, cases, status, out, err, rss, seconds)
