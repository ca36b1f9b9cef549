"""The re-annotation of real passages under scheme version 2, kept for the record.

    .venv/bin/python corpus/annotations/relabel_v2.py export --out /tmp/relabel [--split test]
    .venv/bin/python corpus/annotations/relabel_v2.py merge --out /tmp/relabel [--split test]

`export` writes the pool *outside the repo* (it holds third-party text): every State of the
Union passage of the split and every passage of the split whose version-1 annotators
disagreed, shuffled with a fixed seed into `chunk1.jsonl` and `chunk2.jsonl` (id and text
only: the annotators never saw a version-1 label or a model's output). The training split
was done first; the test split after, by the same procedure with new annotators, in its own
directory, before any model was chosen or scored on its version-2 labels.

Two annotators labelled both chunks independently (`out_A1/A2.jsonl`, `out_B1/B2.jsonl`:
id, label, hard); a third decided their disagreements without seeing the version-1 label
(`adjudicated.jsonl`: id, label, reason). `merge` writes the result into real.jsonl: for each
re-annotated passage `label_v1` and `hard_v1` keep the old label and hard flag, `label_a2`/`label_b2` the new
annotations, `adjudicated2` whether they differed, and `label`/`hard` become the version-2
decision (hard when both annotators flagged it, or when they disagreed on the label: one
annotator flagged generously, counting "hero" said of soldiers as misleading vocabulary).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from discourse.framing.data import decide
from discourse.framing.data import read_jsonl as _jsonl

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "corpus"


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def pool(rows: list[dict], split: str) -> list[dict]:
    """The passages re-annotated in `split`: State of the Union or adjudicated in version 1.
    Only version-1 fields are used, so the selection is the same after `merge`."""
    return [r for r in rows if r["split"] == split and (r["corpus"] == "sotu" or r["adjudicated"])]


def export(out: Path, split: str) -> None:
    from discourse.pipeline.framing import resolver

    resolve = resolver(SHARED)
    items = [{"id": r["id"], "text": resolve(r)} for r in pool(_jsonl(HERE / "real.jsonl"), split)]
    random.Random(7).shuffle(items)
    out.mkdir(parents=True, exist_ok=True)
    half = len(items) // 2
    _write(out / "chunk1.jsonl", items[:half])
    _write(out / "chunk2.jsonl", items[half:])


def merge(out: Path, split: str) -> None:
    a = {r["id"]: r for c in (1, 2) for r in _jsonl(out / f"out_A{c}.jsonl")}
    b = {r["id"]: r for c in (1, 2) for r in _jsonl(out / f"out_B{c}.jsonl")}
    adj = {r["id"]: r for r in _jsonl(out / "adjudicated.jsonl")} if (out / "adjudicated.jsonl").is_file() else {}
    rows = _jsonl(HERE / "real.jsonl")
    for r in pool(rows, split):
        i = r["id"]
        label, hard, differ = decide(i, a, b, adj)
        r.setdefault("label_v1", r["label"])
        r.setdefault("hard_v1", r["hard"])
        r.update({"label_a2": a[i]["label"], "label_b2": b[i]["label"], "adjudicated2": differ,
                  "label": label, "hard": hard})
    _write(HERE / "real.jsonl", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("export", "merge"))
    parser.add_argument("--out", type=Path, required=True, help="a directory outside the repo")
    parser.add_argument("--split", choices=("train", "test"), default="train")
    args = parser.parse_args()
    export(args.out, args.split) if args.step == "export" else merge(args.out, args.split)


if __name__ == "__main__":
    main()
