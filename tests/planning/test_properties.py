"""Property tests: no manifest, however broken, makes validate or plan crash."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PIN_TOKEN

VALID = f"""identities:
  club: {PIN_TOKEN}
boards:
  stadium:
    identity: club
    name: "{{{{ vars.name | default('Stadium') }}}}"
    privacy: PUBLIC
pins:
  camp-nou:
    identity: club
    board: {{ref: boards.stadium}}
    description: Camp Nou at night
    picture: https://cdn.example.com/camp-nou.jpg
posts:
  tweet:
    type: twitter/post
    identity: club
    message: Hello
"""
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(
        ["{{ vars.x }}", "{{ each.sku }}", "{{ data('x.csv') }}", "{ref: boards.stadium}", "no", "PUBLIC", PIN_TOKEN]
    ),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=12
)
keys = st.sampled_from(
    ["identities", "boards", "pins", "posts", "moved", "type", "identity", "name", "board", "for_each", "enabled", "ref"]
)
manifests = st.dictionaries(keys | st.text(max_size=8), values, max_size=5)


def _check(cli, path: Path) -> None:
    for command in ("validate", "plan"):
        run = cli(command, path)
        assert run.code in (0, 1), (command, run.code, run.output)
        assert "internal error" not in run.output and "Traceback" not in run.output
        if run.code == 1:
            assert run.err.strip(), "an error must say what is wrong"


@SETTINGS
@given(manifest=manifests)
def test_random_structures_never_crash(manifest, cli, tmp_path):
    path = tmp_path / "random.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True))
    _check(cli, path)


@SETTINGS
@given(data=st.data())
def test_mutated_valid_manifests_never_crash(data, cli, tmp_path):
    text = VALID
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "duplicate-line", "swap"]))
        if action == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 8)) :]
        elif action == "insert":
            text = (
                text[:position]
                + data.draw(st.text(st.sampled_from(list(":-{}[]'\"!&*#|> \n\t%@`") + ["a", "1"]), max_size=5))
                + text[position:]
            )
        elif action == "duplicate-line":
            lines = text.splitlines(keepends=True)
            line = data.draw(st.integers(0, len(lines) - 1))
            lines.insert(line, lines[line])
            text = "".join(lines)
        else:
            lines = text.splitlines(keepends=True)
            i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
    path = tmp_path / "mutated.yaml"
    path.write_text(text)
    _check(cli, path)
