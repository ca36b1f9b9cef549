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
    "STAGES", "IngestSettings", "LabelSettings", "PipelineConfig", "ReportSettings", "Settings",
    "TopicSettings", "TrendSettings", "apply_overrides", "load_pipeline", "load_settings",
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

    embedder: str = Field("minilm", description="passage embeddings, shared with the classifier: minilm | minilm-fp32 | fast")
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
    baseline_max_features: int | None = Field(
        20_000, ge=100, description="the baseline's vocabulary: the most frequent terms (None: all). NMF's time "
        "grows with it: on 20,000 passages (177,628 terms) it took 455 s uncapped, 80 s at 20,000 terms")
    baseline_tol: float = Field(
        1e-3, gt=0, le=0.1, description="NMF's stopping tolerance. scikit-learn's 1e-4 ran 336 iterations "
        "(76 s) on the 100k benchmark's sample for NPMI 0.1645; 1e-3 stopped after 62 (16 s) at 0.1655")
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


class LabelSettings(_Strict):
    """`[label]`: the framing model that labels every passage."""

    model: str = Field("default", description="default | tuned | minilm | hybrid | tfidf | fast")
    models_dir: str | None = Field(None, description="folder of trained models (default: the shipped ones)")
    batch: int = Field(256, ge=1, description="passages per committed batch")


class ReportSettings(_Strict):
    """`[report]`: the published HTML report."""

    title: str = "Leadership discourse: themes and framing over time"
    subtitle: str = ""
    max_topics: int = Field(12, ge=1, description="topics shown in charts (largest first)")
    static_charts: bool = Field(True, description="also save every chart as PNG and SVG")


class Settings(_Strict):
    ingest: IngestSettings = IngestSettings()
    label: LabelSettings = LabelSettings()
    topics: TopicSettings = TopicSettings()
    trends: TrendSettings = TrendSettings()
    report: ReportSettings = ReportSettings()


STAGES = ("ingest", "label", "topics", "trends", "report")


class PipelineSection(_Strict):
    """`[pipeline]`: inputs, store and output folder (paths relative to the pipeline file)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    inputs: list[str] = Field(min_length=1, description="folders or files to ingest")
    store: str = Field(description="DuckDB store, e.g. ../reports/demo.duckdb")
    out: str = Field(description="folder for the report, tables, charts, logs")
    stages: list[str] = Field(list(STAGES), description="stages to run, in order")
    executor: str = Field("local", pattern="^(local|dask)$")
    workers: int = Field(1, ge=1, le=64)
    scheduler: str | None = Field(None, description="Dask scheduler address (executor = dask)")


class PipelineConfig(Settings):
    """A whole pipeline file: `[pipeline]` plus one table per stage."""

    pipeline: PipelineSection


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


def _line_of(text: str, loc: tuple) -> int | None:
    """The line of the TOML key at `loc` (e.g. ('topics', 'umap', 'n_neighbors')), or of
    its table header when the key is absent."""
    keys = [str(k) for k in loc if not isinstance(k, int)]
    table: list[str] = []
    header_line = None
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0].strip()
        if stripped.startswith("["):
            table = [t.strip().strip('"') for t in stripped.strip("[]").split(".")]
            if table == keys[:-1] or (header_line is None and table == keys[:1]):
                header_line = n
        elif "=" in stripped and table + [stripped.split("=", 1)[0].strip().strip('"')] == keys:
            return n
    return header_line


def load_pipeline(path: str | Path, overrides: dict[str, Any] | None = None) -> PipelineConfig:
    """Read and validate a pipeline file; errors name the line and what was expected.
    Relative paths in `[pipeline]` are resolved against the file's folder; input folders
    must exist."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the pipeline file ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    data = apply_overrides(data, overrides or {})
    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e["loc"])
            line = _line_of(text, e["loc"])
            expected = "unknown key (check the spelling against pipelines/trends.toml)" if e["type"] == "extra_forbidden" else e["msg"]
            lines.append(f"{path}{f':{line}' if line else ''}: {where}: {expected}")
        raise ConfigError("invalid pipeline file\n" + "\n".join(lines)) from exc
    base = path.resolve().parent
    p = config.pipeline
    unknown = [s for s in p.stages if s not in STAGES]
    if unknown:
        raise ConfigError(f"{path}:{_line_of(text, ('pipeline', 'stages'))}: unknown stage(s) {unknown}; stages are {list(STAGES)}")
    resolved = {"inputs": [str((base / i).resolve()) for i in p.inputs],
                "store": str((base / p.store).resolve()), "out": str((base / p.out).resolve())}
    missing = [i for i, r in zip(p.inputs, resolved["inputs"], strict=True) if not Path(r).exists()]
    if missing and "ingest" in p.stages:
        raise ConfigError(f"{path}:{_line_of(text, ('pipeline', 'inputs'))}: input folder(s) not found: "
                          f"{missing} (relative paths are read from {base})")
    return config.model_copy(update={"pipeline": p.model_copy(update=resolved)})


def load_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Load settings from a TOML file (or defaults), apply dotted overrides and validate."""
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read settings ({exc})") from exc
    data.pop("pipeline", None)  # a pipeline file is a settings file too (its [pipeline] is for `run`)
    data = apply_overrides(data, overrides or {})
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        where = f"{path}: " if path else ""
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(where + "invalid settings; " + "; ".join(lines)) from exc
