"""Invalid manifests: each file in data/invalid/ states the exact line:column and message it produces."""

from __future__ import annotations

import graphlib
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.loading.catalog import Catalog, load_catalog
from publisher.loading.documents import Document
from publisher.model import Ref, Resource
from publisher.resource_types import TYPES

from conftest import PIN_TOKEN, REPO, TWEET_TOKEN

INVALID = sorted((REPO / "tests" / "data" / "invalid").glob("*.yaml"))


def _expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: LINE:COL: MESSAGE'"
    return first[len("# expect: ") :]


@pytest.mark.parametrize("case", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_manifest_is_reported_exactly(case: Path, cli, tmp_path):
    shutil.copy(case, tmp_path / case.name)

    run = cli("validate", case.name)

    assert run.code == 1
    assert "Traceback" not in run.output
    assert f"{case.name}:{_expected(case)}" in run.err.splitlines(), run.err
    assert not list(tmp_path.glob("*.json")), "validate must not write anything"


def test_an_identity_declared_twice_differently_names_where_it_was_first(cli, write, tmp_path):
    write("a.yaml", f"identities:\n  club: {PIN_TOKEN}\n")
    write("b.yaml", f"boards:\n  x:\n    identity: club\n    name: X\nidentities:\n  club: {TWEET_TOKEN}\n")
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    said = "catalog/b.yaml:6:3: identities.club: identity 'club' is already defined differently"
    assert f"{said} (at catalog/a.yaml:2:3)" in run.err


def test_at_least_thirty_cases():
    assert len(INVALID) >= 30


def test_every_problem_of_every_file_is_reported_in_one_run(cli, write, tmp_path):
    write("a.yaml", f"boards:\n  x:\n    identity: {PIN_TOKEN}\n    privacy: open\n")
    write("b.yaml", f"posts:\n  t:\n    type: twitter/post\n    identity: {PIN_TOKEN}\n    message: {'y' * 300}\n")

    run = cli("validate", tmp_path / "catalog")

    assert run.code == 1
    assert "catalog/a.yaml:2:3: boards.x: missing required field 'name'" in run.err
    assert "catalog/a.yaml:4:5: boards.x.privacy: 'open' is not one of PUBLIC, PROTECTED, SECRET" in run.err
    assert (
        "catalog/b.yaml:5:5: posts.t.message: is 300 characters long as Twitter counts them (a link counts 23, an emoji 2); "
        "the limit is 280" in run.err
    )
    assert run.err.rstrip().endswith("3 errors in 2 files")


def test_duplicate_address_across_files_names_both_places(cli, write, tmp_path):
    board = f"boards:\n  stadium:\n    identity: {PIN_TOKEN}\n    name: Stadium\n"
    write("a.yaml", board)
    write("b.yaml", board)

    run = cli("validate", tmp_path / "catalog")

    assert run.code == 1
    assert "catalog/b.yaml:2:3: boards.stadium: duplicate address boards.stadium (first defined at catalog/a.yaml:2:3)" in run.err


def test_yaml_12_scalars_and_templates_keep_types(cli, write, tmp_path):
    write(
        "a.yaml",
        f"""
        boards:
          "no":
            identity: {PIN_TOKEN}
            name: "{{{{ vars.name }}}}"
            description: "Opening {{{{ vars.day }}}}"
        """,
    )
    run = cli("plan", tmp_path / "catalog", "--var", "name=Stadium", "--var", "day=2026-12-01")
    assert run.code == 0, run.output
    assert "+ boards.no" in run.out
    assert '"Opening 2026-12-01"' in run.out


@pytest.mark.parametrize("example", ["club", "shop"])
def test_example_catalogs_are_valid(cli, example):
    run = cli("validate", REPO / "examples" / example)
    assert run.code == 0, run.output
    assert run.out.endswith("valid.\n")


def test_a_reference_to_an_entry_with_errors_reports_only_that_entry(cli, write, tmp_path):
    write(
        "a.yaml",
        f"""
        boards:
          stadium:
            identity: {PIN_TOKEN}
            privacy: open
        pins:
          p:
            identity: {PIN_TOKEN}
            board: {{ref: boards.stadium}}
            picture: https://cdn.example.com/p.jpg
        """,
    )
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert "pins.p" not in run.err
    assert run.err.rstrip().endswith("2 errors in 1 file")


@pytest.mark.parametrize("board", ["name: Stadium", "privacy: open"])  # valid, and with an error of its own
def test_a_reference_to_an_entry_of_a_data_file_is_not_in_the_catalog(board, cli, write, tmp_path):
    """A YAML file that a template reads with data() is data: its entries are no addresses,
    and their errors are not reported."""
    write("boards.yaml", f"boards:\n  stadium:\n    identity: {PIN_TOKEN}\n    {board}\n")
    write(
        "pins.yaml",
        f"""
        pins:
          "p-{{{{ each.key }}}}":
            for_each: "{{{{ data('boards.yaml') }}}}"
            identity: {PIN_TOKEN}
            board: {{ref: boards.stadium}}
            picture: https://cdn.example.com/p.jpg
        """,
    )
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert "refers to boards.stadium, which is not in the catalog" in run.err
    assert "privacy" not in run.err


def test_a_resource_is_located_where_its_entry_is_written(write, tmp_path):
    write(
        "a.yaml",
        f"""
        boards:
          stadium:
            identity: {PIN_TOKEN}
            name: Stadium

          museum:
            identity: {PIN_TOKEN}
            name: Museum
        """,
    )
    catalog = load_catalog([tmp_path / "catalog"])
    assert str(catalog.resources["boards.museum"].location) == "catalog/a.yaml:6:3"


def _graph_catalog(graph: dict[str, set[str]]) -> Catalog:
    resources = {}
    for address, refers_to in graph.items():
        resource = Resource(
            address,
            TYPES["pinterest/board"],
            PIN_TOKEN,
            {},
            {"x": [Ref(d) for d in sorted(refers_to)]},
            {},
            Document("m.yaml", {}),
            (),
        )
        resources[address] = resource
    return Catalog(root=Path("."), files=[], resources=resources)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f"boards.b{i}" for i in range(8)]),
        st.sets(st.sampled_from([f"boards.b{i}" for i in range(8)]), max_size=3),
        max_size=8,
    )
)
def test_order_puts_what_is_referred_to_first_and_finds_every_cycle(graph):
    catalog = _graph_catalog(graph)
    try:
        graphlib.TopologicalSorter({a: {d for d in ds if d in graph} for a, ds in graph.items()}).prepare()
        acyclic = True
    except graphlib.CycleError:
        acyclic = False
    if not acyclic:
        with pytest.raises(graphlib.CycleError) as raised:
            catalog.order()
        cycle = raised.value.args[1]
        assert cycle[0] == cycle[-1]
        assert all(b in graph[a] for a, b in zip(cycle, cycle[1:], strict=False))  # each refers to the next
        return
    order = catalog.order()
    assert sorted(order) == sorted(graph)
    position = {a: i for i, a in enumerate(order)}
    assert all(position[d] < position[a] for a, ds in graph.items() for d in ds if d in graph)
