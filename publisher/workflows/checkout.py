"""The git commit of a catalog, so an apply from an older checkout cannot undo a newer one."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import PublisherError


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None  # no git here: nothing to compare


def head_commit(root: Path) -> str | None:
    """HEAD of the git work tree holding `root`; None outside one (or without git)."""
    done = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    return done.stdout.strip() if done is not None and done.returncode == 0 and done.stdout.strip() else None


class AlreadyApplied(Exception):
    """This checkout is older than the commit the state was applied from, which holds it."""


def check_not_older(root: Path, recorded: str | None, *, allow_older: bool) -> str | None:
    """Refuse a checkout that cannot be compared with the commit the state records (a shallow
    clone), and raise AlreadyApplied for one strictly older (an ancestor of it, as when two
    merges race): the same commit, a newer one, another branch or no git at all are fine.
    Returns HEAD."""
    head = head_commit(root)
    if head is None or not recorded or head == recorded or allow_older:
        return head
    known = _git(root, "cat-file", "-e", f"{recorded}^{{commit}}")
    if known is not None and known.returncode != 0:
        raise PublisherError(
            f"the state was last applied from commit {recorded[:12]}, which this checkout does not have (a shallow "
            "clone?), so publisher cannot tell whether this checkout is older. Fetch the full history "
            "(actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 on GitLab), or pass --allow-older"
        )
    done = _git(root, "merge-base", "--is-ancestor", head, recorded)
    if done is not None and done.returncode == 0:
        raise AlreadyApplied(
            f"this checkout ({head[:12]}) is older than the commit the state was last applied from ({recorded[:12]}), "
            "which already holds its changes: nothing to do. (--allow-older applies an older checkout anyway.)"
        )
    return head
