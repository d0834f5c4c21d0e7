"""The two kinds of problems publisher reports.

*Findings* are values (`Diagnostic`): collected, sorted and reported together.
*Fatal* errors raise `PublisherError`; `cli.main` turns them into one message and an exit code.
Anything else that escapes is a bug (exit 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .redact import mask_all


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the input, pointing at where a person can fix it."""

    location: Location
    path: str
    message: str
    hint: str = field(default="", compare=False)
    severity: str = field(default="error", compare=False)  # "warning": reported, fails nothing

    def __post_init__(self) -> None:
        # Every finding passes here: an identity token it quotes (a typo'd alias, a template
        # that failed on one) is masked before any output can show it.
        object.__setattr__(self, "message", mask_all(self.message))
        object.__setattr__(self, "hint", mask_all(self.hint))

    def render(self) -> str:
        where = f"{self.location}: {self.path}: " if self.path else f"{self.location}: "
        text = where + ("warning: " if self.severity == "warning" else "") + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class PublisherError(Exception):
    """A problem that stops the command: rendered as one message, exit code 1."""

    exit_code = 1

    def __init__(self, message: str, *, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = sorted(diagnostics or [])

    def render(self) -> str:
        lines = [d.render() for d in self.diagnostics]
        lines.append(self.message)
        return "\n".join(lines)


class InvalidInput(PublisherError):
    """The manifests (or the project file) are not valid; nothing was sent or written."""

    @classmethod
    def from_diagnostics(cls, diagnostics: list[Diagnostic]) -> InvalidInput:
        """Errors, and any warnings found with them (shown, not counted)."""
        errors = [d for d in diagnostics if d.severity != "warning"]
        files = len({d.location.file for d in errors})
        noun = "error" if len(errors) == 1 else "errors"
        where = "file" if files == 1 else "files"
        return cls(f"{len(errors)} {noun} in {files} {where}", diagnostics=diagnostics)


class StateError(PublisherError):
    """The state file cannot be read, written or locked."""


class ApiError(PublisherError):
    """The OneAll API refused a request, or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, sent: bool = True) -> None:
        super().__init__(message)
        self.status = status
        # False only when we know the request never left this machine.
        self.sent = sent


class OutcomeUnknown(ApiError):
    """The request was sent but we cannot know whether the API carried it out."""


class FatalApiError(ApiError):
    """A refusal that will repeat for every request (bad credentials, API unreachable)."""
