"""How the framing models' grouped-CV macro-F1 grows with the number of real training
passages: would annotating more real text help, and by roughly how much?

In each of the 5 folds of `discourse train`'s cross-validation (training split only, grouped
by source file, real passages scored), the model is fitted on a random fraction of the
fit folds' real *source files* (all written passages always in), at the cell `discourse
train` chose for it (`models/framing/report.json`), and scored on the same held-out
passages as in the full CV. Fractions below 1 are averaged over three draws of files.

`tfidf` and `hybrid` only: their features do not learn from the labels (TF-IDF is refitted
per fit, MiniLM is frozen), so a smaller fit set is a fair smaller world. The `tuned`
model's encoder is fine-tuned on the labels, and a fair curve would fine-tune it again for
every fraction and draw (~10 min each on 2 cores); not done here.

Run by hand (not in CI): .venv/bin/python benchmarks/learning_curve.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, SHARED, commit, machine, write_section  # noqa: E402

FRACTIONS = (0.25, 0.5, 0.75, 1.0)
DRAWS = 3


def curve(name: str, cell: dict, train) -> list[tuple[float, float, float, int]]:
    """(fraction, mean CV macro-F1, spread over draws, mean real passages fitted) per fraction."""
    from sklearn.metrics import f1_score

    from discourse.framing import train as T
    from discourse.framing.model import FramingClassifier, grouped_folds

    texts, y = [e.text for e in train], np.array([e.label for e in train])
    groups = np.array(T._groups(train), dtype=object)
    w = T._weights(train, cell["written_weight"])
    folds = grouped_folds(y, list(groups), T.CV_FOLDS, 0)
    out = []
    for fraction in FRACTIONS:
        scores, fitted = [], []
        for draw in range(DRAWS if fraction < 1 else 1):
            rng = np.random.default_rng(draw)
            pred, n_real = np.empty(len(train), dtype=object), 0
            for fit, held in folds:
                files = sorted({g for g in groups[fit] if g is not None})
                keep = set(rng.choice(files, size=max(1, round(fraction * len(files))), replace=False).tolist())
                rows = np.array([i for i in fit if groups[i] is None or groups[i] in keep])
                n_real += sum(groups[i] is not None for i in rows)
                model = FramingClassifier(embedder=name, C=cell["C"], pooling=cell["pooling"], random_state=0,
                                          calibration_folds=0)
                model.fit([texts[i] for i in rows], y[rows], sample_weight=w[rows])
                pred[held] = model.predict([texts[i] for i in held])
            scored = np.concatenate([h for _, h in folds])
            scores.append(f1_score(y[scored], pred[scored].astype(str), average="macro"))
            fitted.append(n_real / len(folds))
        out.append((fraction, float(np.mean(scores)), float(np.ptp(scores)), round(float(np.mean(fitted)))))
        print(name, out[-1], flush=True)
    return out


def main() -> None:
    from discourse.framing.data import load_annotations
    from discourse.pipeline.framing import resolver

    report = json.loads((REPO / "models" / "framing" / "report.json").read_text())
    train = [e for e in load_annotations(REPO / "corpus" / "annotations", resolver(SHARED)) if e.split == "train"]
    started = time.perf_counter()
    rows = []
    for name in ("tfidf", "hybrid"):
        cell = report["models"][name]["cv"]
        for fraction, mean, spread, n_real in curve(name, cell, train):
            rows.append(f"| {name} | {fraction:.0%} | {n_real} | {mean:.3f} | {spread:.3f} |")
    write_section("Framing: learning curve over real training passages", f"""
Machine: {machine()}. Commit {commit()}. Command: `.venv/bin/python benchmarks/learning_curve.py`
({time.perf_counter() - started:.0f} s). Grouped 5-fold CV on the training split as in
`discourse train`, each fit on a fraction of its real source files (written passages always
in; draws averaged for fractions below 100 %), at each model's chosen cell; scored on the
same held-out real passages every time. "Spread" is the range over the {DRAWS} draws.

| model | real files fitted | real passages fitted (mean per fold) | CV macro-F1 | spread |
|---|---:|---:|---:|---:|
{chr(10).join(rows)}
""")


if __name__ == "__main__":
    main()
