"""Inter-annotator agreement for the annotation set (the figures in README.md).

    .venv/bin/python corpus/annotations/agreement.py

Reads real.jsonl (label_a, label_b: the two independent annotations of each real passage;
label: the final label, adjudicated where they differ; for passages re-annotated under
scheme version 2 also label_v1, hard_v1, label_a2, label_b2 and adjudicated2), written_*.jsonl
(label: the author's intended label) and blind_written.jsonl (a blind annotator's label
for each written passage).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score, confusion_matrix

from discourse.framing.data import read_jsonl as _jsonl

HERE = Path(__file__).parent
LABELS = ["collaborative", "heroic", "neutral"]


def _report(name: str, a: list[str], b: list[str]) -> str:
    kappa = cohen_kappa_score(a, b)
    agree = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    cm = confusion_matrix(a, b, labels=LABELS)
    rows = "\n".join(f"| {lab} | " + " | ".join(str(v) for v in row) + " |" for lab, row in zip(LABELS, cm, strict=True))
    return (f"### {name}\n\nn = {len(a)}, raw agreement {agree:.3f}, Cohen's κ **{kappa:.3f}**\n\n"
            f"| first \\ second | {' | '.join(LABELS)} |\n|---|---:|---:|---:|\n{rows}\n")


def main() -> None:
    real = _jsonl(HERE / "real.jsonl")
    out = [_report("Real passages (two independent annotators)", [r["label_a"] for r in real], [r["label_b"] for r in real])]
    adjudicated = [r for r in real if r["adjudicated"]]
    out.append(f"Adjudicated: {len(adjudicated)} disagreements → final labels {dict(Counter(r['label'] for r in adjudicated))}.\n")
    third = [r for r in real if r["batch"] == 3]
    if third:
        out.append(_report("Batch 3 alone (scheme version 2 from the start)", [r["label_a"] for r in third],
                           [r["label_b"] for r in third]))
    for split in ("train", "test"):
        again = [r for r in real if "label_a2" in r and r["split"] == split]
        if not again:
            continue
        out.append(_report(f"Re-annotation of the {split} split under scheme version 2 (two new independent annotators)",
                           [r["label_a2"] for r in again], [r["label_b2"] for r in again]))
        adj2 = [r for r in again if r["adjudicated2"]]
        moved = Counter(f"{r['label_v1']} → {r['label']}" for r in again if r["label_v1"] != r["label"])
        out.append(f"Adjudicated: {len(adj2)} disagreements → final labels {dict(Counter(r['label'] for r in adj2))}. "
                   f"Final label changed from version 1 on {sum(moved.values())} of {len(again)} passages: {dict(moved)}.\n")
    written = [r for p in sorted(HERE.glob("written_*.jsonl")) for r in _jsonl(p)]
    second = {r["id"]: r for r in _jsonl(HERE / "blind_written.jsonl")} if (HERE / "blind_written.jsonl").is_file() else {}
    both = [r for r in written if r["id"] in second]
    if both:
        out.append(_report("Written passages (author's intended label vs a blind annotator)",
                           [r["label"] for r in both], [second[r["id"]]["label"] for r in both]))
    for split in ("train", "test"):
        rs = [r for r in real if r["split"] == split]
        out.append(f"Real {split}: {len(rs)} passages, labels {dict(Counter(r['label'] for r in rs))}, "
                   f"hard {sum(r['hard'] for r in rs)}, corpora {dict(Counter(r['corpus'] for r in rs))}.")
    out.append(f"Written: {len(written)} passages, labels {dict(Counter(r['label'] for r in written))}, hard {sum(r['hard'] for r in written)}.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
