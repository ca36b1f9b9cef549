"""What every command shares: the two consoles, one-line failures, settings from a file
plus `--set` overrides, and a progress display on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["err", "fail", "out", "settings", "stage_progress"]

out = Console()
err = Console(stderr=True)


def fail(exc: Exception) -> typer.Exit:
    """Report a library error in one line on stderr; exit status 1."""
    # one line however long (no wrapping), and a path holding "[/]" is not console markup
    err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def settings(config: Path | None, overrides: list[str]):
    """Settings from a TOML file (or defaults) with `--set key=value` overrides, validated."""
    from discourse.config import load_settings
    from discourse.errors import ConfigError

    pairs = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. ingest.max_passage_words=100")
        key, value = item.split("=", 1)
        pairs[key] = value
    return load_settings(config, pairs)


@contextmanager
def stage_progress(enabled: bool) -> Iterator:
    """A per-stage progress display (counts, rate, time left) on stderr; yields a
    `tick(stage, done, total)` callback."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=err,
                  disable=not (enabled and err.is_terminal)) as bar:
        tasks: dict[str, int] = {}

        def tick(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None, rate="")
            task = bar.tasks[tasks[stage]]
            elapsed = task.elapsed or 0.0
            rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 and done else ""
            bar.update(tasks[stage], completed=done, total=total or None, rate=rate)

        yield tick
