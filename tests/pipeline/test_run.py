"""`discourse run`: stages skipped when nothing changed, only downstream work after a new
file, clear validation errors, the lock, the manifest."""

import json
import shutil

import pytest

from discourse.errors import ConfigError, StoreLockedError
from discourse.pipeline.run import run_pipeline
from discourse.store import Store
from tests.pipeline.conftest import SAMPLE_TEXT, write_pipeline


def _status(result):
    return {s["stage"]: s["status"] for s in result.stages}


def test_second_run_skips_every_stage_and_new_file_reruns_only_its_work(fast_pipeline, hash_embedder):
    first = run_pipeline(fast_pipeline)
    assert set(_status(first).values()) == {"ran"}
    out = fast_pipeline.parent / "out"
    assert (out / "report.html").exists() and (out / "trends" / "framing_by_year.csv").exists()
    again = run_pipeline(fast_pipeline)
    assert set(_status(again).values()) == {"skipped"}

    calls = hash_embedder.calls
    extra = sorted(SAMPLE_TEXT.glob("*.txt"))[-1]
    shutil.copy(extra, fast_pipeline.parent / "corpus" / "zz-new.txt")
    third = run_pipeline(fast_pipeline)
    # the new file copies one already there: its documents are duplicates, the passage set
    # is unchanged, so labels, topics and trends are skipped; the report (corpus counts) reruns
    assert _status(third) == {"ingest": "ran", "label": "skipped", "topics": "skipped", "trends": "skipped", "report": "ran"}
    rows = third.stages[0]["rows"]
    assert rows["files_written"] == 1 and rows["unchanged"] >= 10 and rows["duplicates"] >= 1 and rows["passages"] == 0
    assert hash_embedder.calls == calls


def test_new_distinct_file_labels_and_embeds_only_its_passages(fast_pipeline, hash_embedder):
    run_pipeline(fast_pipeline)
    (fast_pipeline.parent / "corpus" / "zz-new.txt").write_text(
        "A new piece\n\nThe council and residents now set the budget together, meeting monthly "
        "in the library to agree which services come first and how the money is shared.\n\n"
        "The chief executive says she listens more than she speaks at these meetings.\n", encoding="utf-8")
    result = run_pipeline(fast_pipeline)
    rows = {s["stage"]: s["rows"] for s in result.stages}
    assert rows["ingest"]["files_written"] == 1 and rows["ingest"]["passages"] >= 1
    assert rows["label"]["labelled_now"] == rows["ingest"]["passages"]
    assert rows["topics"]["embedded_now"] == rows["ingest"]["passages"]


def test_only_and_force_rerun_one_stage(fast_pipeline):
    run_pipeline(fast_pipeline)
    result = run_pipeline(fast_pipeline, only="trends", force=True)
    assert _status(result) == {"trends": "ran"}


def test_manifest_is_stored_and_written(fast_pipeline):
    result = run_pipeline(fast_pipeline)
    m = json.loads((fast_pipeline.parent / "out" / "manifest.json").read_text())
    assert m["run_id"] == result.run_id and m["status"] == "done"
    assert m["pipeline_sha256"] and m["versions"]["bertopic"] and m["model"]["files"]
    assert [s["stage"] for s in m["stages"]] == ["ingest", "label", "topics", "trends", "report"]
    assert m["corpus"]["documents"] > 5
    with Store(fast_pipeline.parent / "store.duckdb", read_only=True) as store:
        counts = json.loads(store.query("SELECT counts FROM runs WHERE run_id = ?", [result.run_id])[0][0])
    assert counts["stages"] == m["stages"]
    assert list((fast_pipeline.parent / "out" / "logs").glob(f"run-{result.run_id}.log"))


@pytest.mark.parametrize(("edit", "message"), [
    (("batch = 64", "batch = \"many\""), r"pipeline.toml:\d+: label.batch: Input should be a valid integer"),
    (("[trends]", "[trends]\nbootstrapp = 5"), r"pipeline.toml:\d+: trends.bootstrapp: unknown key"),
    (('inputs = ["corpus"]', 'inputs = ["nowhere"]'), r"pipeline.toml:4: input folder\(s\) not found: \['nowhere'\]"),
    (('name = "t"', 'name = "t"\nstages = ["ingest", "sing"]'), r"unknown stage"),
])
def test_bad_pipeline_files_name_the_line_and_what_is_expected(fast_pipeline, edit, message):
    text = fast_pipeline.read_text().replace(*edit)
    fast_pipeline.write_text(text)
    with pytest.raises(ConfigError, match=message):
        run_pipeline(fast_pipeline)


def test_a_live_holder_blocks_a_second_run_and_a_dead_one_does_not(fast_pipeline):
    import subprocess

    lock = fast_pipeline.parent / "store.duckdb.lock"
    holder = subprocess.Popen(["sleep", "60"])
    try:
        lock.write_text(json.dumps({"pid": holder.pid, "command": "discourse run other.toml", "since": "now"}))
        with pytest.raises(StoreLockedError, match=rf"in use by PID {holder.pid} \(discourse run other.toml"):
            run_pipeline(fast_pipeline)
    finally:
        holder.kill()
        holder.wait()
    assert _status(run_pipeline(fast_pipeline))["ingest"] == "ran"  # stale lock: cleared
    assert not lock.exists()


def test_pipeline_template_mentions_every_setting():
    from pathlib import Path

    from discourse.config import PipelineConfig, load_pipeline

    path = Path(__file__).resolve().parents[2] / "pipelines" / "trends.toml"
    text = path.read_text()

    def keys(model, prefix=""):
        for name, field in model.model_fields.items():
            sub = field.annotation
            if isinstance(sub, type) and hasattr(sub, "model_fields"):
                yield from keys(sub, f"{prefix}{name}.")
            else:
                yield prefix + name

    missing = [k for k in keys(PipelineConfig) if k.rsplit(".", 1)[-1] + " =" not in text]
    assert missing == []
    if (path.parent.parent.parent / "shared" / "corpus" / "sotu").is_dir():
        assert load_pipeline(path).trends.year_bin == 10


def test_demo_pipeline_validates():
    from pathlib import Path

    from discourse.config import load_pipeline

    c = load_pipeline(Path(__file__).resolve().parents[2] / "pipelines" / "demo.toml")
    assert c.pipeline.out.endswith("reports/demo") and c.pipeline.stages[-1] == "report"


def test_write_pipeline_helper_copies_a_manifest(tmp_path):
    write_pipeline(tmp_path, files=3)
    assert len(list((tmp_path / "corpus").glob("*.txt"))) == 3
