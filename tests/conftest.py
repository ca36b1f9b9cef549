"""Shared fixtures: the network is blocked for every test; ../shared is optional."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
SAMPLE = REPO / "corpus" / "sample"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def shared_dir(name: str) -> Path:
    """A folder of ../shared/corpus, or skip: a fresh clone has no ../shared (CI has it)."""
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"needs ../shared/corpus/{name} beside the repo (absent in a fresh clone; CI has it)")
    return path
