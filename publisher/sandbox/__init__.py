"""The local OneAll-compatible API (SPEC §7)."""

from .server import Behaviour, Fault, Sandbox

__all__ = ["Behaviour", "Fault", "Sandbox"]
