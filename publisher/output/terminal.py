"""Text for a terminal or a CI log, made inert: what a manifest, a file name or an API says
can neither move the cursor, reorder what is shown, nor start a GitHub workflow command."""

from __future__ import annotations

import re

# C0 and C1 controls (but tab and newline), bidi controls, zero-width and line separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_COMMAND = re.compile(r"^(\s*)::", re.MULTILINE)


def inert(text: str) -> str:
    """Unsafe characters shown as escapes (`\\u202e`); a line starting `::` (which GitHub
    Actions would run) starts `\\::` instead. Call it on what came from outside, not on our
    own annotations or colours."""
    text = _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return _COMMAND.sub(r"\1\\::", text)
