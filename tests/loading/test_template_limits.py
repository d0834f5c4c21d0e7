"""Runaway templates end in a clear file:line error, well inside the budget: validating any
manifest stays under 300 MB. Measured as the peak memory of a child process, never by time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TWEET_TOKEN

MEMORY_BUDGET_MB = 300


# The child reports its own high-water mark (VmHWM, of the memory it has since exec). The
# rusage of wait4 would not do: Linux counts in it the RSS of the parent it was forked from,
# and this test process can itself be past the budget after the suite's other tests.
_CHILD = """
import sys
from publisher.cli import main
try:
    main(["validate", sys.argv[1]])
    code = 0
except SystemExit as done:
    code = done.code if isinstance(done.code, int) else 1
status = open("/proc/self/status").read()
peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
open(sys.argv[2], "w").write(peak)
sys.exit(code)
"""


def _validate_in_a_child(catalog: Path) -> tuple[int, str, float]:
    """Exit code, standard error and peak memory (MB) of `publisher validate` in its own process."""
    peak_file = catalog.parent / "peak.txt"
    with open(catalog.parent / "err.txt", "wb") as err:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(catalog), str(peak_file)], stdout=subprocess.DEVNULL, stderr=err, check=False
        )
    return done.returncode, (catalog.parent / "err.txt").read_text(), int(peak_file.read_text()) / 1024


def _catalog(tmp_path: Path, message: str, count: int = 1) -> Path:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    quoted = "'" + message.replace("'", "''") + "'"  # YAML's single-quoted style
    entries = "".join(
        f"  t{i}:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: {quoted}\n" for i in range(count)
    )
    (catalog / "c.yaml").write_text("posts:\n" + entries)
    return catalog


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'a' * 2 * 10**8 }}",  # found: 800 MB before failing
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",  # found: ran for ever
        "{{ [0] * 10**8 }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ 'x' | center(10**9) }}",
        "{{ 10 ** 10 ** 10 }}",
        "{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}",  # small pieces, a huge whole
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
        "{{ ('x' * 999999) + ('y' * 999999) }}",
        "{{ range(100000) | map('string') | join('x' * 900000) }}",
        "{{ '%1000000000s' % 'x' }}",
        "{{ '{:>1000000000}'.format('x') }}",
        "{{ 'x' | indent(10**9) }}",
        "{{ ('x' * 100000) | replace('', 'y' * 25) }}",  # found: 2.5 GB from a 70-character template
        "{{ ('x' * 100000).replace('', 'y' * 25) }}",  # the same as a method
        "{{ 'x,'.join(['y' * 999999] * 2) }}",  # found: join builds before any check
        "{{ ('ab' * 400000) | replace('a', 'x' * 1000, 900) }}",  # a count, still too much
        "{{ ('a\n' * 400000) | indent('b' * 100) }}",  # a prefix on every line
        "{{ ('ab ' * 300000) | wordwrap(1, wrapstring='x' * 100) }}",
    ],
)
def test_a_runaway_template_is_a_clear_error_within_the_memory_budget(template, tmp_path):
    code, err, peak = _validate_in_a_child(_catalog(tmp_path, template))
    assert code == 1, err
    assert "c.yaml:5:5: posts.t0.message:" in err  # a template error, or what the schema says of what it made
    assert "Traceback" not in err
    assert peak < MEMORY_BUDGET_MB, f"{peak:.0f} MB"


@pytest.mark.slow
def test_many_slow_templates_share_one_time_budget(tmp_path):
    """Each value may run 2 s, all of them 8 s: a file of slow templates cannot add up to hours."""
    slow = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    code, err, peak = _validate_in_a_child(_catalog(tmp_path, slow, count=40))
    assert code == 1 and err.count("template error:") == 40
    assert "used all their time" in err
    assert peak < MEMORY_BUDGET_MB


def test_ordinary_templates_are_untouched(tmp_path, cli):
    catalog = _catalog(tmp_path, "{{ 'x' * 10 }} {{ range(3) | join(',') }} {{ 2 ** 10 }} {{ 'abc' | center(9) }}")
    assert cli("validate", catalog).code == 0


def test_a_huge_data_file_is_refused_before_it_is_read(tmp_path):
    """Found: data() of a 2 GB file read it all, then blamed the timer."""
    catalog = _catalog(tmp_path, "{{ data('big.csv') | length }}")
    with open(catalog / "big.csv", "wb") as big:
        big.truncate(2 * 1024**3)  # sparse: no disk is used, but 2 GB to read
    code, err, peak = _validate_in_a_child(catalog)
    assert code == 1 and "the file is 2,147,483,648 bytes; a data file may hold at most" in err
    assert peak < MEMORY_BUDGET_MB


def test_the_time_budget_grows_with_the_catalog(monkeypatch):
    """Found: a valid 10,000-file catalog failed on the 8 s budget, depending on the machine.
    Each value rendered earns time: 10,000 values of 1.5 ms each never run out; slow ones do."""
    from publisher.loading import bounds

    clock = [0.0]
    monkeypatch.setattr(bounds.time, "monotonic", lambda: clock[0])
    budget = bounds.TimeBudget()
    for _ in range(10_000):
        with budget.running():
            clock[0] += 0.0015  # 15 s in all, far past 8 s
    slow = bounds.TimeBudget()
    with pytest.raises(bounds.TemplateLimit, match="used all their time"):
        for _ in range(10_000):
            with slow.running():
                clock[0] += 1.9  # just under each value's limit: capped after a few
