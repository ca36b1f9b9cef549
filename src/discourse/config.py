"""Settings: pydantic models, loaded from TOML and dotted overrides, validated before work starts.

A leaf module: imports nothing from discourse except `errors`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from discourse.errors import ConfigError

__all__ = ["IngestSettings", "Settings", "apply_overrides", "load_settings"]


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


class Settings(_Strict):
    ingest: IngestSettings = IngestSettings()


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
