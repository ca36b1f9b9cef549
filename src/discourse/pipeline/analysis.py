"""The topics and trends stages: store → DataFrames → library → store tables + files.

Each stage writes its store tables in one transaction and its files through a temporary
folder renamed into place, so a crash leaves the previous results, never a mix.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from discourse import __version__
from discourse.config import TopicSettings, TrendSettings
from discourse.errors import TopicError
from discourse.pipeline.embeddings import embed_store

__all__ = ["default_out", "run_topics", "run_trends"]

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


def default_out(db: str | Path, what: str) -> Path:
    """`reports/x.duckdb` → `reports/x-topics/` (or `-trends`)."""
    db = Path(db)
    return db.with_name(f"{db.stem}-{what}")


def _publish(tmp: Path, out: Path) -> None:
    """Swap a finished temporary folder into place (the old one is removed after)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.with_name(out.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)


def _scratch(out: Path) -> Path:
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


def _write_frames(folder: Path, frames: dict[str, pd.DataFrame], parquet: bool = False) -> None:
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
        if parquet:
            frame.to_parquet(folder / f"{name}.parquet", index=False)


@contextmanager
def _recorded(store, run_id: str, command: str) -> Iterator[dict]:
    """A `runs` row for this stage: `done` with the summary put in the yielded dict, or
    `failed` / `interrupted` when the body raises (the error itself propagates)."""
    store.start_run(run_id, command, __version__)
    summary: dict = {}
    try:
        yield summary
    except KeyboardInterrupt:
        store.finish_run(run_id, summary, "interrupted")
        raise
    except Exception as exc:
        store.finish_run(run_id, {**summary, "error": str(exc)[:500]}, "failed")
        raise
    store.finish_run(run_id, summary, "done")


def _fit_from_store(store, s: TopicSettings, progress: Progress | None, executor) -> tuple:
    from discourse.topics import analyse_topics

    tick = (lambda n, total: progress("embed", n, total)) if progress else None
    computed = embed_store(store, s.embedder, progress=tick, executor=executor)
    passages = store.corpus_passages()
    if len(passages) < 20:
        raise TopicError(f"topics: {len(passages)} passages in {store.path}; a topic model needs at least 20")
    vectors = store.embeddings_for(s.embedder, passages["text_key"].unique().tolist())
    embeddings = np.stack([vectors[k] for k in passages["text_key"]])
    if progress:
        progress("fit", 0, 1)
    return analyse_topics(passages[["passage_id", "text", "year"]], embeddings, s), computed


def run_topics(db: str | Path, settings: TopicSettings | None = None, out: str | Path | None = None,
               progress: Progress | None = None, executor=None) -> dict:
    """Embed (cached), fit BERTopic, assign every passage; write `topics`, `passage_topics`,
    `topic_terms_by_year`, `topic_quality` to the store and copies + the model to `out`."""
    from discourse.store import Store

    s = settings or TopicSettings()
    out = Path(out) if out else default_out(db, "topics")
    run_id, started = uuid.uuid4().hex[:12], time.monotonic()
    with Store(db, command="discourse topics") as store, _recorded(store, run_id, "discourse topics") as summary:
        result, computed = _fit_from_store(store, s, progress, executor)
        quality = {**result.quality, "embedder": s.embedder, "embedded_now": computed, "run_id": run_id,
                   "settings": s.model_dump(mode="json")}
        tmp = _scratch(out)
        result.model.save(tmp / "model")
        frames = {"topics": result.topics, "passage_topics": result.passage_topics,
                  "topic_terms_by_year": result.terms_by_year}
        _write_frames(tmp, frames, parquet=True)
        (tmp / "quality.json").write_text(json.dumps(quality, indent=2, sort_keys=True), encoding="utf-8")
        quality_row = pd.DataFrame([{"run_id": run_id, "report": json.dumps(quality, sort_keys=True)}])
        store.replace_tables({**frames, "topic_quality": quality_row})
        _publish(tmp, out)
        summary.update({"run_id": run_id, "out": str(out), **{k: quality[k] for k in (
            "passages", "topics", "outlier_share_raw", "outlier_share", "npmi", "diversity", "baseline",
            "embedded_now", "fitted_on")}, "stability": {k: quality["stability"][k] for k in (
                "mean_ari", "kept", "persistent_topics", "seeds")},
            "seconds": round(time.monotonic() - started, 2)})
    return summary


def run_trends(db: str | Path, out: str | Path | None = None, settings: TrendSettings | None = None) -> dict:
    """Yearly shares with document-bootstrap intervals, what moved, exemplars: store tables
    `trend_*` and CSVs in `out`."""
    from discourse.store import Store
    from discourse.trends import TREND_FILES, compute_trends

    s = settings or TrendSettings()
    out = Path(out) if out else default_out(db, "trends")
    run_id, started = uuid.uuid4().hex[:12], time.monotonic()
    with Store(db, command="discourse trends") as store, _recorded(store, run_id, "discourse trends") as summary:
        model_id, labels = store.label_frame(s.model_id)
        tables = compute_trends(
            passages=store.corpus_passages()[["passage_id", "doc_id", "text", "year"]],
            documents=store.document_frame(), labels=labels,
            assignments=store.table("passage_topics"), topics=store.table("topics"),
            terms_by_year=store.table("topic_terms_by_year"), settings=s)
        tmp = _scratch(out)
        _write_frames(tmp, {TREND_FILES[name]: frame for name, frame in tables.items()})
        meta = {"run_id": run_id, "model_id": model_id, "settings": s.model_dump(mode="json"),
                "rows": {name: len(frame) for name, frame in tables.items()}}
        (tmp / "trends.json").write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
        store.replace_tables({**tables, "trend_meta": pd.DataFrame([{
            "run_id": run_id, "model_id": model_id, "report": json.dumps(meta, sort_keys=True)}])})
        _publish(tmp, out)
        summary.update({"run_id": run_id, "out": str(out), "model": model_id, "rows": meta["rows"],
                        "seconds": round(time.monotonic() - started, 2)})
    return summary
