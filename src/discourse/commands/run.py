"""`discourse run` (a whole pipeline file) and `discourse report`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from discourse.commands.common import err, fail, out, settings, stage_progress
from discourse.errors import DiscourseError

__all__ = ["report_cli", "run_cli"]


def _stages_table(result) -> Table:
    table = Table(title=f"discourse run · {result.manifest['pipeline']} · run {result.run_id}", header_style="bold")
    for col, justify in (("stage", "left"), ("status", "left"), ("seconds", "right"), ("rows", "left")):
        table.add_column(col, justify=justify)
    for s in result.stages:
        rows = ", ".join(f"{k} {v}" for k, v in (s["rows"] or {}).items() if not isinstance(v, dict | list))
        table.add_row(s["stage"], s["status"], f"{s['seconds']:.1f}", rows[:90])
    return table


def run_cli(
    pipeline: Annotated[Path, typer.Argument(help="Pipeline file, e.g. pipelines/demo.toml.")],
    from_stage: Annotated[str | None, typer.Option("--from", help="Start at this stage (ingest, label, topics, trends, report).")] = None,
    only: Annotated[str | None, typer.Option("--only", help="Run just this stage.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Run the selected stages even when nothing changed.")] = False,
    executor: Annotated[str | None, typer.Option("--executor", help="local (processes) or dask.")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes (local or LocalCluster).")] = None,
    embedder: Annotated[str | None, typer.Option("--embedder", help="minilm (default) or fast: the static fast tier for very large corpora, for both the topic model and the framing model.")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="Override a pipeline setting: topics.seeds=3.")] = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json", help="Print the run manifest as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display or table.")] = False,
) -> None:
    """Run a pipeline file: ingest → label → topics → trends → report, skipping stages whose inputs, settings and code are unchanged.

    Safe to kill and rerun; a lock stops two runs on one store. Logs go to OUT/logs/, the manifest to OUT/manifest.json and the store's runs table.
    """
    from discourse.pipeline.run import run_pipeline

    extra = {"pipeline.executor": executor, "pipeline.scheduler": scheduler, "pipeline.workers": workers}
    overrides = {k: v for k, v in extra.items() if v is not None}
    if embedder is not None:
        if embedder not in ("minilm", "fast"):
            raise fail(DiscourseError(f"--embedder {embedder!r}: choose minilm or fast"))
        overrides.update({"topics.embedder": embedder, "label.model": "fast" if embedder == "fast" else "default"})
    for item in set_:
        if "=" not in item:
            raise fail(DiscourseError(f"--set {item!r}: expected KEY=VALUE"))
        key, value = item.split("=", 1)
        overrides[key] = value
    if scheduler and not executor:
        overrides["pipeline.executor"] = "dask"
    try:
        with stage_progress(not (quiet or as_json)) as tick:
            result = run_pipeline(pipeline, from_stage=from_stage, only=only, force=force, overrides=overrides, progress=tick)
    except DiscourseError as exc:
        raise fail(exc) from exc
    except KeyboardInterrupt:
        err.print("interrupted: finished work is kept; run the same command again to continue")
        raise typer.Exit(code=130) from None
    if as_json:
        out.print_json(json.dumps(result.manifest, default=str))
    elif not quiet:
        out.print(_stages_table(result))
        report = Path(result.manifest.get("pipeline_out", ""))
        out.print(f"report: {report / 'report.html' if str(report) else '(see the report stage)'} · "
                  f"{result.manifest['seconds']:.1f} s")


def report_cli(
    db: Annotated[Path, typer.Option("--db", help="Store with topics and trends (`discourse trends` first).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for report.html and charts/.")],
    config: Annotated[Path | None, typer.Option("--config", help="Settings TOML with a \\[report] table.")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="Override a setting: report.title=...")] = [],  # noqa: B006
) -> None:
    """Write the self-contained HTML trend report (charts inlined, opens offline) plus PNG/SVG/CSV of every chart."""
    from discourse.pipeline.reporting import build_report

    try:
        if not db.exists():
            raise DiscourseError(f"store {db} does not exist; run `discourse ingest … --db {db}` first")
        cfg = settings(config, set_)
        result = build_report(db, out_dir, cfg.report, trend_settings=cfg.trends)
    except DiscourseError as exc:
        raise fail(exc) from exc
    out.print(f"report: {result['report']} ({result['charts']} charts, {result['files']} files)")
