"""The no-op memo: taken only when every input of the last no-op plan is unchanged."""

from __future__ import annotations

import pytest

import publisher.workflows.plan

from conftest import PIN_TOKEN

CATALOG = """
identities:
  club: "{{ env('CLUB_TOKEN') }}"
boards:
  "b{{ each.n }}":
    for_each: "{{ data('rows.csv') }}"
    identity: club
    name: "Board {{ each.n }}"
"""


@pytest.fixture
def applied(sandbox, cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("CLUB_TOKEN", PIN_TOKEN)
    write("c.yaml", CATALOG)
    (tmp_path / "catalog" / "rows.csv").write_text("n\n1\n2\n")
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    first = cli("plan", tmp_path / "catalog")
    assert first.out == "No changes. The catalog matches the state (2 resources).\n"
    return tmp_path / "catalog"


def _no_loading(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the catalog was loaded")

    monkeypatch.setattr(publisher.workflows.plan, "load_catalog", refuse)


def test_an_unchanged_catalog_is_not_loaded_again(applied, cli, monkeypatch):
    _no_loading(monkeypatch)
    run = cli("plan", applied)
    assert run.out == "No changes. The catalog matches the state (2 resources).\n"
    markdown = cli("plan", applied, "--format", "markdown")
    assert "No changes" in markdown.out and "Plan: 0 to create" in markdown.out


@pytest.mark.parametrize("change", ["manifest", "data", "env", "state", "var"])
def test_any_changed_input_plans_again(change, applied, cli, monkeypatch, sandbox):
    extra = []
    if change == "manifest":
        (applied / "c.yaml").write_text(CATALOG.replace("Board", "Tableau"))
    elif change == "data":
        (applied / "rows.csv").write_text("n\n1\n2\n3\n")
    elif change == "env":
        monkeypatch.setenv("CLUB_TOKEN", "7c9e6679-7425-40de-944b-e07fc1f90ae7")
    elif change == "state":
        assert cli("state", "rm", "boards.b1", "--state", applied / "publisher.state.json").code == 0
    else:
        extra = ["--var", "x=1"]
    calls = []
    real = publisher.workflows.plan.load_catalog
    monkeypatch.setattr(publisher.workflows.plan, "load_catalog", lambda *a, **k: calls.append(1) or real(*a, **k))
    cli("plan", applied, *extra)
    assert calls == [1]


def test_cache_off_always_loads(applied, cli, monkeypatch):
    monkeypatch.setenv("PUBLISHER_CACHE", "off")
    _no_loading(monkeypatch)
    assert cli("plan", applied).code == 3  # our refusing stand-in ran: the memo was not used


def test_the_memo_holds_no_token(applied):
    text = (applied / ".publisher" / "noop-plan.json").read_text()
    assert PIN_TOKEN not in text
    assert (applied / ".publisher" / ".gitignore").read_text().strip().endswith("*")
