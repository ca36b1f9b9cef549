"""Grouped cross-validation of the fine-tuned MiniLM alone (its own softmax head, no
stacking), on the training split only: how the fine-tuning settings of the `tuned` framing
model were compared. The real test split is not read.

Run by hand (not in CI; ~2 min per fold with 3 tuned layers on 2 cores):
    .venv/bin/python benchmarks/tuned_cv.py --layers 3 --epochs 5 --lr 1.5e-4
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, SHARED  # noqa: E402


def main() -> None:
    from sklearn.metrics import f1_score

    from discourse.framing.data import load_annotations
    from discourse.framing.model import grouped_folds
    from discourse.framing.train import CV_FOLDS, TUNE_WRITTEN_WEIGHT, _groups, _weights
    from discourse.framing.tuned import Tuner, TuneSettings
    from discourse.pipeline.framing import resolver

    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1.5e-4)
    ap.add_argument("--written-weight", type=float, default=TUNE_WRITTEN_WEIGHT)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    train = [e for e in load_annotations(REPO / "corpus" / "annotations", resolver(SHARED)) if e.split == "train"]
    y = np.array([e.label for e in train])
    classes = np.array(sorted(set(y)))
    yi, w, hard = np.searchsorted(classes, y), _weights(train, args.written_weight), np.array([e.hard for e in train])
    started = time.perf_counter()
    tuner = Tuner([e.text for e in train], TuneSettings(layers=args.layers, epochs=args.epochs, lr=args.lr))
    pred, folds = np.empty(len(train), dtype=object), []
    for fit, held in grouped_folds(y, _groups(train), CV_FOLDS, args.seed):
        state = tuner.fit(fit, yi[fit], w[fit], len(classes), args.seed)
        pred[held] = classes[tuner.logits(state, held).argmax(1)]
        folds.append(held)
        print(f"fold {len(folds)}: macro-F1 {f1_score(y[held], pred[held].astype(str), average='macro'):.3f}", flush=True)
    idx = np.concatenate(folds)
    scores = [f1_score(y[h], pred[h].astype(str), average="macro") for h in folds]
    print(json.dumps({**vars(args), "cv_macro_f1": round(float(f1_score(y[idx], pred[idx].astype(str), average="macro")), 4),
                      "fold_se": round(float(np.std(scores, ddof=1) / np.sqrt(len(scores))), 4),
                      "cv_hard_accuracy": round(float(np.mean(pred[idx][hard[idx]] == y[idx][hard[idx]])), 4),
                      "seconds": round(time.perf_counter() - started)}))


if __name__ == "__main__":
    main()
