"""discourse: text mining for leadership discourse."""

__version__ = "0.1.0"
