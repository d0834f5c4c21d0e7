"""docs/getting-started.md, followed literally: its shell blocks, read from the page, run in
bash on a terminal (apply asks, and is answered "yes"), against the sandbox the page starts.
The guide cannot drift from the product again."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from servers import free_port

from conftest import REPO

PAGE = REPO / "docs" / "getting-started.md"


def _blocks() -> dict[str, str]:
    """The ```sh blocks of each numbered section, by its number."""
    found: dict[str, str] = {}
    for section in re.split(r"\n## ", PAGE.read_text(encoding="utf-8"))[1:]:
        number = section.split(".", 1)[0]
        found[number] = "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))
    return found


def _run_on_a_terminal(script: str, cwd: Path, env: dict[str, str], answers: dict[str, str]) -> tuple[int, str]:
    """Run `script` in bash with a terminal for its input and output; answer each prompt."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(["bash", "-e", "-c", script], cwd=cwd, env=env, stdin=follower, stdout=follower,
                               stderr=follower, close_fds=True, start_new_session=True)  # fmt: skip
    os.close(follower)
    output, answered = b"", 0
    deadline = time.monotonic() + 240  # a guard against a hang, never a pass condition
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: bash and its children are done with it
                break
            if not chunk:
                break
            output += chunk
            for prompt, answer in answers.items():
                if output.decode(errors="replace").count(prompt) > answered:
                    os.write(leader, answer.encode())
                    answered += 1
        elif process.poll() is not None:
            break
    code = process.wait(timeout=60)
    os.close(leader)
    return code, output.decode(errors="replace")


def test_the_getting_started_guide_works_as_written(tmp_path):
    blocks = _blocks()
    assert {"1", "2", "3", "4"} <= set(blocks), blocks.keys()
    assert "publisher --version" in blocks["1"]  # installing is make test's job; the command must be there
    port = str(free_port())
    sandbox = blocks["2"].replace("8910", port)  # a free port: the only change to what the page says
    wait = (  # the page's next steps take longer than the sandbox's start; a test must not depend on it
        f'{sys.executable} -c "import socket, time\n'
        f"for _ in range(200):\n    try:\n        socket.create_connection(('127.0.0.1', {port}), 1).close(); break\n"
        f'    except OSError: time.sleep(0.05)"\n'
    )
    script = "\n".join(["set -e", "publisher --version", sandbox, wait, blocks["3"], blocks["4"], "kill %1"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONEALL_", "PUBLISHER_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    code, output = _run_on_a_terminal(script, tmp_path, env, {"Only 'yes' will be accepted": "yes\n"})
    assert code == 0, output
    assert "1 to create" in output
    assert "Apply complete: 1 done" in output
    assert output.rstrip().count("No changes. The catalog matches the state (1 resource).") == 1
    state = (tmp_path / "catalog" / "publisher.state.json").read_text()
    assert "posts.season-tickets" in state
    # What the page says next: an edited message is a replace, a deleted entry a delete.
    tweets = tmp_path / "catalog" / "tweets.yaml"
    tweets.write_text(tweets.read_text().replace("on sale", "on sale now"))
    replaced = subprocess.run(["publisher", "plan", "catalog/"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "-/+ posts.season-tickets" in replaced.stdout and "1 to replace" in replaced.stdout
    tweets.write_text("posts: {}\n")
    deleted = subprocess.run(["publisher", "plan", "catalog/"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "- posts.season-tickets" in deleted.stdout and "1 to delete" in deleted.stdout
