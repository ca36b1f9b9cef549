"""Settings: pydantic models, loaded from TOML and dotted overrides, validated before work starts.

A leaf module: imports nothing from discourse except `errors`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from discourse.errors import ConfigError

__all__ = [
    "IngestSettings", "Settings", "TopicSettings", "TrendSettings", "apply_overrides", "load_settings",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IngestSettings(_Strict):
    """Thresholds for readers, cleaning, segmentation and dedupe (`[ingest]` in a config)."""

    max_file_bytes: int = Field(50_000_000, gt=0, description="larger files are rejected")
    max_unzipped_bytes: int = Field(200_000_000, gt=0, description="DOCX inflate limit")
    max_passage_words: int = Field(120, ge=20, description="passage chunk size in words")
    list_leadin_max_words: int = Field(160, ge=20, description="lead-in + list kept together")
    min_document_chars: int = Field(40, ge=1, description="shorter cleaned texts are rejected")
    near_duplicate_threshold: float = Field(0.9, gt=0, le=1, description="MinHash Jaccard")
    minhash_permutations: int = Field(128, ge=16, le=512)
    shingle_words: int = Field(5, ge=1, le=20)
    language_sample_chars: int = Field(600, ge=100, description="text sampled for language ID")
    ignore_names: list[str] = Field(
        ["README*", "MANIFEST*", "LICENSE*", "LICENCE*", "CHANGELOG*", "CONTRIBUTING*"],
        description="file-name globs of folder documentation, recorded as 'ignored' rejects",
    )
    date_search_paragraphs: int = Field(6, ge=1, description="paragraphs at each end searched for dates")


class UmapSettings(_Strict):
    """`[topics.umap]`: UMAP reduction (BERTopic's default), passed to `umap.UMAP`."""

    n_neighbors: int = Field(15, ge=2)
    n_components: int = Field(5, ge=2)
    min_dist: float = Field(0.0, ge=0)
    metric: str = "cosine"


class PcaSettings(_Strict):
    """`[topics.pca]`: a fast linear reduction (`reduction = "pca"`)."""

    n_components: int = Field(5, ge=2)


class HdbscanSettings(_Strict):
    """`[topics.hdbscan]`: density clustering (BERTopic's default); leaves outliers in topic -1."""

    min_cluster_size: int = Field(10, ge=2)
    min_samples: int | None = Field(None, ge=1)
    cluster_selection_method: str = Field("eom", pattern="^(eom|leaf)$")


class KmeansSettings(_Strict):
    """`[topics.kmeans]`: every passage in a topic, a fixed number of topics."""

    n_clusters: int = Field(8, ge=2)


class VectorizerSettings(_Strict):
    """`[topics.vectorizer]`: the CountVectorizer behind c-TF-IDF. `min_df` counts *topics*
    (BERTopic joins each topic's passages into one document), so 1 keeps distinctive terms."""

    ngram_range: tuple[int, int] = (1, 2)
    stop_words: str | None = "english"
    min_df: int = Field(1, ge=1)
    max_features: int | None = Field(None, ge=100)


class TopicSettings(_Strict):
    """`[topics]`: the topic model. Sub-models are chosen by name, as BERTopic takes them."""

    embedder: str = Field("minilm", description="passage embeddings, shared with the classifier")
    reduction: str = Field("umap", pattern="^(umap|pca)$")
    clustering: str = Field("hdbscan", pattern="^(hdbscan|kmeans)$")
    umap: UmapSettings = UmapSettings()
    pca: PcaSettings = PcaSettings()
    hdbscan: HdbscanSettings = HdbscanSettings()
    kmeans: KmeansSettings = KmeansSettings()
    vectorizer: VectorizerSettings = VectorizerSettings()
    top_n_words: int = Field(10, ge=3, description="c-TF-IDF terms kept per topic")
    label_terms: int = Field(4, ge=1, le=8, description="terms in a topic's short label")
    outlier_strategy: str = Field("embeddings", pattern="^(embeddings|c-tf-idf|none)$")
    outlier_threshold: float = Field(0.0, ge=0, description="min similarity to leave topic -1")
    random_state: int = 42
    seeds: int = Field(1, ge=1, le=10, description="fits with seeds random_state, +1, ...")
    max_passages: int = Field(20_000, ge=50, description="fit on a sample this size, transform the rest")
    baseline: str = Field("nmf", pattern="^(nmf|lda)$", description="fast baseline for NPMI/diversity")
    quality_top_n: int = Field(10, ge=3, description="terms per topic for NPMI and diversity")


class TrendSettings(_Strict):
    """`[trends]`: yearly shares with document-bootstrap intervals, "what moved", exemplars."""

    bootstrap: int = Field(1000, ge=100, description="resamples of documents per interval")
    confidence: float = Field(0.95, gt=0.5, lt=1)
    random_state: int = 42
    min_docs: int = Field(5, ge=1, description="cells with fewer documents are flagged low_n")
    year_bin: int = Field(1, ge=1, description="years per period (10 = decades) for sparse series")
    window_years: int = Field(5, ge=1, description="first and last windows compared in 'what moved'")
    min_changepoint_periods: int = Field(6, ge=4, description="shorter series get no change-point")
    exemplars: int = Field(3, ge=1, le=10, description="passages per topic x framing cell")
    model_id: str | None = Field(None, description="labels of this model (default: most recent)")


class Settings(_Strict):
    ingest: IngestSettings = IngestSettings()
    topics: TopicSettings = TopicSettings()
    trends: TrendSettings = TrendSettings()


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of `data` with dotted keys (`ingest.max_passage_words`) set."""
    out: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for dotted, value in overrides.items():
        node = out
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {dotted!r}: {key!r} is not a section")
        node[leaf] = value
    return out


def load_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Load settings from a TOML file (or defaults), apply dotted overrides and validate."""
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read settings ({exc})") from exc
    data = apply_overrides(data, overrides or {})
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        where = f"{path}: " if path else ""
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(where + "invalid settings; " + "; ".join(lines)) from exc
