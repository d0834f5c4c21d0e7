"""Keep identity tokens and API keys out of everything a person or a log can read."""

from __future__ import annotations

import base64
import re

from .rules import TOKEN

_BASIC = re.compile(r"Basic\s+[A-Za-z0-9+/=]{8,}")
# The credentials of a URL (`https://KEY:SECRET@host`), as a driver's error may quote one.
_USERINFO = re.compile(r"(?<=://)[^/\s@\"'<>]+@")


def mask(token: str) -> str:
    """`2af20011-8965-471b-8f6b-8b66a611aae6` → `2af2…aae6` (enough to tell tokens apart)."""
    if len(token) <= 8:
        return "…"
    return f"{token[:4]}…{token[-4:]}"


def mask_all(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask every UUID-shaped token in a text (paths, API messages), every Basic credential,
    and each of `secrets` (the API keys, as they are and as Basic authentication sends them)."""
    return TOKEN.sub(lambda match: mask(match.group(0)), mask_keys(text, secrets))


def mask_keys(text: str, secrets: tuple[str, ...]) -> str:
    """Mask `secrets`, Basic credentials and a URL's credentials only (a lock id, shaped like a
    token, stays)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _USERINFO.sub("***@", _BASIC.sub("Basic ***", text))


def key_forms(public_key: str, private_key: str) -> tuple[str, ...]:
    """The API keys as an answer might echo them: as they are, and as a Basic credential."""
    basic = base64.b64encode(f"{public_key}:{private_key}".encode()).decode()
    return tuple(k for k in (basic, private_key, public_key) if len(k) >= 4)
