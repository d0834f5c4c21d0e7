"""Run one measured operation in this (fresh) process; print seconds and peak memory as JSON.

python benchmarks/measure.py floor DIR
python benchmarks/measure.py plan DIR STATE [extra publisher args...]

BENCH_COLLECTOR=off runs the plan with Python's cycle collector off: not how publisher runs,
but the bound on what any tuning of the collector could gain.
"""

from __future__ import annotations

import gc
import io
import json
import os
import resource
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path


def floor(root: Path) -> None:
    import yaml

    for path in sorted(root.rglob("*.yaml")):
        with open(path, "rb") as stream:
            yaml.load(stream, Loader=yaml.CSafeLoader)


def plan(root: Path, state: Path, *extra: str) -> None:
    from publisher.cli.app import main, tune_collector

    if os.environ.get("BENCH_COLLECTOR") != "off":
        tune_collector()  # as the publisher command does
    sink = io.StringIO()
    with redirect_stdout(sink):
        try:
            main(["plan", str(root), "--state", str(state), *extra])
        except SystemExit as done:
            if done.code not in (0, None):
                raise RuntimeError(f"plan failed: {done.code}") from None


def main() -> None:
    operation, *args = sys.argv[1:]
    if operation == "plan":
        import publisher.cli  # noqa: F401  imports are not part of the work measured
    if os.environ.get("BENCH_COLLECTOR") == "off":
        gc.disable()

    started = time.perf_counter()
    if operation == "floor":
        floor(Path(args[0]))
    else:
        plan(Path(args[0]), Path(args[1]), *args[2:])
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


if __name__ == "__main__":
    main()
