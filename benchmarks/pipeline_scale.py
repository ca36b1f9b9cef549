"""Whole-pipeline wall time and peak memory: the demo pipeline, and a 20,000-document run
with the local executor and with Dask (LocalCluster, 2 workers).

Run by hand (not in CI):  .venv/bin/python benchmarks/pipeline_scale.py [--docs 20000] [--skip-demo]

The 20k documents are real text: each distinct body passage (≥ 8 words) of our ingest of
../shared/corpus (cached in /tmp/discourse-bench, as benchmarks/run.py does) becomes one .txt
file with its year in a sources.csv; past the passages available, variants in which every
sentence is new text fill the count, and the section says how many. Peak memory is the largest summed RSS of the
`discourse run` process and all its descendants (Dask workers included), sampled every
0.2 s with psutil.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, commit, machine, timed_run, write_section  # noqa: E402

PIPELINE = """
[pipeline]
name = "bench"
inputs = ["docs"]
store = "bench.duckdb"
out = "out"
executor = "{executor}"
workers = {workers}

[topics]
seeds = 1
max_passages = 20000
hdbscan = {{ min_cluster_size = 40 }}

[trends]
year_bin = 10
window_years = 30
"""


def make_docs(folder: Path, n: int, work: Path) -> tuple[int, int]:
    """n one-passage documents: the distinct real passages of ../shared/corpus first (see
    run.py), then variants in which every sentence is new text. (The first version of this
    script cut State of the Union files at blank lines, which they mostly lack, and padded
    with sentence rotations that ingest rightly dropped as near-duplicates: 3,837 files,
    3,230 of them duplicates. Not a 20k-document run.)"""
    from run import real_then_variants
    from topics_scale import real_pool

    chosen, real = real_then_variants(real_pool(work), n)
    folder.mkdir(parents=True)
    rows = []
    for i, (year, text) in enumerate(chosen):
        name = f"p{i:06d}.txt"
        (folder / name).write_text(text + "\n", encoding="utf-8")
        rows.append({"file": name, "title": f"benchmark document {i}", "year": "" if year is None else year})
    with (folder / "sources.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "title", "year"])
        writer.writeheader()
        writer.writerows(rows)
    return len(chosen), real


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20000, help="0: the demo only")
    ap.add_argument("--skip-demo", action="store_true")
    args = ap.parse_args()
    discourse = str(Path(sys.executable).parent / "discourse")
    lines = ["| run | wall s | peak RSS MB (process tree) |", "|---|---:|---:|"]
    if not args.skip_demo:
        with tempfile.TemporaryDirectory() as tmp:
            demo = Path(tmp) / "pipelines"
            shutil.copytree(REPO / "pipelines", demo)
            shutil.copytree(REPO / "corpus", Path(tmp) / "corpus")
            seconds, peak, _ = timed_run([discourse, "run", str(demo / "demo.toml"), "--quiet"])
            again, _, _ = timed_run([discourse, "run", str(demo / "demo.toml"), "--quiet"])
        lines.append(f"| demo pipeline (`pipelines/demo.toml`, fresh store) | {seconds:.0f} | {peak:.0f} |")
        lines.append(f"| demo pipeline again (every stage skipped) | {again:.1f} | – |")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        made, real = make_docs(root / "docs", args.docs, Path("/tmp/discourse-bench")) if args.docs else (0, 0)
        for executor, workers in (("local", 2), ("dask", 2)) if args.docs else ():
            for leftover in [*root.glob("bench.duckdb*"), root / "out"]:
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)
            (root / "bench.toml").write_text(PIPELINE.format(executor=executor, workers=workers))
            seconds, peak, _ = timed_run([discourse, "run", str(root / "bench.toml"), "--json"])
            import json

            manifest = json.loads((root / "out" / "manifest.json").read_text())
            stages = ", ".join(f"{s['stage']} {s['seconds']:.0f}" for s in manifest["stages"])
            lines.append(f"| {made:,} documents ({real:,} real passages + {made - real:,} variants), "
                         f"{manifest['corpus']['passages']:,} passages, executor {executor}, {workers} workers "
                         f"(stage s: {stages}) | {seconds:.0f} | {peak:.0f} |")
            print(lines[-1], flush=True)
    title = "Pipeline: demo and 20k documents, local vs Dask" if args.docs else "Pipeline: demo"
    write_section(title, f"""
Command: `.venv/bin/python benchmarks/pipeline_scale.py --docs {args.docs}` (commit {commit()}).
Machine: {machine()}.
The demo is `discourse run pipelines/demo.toml` on a copy of the repo's pipelines and corpus. The large run makes one
.txt file per State of the Union paragraph, dated by a sources.csv, and runs every stage with the default model
(`tuned`: fine-tuned MiniLM logits + TF-IDF), one topic seed, `max_passages = 20000`, decades. Local = parsing in 2 forked
processes and embeddings in this process (torch uses both cores); Dask = a LocalCluster of 2 single-threaded worker
processes doing parsing and embeddings, results written by the one store writer.

{chr(10).join(lines)}
{"" if args.docs else "The 20,000-document runs were not made in this invocation (`--docs 0`)."}
""")


if __name__ == "__main__":
    main()
