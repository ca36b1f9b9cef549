"""Wiring stages to the store and to files.

- `pipeline.ingest`: files → documents and passages in the store (and `clean_paths`).
- `pipeline.framing`: passages → framing labels (store `labels` table, JSONL, one document).
"""

from discourse.pipeline.ingest import IngestSummary, InputFile, clean_paths, ingest, iter_inputs

__all__ = ["IngestSummary", "InputFile", "clean_paths", "ingest", "iter_inputs"]
