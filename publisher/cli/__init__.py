"""The command line: click only. Each command parses its options and calls one workflow."""

from .app import cli, main, run

__all__ = ["cli", "main", "run"]
