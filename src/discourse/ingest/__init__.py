"""Ingestion: files → clean, dated documents and passages (no store access here)."""

from discourse.ingest.process import FileResult, clean_file, clean_text, process_bytes, process_file

__all__ = ["FileResult", "clean_file", "clean_text", "process_bytes", "process_file"]
