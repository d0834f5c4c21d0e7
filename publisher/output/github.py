"""GitHub Actions: annotations on the lines of a pull request, and the job's summary page."""

from __future__ import annotations

import os
from collections.abc import Callable

from ..errors import Diagnostic, Location
from ..model import Change


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotations(diagnostics: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands that put each problem on its line in the PR's diff."""
    lines = []
    for d in diagnostics:
        where = f"file={_escape(d.location.file, property_value=True)}," if d.location.file else ""
        if d.location.file and d.location.line:
            where += f"line={d.location.line},col={d.location.column},"
        message = f"{d.path}: {d.message}" if d.path else d.message
        if d.hint:
            message += f" ({d.hint})"
        command = "warning" if d.severity == "warning" else "error"
        lines.append(f"::{command} {where}title=publisher::{_escape(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def held_annotations(held: list[Change]) -> str:
    """A warning per change held for want of a review, on its entry's line where it has one
    (a delete has no entry left)."""
    return github_annotations(
        [
            Diagnostic(
                c.resource.location if c.resource is not None else Location(""),
                c.address,
                f"held (not reviewed): {c.reason}",
                severity="warning",
            )  # fmt: skip
            for c in held
        ]
    )


def write_step_summary(markdown: Callable[[], str]) -> None:
    """Inside GitHub Actions, the job's summary page gets the markdown plan too (made only there)."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as stream:
            stream.write(markdown() + "\n")


def wanted(output_format: str | None) -> bool:
    """Annotations for GitHub: asked for with --format github, or running in GitHub Actions."""
    return os.environ.get("GITHUB_ACTIONS") == "true" or output_format == "github"
