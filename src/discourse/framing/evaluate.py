"""Metrics for framing predictions: per-class precision/recall/F1, macro-F1, hard-case
accuracy, expected calibration error and the confusion matrix."""

from __future__ import annotations

import numpy as np

__all__ = ["expected_calibration_error", "metrics"]


def expected_calibration_error(proba: np.ndarray, y_true_idx: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-class probability over equal-width bins (weighted by bin size)."""
    if len(proba) == 0:
        return float("nan")
    conf = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y_true_idx
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            ece += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(ece)


def metrics(classes: list[str], y_true: list[str], proba: np.ndarray, hard: list[bool] | None = None,
            abstain_below: float | None = None) -> dict:
    """All evaluation figures for one model on one labelled set."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    classes = list(classes)
    y_true = np.asarray(y_true)
    y_idx = np.array([classes.index(t) for t in y_true])
    y_pred = np.asarray(classes)[proba.argmax(axis=1)] if len(proba) else np.array([])
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
    out = {
        "n": int(len(y_true)),
        "accuracy": float(np.mean(y_pred == y_true)) if len(y_true) else float("nan"),
        "macro_f1": float(np.mean(f)),
        "per_class": {c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(n[i])}
                      for i, c in enumerate(classes)},
        "ece": expected_calibration_error(proba, y_idx),
        "confusion": {"labels": classes, "matrix": confusion_matrix(y_true, y_pred, labels=classes).tolist()},
    }
    if hard is not None:
        hard = np.asarray(hard, dtype=bool)
        out["hard_n"] = int(hard.sum())
        out["hard_accuracy"] = float(np.mean(y_pred[hard] == y_true[hard])) if hard.any() else float("nan")
    if abstain_below is not None:
        kept = proba.max(axis=1) >= abstain_below
        out["abstain_below"] = abstain_below
        out["abstain_rate"] = float(1 - kept.mean())
        out["accuracy_when_answered"] = float(np.mean(y_pred[kept] == y_true[kept])) if kept.any() else float("nan")
    return out
