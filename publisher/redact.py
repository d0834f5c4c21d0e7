"""Keep identity tokens and API keys out of everything a person or a log can read."""

from __future__ import annotations

from .rules import TOKEN


def mask(token: str) -> str:
    """`2af20011-8965-471b-8f6b-8b66a611aae6` → `2af2…aae6` (enough to tell tokens apart)."""
    if len(token) <= 8:
        return "…"
    return f"{token[:4]}…{token[-4:]}"


def mask_all(text: str) -> str:
    """Mask every UUID-shaped token in a text (paths, API messages)."""
    return TOKEN.sub(lambda match: mask(match.group(0)), text)
