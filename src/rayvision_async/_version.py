"""The package version: the one place it is written (pyproject reads it too)."""

__version__ = "0.3.0"
"""The version of this package (the newest release heading of CHANGELOG.md)."""
