"""`discourse topics` and `discourse trends`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from discourse.commands.common import err, fail, out, settings, stage_progress
from discourse.errors import DiscourseError

__all__ = ["topics_cli", "trends_cli"]

_DB = typer.Option("--db", help="DuckDB store made by `discourse ingest` (and `discourse label` for trends).")
_CONFIG = typer.Option("--config", help="Settings TOML with \\[topics] / \\[trends] tables.")
_SET = typer.Option("--set", help="Override a setting: topics.hdbscan.min_cluster_size=5.")
_JSON = typer.Option("--json", help="Print the summary as JSON.")
_QUIET = typer.Option("--quiet", "-q", help="No progress display or table.")


def _need(db: Path) -> None:
    if not db.exists():
        raise DiscourseError(f"store {db} does not exist; run `discourse ingest … --db {db}` first")


def _topics_table(s: dict) -> Table:
    table = Table(title=f"discourse topics → {s['out']}", header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    b = s["baseline"]
    table.add_row("passages (fitted on)", f"{s['passages']} ({s['fitted_on']})")
    table.add_row("topics", str(s["topics"]))
    table.add_row("outliers before / after reduction", f"{s['outlier_share_raw']:.1%} / {s['outlier_share']:.1%}")
    table.add_row("NPMI (BERTopic / " + b["kind"].upper() + ")", f"{s['npmi']:.3f} / {b['npmi']:.3f}")
    table.add_row("diversity (BERTopic / " + b["kind"].upper() + ")", f"{s['diversity']:.3f} / {b['diversity']:.3f}")
    st = s["stability"]
    table.add_row("seeds · mean ARI", f"{st['seeds']} · {st['mean_ari']}")
    table.add_row("topics persisting across seeds", ", ".join(map(str, st["persistent_topics"])) or "none")
    table.add_row("passages embedded now", str(s["embedded_now"]))
    table.add_row("seconds", f"{s['seconds']:.1f}")
    return table


def topics_cli(
    db: Annotated[Path, _DB],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for the model and table copies (default: beside the store).")] = None,
    seeds: Annotated[int | None, typer.Option("--seeds", min=1, max=10, help="Fit with this many seeds; keep the most stable.")] = None,
    max_passages: Annotated[int | None, typer.Option("--max-passages", min=50, help="Fit on a sample this size; assign the rest.")] = None,
    config: Annotated[Path | None, _CONFIG] = None,
    set_: Annotated[list[str], _SET] = [],  # noqa: B006
    as_json: Annotated[bool, _JSON] = False,
    quiet: Annotated[bool, _QUIET] = False,
) -> None:
    """Fit BERTopic on the store's passages (MiniLM embeddings, cached) and write topics and passage_topics."""
    from discourse.pipeline.analysis import run_topics

    try:
        _need(db)
        extra = [f"topics.seeds={seeds}"] * (seeds is not None) + [f"topics.max_passages={max_passages}"] * (max_passages is not None)
        s = settings(config, [*set_, *extra]).topics
        with stage_progress(not (quiet or as_json)) as tick:
            summary = run_topics(db, s, out_dir, progress=tick)
    except DiscourseError as exc:
        raise fail(exc) from exc
    if as_json:
        out.print_json(json.dumps(summary))
    elif not quiet:
        out.print(_topics_table(summary))


def trends_cli(
    db: Annotated[Path, _DB],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for the trend CSVs (default: beside the store).")] = None,
    config: Annotated[Path | None, _CONFIG] = None,
    set_: Annotated[list[str], _SET] = [],  # noqa: B006
    as_json: Annotated[bool, _JSON] = False,
    quiet: Annotated[bool, _QUIET] = False,
) -> None:
    """Topic and framing shares by year with document-bootstrap intervals, what moved, and exemplars."""
    from discourse.pipeline.analysis import run_trends

    try:
        _need(db)
        summary = run_trends(db, out_dir, settings(config, set_).trends)
    except DiscourseError as exc:
        raise fail(exc) from exc
    if as_json:
        out.print_json(json.dumps(summary))
    elif not quiet:
        rows = ", ".join(f"{k} {v}" for k, v in summary["rows"].items())
        out.print(f"trends from labels of {summary['model']} → {summary['out']} ({rows}; {summary['seconds']:.1f} s)")
        err.print("files: topics_over_time.csv, framing_by_year.csv, topic_framing_by_year.csv, what_moved.csv, exemplars.csv")
