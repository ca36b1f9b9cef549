"""Variants of the default `tuned` framing model, compared by the grouped cross-validation
that chose it (training split only, real passages scored; the test split is not read).

Each variant changes one thing and keeps the chosen cell of `models/framing/report.json`
(written weight, TF-IDF blend) with the best C of the tuned grid:

- `shipped`: the encoder as trained (fold seed and init seed 0, written passages at 0.3).
- `offsets`: per-class logit offsets added to the head's out-of-fold logits, chosen in a
  nested loop (on the other four folds) to maximise macro-F1: is the balanced decision
  rule the best one for this label mix?
- `negation`: TF-IDF tokens inside a negation scope (after "not", "never", "rather than",
  "instead of", "myth of", ... up to the next punctuation) get a `neg_` prefix, the classic
  negation marking for bag-of-words stance features.
- `seeds`: the encoder's out-of-fold logits averaged over init seeds 0 and 1 (same folds).
- `spans`: the tuned encoder's head applied to each sentence span of the passage's final
  token states (one pass); the maximum logit per class over sentences is stacked next to
  the passage logits, for a stance carried by one sentence.
- `written`: the encoder fine-tuned with written passages at weight 1.0 instead of 0.3.
- `layers4`: the top 4 layers fine-tuned instead of 3.
- `full6`: all 6 layers fine-tuned at 5e-5 (the usual rate for a whole-model fine-tune;
  the exploration in `benchmarks/tuned_cv.py` stopped all 6 at 1e-4 after one fold). Not run
  yet: its encoder logits take about 40 min here.
- `embeddings`: the frozen MiniLM features of the `hybrid` model (passage vector and the
  mean and max of its sentence spans) stacked next to the tuned logits in the same head:
  does the head gain from what the frozen encoder sees next to the fine-tuned one?

Run by hand (not in CI). The encoder's out-of-fold logits take ~10 min per setting on 2
cores and are cached in the temporary directory, keyed by the annotation files and setting:
    .venv/bin/python benchmarks/stack_variants.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, SHARED, commit, machine, write_section  # noqa: E402

ANNOTATIONS = REPO / "corpus" / "annotations"
# opens a negation scope; the scope ends at clause punctuation or "but"
NEGATOR = re.compile(r"\b(not|no|never|nobody|nothing|nor|without|isn't|aren't|wasn't|weren't|doesn't|don't|"
                     r"didn't|won't|can't|cannot|rather than|instead of|away from|stop|myth of|beyond)\b")
SCOPE_END = re.compile(r"[.,;:!?\u2014\u2013()\"\u201c\u201d]|\bbut\b")
WORD = re.compile(r"\w\w+")


def mark_negation(text: str, limit: int = 8) -> str:
    """Prefix `neg_` to the first `limit` words after each negator, up to the scope's end."""
    out, pos = [], 0
    for m in NEGATOR.finditer(text):
        if m.start() < pos:
            continue
        rest = text[m.end():]
        end = SCOPE_END.search(rest)
        scope = rest[:end.start()] if end else rest
        out.append(text[pos:m.end()])
        last = 0
        for k, word in enumerate(WORD.finditer(scope)):
            if k == limit:
                break
            out += [scope[last:word.start()], "neg_", word.group(0)]
            last = word.end()
        out.append(scope[last:])
        pos = m.end() + len(scope)
    return "".join(out) + text[pos:]


@contextmanager
def negation_marked_tfidf():
    """Every TfidfVectorizer built inside marks negation scopes after its own lower-casing."""
    import sklearn.feature_extraction.text as text

    original = text.TfidfVectorizer

    class Marked(original):
        def build_preprocessor(self):
            base = super().build_preprocessor()
            return lambda doc: mark_negation(base(doc))

    text.TfidfVectorizer = Marked
    try:
        yield
    finally:
        text.TfidfVectorizer = original


def encoder_oof(train, init_seed: int, written: float, layers: int, spans: bool, lr: float | None = None) -> np.ndarray:
    """Out-of-fold logits of every training passage (the folds `fit_stack` uses with seed 0),
    with the sentence-span maxima appended when `spans`. Cached by input and setting."""
    from discourse.framing import train as T
    from discourse.framing.tuned import Tuner, TuneSettings, stack_folds

    digest = hashlib.sha256()
    for path in sorted(ANNOTATIONS.glob("*.jsonl")):
        digest.update(path.read_bytes())
    digest.update(repr((init_seed, written, layers, spans) + ((lr,) if lr is not None else ())).encode())
    cache = Path(tempfile.gettempdir()) / f"discourse-stack-{digest.hexdigest()[:16]}.npy"
    if cache.exists():
        return np.load(cache)
    y = np.array([e.label for e in train])
    yi = np.searchsorted(np.array(sorted(set(y))), y)
    texts, w = [e.text for e in train], T._weights(train, written)
    tuner = Tuner(texts, TuneSettings(layers=layers) if lr is None else TuneSettings(layers=layers, lr=lr))
    out = np.zeros((len(train), 6 if spans else 3), np.float32)
    for fit, held in stack_folds(T._groups(train), yi, T.CV_FOLDS, 0):
        state = tuner.fit(fit, yi[fit], w[fit], 3, init_seed)
        out[held] = span_logits(tuner, state, [texts[j] for j in held], held) if spans else tuner.logits(state, held)
        print(f"  fold done ({cache.name})", flush=True)
    np.save(cache, out)
    return out


def span_logits(tuner, state: dict, texts: list[str], rows: np.ndarray) -> np.ndarray:
    """(passage logits, per-class maximum over the sentence spans' logits) for `rows`."""
    import torch
    import torch.nn.functional as F

    from discourse.framing.embed import _LAYERS, _run_layers, mean_pool, token_sentences
    from discourse.framing.tuned import _SCALE, _pad

    params = {k: torch.from_numpy(v) for k, v in state.items() if k.startswith("encoder.")}
    weight, bias = torch.from_numpy(state["head.weight"]), torch.from_numpy(state["head.bias"])
    out = np.zeros((len(rows), 6), np.float32)
    for i, (text, row, enc) in enumerate(zip(texts, rows, tuner.base.tokenizer.encode_batch([t or " " for t in texts]),
                                             strict=True)):
        sentence, content = token_sentences(text or " ", enc)
        sentence[~content] = -1
        with torch.inference_mode():
            x, mask = _pad([tuner.states[row]])
            h = _run_layers(x, mask, params, range(tuner.bottom, _LAYERS))
            passage = (mean_pool(h, mask) * _SCALE) @ weight.T + bias
            spans = [h[0, :len(sentence)][torch.from_numpy(sentence == k)].mean(0) for k in np.unique(sentence[sentence >= 0])]
            best = ((F.normalize(torch.stack(spans), dim=-1) * _SCALE) @ weight.T + bias).max(0).values if spans else passage[0]
        out[i] = np.concatenate([passage[0].numpy(), best.numpy()])
    return out


def head_cv(train, oof: np.ndarray, cell: dict, tfidf_cell: dict) -> dict:
    """The best C of the tuned grid, with the chosen written weight and blend."""
    from discourse.framing import train as T

    cells = [T._cv_score("tuned", train, C, cell["written_weight"], 0, "passage", (None, oof), cell["blend"], tfidf_cell)
             for C in T.GRID["tuned"]]
    return max(cells, key=lambda c: (c["macro_f1"], c["hard_accuracy"]))


def nested_offsets(train, oof: np.ndarray, cell: dict, tfidf_cell: dict) -> dict:
    """Macro-F1 with per-class logit offsets chosen on the other folds' out-of-fold logits."""
    from sklearn.metrics import f1_score

    from discourse.framing import train as T
    from discourse.framing.model import FramingClassifier, grouped_folds

    texts, y = [e.text for e in train], np.array([e.label for e in train])
    w, blend = T._weights(train, cell["written_weight"]), T._blend_args(train, cell["blend"], tfidf_cell)
    logits, folds = np.zeros((len(train), 3)), []
    for fit, held in grouped_folds(y, T._groups(train), T.CV_FOLDS, 0):
        model = FramingClassifier(embedder="tuned", C=cell["C"], random_state=0, calibration_folds=0, **blend["params"])
        model.fit([texts[i] for i in fit], y[fit], sample_weight=w[fit], blend_weight=blend["blend_weight"][fit],
                  tuned=(T._Lookup(texts, oof), oof[fit], None))
        logits[held] = model._logits(model._features([texts[i] for i in held]))
        folds.append(held)
    classes = model.classes_
    grid = [np.array([a, b, 0.0]) for a in np.arange(-1.5, 1.6, 0.25) for b in np.arange(-1.5, 1.6, 0.25)]

    def score(rows, offset):
        return f1_score(y[rows], classes[(logits[rows] + offset).argmax(1)], average="macro")

    pred, chosen = np.empty(len(train), dtype=object), []
    for k, held in enumerate(folds):
        other = np.concatenate([f for j, f in enumerate(folds) if j != k])
        chosen.append(max(grid, key=lambda o: score(other, o)))
        pred[held] = classes[(logits[held] + chosen[-1]).argmax(1)]
    rows = np.concatenate(folds)
    per_fold = [f1_score(y[h], pred[h].astype(str), average="macro") for h in folds]
    hard = rows[np.array([train[i].hard for i in rows])]
    return {"C": cell["C"], "macro_f1": round(float(f1_score(y[rows], pred[rows].astype(str), average="macro")), 4),
            "hard_accuracy": round(float(np.mean(pred[hard] == y[hard])), 4),
            "fold_se": round(float(np.std(per_fold, ddof=1) / np.sqrt(len(folds))), 4),
            "note": "offsets (collaborative, heroic) per fold: " + ", ".join(f"({o[0]:+.2f}, {o[1]:+.2f})" for o in chosen)}


def main() -> None:
    from discourse.framing.data import load_annotations
    from discourse.pipeline.framing import resolver

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="variants to run (default: all)")
    args = ap.parse_args()
    report = json.loads((REPO / "models" / "framing" / "report.json").read_text())
    cell, tfidf_cell = report["models"]["tuned"]["cv"], report["models"]["tfidf"]["cv"]
    train = [e for e in load_annotations(ANNOTATIONS, resolver(SHARED)) if e.split == "train"]
    shipped = lambda: encoder_oof(train, 0, 0.3, 3, False)  # noqa: E731
    variants = {
        "shipped": lambda: head_cv(train, shipped(), cell, tfidf_cell),
        "offsets": lambda: nested_offsets(train, shipped(), cell, tfidf_cell),
        "negation": lambda: marked_head_cv(train, shipped(), cell, tfidf_cell),
        "seeds": lambda: head_cv(train, (shipped() + encoder_oof(train, 1, 0.3, 3, False)) / 2, cell, tfidf_cell),
        "spans": lambda: head_cv(train, encoder_oof(train, 0, 0.3, 3, True), cell, tfidf_cell),
        "written": lambda: head_cv(train, encoder_oof(train, 0, 1.0, 3, False), cell, tfidf_cell),
        "layers4": lambda: head_cv(train, encoder_oof(train, 0, 0.3, 4, False), cell, tfidf_cell),
        "full6": lambda: head_cv(train, encoder_oof(train, 0, 0.3, 6, False, lr=5e-5), cell, tfidf_cell),
        "embeddings": lambda: head_cv(train, np.hstack([shipped(), frozen_features(train)]), cell, tfidf_cell),
    }
    rows = []
    for name in args.only or variants:
        started = time.perf_counter()
        r = variants[name]()
        rows.append(f"| {name} | {r['C']:g} | {r['macro_f1']:.3f} ± {r['fold_se']:.3f} | {r['hard_accuracy']:.3f} | "
                    f"{r.get('note', '')} |")
        print(rows[-1], f"({time.perf_counter() - started:.0f} s)", flush=True)
    if args.only:
        return
    write_section("Default model `tuned`: variants by grouped CV", f"""
Machine: {machine()}. Commit {commit()}. Command: `.venv/bin/python benchmarks/stack_variants.py`
(training split only: {len(train)} passages, real ones scored in 5 folds grouped by source file;
written weight {cell['written_weight']:g} and TF-IDF blend {cell['blend']:g} as chosen in
`models/framing/report.json`, best C of the grid). One change per row; the docstring says
what each is. The fold-to-fold standard error is the scale of a real difference.

| variant | C | CV macro-F1 ± SE | CV hard-case acc. | note |
|---|---:|---:|---:|---|
{chr(10).join(rows)}
""")


def frozen_features(train) -> np.ndarray:
    """The `hybrid` model's MiniLM features (spans pooling, fp32) of every training passage."""
    from discourse.framing.explain import embedding_features
    from discourse.framing.model import MINILM

    return embedding_features(MINILM(), [e.text for e in train], "spans")


def marked_head_cv(train, oof: np.ndarray, cell: dict, tfidf_cell: dict) -> dict:
    with negation_marked_tfidf():
        return head_cv(train, oof, cell, tfidf_cell)


if __name__ == "__main__":
    main()
