"""Train the framing models from the annotation set, evaluate them on the real-only test
split (which no training or tuning touches) and write the model card."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from pathlib import Path

from discourse.errors import DiscourseError
from discourse.framing.codebook import SCHEME_VERSION
from discourse.framing.data import Example
from discourse.framing.evaluate import metrics
from discourse.framing.model import FramingClassifier, LexiconClassifier
from discourse.framing.persist import save_model, set_default

__all__ = ["train_models"]

logger = logging.getLogger(__name__)
GRID = {"minilm": [0.5, 2.0, 8.0], "tfidf": [2.0, 8.0, 32.0], "hybrid": [1.0, 4.0, 16.0]}


def _select_C(name: str, texts: list[str], labels: list[str], seed: int) -> tuple[float, dict]:
    """Pick C by 5-fold cross-validated macro-F1 on the training split only."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    scores = {}
    for C in GRID[name]:
        model = FramingClassifier(embedder=name, C=C, random_state=seed, calibration_folds=3)
        pred = cross_val_predict(model, texts, labels, cv=StratifiedKFold(5, shuffle=True, random_state=seed))
        scores[C] = float(f1_score(labels, pred, average="macro"))
    return max(scores, key=scores.get), scores


def _summary(examples: list[Example]) -> dict:
    return {
        "n": len(examples),
        "by_origin": dict(Counter(e.origin for e in examples)),
        "by_label": dict(Counter(e.label for e in examples)),
        "hard": sum(e.hard for e in examples),
        "real_by_corpus": dict(Counter(e.corpus for e in examples if e.origin == "real")),
    }


def train_models(examples: list[Example], out: str | Path,
                 models: tuple[str, ...] = ("minilm", "tfidf"), seed: int = 0) -> dict:
    """Fit each model on the train split, score all (plus the lexicon) on the real test
    split, save the models and return the report that the model card is written from."""
    train = [e for e in examples if e.split == "train"]
    test = [e for e in examples if e.split == "test" and e.origin == "real"]
    if not test:
        raise DiscourseError("framing.train: no real test examples; the real annotations need ../shared/corpus")
    x_train, y_train = [e.text for e in train], [e.label for e in train]
    x_test, y_test, hard = [e.text for e in test], [e.label for e in test], [e.hard for e in test]
    report = {"scheme_version": SCHEME_VERSION, "seed": seed, "train": _summary(train), "test": _summary(test), "models": {}}
    lex = LexiconClassifier().fit(x_train, y_train)
    report["models"]["lexicon"] = {"test": metrics(lex.classes_, y_test, lex.predict_proba(x_test), hard)}
    for name in models:
        started = time.perf_counter()
        C, cv = _select_C(name, x_train, y_train, seed)
        model = FramingClassifier(embedder=name, C=C, random_state=seed).fit(x_train, y_train)
        proba = model.predict_proba(x_test)
        entry = {"C": C, "cv_macro_f1": cv, "temperature": model.temperature_,
                 "test": metrics(model.classes_, y_test, proba, hard, abstain_below=model.abstain_below),
                 "seconds": round(time.perf_counter() - started, 1)}
        save_model(model, out, extra={"C": C, "test_macro_f1": entry["test"]["macro_f1"]})
        report["models"][name] = entry
        logger.info("%s: C=%s test macro-F1 %.3f", name, C, entry["test"]["macro_f1"])
    learned = [n for n in models if n != "tfidf"] or list(models)
    report["default"] = max(learned, key=lambda n: max(report["models"][n]["cv_macro_f1"].values()))
    set_default(out, report["default"])
    (Path(out) / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    return report


