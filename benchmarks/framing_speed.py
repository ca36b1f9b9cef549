"""Framing speed: passages/s of `discourse classify` per model, and the cold wall time of
`discourse score` on a one-page file against `python -c "import sklearn"`.

    .venv/bin/python benchmarks/framing_speed.py [--passages 2000] [--repeats 5]

Passages are distinct real ones from ../shared/corpus (ingested to a temporary store).
Cold times are whole fresh processes (median of the repeats).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, SHARED, commit, machine, write_section  # noqa: E402

BIN = Path(sys.executable).parent


def _passages(n: int, tmp: Path) -> Path:
    import duckdb

    from discourse.pipeline import ingest

    db = tmp / "p.duckdb"
    ingest([SHARED / "leadership-web", SHARED / "seeds", SHARED / "sotu"], db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT min(passage_id), text FROM passages WHERE kind = 'body' GROUP BY text "
                       "ORDER BY hash(text) LIMIT ?", [n]).fetchall()  # distinct texts: no cache hits
    con.close()
    path = tmp / "in.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"{i}-{pid}", "text": t}) for i, (pid, t) in enumerate(rows)))
    return path


def _timed(cmd: list[str], **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=REPO, **kw)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from discourse.framing.persist import DEFAULT_MODEL_DIR

    manifest = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text())
    models = sorted(manifest["models"])
    rows, cold = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inp = _passages(args.passages, tmp)
        for name in models:
            secs = _timed([str(BIN / "discourse"), "classify", str(inp), "--out", str(tmp / "out.jsonl"), "--model", name])
            rows.append(f"| `discourse classify --model {name}` | {args.passages} | {secs:.1f} | {args.passages / secs:.0f} |")
        page = SHARED / "seeds" / "001_6ae95b4a7f1d639a.txt"  # one page of text (6 KB)
        cold["python -c 'import sklearn'"] = [_timed([sys.executable, "-c", "import sklearn"]) for _ in range(args.repeats)]
        for name in models:
            cold[f"discourse score <one page> --model {name}"] = [
                _timed([str(BIN / "discourse"), "score", str(page), "--model", name]) for _ in range(args.repeats)]
    cold_rows = "\n".join(f"| `{k}` | {statistics.median(v):.2f} | {', '.join(f'{x:.2f}' for x in v)} |" for k, v in cold.items())
    body = f"""
Command: `.venv/bin/python benchmarks/framing_speed.py --passages {args.passages} --repeats {args.repeats}` (commit {commit()}).
Machine: {machine()}.
Passages: {args.passages} distinct real body passages (leadership-web, seeds, State of the Union), so the
in-process embedding cache never hits.
Classify times are whole processes (start-up and model load included).

| command | passages | seconds | passages/s |
|---|---:|---:|---:|
{chr(10).join(rows)}

Cold start (fresh process each time; median of {args.repeats}):

| command | median s | runs |
|---|---:|---|
{cold_rows}
"""
    write_section("Framing: classify throughput and score cold start", body)
    print(body)


if __name__ == "__main__":
    main()
