"""The whole `discourse run` at 1k, 10k and 100k passages: wall time, passages/s and peak
memory per stage (ingest, label — which embeds —, topics, trends, report), and how each
grows with corpus size.

Run by hand (not in CI), on a quiet machine:

    .venv/bin/python benchmarks/run.py [--sizes 1000 10000 100000] [--embedder minilm|fast]

Corpus: the body passages (≥ 8 words) of our own ingest of ../shared/corpus (sotu,
html-news, leadership-web, seeds), shuffled with a fixed seed. Past the distinct real
passages there are (about 24k), light variants fill the size: sentence order rotated and
one word dropped from every sentence of six words or more, so that every passage *and*
every sentence is new text (the embedding cache cannot make a variant cheaper than a real
passage). The passages are sorted by year and written ten to a plain-text file (one
passage per paragraph) with a sources.csv giving each file's year; ingest reads them as
any corpus. Each size runs `discourse run` once, fresh, in its own process tree with the
local executor and 2 workers; its manifest gives each stage's seconds, rows and the main
process's peak RSS, and psutil samples the whole process tree (workers included) every
0.2 s for the run's peak.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import commit, machine, timed_run, write_section  # noqa: E402
from topics_scale import real_pool  # noqa: E402

_SENT = re.compile(r"(?<=[.!?])\s+")
STAGES = ("ingest", "label", "topics", "trends", "report")
PIPELINE = """
[pipeline]
name = "bench-{size}"
inputs = ["docs"]
store = "bench.duckdb"
out = "out"
executor = "local"
workers = 2

[label]
model = "{model}"

[topics]
embedder = "{embedder}"
seeds = 1
max_passages = 20000
hdbscan = {{ min_cluster_size = {min_cluster} }}

[trends]
year_bin = 10
window_years = 30
"""


def variant(text: str, k: int) -> str:
    """Sentence order rotated by k; from each sentence of ≥ 6 words, word k mod n dropped."""
    parts = [s for s in _SENT.split(text) if s]
    k_rot = k % len(parts) if len(parts) > 1 else 0
    parts = parts[k_rot:] + parts[:k_rot]
    out = []
    for sentence in parts:
        words = sentence.split()
        if len(words) >= 6:
            drop = k % (len(words) - 1)  # never the last word (keeps the sentence's full stop)
            words = words[:drop] + words[drop + 1:]
        out.append(" ".join(words))
    return " ".join(out)


def real_then_variants(pool: tuple[list[str], list], size: int) -> tuple[list[tuple], int]:
    """`size` (year, text) pairs: the real passages first, then variants of them (round k uses
    `variant(text, k)`), never a text twice. Returns them and how many are real."""
    texts, years = pool
    chosen = list(zip(years[:size], texts[:size], strict=True))
    real, k, seen = len(chosen), 1, set(texts)
    while len(chosen) < size:
        for year, text in zip(years, texts, strict=True):
            v = variant(text, k)
            if v not in seen:
                seen.add(v)
                chosen.append((year, v))
                if len(chosen) == size:
                    break
        k += 1
    return chosen, real


def make_corpus(folder: Path, pool: tuple[list[str], list], size: int) -> tuple[int, int]:
    chosen, real = real_then_variants(pool, size)
    chosen.sort(key=lambda yt: (yt[0] is None, yt[0] or 0))
    folder.mkdir(parents=True)
    rows = []
    for i in range(0, len(chosen), 10):
        group = chosen[i:i + 10]
        name = f"d{i // 10:06d}.txt"
        (folder / name).write_text("\n\n".join(t for _, t in group) + "\n", encoding="utf-8")
        year = group[0][0]
        rows.append({"file": name, "title": f"benchmark document {i // 10}", "year": "" if year is None else year})
    with (folder / "sources.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "title", "year"])
        writer.writeheader()
        writer.writerows(rows)
    return len(chosen), real


def one_size(work: Path, pool, size: int, embedder: str) -> dict:
    root = work / f"n{size}"
    shutil.rmtree(root, ignore_errors=True)
    made, real = make_corpus(root / "docs", pool, size)
    (root / "bench.toml").write_text(PIPELINE.format(
        size=size, embedder=embedder, model="fast" if embedder == "fast" else "default",
        min_cluster=max(10, min(size, 20000) // 500)))
    discourse = str(Path(sys.executable).parent / "discourse")
    pss: list[float] = []
    seconds, peak, _ = timed_run([discourse, "run", str(root / "bench.toml"), "--quiet"], pss=pss)
    manifest = json.loads((root / "out" / "manifest.json").read_text())
    shutil.rmtree(root / "docs", ignore_errors=True)
    return {"size": size, "made": made, "real": real, "seconds": seconds, "peak_tree_mb": peak, "peak_tree_pss_mb": pss[0],
            "passages": manifest["corpus"]["passages"], "stages": {s["stage"]: s for s in manifest["stages"]}}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--embedder", default="minilm", choices=["minilm", "fast"])
    ap.add_argument("--work", type=Path, default=Path("/tmp/discourse-bench"))
    ap.add_argument("--keep", action="store_true",
                    help="rerun only --sizes; keep the other sizes' results from the last run (work/results-*.json)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    pool = real_pool(args.work)  # every distinct real passage (the ingest is cached in --work)
    results = []
    for size in args.sizes:
        load = _load()
        row = one_size(args.work, pool, size, args.embedder)
        row["load"] = load
        results.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "stages"}), flush=True)
    saved = args.work / f"results-{args.embedder}.json"
    if args.keep and saved.exists():
        rerun = {r["size"] for r in results}
        results += [r for r in json.loads(saved.read_text()) if r["size"] not in rerun]
        results.sort(key=lambda r: r["size"])
    saved.write_text(json.dumps(results, indent=2))
    write_section(f"Scale: the whole discourse run ({args.embedder})", report(results, args))


def report(results: list[dict], args) -> str:
    head = "| passages in (real + variants) | passages stored | " + " | ".join(STAGES) + " | whole run | peak memory, process tree (PSS / RSS sum) | load before |"
    lines = [head, "|---" * (len(STAGES) + 5) + "|"]
    for r in results:
        cells = []
        for s in STAGES:
            st = r["stages"].get(s, {})
            sec = st.get("seconds", 0.0)
            rate = f", {r['passages'] / sec:,.0f}/s" if sec and s in ("ingest", "label", "topics") else ""
            cells.append(f"{sec:.1f} s{rate}, {st.get('peak_rss_mb') or 0:,.0f} MiB")
        lines.append(f"| {r['made']:,} ({r['real']:,} + {r['made'] - r['real']:,}) | {r['passages']:,} | " + " | ".join(cells)
                     + f" | {r['seconds']:.0f} s | {r['peak_tree_pss_mb']:,.0f} / {r['peak_tree_mb']:,.0f} MiB | {r['load']} |")
    growth = []
    by_size = sorted(results, key=lambda r: r["size"])
    for small, big in zip(by_size, by_size[1:], strict=False):
        ratio_n = big["passages"] / small["passages"]
        parts = []
        for s in STAGES:
            a, b = small["stages"].get(s, {}).get("seconds", 0), big["stages"].get(s, {}).get("seconds", 0)
            if a:
                parts.append(f"{s} ×{b / a:.1f}")
        parts.append(f"whole run ×{big['seconds'] / small['seconds']:.1f}")
        growth.append(f"- {small['passages']:,} → {big['passages']:,} passages (×{ratio_n:.1f}): " + ", ".join(parts))
    largest = by_size[-1]
    verdict = (f"Against issue 7's targets, at {largest['passages']:,} passages: whole run {largest['seconds']:.0f} s "
               f"({'under' if largest['seconds'] < 900 else 'over'} 900 s); process-tree peak "
               f"{largest['peak_tree_pss_mb'] / 1024:.2f} GiB as PSS, {largest['peak_tree_mb'] / 1024:.2f} GiB as a plain RSS "
               f"sum (target: under 4 GiB).")
    return f"""
Command: `.venv/bin/python benchmarks/run.py --sizes {' '.join(str(r['size']) for r in results)} --embedder {args.embedder}` (commit {commit()}{'; sizes ' + ', '.join(str(s) for s in args.sizes) + ' rerun with --keep' if args.keep else ''}).
Machine: {machine()}.
Each size: a fresh `discourse run` (local executor, 2 workers, `[topics] max_passages = 20000` so BERTopic fits on
a sample and transforms the rest, one seed, `min_cluster_size` = sample/500). Every cell is wall seconds, the
stage's rate in passages stored per second, and the peak RSS of the main process during that stage (from the
run manifest); "peak memory, process tree" sums the run and its worker processes, as PSS (shared pages
divided between the processes that share them: the memory actually used) and as a plain sum of RSS (which
counts pages shared by the forked workers once per process). The label stage includes the default model's
embedding pass, cached in the store: with `tuned` one pass gives its logits and the base MiniLM vectors that
topics reuse (with `hybrid`, before it, a passage pass and a sentence pass).

{chr(10).join(lines)}

Growth of each stage's time with corpus size (linear would be the passage ratio):
{chr(10).join(growth)}

{verdict}
"""


if __name__ == "__main__":
    main()
