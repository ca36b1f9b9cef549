"""Embedding variants side by side, in one run on the same passages: speed, and what each does
to the framing classifier (macro-F1, hard-case accuracy on the real test split) and to the
topic model (NPMI).

Run by hand (not in CI):  .venv/bin/python benchmarks/embedding_variants.py [--passages 3000]

Variants:
- sentence-transformers fp32: the reference (`SentenceTransformer(...).encode`, batch 32,
  its own length sorting), what issue 7 measures against;
- ours fp32 (`minilm-fp32`): our torch encoder, fused QKV + scaled_dot_product_attention,
  batches by token count;
- ours bf16 (`minilm`, the default on CPUs with native bf16): the same in bfloat16;
- fast (`fast`): static token embeddings distilled from MiniLM (`discourse.framing.static`).

Speed: passages/s encoding the same real passages (body passages ≥ 8 words of our ingest of
../shared/corpus, shuffled with a fixed seed), each variant in this one process, each after
a warm-up call, in alternating order over 2 rounds (the faster round is reported).
"embed + label" adds the classifier as `discourse label` runs it (sentence pooling, cues,
linear head). Classifier quality: the shipped default head (`hybrid`, trained on fp32
embeddings) scored with each MiniLM variant's vectors; the fast tier with its own head.
Topic NPMI: BERTopic with the shipped default settings (UMAP/HDBSCAN, seed 0) on the same
passages with each variant's vectors; NMF on the same passages for scale.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, SHARED, commit, machine, write_section  # noqa: E402
from topics_scale import build_passages  # noqa: E402


class SentenceTransformersEncoder:
    def __init__(self) -> None:
        from sentence_transformers import SentenceTransformer

        from discourse.framing.embed import minilm_dir

        self.model = SentenceTransformer(str(minilm_dir()), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)


def variants() -> dict:
    from discourse.framing.embed import MiniLMEmbedder
    from discourse.framing.static import StaticEmbedder

    return {"sentence-transformers fp32": SentenceTransformersEncoder(),
            "ours fp32 (minilm-fp32)": MiniLMEmbedder(precision="fp32"),
            "ours bf16 (minilm, default)": MiniLMEmbedder(precision="bf16"),
            "fast (static)": StaticEmbedder()}


def encode_fresh(encoder, texts: list[str]) -> tuple[float, np.ndarray]:
    if hasattr(encoder, "clear_cache"):  # our MiniLM paths keep an in-process cache
        encoder.clear_cache()
    t = time.perf_counter()
    vectors = encoder.encode(texts)
    return time.perf_counter() - t, np.asarray(vectors, dtype=np.float32)


def label_seconds(name: str, encoder, texts: list[str]) -> float:
    """Embed + label as `discourse label` does (the shipped model's pooling and head)."""
    from discourse.framing.predict import load_predictor

    predictor = load_predictor("fast" if name.startswith("fast") else "hybrid")
    if hasattr(encoder, "clear_cache"):  # our MiniLM paths keep an in-process cache
        encoder.clear_cache()
    predictor.use_encoder(encoder)
    t = time.perf_counter()
    for start in range(0, len(texts), 256):
        predictor.predict(texts[start:start + 256])
    return time.perf_counter() - t


def test_split():
    from discourse.framing.data import load_annotations
    from discourse.pipeline.framing import resolver

    examples = load_annotations(REPO / "corpus" / "annotations", resolver(SHARED))
    return [e for e in examples if e.split == "test" and e.origin == "real"]


def classifier_quality(name: str, encoder, test) -> dict:
    from discourse.framing.evaluate import metrics
    from discourse.framing.predict import load_predictor

    predictor = load_predictor("fast" if name.startswith("fast") else "hybrid")
    predictor.use_encoder(encoder)
    proba = predictor.predict_proba([e.text for e in test])
    return metrics(predictor.classes, [e.label for e in test], proba, [e.hard for e in test])


SEEDS = (0, 1, 2)


def topic_npmi(texts: list[str], years: list, vectors: np.ndarray) -> tuple[list[float], list[int], list[float]]:
    """NPMI, topic count and the NMF baseline's NPMI (same topic count) for each UMAP/HDBSCAN
    seed: one fit moves NPMI by a few hundredths even between embeddings at cosine 0.9999998,
    so variants are compared on the mean over seeds, next to the seed-to-seed spread."""
    import pandas as pd

    from discourse.config import TopicSettings
    from discourse.topics import analyse_topics

    frame = pd.DataFrame({"passage_id": [f"p{i}" for i in range(len(texts))], "text": texts, "year": years})
    out = [analyse_topics(frame, vectors, TopicSettings(seeds=1, random_state=seed)).quality for seed in SEEDS]
    return [q["npmi"] for q in out], [q["topics"] for q in out], [q["baseline"]["npmi"] for q in out]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--fast-only", action="store_true", help="only the fast tier's embed + label rate (own section)")
    ap.add_argument("--tuned", action="store_true", help="only the default `tuned` model: fp32 vs bf16, label rate")
    args = ap.parse_args()
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        texts, years, real = build_passages(Path(tmp), args.passages)
    texts, years = texts[:real], years[:real]
    if args.fast_only:
        fast_only(texts, args)
        return
    if args.tuned:
        tuned_section(texts, args)
        return
    encoders = variants()
    for enc in encoders.values():
        enc.encode(texts[:64])  # warm-up
    speed: dict[str, list[float]] = {n: [] for n in encoders}
    vectors: dict[str, np.ndarray] = {}
    for r in range(args.rounds):
        for name in (list(encoders) if r % 2 == 0 else list(reversed(encoders))):
            seconds, vectors[name] = encode_fresh(encoders[name], texts)
            speed[name].append(len(texts) / seconds)
            print(name, f"{speed[name][-1]:.1f}/s", flush=True)
    labelled = {n: len(texts) / label_seconds(n, e, texts) for n, e in encoders.items()}
    test = test_split()
    ref = vectors["sentence-transformers fp32"]
    rows = []
    for name, enc in encoders.items():
        q = classifier_quality(name, enc, test)
        npmi_values, n_topics, nmf = topic_npmi(texts, years, vectors[name])
        cos = (vectors[name] * ref).sum(axis=1) if vectors[name].shape == ref.shape else None
        rows.append({"name": name, "rate": max(speed[name]), "label_rate": labelled[name], "f1": q["macro_f1"],
                     "hard": q["hard_accuracy"], "ece": q["ece"], "npmi": float(np.mean(npmi_values)),
                     "npmi_sd": float(np.std(npmi_values, ddof=1)), "npmi_seeds": npmi_values, "topics": n_topics,
                     "nmf": float(np.mean(nmf)),
                     "cos": None if cos is None else float(cos.min())})
        print(rows[-1], flush=True)
    base = rows[0]
    from discourse.framing.persist import DEFAULT_MODEL_DIR

    hybrid_pooling = json.loads((DEFAULT_MODEL_DIR / "report.json").read_text())["models"]["hybrid"]["pooling"]
    st_note = ("" if hybrid_pooling != "spans" else
               "\nsentence-transformers has no span pass, so its row pools sentences embedded alone (the fallback), not"
               "\nthe spans the head was trained on: its label rate and classifier columns are not like for like.")
    lines = ["| variant | passages/s (embed) | × ST fp32 | passages/s (embed + label) | min cosine to ST | "
             "macro-F1 (Δ) | hard-case acc. | ECE | topics (per seed) | NPMI, mean of 3 seeds ± SD (Δ) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        cos = "–" if r["cos"] is None else f"{r['cos']:.5f}"
        lines.append(f"| {r['name']} | {r['rate']:.0f} | {r['rate'] / base['rate']:.2f} | {r['label_rate']:.0f} | {cos} | "
                     f"{r['f1']:.3f} ({r['f1'] - base['f1']:+.3f}) | {r['hard']:.3f} | {r['ece']:.3f} | {', '.join(map(str, r['topics']))} | "
                     f"{r['npmi']:.3f} ± {r['npmi_sd']:.3f} ({r['npmi'] - base['npmi']:+.3f}) |")
    write_section("Embedding variants: speed, classifier and topic quality", f"""
Command: `.venv/bin/python benchmarks/embedding_variants.py --passages {args.passages}` (commit {commit()}).
Machine: {machine()}; torch {torch.__version__}, {torch.get_num_threads()} threads.
Passages: {len(texts):,} real body passages (≥ 8 words) of our ingest of `../shared/corpus/`, the same for every
variant, encoded in one process in alternating order over {args.rounds} rounds (best round shown). "embed + label" is
the classifier as `discourse label` runs it: the shipped `hybrid` model's embedding pooling (`{hybrid_pooling}`), TF-IDF, cues, linear head.{st_note}
Macro-F1, hard-case accuracy and ECE: the real test split ({len(test)} passages); MiniLM variants use the shipped
`hybrid` head (trained on fp32 vectors), the fast tier its own `fast` head. NPMI: BERTopic with the default
`[topics]` settings on these passages with each variant's vectors, one fit per UMAP/HDBSCAN seed ({', '.join(map(str, SEEDS))});
the table gives the mean and the seed-to-seed standard deviation, because a single fit moves NPMI by a few hundredths
even between practically identical vectors. NMF with the same topic counts on the same passages scores
{base['nmf']:.3f} (mean). Δ is against sentence-transformers fp32.

{chr(10).join(lines)}
""")


def fast_only(texts: list[str], args) -> None:
    from discourse.framing.codebook import find_cues
    from discourse.framing.static import StaticEmbedder

    enc = StaticEmbedder()
    label_seconds("fast", enc, texts[:64])  # warm-up (model loads)
    runs = []
    for _ in range(max(args.rounds, 3)):
        find_cues.cache_clear()  # no help from a previous round
        runs.append(label_seconds("fast", enc, texts))
    rates = [len(texts) / s for s in runs]
    from discourse.framing.persist import DEFAULT_MODEL_DIR

    report = json.loads((DEFAULT_MODEL_DIR / "report.json").read_text())["models"]
    f1 = {n: report[n]["test"]["macro_f1"] for n in ("fast", "hybrid", "tuned")}
    write_section("Fast tier: embedding + labelling", f"""
Command: `.venv/bin/python benchmarks/embedding_variants.py --passages {args.passages} --fast-only` (commit {commit()}).
Machine: {machine()}.
The same {len(texts):,} real passages as the variants table; `StaticEmbedder` + the `fast` head as `discourse label`
runs it (passage vector, sentence mean and max, cues, linear head, evidence), one process; {len(runs)} rounds after a
warm-up, the cue cache cleared before each: **{max(rates):,.0f} passages/s** best, {min(rates):,.0f} worst
({', '.join(f'{r:,.0f}' for r in rates)}). Its macro-F1 cost, from the model card (`models/framing/report.json`): {f1['fast']:.3f}
against {f1['hybrid']:.3f} for `hybrid` and {f1['tuned']:.3f} for the default `tuned` on the real test split.
""")


def tuned_section(texts: list[str], args) -> None:
    """The `tuned` model (the default since it was added): its fine-tuned encoder in fp32 and
    in bf16 on the real test split, and embed + label rates against `hybrid` (two passes)."""
    import torch

    from discourse.framing.embed import MiniLMEmbedder
    from discourse.framing.evaluate import metrics
    from discourse.framing.persist import DEFAULT_MODEL_DIR, load_saved
    from discourse.framing.predict import load_predictor
    from discourse.framing.tuned import TunedEncoder, arrays_to_state

    test = test_split()
    quality = {}
    state = arrays_to_state(load_saved(DEFAULT_MODEL_DIR, "tuned")[1])
    for precision in ("fp32", "bf16"):
        predictor = load_predictor("tuned")
        predictor.use_encoder(TunedEncoder(state, precision=precision))
        proba = predictor.predict_proba([e.text for e in test])
        quality[precision] = metrics(predictor.classes, [e.label for e in test], proba, [e.hard for e in test])

    def rate(name: str, pair: bool = False) -> float:
        predictor = load_predictor(name)
        predictor.predict(texts[:64])  # warm-up (loads the encoders)
        encoder = predictor.tuned_encoder() if name == "tuned" else MiniLMEmbedder.get()
        encoder.clear_cache()
        started = time.perf_counter()
        for start in range(0, len(texts), 256):
            chunk = texts[start:start + 256]
            if pair:  # what `discourse label` runs: logits and the topic model's vectors in one pass
                encoder.encode_pair(chunk)
            predictor.predict(chunk)
        return len(texts) / (time.perf_counter() - started)

    rates = {}
    for r in range(args.rounds):
        for key in (("tuned", False), ("tuned", True), ("hybrid", False))[:: 1 if r % 2 == 0 else -1]:
            rates.setdefault(key, []).append(rate(*key))
            print(key, f"{rates[key][-1]:.1f}/s", flush=True)
    f, b = quality["fp32"], quality["bf16"]
    hybrid_pooling = json.loads((DEFAULT_MODEL_DIR / "report.json").read_text())["models"]["hybrid"]["pooling"]
    passes = "passage and sentence passes" if hybrid_pooling == "sentences" else f"one pass, `{hybrid_pooling}` pooling"
    write_section("Default model `tuned`: precision and labelling rate", f"""
Command: `.venv/bin/python benchmarks/embedding_variants.py --passages {args.passages} --tuned` (commit {commit()}).
Machine: {machine()}; torch {torch.__version__}, {torch.get_num_threads()} threads.
Real test split ({len(test)} passages), the shipped `tuned` head with its fine-tuned encoder run in fp32 (as in
training) and in bf16 (the default on this CPU): macro-F1 **{f['macro_f1']:.3f} → {b['macro_f1']:.3f}**
({b['macro_f1'] - f['macro_f1']:+.3f}), hard-case accuracy {f['hard_accuracy']:.3f} → {b['hard_accuracy']:.3f}, ECE
{f['ece']:.3f} → {b['ece']:.3f}.

Embed + label, the same {len(texts):,} real passages as the variants table, one process, best of {args.rounds} rounds
(encoder caches cleared): `tuned` **{max(rates[('tuned', False)]):.0f} passages/s** (one encoder pass);
`tuned` plus the base MiniLM vectors for topics from the same pass (what `discourse label` does)
{max(rates[('tuned', True)]):.0f}/s (the predictor then reads its logits from the cache); `hybrid`
{max(rates[('hybrid', False)]):.0f}/s ({passes}).
""")


if __name__ == "__main__":
    main()
