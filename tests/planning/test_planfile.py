"""Saved plans: exactly what was reviewed is applied, once, and only against the state it was made for."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CAMP_NOU, HELLO_TWEET, PIN_TOKEN, STADIUM, TWEET_TOKEN

CATALOG = STADIUM + CAMP_NOU + HELLO_TWEET


def _plan(cli, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "plan.json"
    run = cli("plan", tmp_path / "catalog", "--out", out, *extra)
    assert run.code == 0, run.output
    return out


def test_a_saved_plan_applies_once_even_without_a_prior_state(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    out = _plan(cli, tmp_path)
    assert not (tmp_path / "catalog" / "publisher.state.json").exists()

    first = cli("apply", out, "--auto-approve")
    assert first.code == 0, first.output
    assert len(sandbox.objects()) == 3
    state = json.loads((tmp_path / "catalog" / "publisher.state.json").read_text())
    assert state["lineage"] == json.loads(out.read_text())["binding"]["lineage"]
    sandbox.clear()

    second = cli("apply", out, "--auto-approve")
    assert second.code == 1
    assert "the state changed since the plan was made (serial 0 then, 1 now): it was applied already" in second.err
    assert sandbox.requests() == []


def test_a_stale_plan_is_refused_saying_what_changed(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    path = tmp_path / "catalog" / "c.yaml"
    path.write_text(path.read_text().replace("Camp Nou at night", "Camp Nou by night"))
    out = _plan(cli, tmp_path)
    path.write_text(path.read_text().replace("Hello", "Hello again"))
    sandbox.clear()

    run = cli("apply", out, "--auto-approve")

    assert run.code == 1
    assert "the manifests (or their data files) changed since the plan was made; make a new plan" in run.err
    assert sandbox.requests() == []


def test_another_apply_in_between_makes_the_plan_stale(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    out = _plan(cli, tmp_path)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    sandbox.clear()
    run = cli("apply", out, "--auto-approve")
    assert run.code == 1
    assert "make a new plan" in run.err
    assert sandbox.requests() == []


def test_the_saved_plan_is_what_runs(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    path = tmp_path / "catalog" / "c.yaml"
    path.write_text(path.read_text().replace("Camp Nou at night", "Camp Nou by night"))
    out = _plan(cli, tmp_path)
    sandbox.clear()
    shown = cli("show", out)
    assert '"Camp Nou at night" -> "Camp Nou by night"' in shown.out

    run = cli("apply", out, "--auto-approve")

    assert run.code == 0, run.output
    assert [(r["method"], r["body"]) for r in sandbox.requests()] == [
        ("PUT", {"request": {"update": {"pin": {"description": "Camp Nou by night"}}}})
    ]


def test_target_narrows_the_plan_and_keeps_dependencies(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    plan = cli("plan", tmp_path / "catalog", "--target", "pins.*")
    assert plan.code == 0
    assert "+ pins.camp-nou" in plan.out and "+ boards.stadium" in plan.out
    assert "posts.hello" not in plan.out
    run = cli("apply", tmp_path / "catalog", "--auto-approve", "--target", "pins.camp-nou")
    assert run.code == 0, run.output
    assert sorted(o["object"] for o in sandbox.objects()) == ["board", "pin"]
    missing = cli("plan", tmp_path / "catalog", "--target", "pins.nope")
    assert missing.code == 1 and "--target pins.nope matches no address" in missing.err


def test_no_token_or_key_in_any_output_or_plan_file(sandbox, cli, write, tmp_path):
    write("c.yaml", CATALOG)
    out = _plan(cli, tmp_path)
    texts = [out.read_text()]
    for fmt in ("text", "json", "markdown", "github"):
        texts.append(cli("plan", tmp_path / "catalog", "--format", fmt).output)
        texts.append(cli("show", out, "--format", fmt).output)
    texts.append(cli("apply", out, "--auto-approve").output)
    path = tmp_path / "catalog" / "c.yaml"
    path.write_text(path.read_text().replace("Hello", "Hello again"))
    texts.append(cli("plan", tmp_path / "catalog", "--format", "json").output)
    texts.append(cli("apply", tmp_path / "catalog", "--auto-approve").output)
    for text in texts:
        for secret in (PIN_TOKEN, TWEET_TOKEN, "test-public", "test-private"):
            assert secret not in text
    assert "identity club)" in texts[1] and "7c9e…0ae7" in texts[1]  # the alias, else the token masked


def test_a_saved_plan_with_a_rename_and_an_update_applies(sandbox, cli, write, tmp_path):
    path = write("c.yaml", CATALOG)
    assert cli("apply", tmp_path / "catalog", "--auto-approve").code == 0
    pin_id = json.loads((tmp_path / "catalog" / "publisher.state.json").read_text())["resources"]["pins.camp-nou"]["id"]
    text = path.read_text().replace("camp-nou:", "night:").replace("Camp Nou at night", "Camp Nou by night")
    path.write_text(text + "moved:\n  - {from: pins.camp-nou, to: pins.night}\n")
    out = _plan(cli, tmp_path)
    sandbox.clear()

    run = cli("apply", out, "--auto-approve")

    assert run.code == 0, run.output
    assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in sandbox.requests()] == [("PUT", f"{pin_id}.json")]
    resources = json.loads((tmp_path / "catalog" / "publisher.state.json").read_text())["resources"]
    assert "pins.camp-nou" not in resources and resources["pins.night"]["id"] == pin_id
