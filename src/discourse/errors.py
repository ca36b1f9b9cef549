"""Exception classes. A leaf module: imports nothing from discourse."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DiscourseError",
    "SkipError",
    "StoreError",
    "StoreLockedError",
    "TopicError",
    "TrendError",
]


class DiscourseError(Exception):
    """Base class: the message says what failed, where, and what to do."""


class SkipError(DiscourseError):
    """An input cannot be ingested; carries the `SkipReason` value stored in `rejects`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class ConfigError(DiscourseError):
    """A settings file or override is invalid."""


class StoreError(DiscourseError):
    """The DuckDB store cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another live process holds the store."""


class TopicError(DiscourseError):
    """The topic model cannot be fitted or applied (too few passages, no clusters)."""


class TrendError(DiscourseError):
    """Trend tables cannot be computed (no dated, labelled or topic-assigned passages)."""
