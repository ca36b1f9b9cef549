"""Wiring stages to the store and to files.

- `pipeline.ingest_run`: files → documents and passages in the store (`ingest`, `clean_paths`).
- `pipeline.framing`: passages → framing labels (store `labels` table, JSONL, one document).

The ingest names are re-exported lazily, so `discourse score` (which only needs
`pipeline.framing`) does not import the store, DuckDB or the dedupe machinery.
"""

from __future__ import annotations

import importlib

__all__ = ["IngestSummary", "InputFile", "clean_paths", "ingest", "iter_inputs"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("discourse.pipeline.ingest_run"), name)
    raise AttributeError(f"module 'discourse.pipeline' has no attribute {name!r}")
