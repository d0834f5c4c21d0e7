"""Invalid manifests: each file in data/invalid/ states the exact line:column and message it produces."""

from __future__ import annotations

import gc
import graphlib
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PIN_TOKEN

from publisher import catalog as catalog_module
from publisher.catalog import Catalog, Ref, Resource
from publisher.errors import Location
from publisher.resources import TYPES

INVALID = sorted((Path(__file__).parent / "data" / "invalid").glob("*.yaml"))


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


def test_at_least_thirty_cases():
    assert len(INVALID) >= 30


def test_every_problem_of_every_file_is_reported_in_one_run(cli, write, tmp_path):
    write("a.yaml", f"boards:\n  x:\n    identity: {PIN_TOKEN}\n    privacy: open\n")
    write("b.yaml", f"posts:\n  t:\n    type: twitter/post\n    identity: {PIN_TOKEN}\n    message: {'y' * 300}\n")

    run = cli("validate", tmp_path / "catalog")

    assert run.code == 1
    assert "catalog/a.yaml:2:3: boards.x: missing required field 'name'" in run.err
    assert "catalog/a.yaml:4:5: boards.x.privacy: 'open' is not one of PUBLIC, PROTECTED, SECRET" in run.err
    assert "catalog/b.yaml:5:5: posts.t.message: is 300 characters long as Twitter counts them (a link counts 23, an emoji 2); the limit is 280" in run.err
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
    run = cli("validate", Path(__file__).resolve().parent.parent / "examples" / example)
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
    catalog = catalog_module.load([tmp_path / "catalog"])
    assert str(catalog.resources["boards.museum"].location) == "catalog/a.yaml:6:3"


def _graph_catalog(graph: dict[str, set[str]]) -> Catalog:
    resources = {}
    for address, refers_to in graph.items():
        resource = Resource(address, TYPES["pinterest/board"], PIN_TOKEN, {}, {"x": [Ref(d) for d in sorted(refers_to)]}, {}, Location("m.yaml"))
        resources[address] = resource
    return Catalog(root=Path("."), files=[], resources=resources)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([f"boards.b{i}" for i in range(8)]),
                       st.sets(st.sampled_from([f"boards.b{i}" for i in range(8)]), max_size=3), max_size=8))
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
        assert all(b in graph[a] for a, b in zip(cycle, cycle[1:]))  # each refers to the next
        return
    order = catalog.order()
    assert sorted(order) == sorted(graph)
    position = {a: i for i, a in enumerate(order)}
    assert all(position[d] < position[a] for a, ds in graph.items() for d in ds if d in graph)


@pytest.mark.parametrize("example", ["club", "shop"])
def test_loading_leaves_no_garbage_for_the_paused_cycle_collector(example, tmp_path):
    """The CLI pauses the cycle collector while it loads (it only slows loading down); any
    reference cycle made per entry would then stay in memory until the command ends."""
    root = tmp_path / example
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / example, root)
    catalog_module.load([root])  # imports what loading needs (importing jinja2 leaves a few cycles)
    gc.collect()
    gc.disable()
    try:
        for cache in (False, True, True):  # cold, filling the cache, from the cache
            catalog_module.load([root], cache=cache)
            assert gc.collect() == 0
    finally:
        gc.enable()


# Reading shared with a forked copy (sharing.py): the same catalog, the same messages.

SHARED_BOARDS = """
boards:
  "b{n}-{{{{ each.n }}}}":
    for_each: "{{{{ data('rows.csv') }}}}"
    identity: club
    name: "{{{{ vars.prefix }}}} {n} {{{{ each.n }}}}"
"""

SHARED_PINS = """
pins:
{pins}
"""

SHARED_PIN = """  p{n}-{i}:
    identity: club
    board: {{ref: boards.b{n}-1}}
    picture: https://cdn.example.com/{n}/{i}.jpg
    description: "Pin {i} of file {n}, at {{{{ vars.prefix }}}}"
"""

SHARED_EXTRAS = {
    "identities.yaml": f"identities:\n  club: {PIN_TOKEN}\n",
    "moved.yaml": "moved:\n  - from: pins.old\n    to: pins.p0-0\n",
    "settings.yaml": "- name: one  # read by data(): data, not a manifest\n- name: two\n",
    "from-data.yaml": 'boards:\n  "d-{{ each.name }}":\n    for_each: "{{ data(\'settings.yaml\') }}"\n    identity: club\n    name: From data\n',
    "env.yaml": "boards:\n  env:\n    identity: club\n    name: \"{{ env('BOARD_NAME') }}\"\n",
}


@pytest.fixture
def shared_catalog(write, tmp_path, monkeypatch) -> Path:
    for thread in threading.enumerate():  # a sandbox of an earlier test may still be answering
        if thread is not threading.main_thread():
            thread.join(timeout=10)
    assert threading.active_count() == 1, "no fork with another thread running: these tests would test nothing"
    monkeypatch.setattr(catalog_module, "SHARE_MIN_BYTES", 0)
    monkeypatch.setenv("PUBLISHER_CACHE", "off")
    monkeypatch.setenv("BOARD_NAME", "From the environment")
    write("publisher.yaml", "vars:\n  prefix: Board\n")
    (tmp_path / "catalog" / "rows.csv").write_text("n\n1\n2\n3\n")
    for n in range(30):
        write(f"boards-{n:02}.yaml", SHARED_BOARDS.format(n=n))
        write(f"pins-{n:02}.yaml", SHARED_PINS.format(pins="".join(SHARED_PIN.format(n=n, i=i) for i in range(15))))
    for name, text in SHARED_EXTRAS.items():
        write(name, text)
    return tmp_path / "catalog"


def _shared_and_alone(cli, monkeypatch, *args):
    monkeypatch.setenv("PUBLISHER_WORKERS", "2")
    shared = cli(*args)
    monkeypatch.setenv("PUBLISHER_WORKERS", "1")
    alone = cli(*args)
    assert (shared.code, shared.out, shared.err) == (alone.code, alone.out, alone.err)
    return shared


def test_a_shared_read_plans_exactly_as_one_process(shared_catalog, cli, monkeypatch):
    run = _shared_and_alone(cli, monkeypatch, "plan", shared_catalog)
    assert run.code == 0
    assert "pins.p29-14" in run.out and "boards.b29-3" in run.out and "From the environment" in run.out
    assert "settings.yaml" not in run.out + run.err
    _shared_and_alone(cli, monkeypatch, "plan", shared_catalog, "--out-format", "json")


@pytest.mark.parametrize("problem", ["duplicate", "dangling ref", "yaml error", "invalid field", "identity conflict"])
def test_a_shared_read_reports_exactly_as_one_process(problem, shared_catalog, write, cli, monkeypatch):
    broken = {
        "duplicate": ("zz-again.yaml", "pins:\n  p3-4:\n    identity: club\n    board_id: '1'\n    picture: https://x.example/a.jpg\n"),
        "dangling ref": ("pins-07.yaml", (shared_catalog / "pins-07.yaml").read_text().replace("boards.b7-1", "boards.b7-9")),
        "yaml error": ("pins-11.yaml", "pins:\n  broken: [\n"),
        "invalid field": ("boards-12.yaml", SHARED_BOARDS.format(n=12) + "    privacy: SOMETIMES\n"),
        "identity conflict": ("zz-identities.yaml", "identities:\n  club: 7c9e6679-7425-40de-944b-e07fc1f90ae7\n"),
    }
    write(*broken[problem])
    run = _shared_and_alone(cli, monkeypatch, "plan", shared_catalog)
    assert run.code == 1 and "Traceback" not in run.err


def test_a_shared_read_leaves_files_to_the_copy(shared_catalog, cli, monkeypatch, tmp_path):
    parsed: list[str] = []
    real = catalog_module.manifest.load
    parent = os.getpid()
    here, there = tmp_path / "this process is reading", tmp_path / "a copy is reading"
    deadline: list[float] = []  # set at the first wait: 30 s in all, not per file

    def spy(path, display, content=None):
        if Path(display).name != "publisher.yaml":  # read before the fork
            if os.getpid() == parent:
                parsed.append(display)  # in this process only: the copy appends to its own list
            # each process waits until the other has started a file: both read some, however busy the machine
            mine, theirs = (here, there) if os.getpid() == parent else (there, here)
            mine.touch()
            deadline[:] = deadline or [time.monotonic() + 30]
            while not theirs.exists() and time.monotonic() < deadline[0]:
                time.sleep(0.001)
        return real(path, display, content)

    monkeypatch.setattr(catalog_module.manifest, "load", spy)
    monkeypatch.setenv("PUBLISHER_WORKERS", "2")
    assert cli("plan", shared_catalog).code == 0
    manifests = [p for p in shared_catalog.glob("*.yaml") if p.name != "publisher.yaml"]
    assert 0 < len(parsed) < len(manifests), "the copy read none of the files"


def test_a_shared_read_fills_the_entry_cache(shared_catalog, cli, monkeypatch):
    monkeypatch.setenv("PUBLISHER_CACHE", "on")
    first = _shared_and_alone(cli, monkeypatch, "plan", shared_catalog)
    entries = (shared_catalog / ".publisher" / "entries.jsonl").read_text()
    assert "pins-29.yaml" in entries and "From the environment" not in entries
    monkeypatch.setenv("PUBLISHER_CACHE", "off")
    assert cli("plan", shared_catalog).out == first.out
