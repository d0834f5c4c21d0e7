"""Property: whatever the catalog and however it changes, after apply the next plan is empty
and the network holds exactly one object per address (boards the API cannot delete aside)."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.sandbox import Sandbox

from conftest import PIN_TOKEN, RunningSandbox

texts = st.text(st.sampled_from("abc xyz-é👍"), min_size=1, max_size=12)
catalogs = st.fixed_dictionaries(
    {
        "boards": st.dictionaries(st.sampled_from(["b1", "b2", "b3"]), texts, min_size=1, max_size=3),
        "pins": st.dictionaries(
            st.sampled_from([f"p{i}" for i in range(6)]), st.tuples(st.integers(0, 2), texts, st.booleans()), max_size=6
        ),
        "tweets": st.dictionaries(st.sampled_from(["t1", "t2", "t3"]), texts, max_size=3),
    }
)


def _manifest(spec: dict) -> str:
    boards = sorted(spec["boards"])
    doc: dict = {"boards": {name: {"identity": PIN_TOKEN, "name": title} for name, title in spec["boards"].items()}}
    if spec["pins"]:
        doc["pins"] = {
            name: {
                "identity": PIN_TOKEN,
                "board": {"ref": f"boards.{boards[board % len(boards)]}"},
                "description": text,
                "picture": "https://cdn.example.com/a.jpg" if flag else "https://cdn.example.com/b.jpg",
            }
            for name, (board, text, flag) in spec["pins"].items()
        }
    if spec["tweets"]:
        doc["posts"] = {
            name: {"type": "twitter/post", "identity": PIN_TOKEN, "message": text} for name, text in spec["tweets"].items()
        }
    return yaml.safe_dump(doc, allow_unicode=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=catalogs, second=catalogs)
def test_after_apply_the_next_plan_is_empty(first, second, cli, tmp_path_factory, monkeypatch):
    server = Sandbox(public_key="k", private_key="s").start()  # a fresh network per example
    monkeypatch.setenv("ONEALL_API_URL", server.url)
    monkeypatch.setenv("ONEALL_PUBLIC_KEY", "k")
    monkeypatch.setenv("ONEALL_PRIVATE_KEY", "s")
    try:
        _check(first, second, RunningSandbox(server), cli, tmp_path_factory.mktemp("catalog"))
    finally:
        server.stop()


def _check(first, second, sandbox, cli, catalog) -> None:
    for spec in (first, second):
        # A board's name cannot change (the API can neither update nor delete a board):
        # keep the names the first catalog gave, as a user would have to.
        spec["boards"] = {name: first["boards"].get(name, title) for name, title in spec["boards"].items()}
        (catalog / "c.yaml").write_text(_manifest(spec))
        # The property is about the next plan, not about budgets: the second catalog may drop
        # most of the first, which the default budget of deletes would refuse.
        run = cli("apply", catalog, "--auto-approve", "--allow-deletes", "1000")
        assert run.code == 0, run.output
        assert cli("plan", catalog, "--detailed-exitcode").code == 0
        state = json.loads((catalog / "publisher.state.json").read_text())["resources"]
        on_network = {o["id"] for o in sandbox.objects() if o["object"] in ("pin", "post")}
        in_state = {r["id"] for a, r in state.items() if not a.startswith("boards.")}
        assert on_network >= in_state
    # Nothing but forgotten boards is left behind on the network.
    state = json.loads((catalog / "publisher.state.json").read_text())["resources"]
    leftovers = {o["id"] for o in sandbox.objects() if o["object"] in ("pin", "post")} - {r["id"] for r in state.values()}
    assert not leftovers
