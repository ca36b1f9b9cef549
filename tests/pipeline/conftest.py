"""A small pipeline on a copy of the sample's text files, fast settings (TF-IDF labels,
hash embeddings, PCA + k-means topics)."""

import shutil
from pathlib import Path

import pytest

SAMPLE_TEXT = Path(__file__).resolve().parents[2] / "corpus" / "sample" / "text"

FAST = """
[pipeline]
name = "t"
inputs = ["corpus"]
store = "store.duckdb"
out = "out"
{extra}

[label]
model = "{model}"
batch = {batch}

[topics]
embedder = "{embedder}"
reduction = "pca"
clustering = "kmeans"
kmeans = {{ n_clusters = 4 }}

[trends]
bootstrap = 200
min_docs = 1

[report]
title = "Test report"
static_charts = {static}
"""


def write_pipeline(root: Path, *, model: str = "tfidf", embedder: str = "hash", batch: int = 64,
                   static: bool = False, extra: str = "", files: int | None = None) -> Path:
    corpus = root / "corpus"
    if not corpus.exists():
        corpus.mkdir(parents=True)
        names = sorted(p.name for p in SAMPLE_TEXT.glob("*.txt"))[:files]
        for name in names:
            shutil.copy(SAMPLE_TEXT / name, corpus / name)
        rows = [line for line in (SAMPLE_TEXT / "sources.csv").read_text().splitlines()]
        (corpus / "sources.csv").write_text("\n".join([rows[0], *[r for r in rows[1:] if r.split(",")[0] in names]]) + "\n")
    path = root / "pipeline.toml"
    path.write_text(FAST.format(model=model, embedder=embedder, batch=batch, static=str(static).lower(), extra=extra))
    return path


@pytest.fixture
def fast_pipeline(tmp_path, hash_embedder):
    return write_pipeline(tmp_path)
