"""The counts and the case table in docs/RELIABILITY.md come from the tests' own runs.

A test calls `check_counts({...})` (or `check_cases(...)`) with what it measured. The doc
must say the same; run `DISCOURSE_UPDATE_RELIABILITY=1 pytest tests/hostile` to rewrite
those parts of it from a run instead of typing numbers in by hand.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "RELIABILITY.md"
_UPDATE = os.environ.get("DISCOURSE_UPDATE_RELIABILITY") == "1"


def _block(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- {name}:begin[^>]*-->\n)(.*?)(<!-- {name}:end -->)", re.S)


def _read_counts() -> dict[str, str]:
    match = _block("counts").search(DOC.read_text(encoding="utf-8"))
    assert match, f"{DOC}: no counts block"
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", match.group(2), re.M)
    return {k: v for k, v in rows if k not in ("count", "---")}


def check_counts(measured: dict[str, int | str]) -> None:
    """Assert the doc's counts table holds `measured` (or write them in, when updating)."""
    measured = {k: str(v) for k, v in measured.items()}
    if _UPDATE:
        counts = {**_read_counts(), **measured}
        table = "| count | value |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in counts.items())
        text = DOC.read_text(encoding="utf-8")
        DOC.write_text(_block("counts").sub(lambda m: m.group(1) + table + m.group(3), text), encoding="utf-8")
    stated = _read_counts()
    wrong = {k: (stated.get(k), v) for k, v in measured.items() if stated.get(k) != v}
    assert not wrong, f"docs/RELIABILITY.md counts differ from this run (doc, run): {wrong}; " \
                      "rerun with DISCOURSE_UPDATE_RELIABILITY=1"


def check_block(name: str, body: str) -> None:
    """Assert the doc's `name` block is `body` (or write it in, when updating)."""
    text = DOC.read_text(encoding="utf-8")
    match = _block(name).search(text)
    assert match, f"{DOC}: no {name} block"
    if _UPDATE and match.group(2) != body:
        DOC.write_text(_block(name).sub(lambda m: m.group(1) + body + m.group(3), text), encoding="utf-8")
        match = _block(name).search(DOC.read_text(encoding="utf-8"))
    assert match.group(2) == body, f"docs/RELIABILITY.md {name} table is out of date; " \
                                   "rerun with DISCOURSE_UPDATE_RELIABILITY=1"
