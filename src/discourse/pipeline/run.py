"""`discourse run PIPELINE.toml`: ingest → label → topics → trends → report, each stage
skipped when its inputs, settings and code are unchanged.

Every stage is already crash-safe on its own (ingest commits per file, label per batch,
topics/trends replace their tables in one transaction, files are published by rename), and
a stage's fingerprint is recorded only after it finishes; so a run killed at any point and
run again redoes at most the unfinished stage's last unit of work and ends with the same
tables. The store's lock is held for the whole run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import logging
import platform
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from discourse import __version__
from discourse.config import STAGES, PipelineConfig, load_pipeline
from discourse.errors import ConfigError

__all__ = ["RunResult", "code_hash", "run_pipeline"]

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int | None], None]
_PACKAGES = ["numpy", "pandas", "scikit-learn", "scipy", "duckdb", "torch", "bertopic", "umap-learn",
             "hdbscan", "spacy", "trafilatura", "plotly", "vl-convert-python", "dask", "distributed"]


@dataclass
class RunResult:
    run_id: str
    manifest: dict
    stages: list[dict] = field(default_factory=list)


# the package files each stage's results depend on (besides records/config/store/errors)
_COMMON = ["records.py", "config.py", "store.py", "errors.py"]
STAGE_CODE = {
    "ingest": ["ingest/**/*.py", "pipeline/ingest_run.py", "pipeline/executors.py"],
    "label": ["framing/**/*.py", "pipeline/framing.py", "pipeline/embeddings.py"],
    "topics": ["topics/**/*.py", "pipeline/analysis.py", "pipeline/embeddings.py", "framing/embed.py"],
    "trends": ["trends.py", "pipeline/analysis.py"],
    "report": ["report/**/*", "pipeline/reporting.py"],
}


def code_hash(stage: str | None = None) -> str:
    """sha256 over the package source files a stage depends on (all files when no stage
    is given): changing a stage's code reruns it and what follows, and nothing before."""
    root = Path(__file__).resolve().parents[1]
    patterns = ["**/*.py"] if stage is None else _COMMON + STAGE_CODE[stage]
    files = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts})
    h = hashlib.sha256(__version__.encode())
    for path in files:
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _versions() -> dict:
    out = {"python": platform.python_version(), "discourse": __version__}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def _input_listing(config: PipelineConfig) -> list:
    from discourse.pipeline.ingest_run import iter_inputs

    listing = []
    for item in iter_inputs(config.pipeline.inputs):
        try:
            st = item.path.stat()
            listing.append((item.source, st.st_size, st.st_mtime_ns))
        except OSError:
            listing.append((item.source, None, None))
    for manifest in sorted({str(Path(s).parent / "sources.csv") for s, *_ in listing}):
        p = Path(manifest)
        if p.exists():
            listing.append((manifest, p.stat().st_size, p.stat().st_mtime_ns))
    return listing


@contextmanager
def _log_to(folder: Path, run_id: str):
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder / f"run-{run_id}.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    targets = [logging.getLogger("discourse"), logging.getLogger("BERTopic")]
    levels = [t.level for t in targets]
    for t in targets:
        t.addHandler(handler)
        t.setLevel(min(t.level or logging.INFO, logging.INFO))
    try:
        yield folder / f"run-{run_id}.log"
    finally:
        for t, level in zip(targets, levels, strict=True):
            t.removeHandler(handler)
            t.setLevel(level)
        handler.close()


class _Stages:
    """Fingerprint and run each stage of one pipeline run."""

    def __init__(self, config: PipelineConfig, run_id: str, progress: Progress | None, executor, manifest: dict) -> None:
        self.c, self.run_id, self.progress, self.executor = config, run_id, progress, executor
        self.manifest = manifest  # the run's manifest so far (the report shows it)
        self.db, self.out = Path(config.pipeline.store), Path(config.pipeline.out)
        self._predictor = None

    def predictor(self):
        if self._predictor is None:
            from discourse.framing.predict import DEFAULT_MODEL_DIR, load_predictor

            folder = self.c.label.models_dir or DEFAULT_MODEL_DIR
            self._predictor = load_predictor(self.c.label.model, folder)
        return self._predictor

    def _store_state(self) -> dict:
        from discourse.store import Store

        with Store(self.db, read_only=True) as store:
            return store.state()

    def fingerprint(self, stage: str) -> str:
        """Digest of what the stage reads: its settings, its code, and its inputs' digests
        (which change when an upstream stage changed something)."""
        c, code = self.c, code_hash(stage)
        if stage == "ingest":
            return _digest(stage, code, c.ingest.model_dump(mode="json"), _input_listing(c))
        state = self._store_state() if self.db.exists() else {}
        if stage == "label":
            return _digest(stage, code, c.label.model_dump(mode="json"), self.predictor().model_id,
                           state.get("passages"))
        if stage == "topics":
            return _digest(stage, code, c.topics.model_dump(mode="json"), state.get("passages"))
        if stage == "trends":
            return _digest(stage, code, c.trends.model_dump(mode="json"), state.get("topics_run"),
                           state.get("labels"))
        return _digest(stage, code, c.report.model_dump(mode="json"), state.get("trends_run"), state.get("corpus"),
                       _model_card_hash(), str(self.out))

    def run(self, stage: str) -> dict:
        return getattr(self, f"_{stage}")()

    def _ingest(self) -> dict:
        from discourse.pipeline.ingest_run import ingest

        tick = (lambda source, n, total: self.progress("ingest", n, total)) if self.progress else None
        s = ingest(self.c.pipeline.inputs, self.db, self.c.ingest, progress=tick, command=f"discourse run ({self.run_id})",
                   workers=self.c.pipeline.workers, executor=self.executor)
        if s.interrupted:
            raise KeyboardInterrupt
        return {"files_written": s.files_written, "documents": s.documents, "passages": s.passages,
                "duplicates": s.duplicates, "rejects": sum(s.rejects.values()), "unchanged": s.files_skipped_unchanged}

    def _label(self) -> dict:
        from discourse.pipeline.framing import label_store

        return label_store(self.db, self.predictor(), batch=self.c.label.batch, progress=self.progress,
                           command=f"discourse run ({self.run_id})", executor=self.executor)

    def _topics(self) -> dict:
        from discourse.pipeline.analysis import run_topics

        s = run_topics(self.db, self.c.topics, self.out / "topics", progress=self.progress, executor=self.executor)
        return {k: s[k] for k in ("topics", "passages", "outlier_share", "npmi", "embedded_now")}

    def _trends(self) -> dict:
        from discourse.pipeline.analysis import run_trends

        return run_trends(self.db, self.out / "trends", self.c.trends)["rows"]

    def _report(self) -> dict:
        from discourse.pipeline.reporting import build_report

        return build_report(self.db, self.out, self.c.report, manifest=self.manifest, trend_settings=self.c.trends)


def _model_card_hash() -> str:
    from discourse.framing.persist import DEFAULT_MODEL_DIR

    card = Path(DEFAULT_MODEL_DIR) / "manifest.json"
    return hashlib.sha256(card.read_bytes()).hexdigest()[:16] if card.exists() else ""


def _selected(stages: list[str], from_stage: str | None, only: str | None) -> list[str]:
    for name in (from_stage, only):
        if name is not None and name not in STAGES:
            raise ConfigError(f"unknown stage {name!r}; stages are {list(STAGES)}")
    if only:
        return [only]
    if from_stage:
        return [s for s in stages if STAGES.index(s) >= STAGES.index(from_stage)]
    return list(stages)


def run_pipeline(path: str | Path, *, from_stage: str | None = None, only: str | None = None, force: bool = False,
                 overrides: dict | None = None, progress: Progress | None = None) -> RunResult:
    """Run a pipeline file. Stages whose fingerprint (inputs, settings, code) matches the
    last finished run are skipped unless `force` (or selected with `only`/`from_stage` and
    `force`). Returns the run manifest, also stored in the `runs` table."""
    from discourse.pipeline.executors import make_executor
    from discourse.store import Store

    path = Path(path)
    config = load_pipeline(path, overrides)
    run_id = uuid.uuid4().hex[:12]
    started, t0 = dt.datetime.now(dt.UTC), time.monotonic()
    manifest = {"run_id": run_id, "pipeline": config.pipeline.name, "pipeline_file": str(path),
                "pipeline_sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "started": started.isoformat(timespec="seconds"),
                "code": code_hash(), "versions": _versions(), "executor": config.pipeline.executor,
                "workers": config.pipeline.workers, "pipeline_out": config.pipeline.out, "store": config.pipeline.store, "seeds": {"topics": config.topics.random_state,
                                                              "trends": config.trends.random_state}, "stages": []}
    todo = _selected(config.pipeline.stages, from_stage, only)
    out = Path(config.pipeline.out)
    with Store(config.pipeline.store, command=f"discourse run {path}").held(), _log_to(out / "logs", run_id), \
            make_executor(config.pipeline) as executor:
        stages = _Stages(config, run_id, progress, executor, manifest)
        _record_start(config, run_id, path)
        status = "failed"
        try:
            for stage in todo:
                manifest["stages"].append(_one(stages, stage, force))
            status = "done"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            manifest.update(_closing(config, stages, t0))
            _record_finish(config, run_id, manifest, status)
    return RunResult(run_id, manifest, manifest["stages"])


def _one(stages: _Stages, stage: str, force: bool) -> dict:
    from discourse.store import Store

    fp = stages.fingerprint(stage)
    if not force and stages.db.exists():
        with Store(stages.db, read_only=True) as store:
            last = store.stage_record(stage)
        if last and last["fingerprint"] == fp:
            logger.info("stage %s: unchanged since run %s, skipped", stage, last["run_id"])
            return {"stage": stage, "status": "skipped", "seconds": 0.0, "rows": last["rows"]}
    t = time.monotonic()
    logger.info("stage %s: running", stage)
    _reset_peak_rss()
    rows = stages.run(stage)
    seconds = round(time.monotonic() - t, 2)
    peak = _peak_rss_mb()
    fp_after = stages.fingerprint(stage) if stage == "ingest" else fp  # ingest changes its own inputs' state
    with Store(stages.db, command="discourse run") as store:
        store.record_stage(stage, fp_after, stages.run_id, seconds, rows)
    logger.info("stage %s: done in %.1f s, peak RSS %s MB (%s)", stage, seconds, peak, rows)
    return {"stage": stage, "status": "ran", "seconds": seconds, "rows": rows, "peak_rss_mb": peak}


def _reset_peak_rss() -> None:
    """Start a new high-water mark of this process's resident memory, so each stage reports
    its own peak (Linux `clear_refs`; elsewhere the peak is the run's so far)."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float | None:
    """Peak resident memory of this process (MB) since the last reset; worker processes of
    an executor are not included (the benchmarks sample the whole process tree)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _closing(config: PipelineConfig, stages: _Stages, t0: float) -> dict:
    from discourse.store import Store

    extra = {"finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "seconds": round(time.monotonic() - t0, 2)}
    if Path(config.pipeline.store).exists():
        with Store(config.pipeline.store, read_only=True) as store:
            extra["corpus"] = store.summary()
    if stages._predictor is not None:
        from discourse.framing.persist import DEFAULT_MODEL_DIR, model_files

        folder = config.label.models_dir or DEFAULT_MODEL_DIR
        extra["model"] = {"id": stages._predictor.model_id, "files": model_files(stages._predictor.name, folder)}
    return extra


def _record_start(config: PipelineConfig, run_id: str, path: Path) -> None:
    from discourse.store import Store

    with Store(config.pipeline.store, command="discourse run") as store:
        store.start_run(run_id, f"discourse run {path}", __version__)


def _record_finish(config: PipelineConfig, run_id: str, manifest: dict, status: str) -> None:
    from discourse.store import Store

    with Store(config.pipeline.store, command="discourse run") as store:
        store.finish_run(run_id, manifest, status)
    out = Path(config.pipeline.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps({**manifest, "status": status}, indent=2, sort_keys=True, default=str), encoding="utf-8")
    tmp.replace(out / "manifest.json")
