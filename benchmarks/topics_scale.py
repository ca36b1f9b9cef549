"""Embeddings + BERTopic at 1k, 10k and 50k real passages: wall time, peak memory, and topic
quality (NPMI, diversity) against NMF and LDA baselines on the same passages.

Run by hand (not in CI):  .venv/bin/python benchmarks/topics_scale.py [--sizes 1000 10000 50000]

Passages are the body passages of our own ingest of ../shared/corpus (sotu, html-news,
leadership-web, seeds). Where a size needs more distinct passages than exist, the extra ones
are light variants of real passages (sentence order rotated, so each text and its embedding
is new); the section says how many. Each size runs in a fresh subprocess so its peak RSS is
its own; embeddings are computed fresh (no cache) with the project's MiniLM encoder.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, commit, machine, write_section  # noqa: E402

CORPORA = ["sotu", "html-news", "leadership-web", "seeds"]
_SENT = re.compile(r"(?<=[.!?])\s+")


def _rotate(text: str, k: int) -> str | None:
    parts = _SENT.split(text)
    if len(parts) < 2:
        return None
    k = k % len(parts) or 1
    return " ".join(parts[k:] + parts[:k])


def real_pool(work: Path) -> tuple[list[str], list[int | None]]:
    """Every distinct body passage (≥ 8 words) of our ingest of the shared corpora, with its
    year, shuffled with a fixed seed. The ingest is cached in `work`."""
    import pandas as pd

    from discourse.pipeline import ingest
    from discourse.store import Store

    db = work / "bench.duckdb"
    if not db.exists():
        ingest([SHARED / c for c in CORPORA], db)
    with Store(db, read_only=True) as store:
        frame = store.corpus_passages()
    frame = frame[frame["text"].str.split().str.len() >= 8].drop_duplicates("text")
    frame = frame.sample(frac=1.0, random_state=0)
    return frame["text"].tolist(), [None if pd.isna(y) else int(y) for y in frame["year"]]


def build_passages(work: Path, size: int) -> tuple[list[str], list[int | None], int]:
    texts, years = real_pool(work)
    real = min(size, len(texts))
    out_t, out_y = texts[:real], years[:real]
    k, seen = 1, set(out_t)
    while len(out_t) < size and k < 20:
        for t, y in zip(texts, years, strict=True):
            v = _rotate(t, k)
            if v and v not in seen:
                seen.add(v)
                out_t.append(v)
                out_y.append(y)
                if len(out_t) == size:
                    break
        k += 1
    return out_t, out_y, real


def one_size(size: int, work: Path) -> dict:
    """Runs inside a fresh subprocess."""
    import numpy as np
    import pandas as pd

    from discourse.config import TopicSettings
    from discourse.framing.embed import MiniLMEmbedder
    from discourse.topics import analyse_topics
    from discourse.topics.fit import build_vectorizer
    from discourse.topics.quality import baseline_terms, npmi, topic_diversity

    texts, years, real = build_passages(work, size)
    t = time.perf_counter()
    emb = MiniLMEmbedder().encode(texts)
    embed_s = time.perf_counter() - t
    rss_embed = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = TopicSettings(hdbscan={"min_cluster_size": max(10, size // 250)})
    frame = pd.DataFrame({"passage_id": [f"p{i}" for i in range(len(texts))], "text": texts, "year": years})
    t = time.perf_counter()
    result = analyse_topics(frame, np.asarray(emb), s)
    topics_s = time.perf_counter() - t
    q = result.quality
    ids = [tid for tid in sorted(result.model.terms_) if tid != -1]
    lda = baseline_terms(texts, build_vectorizer(s), len(ids), s.quality_top_n, kind="lda", random_state=0)
    vec = build_vectorizer(s)
    return {"size": size, "real": real, "embed_s": embed_s, "topics_s": topics_s, "rss_embed_mb": rss_embed,
            "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "topics": q["topics"],
            "fitted_on": q["fitted_on"], "outliers_raw": q["outlier_share_raw"], "npmi": q["npmi"],
            "diversity": q["diversity"], "nmf_npmi": q["baseline"]["npmi"], "nmf_diversity": q["baseline"]["diversity"],
            "lda_npmi": round(npmi(lda, texts, vec), 4), "lda_diversity": round(topic_diversity(lda), 4),
            "min_cluster_size": s.hdbscan.min_cluster_size}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.work)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build_passages(work, 10)  # ingest once, outside the timed runs
        for size in args.sizes:
            load = _load()
            out = subprocess.run([sys.executable, __file__, "--one", str(size), "--work", str(work)],
                                 capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["load"] = load
            rows.append(row)
            print(row, flush=True)
    lines = ["| passages (real + variants) | embed s | passages/s | BERTopic s (fit on) | peak RSS MB | topics | outliers | NPMI BERTopic / NMF / LDA | diversity BERTopic / NMF / LDA | load before |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size']:,} ({r['real']:,} + {r['size'] - r['real']:,}) | {r['embed_s']:.0f} | {r['size'] / r['embed_s']:.0f} | "
                     f"{r['topics_s']:.0f} ({r['fitted_on']:,}) | {r['rss_peak_mb']:.0f} | {r['topics']} | {r['outliers_raw']:.1%} | "
                     f"{r['npmi']:.3f} / {r['nmf_npmi']:.3f} / {r['lda_npmi']:.3f} | {r['diversity']:.3f} / {r['nmf_diversity']:.3f} / "
                     f"{r['lda_diversity']:.3f} | {r['load']} |")
    write_section("Topics: embeddings + BERTopic at scale", f"""
Command: `.venv/bin/python benchmarks/topics_scale.py --sizes {' '.join(map(str, args.sizes))}` (commit {commit()}).
Machine: {machine()}.
Passages: body passages (≥ 8 words) of our ingest of `../shared/corpus/` ({', '.join(CORPORA)}), shuffled with a
fixed seed; beyond the distinct real passages available, light variants (sentence order rotated) fill the size,
as the table says. Each size runs in a fresh process: MiniLM embeddings computed fresh (our torch encoder, batches
of 32 sorted by length), then `analyse_topics` with default settings except `hdbscan.min_cluster_size = max(10,
n/250)`; above `max_passages` (20,000) it fits on a sample and assigns the rest with `transform`. One seed.
NPMI and diversity use each model's top 10 terms, NPMI counted on the same passages; the baselines (scikit-learn
NMF on TF-IDF, LDA on counts) get as many topics as BERTopic found. "load before" is the 1/5/15-minute load
average when the size started (other work on this 2-core machine slows every figure).

{chr(10).join(lines)}
""")


if __name__ == "__main__":
    main()
