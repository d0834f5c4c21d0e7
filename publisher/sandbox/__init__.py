"""The local OneAll-compatible API."""

from .server import Behaviour, Fault, Sandbox

__all__ = ["Behaviour", "Fault", "Sandbox"]
