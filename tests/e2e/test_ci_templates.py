"""The shipped GitHub Action and GitLab CI template: their shell steps run for real here,
against the sandbox, as the runners would run them (what only GitHub or GitLab can run,
setup-python or posting a comment, is not)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

ROOT = REPO
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
GITLAB = yaml.safe_load((ROOT / "examples" / "gitlab" / "publisher.gitlab-ci.yml").read_text())
STEPS = {step.get("name") or step["uses"]: step for step in ACTION["runs"]["steps"]}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def test_no_input_is_pasted_into_a_script():
    # ${{ }} in a script is text substitution before bash reads it: a path holding `$(...)` would run.
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step
    for name, job in GITLAB.items():
        if isinstance(job, dict):
            assert all("${{" not in line for line in job.get("script", [])), name


def test_every_input_used_is_declared():
    used = set(re.findall(r"inputs\.([a-z-]+)", (ROOT / "action.yml").read_text()))
    assert used == set(ACTION["inputs"])


def test_the_example_workflow_uses_the_action_for_each_command():
    workflow = yaml.safe_load((ROOT / "examples" / "github" / "publisher.yml").read_text())
    used = [
        step["with"]["command"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "publisher@" in step.get("uses", "")
    ]
    assert used == ["validate", "plan", "apply", "takedown"]


def run_step(
    name: str, inputs: dict[str, str], cwd: Path, github_output: Path, context: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """One `run:` step of the action, with its env as GitHub would fill it from the inputs and
    the event (`context`: e.g. the pull request's number, an earlier step's outputs)."""
    step = STEPS[name]
    values = {f"inputs.{key}": str(spec.get("default", "")) for key, spec in ACTION["inputs"].items()}
    values.update({f"inputs.{key}": value for key, value in inputs.items()})
    values.update({"github.event.pull_request.number": "", "steps.merged.outputs.proposals": "", **(context or {})})
    values["github.action_path"] = str(ROOT)
    env = {key: EXPRESSION.sub(lambda m: values[m.group(1)], value) for key, value in step.get("env", {}).items()}
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, **env, "PATH": path, "GITHUB_OUTPUT": str(github_output), "GITHUB_ACTIONS": "true", "CI": "true"}
    env.setdefault("PUBLISHER_STATE", str(cwd / "shared-state.json"))  # the repository's secret
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def club(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "club", tmp_path / "club")
    return tmp_path / "club"


def test_the_action_validates_plans_and_applies(sandbox, club, tmp_path):
    output = tmp_path / "github_output"
    inputs = {"command": "plan", "path": "club"}
    assert run_step("check the command", inputs, tmp_path, output).returncode == 0
    assert run_step("validate", inputs, tmp_path, output).returncode == 0

    plan = run_step("plan", inputs, tmp_path, output)
    assert plan.returncode == 0, plan.stderr
    assert output.read_text().splitlines()[-1] == "exitcode=2"  # changes to make
    assert (tmp_path / "publisher-plan.md").read_text().startswith("<!-- publisher-plan -->")
    page = (tmp_path / "publisher-plan.html").read_text()
    assert page.startswith("<!doctype html>") and 'data-address="posts.launch-tweet"' in page

    applied = run_step("apply", {"command": "apply", "path": "club"}, tmp_path, output)
    assert applied.returncode == 0, applied.stderr
    assert sandbox.objects()
    assert run_step("plan", inputs, tmp_path, output).returncode == 0
    assert output.read_text().splitlines()[-1] == "exitcode=0"  # nothing left to do


def test_the_action_refuses_bad_inputs_without_running_them(club, tmp_path):
    output = tmp_path / "github_output"
    refused = run_step("check the command", {"command": "plan; touch pwned"}, tmp_path, output)
    assert refused.returncode == 1 and "command: validate, plan, apply or takedown" in refused.stderr
    assert not (tmp_path / "pwned").exists()
    (club / "twitter.yaml").write_text((club / "twitter.yaml").read_text() + "  broken:\n    type: twitter/post\n")
    invalid = run_step("validate", {"command": "validate", "path": "$(touch pwned)club"}, tmp_path, output)
    assert invalid.returncode == 1 and not (tmp_path / "pwned").exists()
    invalid = run_step("validate", {"command": "validate", "path": "club"}, tmp_path, output)
    assert invalid.returncode == 1
    assert "::error file=club/twitter.yaml,line=" in invalid.stderr


def test_a_pr_plan_is_proposed_and_the_merge_applies_only_what_was_reviewed(sandbox, club, tmp_path):
    """The Action through a pull request's plan, a merge that brings an unreviewed extra
    change, and the apply on the push: the extra change is held."""
    output = tmp_path / "github_output"
    pr = {"github.event.pull_request.number": "12"}
    plan = run_step("plan", {"command": "plan", "path": "club"}, tmp_path, output, pr)
    assert plan.returncode == 0, plan.stderr
    assert "Proposed" in plan.stderr and "github-pr-12" in plan.stderr
    tweets = club / "twitter.yaml"
    tweets.write_text(
        tweets.read_text() + "  sneaked-in:\n    type: twitter/post\n    identity: club-twitter\n    message: Never reviewed\n"
    )
    merged = {"steps.merged.outputs.proposals": "github-pr-12 github-pr-99"}  # 99 touched no catalog file: no proposal
    applied = run_step("apply", {"command": "apply", "path": "club", "reviewed-only": "true"}, tmp_path, output, merged)
    assert applied.returncode == 0, applied.stderr
    messages = [o.get("message", "") for o in sandbox.objects()]
    assert messages and "Never reviewed" not in messages
    assert "posts.sneaked-in" in applied.stdout and "Held (not reviewed)" in applied.stdout
    assert "::warning" in applied.stderr and "posts.sneaked-in: held (not reviewed)" in applied.stderr
    forged = run_step(
        "apply", {"command": "apply", "path": "club"}, tmp_path, output, {"steps.merged.outputs.proposals": "x;touch pwned"}
    )
    assert forged.returncode == 1 and not (tmp_path / "pwned").exists()


def test_the_action_takes_a_campaign_down_and_releases_it(sandbox, club, tmp_path):
    output = tmp_path / "github_output"
    tweets = club / "twitter.yaml"
    tweets.write_text(
        tweets.read_text().replace('    message: "Season tickets', '    labels: [spring-sale]\n    message: "Season tickets')
    )
    assert run_step("apply", {"command": "apply", "path": "club"}, tmp_path, output).returncode == 0
    before = len(sandbox.objects())
    inputs = {"command": "takedown", "path": "club", "target": "label:spring-sale"}
    unreasoned = run_step("takedown", inputs, tmp_path, output)
    assert unreasoned.returncode == 1 and "give the reason" in unreasoned.stderr
    down = run_step("takedown", {**inputs, "reason": "pricing error; $(touch pwned)"}, tmp_path, output)
    assert down.returncode == 0, down.stderr
    assert len(sandbox.objects()) == before - 1 and not (tmp_path / "pwned").exists()
    assert run_step("apply", {"command": "apply", "path": "club"}, tmp_path, output).returncode == 0
    assert len(sandbox.objects()) == before - 1  # a scheduled apply does not post it again
    assert run_step("takedown", {**inputs, "release": "true"}, tmp_path, output).returncode == 0
    assert run_step("apply", {"command": "apply", "path": "club"}, tmp_path, output).returncode == 0
    assert len(sandbox.objects()) == before


def test_the_gitlab_template_plans_and_applies(sandbox, club, tmp_path):
    env = {**os.environ, "PUBLISHER_CATALOG": "club", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env |= {"CI_MERGE_REQUEST_IID": "5", "PUBLISHER_APPROVE": "gitlab-mr-5", "CI_PIPELINE_SOURCE": "push"}

    def job(name: str) -> subprocess.CompletedProcess[str]:
        script = "\n".join(GITLAB[name]["script"])
        return subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    assert job("publisher-validate").returncode == 0
    plan = job("publisher-plan")
    assert plan.returncode == 0, plan.stderr
    assert "<!-- publisher-plan -->" in plan.stdout and (tmp_path / "publisher-plan.md").exists()
    applied = job("publisher-apply")
    assert applied.returncode == 0, applied.stderr
    assert sandbox.objects()
    (club / "twitter.yaml").write_text((club / "twitter.yaml").read_text() + "  broken:\n    type: twitter/post\n")
    assert job("publisher-plan").returncode != 0


def test_ci_only_runs_the_three_make_targets_and_make_test_installs_the_servers():
    """`.ci/run` must not hide a set-up step that `make test` lacks on a fresh machine."""
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert [line for line in lines if line.startswith("make")] == ["make demo", "make lint", "make test"]
    assert not any("apt-get" in line or "pip install" in line for line in lines)
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/test-servers.sh" in recipe
    script = (ROOT / "scripts" / "test-servers.sh").read_text()
    assert "postgresql" in script and "chromium" in script and "apt-get install" in script


def test_the_gitlab_plan_keeps_one_note_updated_on_every_push(sandbox, club, tmp_path):
    """The merge request's note is posted once, then updated: a fake GitLab API records it."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    notes: list[dict] = []
    calls: list[tuple[str, str]] = []

    class GitLab(BaseHTTPRequestHandler):
        def _answer(self, data) -> None:
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            calls.append(("GET", self.path))
            self._answer(notes)

        def _write(self) -> None:
            calls.append((self.command, self.path))
            text = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["body"]
            if self.command == "POST":
                notes.append({"id": 41 + len(notes), "body": text})
            else:
                notes[[n["id"] for n in notes].index(int(self.path.rsplit("/", 1)[1]))]["body"] = text
            self._answer(notes[-1])

        do_POST = do_PUT = _write

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), GitLab)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        env = {**os.environ, "PUBLISHER_CATALOG": "club", "PATH": path, "CI_MERGE_REQUEST_IID": "5",
               "PUBLISHER_GITLAB_TOKEN": "glpat-test", "CI_PROJECT_ID": "7",
               "CI_API_V4_URL": f"http://127.0.0.1:{server.server_port}/api/v4"}  # fmt: skip
        script = "\n".join(GITLAB["publisher-plan"]["script"])
        for _ in range(2):  # two pushes to the merge request
            done = subprocess.run(
                ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
    assert [c[0] for c in calls] == ["GET", "POST", "GET", "PUT"]
    assert calls[3][1].endswith("/merge_requests/5/notes/41") and len(notes) == 1
    assert notes[0]["body"].startswith("<!-- publisher-plan -->")
