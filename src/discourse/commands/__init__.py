"""Command functions behind `discourse` (typer signatures, thin wrappers over the library).

`discourse.cli` owns the typer app and registers these; this package never imports it.
"""
