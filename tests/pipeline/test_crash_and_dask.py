"""A run killed during labelling and rerun equals an uninterrupted run; the Dask executor
(LocalCluster, 2 workers) gives the same tables and labels as the local one."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from discourse.store import Store
from tests.pipeline.conftest import write_pipeline

LABEL_ONLY = 'stages = ["ingest", "label"]'


def _tables(db):
    with Store(db, read_only=True) as store:
        return {
            "documents": sorted(store.query("SELECT doc_id, source, title, year, duplicate_of, sha256 FROM documents")),
            "passages": sorted(store.query("SELECT passage_id, doc_id, seq, char_start, char_end, kind FROM passages")),
            "labels": sorted(store.query("SELECT passage_id, model_id, label, round(p_heroic, 6), round(p_collaborative, 6) FROM labels")),
            "dupe_labels": store.query("SELECT count(*) - count(DISTINCT (passage_id, model_id)) FROM labels")[0][0],
        }


def _run(pipeline, *args):
    return subprocess.run([sys.executable, "-m", "discourse.cli", "run", str(pipeline), "--quiet", *args],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_kill_during_labels_then_rerun_equals_uninterrupted(tmp_path):
    pipeline = write_pipeline(tmp_path, batch=4, extra=LABEL_ONLY)  # ids depend on paths: one folder
    assert _run(pipeline).returncode == 0
    expected = _tables(tmp_path / "store.duckdb")
    rng = random.Random(7)
    killed_in_label = 0
    root = tmp_path
    for _ in range(4):
        for leftover in [*tmp_path.glob("store.duckdb*"), tmp_path / "out"]:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)
        proc = subprocess.Popen([sys.executable, "-m", "discourse.cli", "run", str(pipeline), "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        logs = root / "out" / "logs"
        while time.monotonic() < deadline and proc.poll() is None:  # wait until labelling starts
            if any("stage label: running" in p.read_text() for p in logs.glob("*.log")):
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed_in_label += 1
        proc.wait()
        result = _run(pipeline)
        assert result.returncode == 0, result.stderr
        assert _tables(root / "store.duckdb") == expected
    assert killed_in_label >= 2  # the kills did land while labels were being written
    assert expected["dupe_labels"] == 0 and len(expected["labels"]) > 100


@pytest.mark.slow
def test_dask_localcluster_gives_the_same_labels_as_local(tmp_path):
    """The default (MiniLM) model, so embeddings are computed on the Dask workers."""
    pipeline = write_pipeline(tmp_path, model="default", extra=LABEL_ONLY, files=5)
    r = _run(pipeline)
    assert r.returncode == 0, r.stderr
    a = _tables(tmp_path / "store.duckdb")
    for leftover in [*tmp_path.glob("store.duckdb*"), tmp_path / "out"]:
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    r = _run(pipeline, "--executor", "dask", "--workers", "2")
    assert r.returncode == 0, r.stderr
    b = _tables(tmp_path / "store.duckdb")
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["executor"] == "dask"
    assert len(a["labels"]) > 20
    assert a["documents"] == b["documents"] and a["passages"] == b["passages"]
    assert [r[:3] for r in a["labels"]] == [r[:3] for r in b["labels"]]  # same labels
    for x, y in zip(a["labels"], b["labels"], strict=True):  # same probabilities (float noise only)
        assert abs(x[3] - y[3]) < 1e-4 and abs(x[4] - y[4]) < 1e-4
