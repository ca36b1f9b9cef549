"""The `discourse` command: thin typer wrappers over library functions.

Exit status: 0 success, 1 failure (a library error, reported in one line), 2 bad usage.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from discourse import __version__
from discourse.errors import DiscourseError

app = typer.Typer(
    name="discourse",
    help="Text mining for leadership discourse: ingest scraped articles into clean, dated passages.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        out.print(f"discourse {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(code=1)


def _settings(config: Path | None, overrides: list[str]):
    from discourse.config import load_settings
    from discourse.errors import ConfigError

    pairs = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. ingest.max_passage_words=100")
        key, value = item.split("=", 1)
        pairs[key] = value
    return load_settings(config, pairs)


def _summary_table(s: dict) -> Table:
    table = Table(title="discourse ingest", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("this run", justify="right")
    table.add_column("store total", justify="right")
    st = s["store"]
    table.add_row("files", f"{s['files_seen']} seen, {s['files_written']} written, "
                  f"{s['files_skipped_unchanged']} unchanged", str(st.get("files", "")))
    table.add_row("documents", str(s["documents"]), str(st.get("documents", "")))
    table.add_row("duplicates", str(s["duplicates"]), str(st.get("duplicates", "")))
    table.add_row("passages", str(s["passages"]), str(st.get("passages", "")))
    table.add_row("dated documents", "", str(st.get("dated", "")))
    reasons = sorted(set(s["rejects"]) | set(st.get("rejects", {})))
    for reason in reasons:
        table.add_row(f"rejects: {reason}", str(s["rejects"].get(reason, 0)), str(st["rejects"].get(reason, 0)))
    if not reasons:
        table.add_row("rejects", "0", "0")
    table.add_row("seconds", f"{s['seconds']:.2f}", "")
    return table


@app.command("ingest")
def ingest_cli(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders to ingest (html/htm/xhtml, txt/md, pdf, docx).")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB store to create or update.")],
    config: Annotated[Path | None, typer.Option("--config", help="Settings TOML with an \\[ingest] table.")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="Override a setting: ingest.max_passage_words=100.")] = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Parser processes (one store writer).")] = 1,
) -> None:
    """Walk files and folders and load clean, dated, deduplicated passages into a DuckDB store.

    A sources.csv beside the files is read as their metadata manifest. Unchanged files are skipped on a rerun, changed files replace their rows, and bad files become rejects rows while the batch carries on.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from discourse.pipeline import ingest

    try:
        settings = _settings(config, set_)
        show = not (quiet or as_json) and err.is_terminal
        with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      TextColumn("{task.description}"), console=err, disable=not show) as bar:
            task = bar.add_task("", total=None)

            def tick(source: str, n: int, total: int) -> None:
                bar.update(task, completed=n, total=total, description=Path(source).name[:40])

            summary = ingest(list(paths), db, settings.ingest, progress=tick,
                             command="discourse ingest " + " ".join(sys.argv[2:]), workers=workers)
    except DiscourseError as exc:
        raise _fail(exc) from exc
    data = summary.as_dict()
    if as_json:
        out.print_json(json.dumps(data))
    elif not quiet:
        out.print(_summary_table(data))
    if summary.interrupted:
        err.print("interrupted: files written so far are kept; run the same command again to finish")
        raise typer.Exit(code=130)


@app.command("clean")
def clean_cli(
    inputs: Annotated[list[Path], typer.Argument(help="Files to clean.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for <input stem>.txt files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """Write the cleaned main text of each input to OUT/<stem>.txt: check cleaning without a database.

    Every piece of a file is written in order (its title line first), separated by blank lines. Folders are walked.
    """
    from discourse.pipeline import clean_paths

    try:
        results = clean_paths(list(inputs), out_dir)
    except DiscourseError as exc:
        raise _fail(exc) from exc
    if as_json:
        out.print_json(json.dumps(results))
    else:
        for r in results:
            if r["output"]:
                out.print(f"{r['input']} → {r['output']} ({r['chars']:,} chars)", highlight=False)
            else:
                err.print(f"[yellow]rejected[/yellow] {r['input']}: {r['reason']}: {r['detail']}", highlight=False)
    if results and not any(r["output"] for r in results):
        raise typer.Exit(code=1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
