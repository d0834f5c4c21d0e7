"""The local OneAll-compatible API (SPEC §7)."""

from .server import Sandbox

__all__ = ["Sandbox"]
