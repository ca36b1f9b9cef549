"""Ingest speed against trafilatura alone on the same HTML pages (issue: ours >= 0.8x).

    .venv/bin/python benchmarks/ingest_speed.py [--repeats 3]

Both run in this one process on the same files (../shared/corpus/html-news, 208 real pages),
after a warm-up pass of each (trafilatura's date parser builds its locale tables on first
use). "trafilatura alone" is the very call `discourse ingest` makes, on the file's bytes:
`bare_extraction(with_metadata=True, include_comments=False, include_tables=True,
date_extraction_params={original_date, extensive_search})`. "discourse ingest" is the whole
library path into a fresh DuckDB store: decoding, extraction, chrome removal, piece
splitting, dating, language, passages, MinHash dedupe and the per-file transactions.
Runs alternate; the median of the repeats is reported. One worker, one process.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, commit, machine, write_section  # noqa: E402

OPTS = dict(with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params={"original_date": True, "extensive_search": True})


def trafilatura_alone(files: list[Path]) -> float:
    import trafilatura

    start = time.perf_counter()
    for path in files:
        trafilatura.bare_extraction(path.read_bytes(), **OPTS)
    return time.perf_counter() - start


def discourse_ingest(folder: Path, workers: int = 1) -> float:
    from discourse.pipeline import ingest

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = ingest([folder], Path(tmp) / "bench.duckdb", workers=workers)
        elapsed = time.perf_counter() - start
    assert summary.files_written > 0
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=SHARED / "html-news")
    args = parser.parse_args()
    originals = sorted(p for p in args.folder.iterdir() if p.suffix in (".html", ".htm"))
    if not originals:
        sys.exit(f"no HTML files in {args.folder} (needs ../shared/corpus/html-news)")
    with tempfile.TemporaryDirectory() as tmp:  # exactly the same files for both paths
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for p in originals:
            shutil.copy(p, folder / p.name)
        files = sorted(folder.iterdir())
        trafilatura_alone(files[:20]), discourse_ingest(folder)  # warm-up
        ours, ours2, theirs = [], [], []
        for _ in range(args.repeats):
            theirs.append(trafilatura_alone(files))
            ours.append(discourse_ingest(folder))
            ours2.append(discourse_ingest(folder, workers=2))
    t_med, o_med, o2_med = statistics.median(theirs), statistics.median(ours), statistics.median(ours2)
    t_rate, o_rate, o2_rate = len(files) / t_med, len(files) / o_med, len(files) / o2_med
    ratio, ratio2 = o_rate / t_rate, o2_rate / t_rate
    body = f"""
Command: `.venv/bin/python benchmarks/ingest_speed.py --repeats {args.repeats}` (commit {commit()}).
Machine: {machine()}.
Input: the {len(files)} HTML pages of `{args.folder}` ({sum(f.stat().st_size for f in originals) / 1e6:.1f} MB), copied to a temporary folder (no manifest) so both paths read exactly the same files.

| path | median seconds | pages/s | runs (s) |
|---|---:|---:|---|
| trafilatura alone (same call, same files) | {t_med:.2f} | {t_rate:.1f} | {', '.join(f'{x:.2f}' for x in theirs)} |
| `discourse ingest` (library path, fresh store, 1 process + writer thread) | {o_med:.2f} | {o_rate:.1f} | {', '.join(f'{x:.2f}' for x in ours)} |
| `discourse ingest --workers 2` (2 parser processes, same writer) | {o2_med:.2f} | {o2_rate:.1f} | {', '.join(f'{x:.2f}' for x in ours2)} |

Ratio ours / trafilatura, one process: **{ratio:.3f}**; with `--workers 2`: **{ratio2:.3f}**
(target ≥ 0.80). trafilatura alone uses one core; `--workers 2` uses both of this machine's.
`--workers 2` against one worker, same run: **{o_med / o2_med:.2f}×** (target ≥ 1.6). The store
writer commits several files per transaction (`Store.write_files`); with one transaction per
file (commit 8ba16cb and before) this ratio was 1.48.
"""
    write_section("Ingest vs trafilatura alone (HTML)", body)
    print(body)


if __name__ == "__main__":
    main()
