"""`publisher init`: a new catalog that validates and plans as it is, for the networks asked for.

It writes `publisher.yaml` (identities read from the environment, so no token goes into git),
one example manifest per network with the editor's schema modeline, the editor schemas, and
the CI workflow for GitHub or GitLab. It never overwrites: if any file it would write is
there, it writes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidInput
from ..output.schemas import write_bundle

NETWORKS = ("twitter", "facebook", "linkedin", "pinterest", "youtube")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # the shipped CI examples (a link to examples/)
MODELINE = "# yaml-language-server: $schema=schemas/manifest.json\n"

_EXAMPLES = {
    "twitter": """posts:
  hello-twitter:
    type: twitter/post
    identity: twitter
    message: "Hello from our new content catalog! https://www.example.com/"
    labels: [hello]
""",
    "facebook": """posts:
  hello-facebook:
    type: facebook/page/post
    identity: facebook
    page_id: "1234567890"  # your page's id
    message: Hello from our new content catalog!
    link: https://www.example.com/
    labels: [hello]
""",
    "linkedin": """# LinkedIn posts can be published, not edited or deleted through the API.
posts:
  hello-linkedin:
    type: linkedin/post
    identity: linkedin
    message: Hello from our new content catalog!
    link: https://www.example.com/
    labels: [hello]
""",
    "pinterest": """boards:
  ideas:
    identity: pinterest
    name: Ideas
    description: What we make
pins:
  first-pin:
    identity: pinterest
    board: {ref: boards.ideas}
    picture: https://www.example.com/picture.jpg
    description: Our first pin
    link: https://www.example.com/
    labels: [hello]
""",
    "youtube": """boards:
  highlights:
    type: youtube/playlist
    identity: youtube
    title: Highlights
    privacy_status: public
""",
}


def token_variable(network: str) -> str:
    """The environment variable an identity's token is read from (a CI secret)."""
    return f"{network.upper()}_IDENTITY_TOKEN"


def _project(networks: list[str]) -> str:
    identities = "".join(f"  {n}: \"{{{{ env('{token_variable(n)}') }}}}\"\n" for n in networks)
    return (
        "# The catalog's root: what every manifest here shares. See docs/reference/manifest.md.\n"
        "# Each identity is the token OneAll gives when an account is connected, read from the\n"
        "# environment (a CI secret), so that no token is ever committed.\n"
        f"identities:\n{identities}"
        "time_zone: UTC  # how the calendar and the plans show times, e.g. Europe/Madrid\n"
        "# Apply only what a reviewed pull request proposed (see docs/reviews.md):\n"
        "# review: {required: true, expires_after: 30d}\n"
    )


def _ci(ci: str, folder: str) -> dict[Path, str]:
    """The CI files, from the shipped examples, for a catalog in `folder`."""
    if ci == "github":
        text = (TEMPLATES / "github" / "publisher.yml").read_text(encoding="utf-8")
        return {Path(".github/workflows/publisher.yml"): text.replace("catalog/", f"{folder}/")}
    if ci == "gitlab":
        text = (TEMPLATES / "gitlab" / "publisher.gitlab-ci.yml").read_text(encoding="utf-8")
        return {Path("publisher.gitlab-ci.yml"): text.replace("PUBLISHER_CATALOG: catalog/", f"PUBLISHER_CATALOG: {folder}/")}
    return {}


def scaffold(folder: Path, networks: list[str], ci: str) -> list[Path]:
    """Write a new catalog in `folder` (and the CI files in the working directory); returns
    what was written. Refuses, writing nothing, if any of it exists."""
    unknown = [n for n in networks if n not in NETWORKS]
    if unknown or not networks:
        raise InvalidInput(f"--network {', '.join(unknown) or '(none)'}: choose from {', '.join(NETWORKS)}")
    relative = os.path.relpath(folder, Path.cwd())
    if relative.startswith(".."):
        raise InvalidInput(f"{folder}: give a folder inside the working directory (the repository), where CI finds it")
    files: dict[Path, str] = {folder / "publisher.yaml": _project(networks)}
    files.update({folder / f"{n}.yaml": MODELINE + _EXAMPLES[n] for n in dict.fromkeys(networks)})
    files.update(_ci(ci, Path(relative).as_posix()))
    schemas = folder / "schemas"
    existing = [str(p) for p in [*files, schemas] if p.exists()]
    if existing:
        raise InvalidInput(f"{', '.join(existing)} already exist; nothing was written (init never overwrites)")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    write_bundle(schemas)
    return [*files, schemas]
