"""How often ingest finds the true publication year of a page without a manifest.

    .venv/bin/python benchmarks/date_accuracy.py

Copies the 208 pages of ../shared/corpus/html-news to a temporary folder *without* their
sources.csv (which holds the annotated dates), ingests them, and compares each document's
year (and day, where a full date was found) with the annotation.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, commit, machine, write_section  # noqa: E402


def main() -> None:
    from discourse.pipeline import ingest
    from discourse.store import Store

    src = SHARED / "html-news"
    with open(src / "sources.csv", encoding="utf-8") as fh:
        truth = {r["file"]: r for r in csv.DictReader(fh)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for name in truth:
            shutil.copy(src / name, folder / name)
        ingest([folder], Path(tmp) / "d.duckdb")
        with Store(Path(tmp) / "d.duckdb", read_only=True) as store:
            rows = store.query("SELECT source, year, year_source, published FROM documents WHERE piece = 1")
    counts, by_source = Counter(), Counter()
    for source, year, year_source, published in rows:
        t = truth[Path(source).name]
        if year is None:
            counts["no year"] += 1
            continue
        ok = year == int(t["year"])
        counts["year right" if ok else "year wrong"] += 1
        by_source[(year_source, "right" if ok else "wrong")] += 1
        if published and len(published) == 10:
            counts["day right" if published == t["published"] else "day wrong"] += 1
    n = len(rows)
    lines = "\n".join(f"| {ys} | {by_source[(ys, 'right')]} | {by_source[(ys, 'wrong')]} |"
                      for ys in sorted({k[0] for k in by_source}))
    body = f"""
Command: `.venv/bin/python benchmarks/date_accuracy.py` (commit {commit()}). Machine: {machine()}.
Input: the {len(truth)} pages of `../shared/corpus/html-news` copied without their `sources.csv`;
{n} were ingested as documents ({len(truth) - n} rejected: no main text).

- Year found for {n - counts['no year']} of {n} documents; right for **{counts['year right']}**, wrong for {counts['year wrong']}, none (null, not guessed) for {counts['no year']}.
- Where a full date was found, the day matched the annotation for {counts['day right']} and differed for {counts['day wrong']}.

| year_source | right | wrong |
|---|---:|---:|
{lines}
"""
    write_section("Date inference on html-news (no manifest)", body)
    print(body)


if __name__ == "__main__":
    main()
