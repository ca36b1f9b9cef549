"""The shipped framing model against the same model at an earlier commit, on the same real
test split: paired bootstrap of the difference in macro-F1 and hard-case accuracy.

The test split is small (251 passages), so a difference between two models is only worth
reporting with its interval. Both models predict every test passage; each resample draws
passages with replacement and scores both models on the same draw.

Run by hand (not in CI):
    .venv/bin/python benchmarks/paired_test.py 51ef506 [--model tuned] [--resamples 2000]
The earlier model's files are read from `git archive` of that commit into a temporary folder,
and loaded only after their sha256 match the manifest committed with them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, SHARED, commit, machine, write_section  # noqa: E402


def _earlier_models(rev: str, into: Path) -> Path:
    tar = subprocess.run(["git", "-C", str(REPO), "archive", rev, "models/framing"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar, check=True)
    return into / "models" / "framing"


def paired(y: np.ndarray, hard: np.ndarray, old: np.ndarray, new: np.ndarray, resamples: int, seed: int = 0) -> dict:
    """Mean and 95 % interval of new − old in macro-F1 and hard-case accuracy."""
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(seed)
    f1, acc = [], []
    for _ in range(resamples):
        i = rng.integers(0, len(y), len(y))
        f1.append(f1_score(y[i], new[i], average="macro") - f1_score(y[i], old[i], average="macro"))
        h = i[hard[i]]
        acc.append(np.mean(new[h] == y[h]) - np.mean(old[h] == y[h]))
    return {k: (float(np.mean(v)), *np.percentile(v, [2.5, 97.5])) for k, v in (("macro-F1", f1), ("hard-case acc.", acc))}


def main() -> None:
    from sklearn.metrics import f1_score

    from discourse.framing.data import load_annotations
    from discourse.framing.persist import load_model, model_id
    from discourse.pipeline.framing import resolver

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the earlier commit")
    ap.add_argument("--model", default="tuned")
    ap.add_argument("--resamples", type=int, default=2000)
    args = ap.parse_args()
    test = [e for e in load_annotations(REPO / "corpus" / "annotations", resolver(SHARED))
            if e.split == "test" and e.origin == "real"]
    texts, y, hard = [e.text for e in test], np.array([e.label for e in test]), np.array([e.hard for e in test])
    with tempfile.TemporaryDirectory() as tmp:
        folders = {"earlier": _earlier_models(args.rev, Path(tmp)), "shipped": REPO / "models" / "framing"}
        ids = {k: model_id(f, args.model) for k, f in folders.items()}
        pred = {k: load_model(f, args.model).predict(texts) for k, f in folders.items()}
    rows = [f"| {k} (`{ids[k]}`) | {f1_score(y, pred[k], average='macro'):.3f} | {np.mean(pred[k][hard] == y[hard]):.3f} |"
            for k in ("earlier", "shipped")]
    diff = paired(y, hard, pred["earlier"], pred["shipped"], args.resamples)
    lines = [f"| {k} | {m:+.3f} | [{lo:+.3f}, {hi:+.3f}] |" for k, (m, lo, hi) in diff.items()]
    body = f"""
Machine: {machine()}. Commit {commit()}. Command: `.venv/bin/python benchmarks/paired_test.py {args.rev}`
(model `{args.model}`; {len(test)} real test passages, {int(hard.sum())} hard; {args.resamples} paired
bootstrap resamples of passages, seed 0; {int((pred['earlier'] != pred['shipped']).sum())} predictions differ).

| model | macro-F1 | hard-case acc. |
|---|---:|---:|
{chr(10).join(rows)}

| shipped − earlier | mean | 95 % interval |
|---|---:|---|
{chr(10).join(lines)}
"""
    print(body)
    write_section(f"Framing: shipped `{args.model}` against commit {args.rev}, paired on the test split", body)


if __name__ == "__main__":
    main()
