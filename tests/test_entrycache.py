"""The entry cache: unchanged files are not read again, and a plan through it is always the
plan without it, messages included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PIN_TOKEN
from publisher import manifest

BOARDS = """
identities:
  club: {token}
boards:
  "b{{{{ each.n }}}}":
    for_each: "{{{{ data('rows.csv') }}}}"
    identity: club
    name: "{{{{ vars.prefix }}}} {{{{ each.n }}}}"
""".format(token=PIN_TOKEN)

PINS = """
pins:
  night:
    identity: club
    board: {ref: boards.b1}
    picture: https://cdn.example.com/night.jpg
    description: Camp Nou at night
"""


@pytest.fixture
def catalog(write, tmp_path) -> Path:
    write("boards.yaml", BOARDS)
    write("pins.yaml", PINS)
    write("publisher.yaml", "vars:\n  prefix: Board\n")
    (tmp_path / "catalog" / "rows.csv").write_text("n\n1\n2\n")
    return tmp_path / "catalog"


def _plan(cli, monkeypatch, root: Path, *extra: str, cache: bool = True):
    monkeypatch.setenv("PUBLISHER_CACHE", "on" if cache else "off")
    return cli("plan", root, *extra)


def _same_as_without_cache(cli, monkeypatch, root: Path, *extra: str):
    cached = _plan(cli, monkeypatch, root, *extra)
    cold = _plan(cli, monkeypatch, root, *extra, cache=False)
    assert (cached.code, cached.out, cached.err) == (cold.code, cold.out, cold.err)
    return cached


def _parsed(monkeypatch) -> list[str]:
    """The manifest files the next plan parses (a spy that calls through)."""
    seen: list[str] = []
    real = manifest.load

    def spy(path, display, content=None):
        if Path(display).name != "publisher.yaml":  # the project file is always read
            seen.append(Path(display).name)
        return real(path, display, content)

    monkeypatch.setattr(manifest, "load", spy)
    return seen


def test_only_the_changed_file_is_parsed_again(catalog, cli, monkeypatch):
    assert _plan(cli, monkeypatch, catalog).code == 0
    (catalog / "pins.yaml").write_text(PINS.replace("at night", "by night"))
    parsed = _parsed(monkeypatch)
    run = _plan(cli, monkeypatch, catalog)
    assert parsed == ["pins.yaml"]
    assert "by night" in run.out and "Board 2" in run.out
    assert _same_as_without_cache(cli, monkeypatch, catalog).out == run.out


@pytest.mark.parametrize("change", ["data file", "var", "project vars", "moved file"])
def test_every_input_of_a_file_invalidates_its_entries(change, catalog, cli, monkeypatch):
    assert _plan(cli, monkeypatch, catalog).code == 0
    extra: list[str] = []
    if change == "data file":
        (catalog / "rows.csv").write_text("n\n1\n2\n3\n")
        expected = "boards.b3"
    elif change == "var":
        extra, expected = ["--var", "prefix=Tableau"], "Tableau 2"
    elif change == "project vars":
        (catalog / "publisher.yaml").write_text("vars:\n  prefix: Planche\n")
        expected = "Planche 2"
    else:
        (catalog / "more").mkdir()
        shutil.move(catalog / "boards.yaml", catalog / "more" / "boards.yaml")
        shutil.move(catalog / "rows.csv", catalog / "more" / "rows.csv")
        expected = "Board 2"
    parsed = _parsed(monkeypatch)
    run = _plan(cli, monkeypatch, catalog, *extra)
    assert "boards.yaml" in parsed
    assert expected in run.out
    assert _same_as_without_cache(cli, monkeypatch, catalog, *extra).out == run.out


def test_a_file_that_reads_the_environment_is_never_recorded(write, catalog, cli, monkeypatch):
    write("posts.yaml", 'posts:\n  hello:\n    type: twitter/post\n    identity: club\n    message: "{{ env(\'GREETING\') }}"\n')
    monkeypatch.setenv("GREETING", "secret-greeting-1")
    assert "secret-greeting-1" in _plan(cli, monkeypatch, catalog).out
    entries = (catalog / ".publisher" / "entries.jsonl").read_text()
    assert "secret-greeting-1" not in entries and "posts.yaml" not in entries
    assert "boards.yaml" in entries
    monkeypatch.setenv("GREETING", "secret-greeting-2")
    assert "secret-greeting-2" in _same_as_without_cache(cli, monkeypatch, catalog).out


def test_problems_among_replayed_entries_read_exactly_as_without_the_cache(write, catalog, cli, monkeypatch):
    assert _plan(cli, monkeypatch, catalog).code == 0
    write("again.yaml", "pins:\n  night:\n    identity: club\n    board_id: '1'\n    picture: https://cdn.example.com/x.jpg\n")
    run = _same_as_without_cache(cli, monkeypatch, catalog)
    assert run.code == 1
    assert "duplicate address pins.night" in run.err and "pins.yaml:2:3" in run.err


GARBAGE = ["not json", '{"common": 1}', "[]", "other key", "bad entries", "bad data", "bad record", "no tab"]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_a_damaged_cache_is_ignored(garbage, catalog, cli, monkeypatch):
    assert _plan(cli, monkeypatch, catalog).code == 0
    path = catalog / ".publisher" / "entries.jsonl"
    header, *lines = path.read_text().splitlines()
    damaged = [header]
    for line in lines:  # right shape, wrong insides
        name, record = line.split("\t", 1)
        fields = json.loads(record)
        if garbage == "other key":
            fields["entries"], fields["key"] = [["pins", "other", ["pins", "other"], {}, "", [1, 1]]], "0"
        elif garbage == "bad entries":
            fields["entries"] = [[1, 2], None]
        elif garbage == "bad data":
            fields["data"] = ["not", "a", "mapping"]
        record = json.dumps(fields)[:-1] if garbage == "bad record" else json.dumps(fields)
        damaged.append(f"{name}{record}" if garbage == "no tab" else f"{name}\t{record}")
    if garbage in ("not json", '{"common": 1}', "[]"):
        path.write_text(garbage)
    else:
        path.write_text("\n".join(damaged) + "\n")
    _same_as_without_cache(cli, monkeypatch, catalog)


def test_an_unchanged_record_is_written_back_as_it_was(catalog, cli, monkeypatch):
    assert _plan(cli, monkeypatch, catalog).code == 0
    path = catalog / ".publisher" / "entries.jsonl"
    before = {line.split("\t", 1)[0]: line for line in path.read_text().splitlines()[1:]}
    (catalog / "pins.yaml").write_text(PINS.replace("at night", "by night"))
    assert _plan(cli, monkeypatch, catalog).code == 0
    after = {line.split("\t", 1)[0]: line for line in path.read_text().splitlines()[1:]}
    assert before.keys() == after.keys()
    changed = [name for name in after if after[name] != before[name]]
    assert changed == [json.dumps(str((catalog / "pins.yaml").resolve()))]


EDITS = {
    "description": ("pins.yaml", lambda t: t.replace("Camp Nou at night", "Camp Nou by day")),
    "rows": ("rows.csv", lambda t: t + "7\n"),
    "prefix": ("publisher.yaml", lambda t: t.replace("Board", "Tafel") if "Board" in t else t.replace("Tafel", "Board")),
    "dangling": ("pins.yaml", lambda t: t.replace("boards.b1", "boards.b9")),
    "fix dangling": ("pins.yaml", lambda t: t.replace("boards.b9", "boards.b1")),
    "yaml error": ("boards.yaml", lambda t: t + "  broken: [\n"),
    "fix yaml": ("boards.yaml", lambda t: t.replace("  broken: [\n", "")),
    "new file": ("extra.yaml", lambda t: "boards:\n  extra:\n    identity: club\n    name: Extra\n"),
    "drop file": ("extra.yaml", lambda t: None),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=6))
def test_any_sequence_of_edits_plans_as_without_the_cache(catalog, cli, monkeypatch, edits):
    work = catalog.parent / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(catalog, work)
    for edit in edits:
        name, change = EDITS[edit]
        path = work / name
        text = change(path.read_text() if path.exists() else "")
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text)
        _same_as_without_cache(cli, monkeypatch, work)


def test_validate_writes_no_cache(catalog, cli, monkeypatch):
    monkeypatch.setenv("PUBLISHER_CACHE", "on")
    assert cli("validate", catalog).code == 0
    assert not (catalog / ".publisher").exists()
