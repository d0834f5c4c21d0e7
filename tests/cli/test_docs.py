"""The documentation: generated references up to date, every field and every command
documented, every link inside the repository alive, nothing pointing outside it."""

from __future__ import annotations

import importlib.util
import re

import click
import pytest

from publisher.cli.app import cli
from publisher.loading.schema import load_schema
from publisher.resource_types import TYPES

from conftest import REPO

ROOT = REPO
DOCS = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").rglob("*.md")])


def generator():
    spec = importlib.util.spec_from_file_location("docs_generator", ROOT / "scripts" / "docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("name", "make"), [("manifest.md", "manifest_reference"), ("cli.md", "cli_reference")])
def test_the_generated_references_are_up_to_date(name, make):
    committed = (ROOT / "docs" / "reference" / name).read_text(encoding="utf-8")
    assert committed == getattr(generator(), make)(), f"docs/reference/{name} is out of date: run make docs"


def test_every_field_of_every_type_and_of_publisher_yaml_is_documented():
    undocumented = []
    for resource_type in TYPES.values():
        for name, spec in load_schema(resource_type.schema_name)["properties"].items():
            if not spec.get("description") and not spec.get("$ref"):
                undocumented.append(f"{resource_type.name}.{name}")
    for document in ("project.json", "manifest.json"):
        properties = load_schema(document)["properties"].items()
        undocumented += [f"{document}: {n}" for n, spec in properties if not spec.get("description") and n != "policies"]
    common = load_schema("common.json")["definitions"]
    undocumented += [f"common.json: {n}" for n, spec in common.items() if not spec.get("description") and n != "time"]
    assert undocumented == []
    reference = (ROOT / "docs" / "reference" / "manifest.md").read_text()
    for resource_type in TYPES.values():
        assert f"### {resource_type.name}" in reference
        for name in load_schema(resource_type.schema_name)["properties"]:
            assert f"`{name}`" in reference, f"{resource_type.name}.{name}"


def commands(group: click.Group, prefix: str = "publisher"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


def test_every_command_and_option_is_documented():
    reference = (ROOT / "docs" / "reference" / "cli.md").read_text()
    for name, command in commands(cli):
        assert command.help or command.short_help, name
        assert f"## {name}\n" in reference, name
        for parameter in command.params:
            if isinstance(parameter, click.Option):
                assert parameter.help, f"{name} {parameter.opts}"
                for option in parameter.opts:
                    assert option in reference, f"{name} {option}"


LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_inside_the_repository_lead_somewhere(page):
    for target, anchor in LINK.findall(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path = (page.parent / target).resolve()
        assert path.exists(), f"{page.name}: {target}"
        if anchor and path.suffix == ".md":
            headings = {
                re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", path.read_text(), re.M)
            }
            assert anchor[1:] in headings, f"{page.name}: {target}{anchor}"


RELATIVE_PATH = re.compile(r"(?:\.\./)+[\w./-]*")


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_points_outside_the_repository(page):
    # Users get the repository only: a link or a relative path that leaves it leads nowhere for them.
    text = page.read_text(encoding="utf-8")
    targets = [target for target, _ in LINK.findall(text) if not target.startswith(("http://", "https://", "mailto:"))]
    for target in targets + RELATIVE_PATH.findall(text):
        path = (page.parent / target).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), f"{page.name}: {target}"


def test_the_readme_is_one_screen_with_the_two_commands():
    readme = (ROOT / "README.md").read_text().splitlines()
    assert len(readme) <= 50
    assert any(line.startswith("make demo") for line in readme) and any(line.startswith("make test") for line in readme)
    assert "docs/getting-started.md" in "\n".join(readme)


def _yaml_blocks(page: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / page).read_text(encoding="utf-8"), re.S)


def test_the_variants_and_reviews_pages_show_what_publisher_accepts(cli, write, tmp_path):
    identities = (
        "identities:\n  club-twitter: 7c9e6679-7425-40de-944b-e07fc1f90ae7\n"
        "  club-linkedin: 9b2e7c1a-6d4f-4e8b-a1c3-5f7d9e0b2a4c\n  club-facebook: 3f2504e0-4f89-41d3-9a0c-0305e82c3301\n"
    )
    launch, moved = _yaml_blocks("variants-and-labels.md")[:2]
    write("c.yaml", identities + launch + moved)
    write("publisher.yaml", _yaml_blocks("reviews.md")[0])
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 0 and "3 resources" in run.out, run.output
    planned = cli("plan", tmp_path / "catalog", "--state", tmp_path / "s.json", "--target", "label:kit-launch")
    assert planned.code == 0 and "posts.kit-launch.linkedin" in planned.out


def test_the_reference_names_fields_as_manifests_write_them():
    """Found: the update column named the API's keys (`type`) where the manifest's field is
    `section_type`, and the `type` row had no type."""
    reference = (ROOT / "docs" / "reference" / "manifest.md").read_text()
    rows = re.findall(r"^\| \[([a-z/]+)\]\(#[a-z]+\) \| yes \| ([^|]+) \|", reference, re.M)
    assert len(rows) == len(TYPES)
    for type_name, update in rows:
        fields = load_schema(TYPES[type_name].schema_name)["properties"]
        named = [name.strip() for name in update.split(",") if name.strip() != "–"]
        assert all(name in fields for name in named), (type_name, named)
    assert re.search(r"^\| `type` \| string \|", reference, re.M)
