"""The wheel and the sdist as users get them: built, installed in a fresh venv outside the
repository, and run from there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
import requests

import publisher

from conftest import REPO, json_refs

ROOT = REPO


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=900)  # fmt: skip
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


@pytest.fixture(scope="module")
def installed(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `publisher` command of a venv that has only the wheel (and what it depends on)."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(built["wheel"])]
    subprocess.run(pip, check=True, capture_output=True, timeout=900)
    return venv / "bin" / "publisher"


def run(command: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONEALL_", "PUBLISHER_", "PYTHON"))}
    return subprocess.run([str(command), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_distributions_are_named_and_versioned_once(built):
    version = publisher.__version__
    assert built["wheel"].name == f"content_catalog_publisher-{version}-py3-none-any.whl"
    assert built["sdist"].name == f"content_catalog_publisher-{version}.tar.gz"
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"content_catalog_publisher-{version}.dist-info/METADATA").decode()
    assert {"publisher/schemas/manifest.json", "publisher/schemas/policies.json", "publisher/data/twitter_tlds.yml",
            "publisher/data/twitter-text.LICENSE", "publisher/templates/github/publisher.yml",
            "publisher/templates/gitlab/publisher.gitlab-ci.yml"} <= names  # fmt: skip
    assert "Requires-Python: >=3.11" in metadata and "License-File: LICENSE" in metadata
    for dependency in ("pyyaml", "jsonschema", "referencing", "jinja2", "requests", "click", "tzdata"):
        assert f"Requires-Dist: {dependency}" in metadata.lower().replace("requires-dist", "Requires-Dist")
    with tarfile.open(built["sdist"]) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "publisher/schemas/manifest.json",
        "publisher/data/twitter_tlds.yml",
    } <= members


def test_the_installed_command_works_outside_the_repository(installed, tmp_path):
    version = run(installed, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"publisher, version {publisher.__version__}"

    schema = run(installed, "schema", cwd=tmp_path)
    document = json.loads(schema.stdout)
    assert document["$id"].startswith("urn:content-catalog-publisher:")
    assert all(ref.startswith("#") for ref in json_refs(document)) and "common.json" in document["definitions"]["bundled"]

    shutil.copytree(ROOT / "examples" / "club", tmp_path / "club")
    plan = run(installed, "plan", "club", "--state", str(tmp_path / "state.json"), cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert "to create" in plan.stdout

    # init finds the CI templates in the wheel, not in a checkout.
    scaffold = run(installed, "init", "mine", "--ci", "gitlab", cwd=tmp_path)
    assert scaffold.returncode == 0, scaffold.stderr
    assert "PUBLISHER_CATALOG: mine/" in (tmp_path / "publisher.gitlab-ci.yml").read_text()
    assert run(installed, "validate", "mine", cwd=tmp_path).returncode == 0


def test_the_installed_sandbox_answers(installed, tmp_path):
    log = tmp_path / "sandbox.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(installed), "sandbox", "--port", "0"], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = ""
        for _ in range(600):  # waits for the line, not for a time: a slow machine only takes longer
            text = log.read_text()
            if "listening on " in text:
                url = text.split("listening on ", 1)[1].split()[0]
                break
            assert server.poll() is None, text
            time.sleep(0.1)
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(url + "/_sandbox/objects", timeout=30).json() == []
    finally:
        server.terminate()
        server.wait(timeout=60)
