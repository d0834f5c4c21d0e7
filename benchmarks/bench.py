"""`make bench`: plan and apply at 1,000 / 10,000 / 50,000 resources, as ratios to baselines
measured in the same run (the machines are shared and noisy: absolute times vary).

Prints a table and writes it as JSON under benchmarks/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import TOKEN, generate  # noqa: E402

PYTHON = sys.executable


def _run(*args: str, env: dict[str, str] | None = None) -> dict[str, float]:
    out = subprocess.run([PYTHON, *args], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(samples: list[dict[str, float]]) -> dict[str, float]:
    return {
        "seconds": statistics.median(s["seconds"] for s in samples),
        "peak_mb": max(s.get("peak_mb", 0.0) for s in samples),
    }


def bench_plan(size: int, runs: int, work: Path) -> dict[str, object]:
    """Each round measures the floor and every kind of plan one after the other, so a noisy
    moment on a shared machine hits a round, not one kind; ratios are medians of each round's
    ratios to its own floor."""
    root = work / f"catalog-{size}"
    generate(root, size)
    state = work / f"state-{size}.json"
    subprocess.run([PYTHON, str(HERE / "fake_state.py"), str(root), str(state)], check=True)
    measure = str(HERE / "measure.py")
    no_cache = {**os.environ, "PUBLISHER_CACHE": "off"}
    target = next(root.glob("posts-*.yaml"))
    original = target.read_text()
    changed_text = original.replace("Post 0 of file", "Changed post 0 of file", 1)
    plan = (measure, "plan", str(root), str(state))
    _run(*plan)  # leaves the memo of a no-op plan: what a warm plan finds
    kinds = ("floor", "cold_noop", "cold_one_change", "warm_noop", "warm_one_change", "cold_noop_collector_off")
    samples: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    for _ in range(runs):
        samples["floor"].append(_run(measure, "floor", str(root)))
        samples["cold_noop"].append(_run(*plan, env=no_cache))
        samples["cold_noop_collector_off"].append(_run(*plan, env={**no_cache, "BENCH_COLLECTOR": "off"}))
        samples["warm_noop"].append(_run(*plan))
        target.write_text(changed_text)
        samples["cold_one_change"].append(_run(*plan, env=no_cache))
        samples["warm_one_change"].append(_run(*plan))  # the memo no longer matches: a whole plan
        target.write_text(original)
    result: dict[str, object] = {"resources": size, "rounds": runs, "floor_yaml_load": _median(samples["floor"])}
    result.update({f"plan_{kind}": _median(samples[kind]) for kind in kinds[1:]})
    each_round = {
        kind: [s["seconds"] / f["seconds"] for s, f in zip(samples[kind], samples["floor"], strict=True)] for kind in kinds[1:]
    }
    result["ratios"] = {f"{kind}_to_floor": statistics.median(each_round[kind]) for kind in kinds[1:]}
    result["ratios_each_round"] = {f"{kind}_to_floor": [round(r, 3) for r in each_round[kind]] for kind in kinds[1:]}
    return result


def bench_propose(size: int, runs: int, work: Path) -> dict[str, object]:
    """`plan --propose` against a plain plan of the same catalog, both of `size` creates (a
    first plan: every change goes into the proposal). Rounds alternate the two; the ratio is
    the median of each round's."""
    root = work / f"propose-{size}"
    generate(root, size)
    measure = str(HERE / "measure.py")
    env = {**os.environ, "PUBLISHER_CACHE": "off"}
    state = work / f"propose-{size}.json"  # never written: every change is a create
    samples: dict[str, list[dict[str, float]]] = {"plain": [], "propose": []}
    for index in range(runs):
        samples["plain"].append(_run(measure, "plan", str(root), str(state), env=env))
        samples["propose"].append(_run(measure, "plan", str(root), str(state), "--propose", f"bench-{index}", env=env))
    ratios = [p["seconds"] / q["seconds"] for p, q in zip(samples["propose"], samples["plain"], strict=True)]
    return {
        "resources": size,
        "plain": _median(samples["plain"]),
        "propose": _median(samples["propose"]),
        "ratio": statistics.median(ratios),
        "ratio_each_round": [round(r, 3) for r in ratios],
    }


def bench_policies(runs: int, work: Path) -> dict[str, object]:
    """A cold plan of examples/shop (500 pins) with its policies, against the same catalog
    without them, in alternating rounds."""
    import shutil

    with_policies, without = work / "shop-policies", work / "shop-plain"
    for root in (with_policies, without):
        shutil.copytree(HERE.parent / "examples" / "shop", root)
    project = without / "publisher.yaml"
    project.write_text(project.read_text().split("policies:")[0])
    measure, no_cache = str(HERE / "measure.py"), {**os.environ, "PUBLISHER_CACHE": "off"}
    samples: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    for _ in range(runs):
        samples["without"].append(_run(measure, "plan", str(without), str(work / "shop-state.json"), env=no_cache))
        samples["with"].append(_run(measure, "plan", str(with_policies), str(work / "shop-state.json"), env=no_cache))
    ratios = [w["seconds"] / o["seconds"] for w, o in zip(samples["with"], samples["without"], strict=True)]
    return {"with_policies": _median(samples["with"]), "without": _median(samples["without"]), "ratio": statistics.median(ratios)}


def _process(args: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a whole process; its wall time and its own peak memory (wait4's rusage)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            out.seek(0)
            raise SystemExit(f"benchmark step failed: {' '.join(args)}\n{out.read()[-3000:].decode(errors='replace')}")
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}


def bench_startup(runs: int, work: Path) -> dict[str, object]:
    """`publisher plan` of a one-board catalog as a whole process, against a process that
    only starts Python and loads the same file with yaml: what every CI step pays first."""
    root = work / "startup"
    generate(root, 1)
    state = work / "startup-state.json"
    subprocess.run([PYTHON, str(HERE / "fake_state.py"), str(root), str(state)], check=True)
    # As an installed wheel runs: with compiled bytecode (some machines turn writing it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    floor_args = [
        PYTHON,
        "-c",
        "import sys, yaml; yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)",
        str(root / "boards.yaml"),
    ]
    ours_args = [PYTHON, "-m", "publisher", "plan", str(root), "--state", str(state)]
    ours_env = {**env, "PUBLISHER_CACHE": "off"}
    _process(floor_args, env), _process(ours_args, ours_env)  # writes the bytecode
    floor, ours = [], []
    for _ in range(max(runs, 5)):
        floor.append(_process(floor_args, env))
        ours.append(_process(ours_args, ours_env))
    floor_m, ours_m = _median(floor), _median(ours)
    return {
        "python_and_yaml": floor_m,
        "publisher_plan": ours_m,
        "ratio": ours_m["seconds"] / floor_m["seconds"],
        "note": "whole processes, bytecode compiled",
    }


def _sandbox(latency: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "publisher",
            "sandbox",
            "--port",
            "0",
            "--public-key",
            "bench",
            "--private-key",
            "bench-secret",
            "--latency",
            str(latency),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    return process, line.rsplit(" ", 1)[-1].strip()


def _apply_catalog(root: Path, url: str, count: int) -> str:
    """A catalog of `count` pins on a board made beforehand; returns the board's id."""
    import requests

    root.mkdir(parents=True)
    (root / "rows.csv").write_text("n\n" + "\n".join(str(i) for i in range(count)) + "\n")
    board = requests.post(
        f"{url}/push/identities/{TOKEN}/pinterest/board.json",
        auth=("bench", "bench-secret"),
        json={"request": {"push": {"board": {"name": "Bench"}}}},
        timeout=30,
    ).json()["response"]["result"]["data"]["board_id"]
    (root / "c.yaml").write_text(
        f'pins:\n  "p{{{{ each.n }}}}":\n    for_each: "{{{{ data(\'rows.csv\') }}}}"\n    identity: {TOKEN}\n'
        f'    board_id: "{board}"\n    description: "pin {{{{ each.n }}}}"\n    picture: https://cdn.example.com/p.jpg\n'
    )
    return str(board)


def bench_apply(count: int, concurrency: int, latency: float, runs: int, work: Path) -> dict[str, object]:
    """publisher's apply against a plain loop of the same requests, both whole processes."""
    ours, plain = [], []
    for run in range(runs):
        process, url = _sandbox(latency)
        try:
            env = {**os.environ, "ONEALL_API_URL": url, "ONEALL_PUBLIC_KEY": "bench", "ONEALL_PRIVATE_KEY": "bench-secret"}
            root = work / f"apply-{run}"
            board = _apply_catalog(root, url, count)
            apply = [PYTHON, "-m", "publisher", "apply", str(root), "--auto-approve", "--concurrency", str(concurrency)]
            ours.append(_process(apply, env))
            loop = [PYTHON, str(HERE / "plain_loop.py"), url, "bench", "bench-secret", board, str(count), str(concurrency)]
            plain.append(_process(loop))
        finally:
            process.terminate()
            process.wait()
    ours_m, plain_m = _median(ours), _median(plain)
    return {
        "creates": count,
        "concurrency": concurrency,
        "latency_s": latency,
        "publisher_apply": ours_m,
        "plain_requests_loop": plain_m,
        "throughput_ratio": plain_m["seconds"] / ours_m["seconds"],
        "note": "both timed as whole processes (interpreter start included)",
    }


def bench_apply_scaling(small: int, large: int, runs: int, work: Path) -> dict[str, object]:
    """Creates against the sandbox without latency, at concurrency 16: the applier's own cost.
    `large` creates should take about large/small times as long; and publisher's CPU per
    create is set against a plain requests loop's, both whole processes."""
    times: dict[int, list[dict[str, float]]] = {small: [], large: []}
    plain: list[dict[str, float]] = []
    for run in range(runs):
        for count in (small, large):
            process, url = _sandbox(0.0)
            try:
                env = {**os.environ, "ONEALL_API_URL": url, "ONEALL_PUBLIC_KEY": "bench", "ONEALL_PRIVATE_KEY": "bench-secret"}
                root = work / f"scaling-{run}-{count}"
                board = _apply_catalog(root, url, count)
                apply = [PYTHON, "-m", "publisher", "apply", str(root), "--auto-approve", "--concurrency", "16"]
                times[count].append(_process(apply, env))
                if count == small:
                    loop = [PYTHON, str(HERE / "plain_loop.py"), url, "bench", "bench-secret", board, str(count), "16"]
                    plain.append(_process(loop))
            finally:
                process.terminate()
                process.wait()
    seconds = {count: statistics.median(t["seconds"] for t in samples) for count, samples in times.items()}
    ours_cpu = statistics.median(t["cpu_s"] for t in times[small]) / small
    plain_cpu = statistics.median(t["cpu_s"] for t in plain) / small
    return {
        "creates": [small, large],
        "seconds": seconds,
        "ratio": seconds[large] / seconds[small],
        "linear_ratio": large / small,
        "cpu_per_create_s": {"publisher": ours_cpu, "plain_requests_loop": plain_cpu, "ratio": ours_cpu / plain_cpu},
    }


def bench_slice(size: int, slice_changes: int, work: Path) -> dict[str, object]:
    """The first apply of a catalog of `size` pins, in a slice of `slice_changes`: how long one
    slice of a big first apply takes (planning everything, carrying out a part)."""
    process, url = _sandbox(0.0)
    try:
        env = {**os.environ, "ONEALL_API_URL": url, "ONEALL_PUBLIC_KEY": "bench", "ONEALL_PRIVATE_KEY": "bench-secret"}
        root = work / f"slice-{size}"
        _apply_catalog(root, url, size)
        apply = [PYTHON, "-m", "publisher", "apply", str(root), "--auto-approve", "--concurrency", "16"]
        measured = _process([*apply, "--max-changes", str(slice_changes)], env)
    finally:
        process.terminate()
        process.wait()
    return {"resources": size, "max_changes": slice_changes, "apply": measured}


def bench_budget_check(size: int, work: Path) -> dict[str, object]:
    """What the change budgets add to a cold plan: over_budget() against the whole plan of
    `size` resources, in one process (a few ms would not show against process noise)."""
    script = f"""
import json, sys, time
sys.path.insert(0, {str(HERE.parent)!r})
from pathlib import Path
from publisher.loading.catalog import load_catalog
from publisher.planning.budgets import NO_ALLOWANCES, over_budget
from publisher.planning.planner import make_plan
from publisher.state.locations import open_store
started = time.perf_counter()
catalog = load_catalog([Path(sys.argv[1])])
state = open_store(sys.argv[2]).read()
plan = make_plan(catalog, state)
planned = time.perf_counter() - started
started = time.perf_counter()
for _ in range(10):
    over_budget(plan, state, None, NO_ALLOWANCES)
checked = (time.perf_counter() - started) / 10
print(json.dumps({{"plan_s": planned, "budget_check_s": checked}}))
"""
    root = work / f"catalog-{size}"
    state = work / f"state-{size}.json"
    if not root.exists():
        generate(root, size)
        subprocess.run([PYTHON, str(HERE / "fake_state.py"), str(root), str(state)], check=True)
    out = subprocess.run([PYTHON, "-c", script, str(root), str(state)], capture_output=True, text=True, check=True)
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    return {**measured, "resources": size, "share": measured["budget_check_s"] / measured["plan_s"]}


def bench_postgres_state(count: int, size: int, runs: int, work: Path) -> dict[str, object]:
    """The journal and the state in PostgreSQL against the local file: an apply of `count`
    creates (20 ms latency, concurrency 8) and a no-op plan of `size` resources, in rounds
    that measure one right after the other."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from servers import postgres

    applies: dict[str, list[dict[str, float]]] = {"local": [], "postgres": []}
    plans: dict[str, list[dict[str, float]]] = {"local": [], "postgres": []}
    with postgres() as server:
        root = work / f"pg-catalog-{size}"
        generate(root, size)
        local_state = work / f"pg-local-state-{size}.json"
        subprocess.run([PYTHON, str(HERE / "fake_state.py"), str(root), str(local_state)], check=True)
        database = server.url(query=f"name=plan{size}")
        subprocess.run([PYTHON, "-m", "publisher", "state", "migrate", "--state", str(local_state), "--to", database], check=True,
                       capture_output=True)  # fmt: skip
        no_cache = {**os.environ, "PUBLISHER_CACHE": "off"}
        for run in range(runs):
            for backend, state in (("local", str(local_state)), ("postgres", database)):
                plans[backend].append(_run(str(HERE / "measure.py"), "plan", str(root), state, env=no_cache))
            process, url = _sandbox(0.02)
            try:
                env = {**os.environ, "ONEALL_API_URL": url, "ONEALL_PUBLIC_KEY": "bench", "ONEALL_PRIVATE_KEY": "bench-secret"}
                for backend in ("local", "postgres"):
                    catalog = work / f"pg-apply-{run}-{backend}"
                    _apply_catalog(catalog, url, count)
                    state = str(catalog / "state.json") if backend == "local" else server.url(query=f"name=apply{run}")
                    apply = [
                        PYTHON,
                        "-m",
                        "publisher",
                        "apply",
                        str(catalog),
                        "--auto-approve",
                        "--concurrency",
                        "8",
                        "--state",
                        state,
                    ]
                    applies[backend].append(_process(apply, env))
            finally:
                process.terminate()
                process.wait()
    apply_m = {k: _median(v) for k, v in applies.items()}
    plan_m = {k: _median(v) for k, v in plans.items()}
    return {
        "creates": count,
        "resources": size,
        "apply": apply_m,
        "apply_throughput_postgres_to_local": apply_m["local"]["seconds"] / apply_m["postgres"]["seconds"],
        "plan": plan_m,
        "plan_postgres_to_local": plan_m["postgres"]["seconds"] / plan_m["local"]["seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,50000,100000")
    parser.add_argument("--slice-of", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--apply-creates", type=int, default=1000)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "plan": [],
    }
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        for size in [int(s) for s in args.sizes.split(",")]:
            print(f"plan at {size} resources ...", file=sys.stderr)
            # On a noisy 2-core machine, medians of three rounds move by 10% between runs (and
            # the 50k/10k scaling with them), single rounds by 20% or more (the second core is
            # not always ours): 11 rounds up to 10,000 resources, 5 above.
            rounds = max(args.runs, 11) if size <= 10_000 else max(args.runs, 5)
            results["plan"].append(bench_plan(size, rounds, work))
        print("policies on the shop example ...", file=sys.stderr)
        results["policies"] = bench_policies(max(args.runs, 11), work)
        print("start-up ...", file=sys.stderr)
        results["startup"] = bench_startup(args.runs, work)
        print(f"apply of {args.apply_creates} creates ...", file=sys.stderr)
        results["apply"] = bench_apply(args.apply_creates, 4, 0.02, args.runs, work)
        print("plan --propose at 10,000 creates ...", file=sys.stderr)
        results["propose"] = bench_propose(10_000, max(args.runs, 7), work)
        print("the budget check ...", file=sys.stderr)
        results["budget_check"] = bench_budget_check(10_000, work)
        print("apply scaling (sandbox without latency) ...", file=sys.stderr)
        results["apply_scaling"] = bench_apply_scaling(args.apply_creates, 10 * args.apply_creates, 1, work)
        print(f"a slice of {args.apply_creates:,} creates of a {args.slice_of:,}-pin catalog ...", file=sys.stderr)
        results["slice"] = bench_slice(args.slice_of, args.apply_creates, work)
        print("the state in PostgreSQL ...", file=sys.stderr)
        results["postgres_state"] = bench_postgres_state(args.apply_creates, 10_000, max(args.runs, 5), work)
    plans = results["plan"]
    by_size = {p["resources"]: p for p in plans}
    if 10000 in by_size and 50000 in by_size:
        results["scaling_50k_to_10k"] = by_size[50000]["plan_cold_noop"]["seconds"] / by_size[10000]["plan_cold_noop"]["seconds"]
        results["floor_scaling_50k_to_10k"] = (
            by_size[50000]["floor_yaml_load"]["seconds"] / by_size[10000]["floor_yaml_load"]["seconds"]
        )
    print(table(results))
    out = HERE / "results" / "latest.json"  # earlier results are in git history
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(HERE.parent)}")


def table(results: dict[str, Any]) -> str:
    lines = [
        "| resources | floor (yaml CSafeLoader) | cold no-op plan | cold, 1 change | warm no-op | warm, 1 file changed "
        "| peak MB (floor / cold / warm, 1 file) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in results["plan"]:
        r = p["ratios"]
        cells = [f"{p['resources']:,}", f"{p['floor_yaml_load']['seconds']:.3f} s"]
        for kind in ("cold_noop", "cold_one_change", "warm_noop", "warm_one_change"):
            cells.append(f"{p[f'plan_{kind}']['seconds']:.3f} s ({r[f'{kind}_to_floor']:.2f}×)")
        peaks = (p["floor_yaml_load"], p["plan_cold_noop"], p["plan_warm_one_change"])
        cells.append(" / ".join(f"{peak['peak_mb']:.0f}" for peak in peaks))
        lines.append("| " + " | ".join(cells) + " |")
    spread = ", ".join(
        f"{p['resources']:,}: {min(p['ratios_each_round']['cold_noop_to_floor']):.2f}–"
        f"{max(p['ratios_each_round']['cold_noop_to_floor']):.2f}×"
        for p in results["plan"]
    )
    lines.append(f"\ncold no-op plan to the floor, lowest–highest round: {spread}")
    off = ", ".join(f"{p['resources']:,}: {p['ratios']['cold_noop_collector_off_to_floor']:.2f}×" for p in results["plan"])
    lines.append(f"\ncold no-op plan with Python's cycle collector off (the most any collector tuning could give): {off}")
    if "scaling_50k_to_10k" in results:
        lines.append(
            f"\n50,000 vs 10,000 resources (cold no-op plan): {results['scaling_50k_to_10k']:.2f}× (linear: 5×; "
            f"the floor in the same run: {results['floor_scaling_50k_to_10k']:.2f}×)"
        )
    po = results["policies"]
    lines.append(
        f"\ncold plan of examples/shop (500 pins): {po['with_policies']['seconds']:.3f} s with its 5 policies, "
        f"{po['without']['seconds']:.3f} s without; ratio {po['ratio']:.3f} (policies cost {100 * (po['ratio'] - 1):.1f}%)"
    )
    st = results["startup"]
    lines.append(
        f"\nstart-up, `publisher plan` of 1 board as a whole process: {st['publisher_plan']['seconds']:.3f} s "
        f"({st['publisher_plan']['peak_mb']:.0f} MB), python + import yaml + load: {st['python_and_yaml']['seconds']:.3f} s "
        f"({st['python_and_yaml']['peak_mb']:.0f} MB), ratio {st['ratio']:.2f}"
    )
    a = results["apply"]
    lines.append(
        f"\napply of {a['creates']:,} creates, concurrency {a['concurrency']}, sandbox latency {a['latency_s'] * 1000:.0f} ms: "
        f"publisher {a['publisher_apply']['seconds']:.2f} s ({a['publisher_apply']['peak_mb']:.0f} MB), "
        f"plain requests loop {a['plain_requests_loop']['seconds']:.2f} s ({a['plain_requests_loop']['peak_mb']:.0f} MB), "
        f"throughput ratio {a['throughput_ratio']:.2f}"
    )
    if "apply_scaling" in results:
        sc = results["apply_scaling"]
        small, large = sc["creates"]
        cpu = sc["cpu_per_create_s"]
        lines.append(
            f"\napply scaling, sandbox without latency, concurrency 16: {large:,} creates {sc['seconds'][large]:.2f} s against "
            f"{small:,} {sc['seconds'][small]:.2f} s, {sc['ratio']:.2f}× (linear: {sc['linear_ratio']:.0f}×); CPU per create "
            f"{cpu['publisher'] * 1000:.2f} ms against {cpu['plain_requests_loop'] * 1000:.2f} ms for a plain requests loop, "
            f"ratio {cpu['ratio']:.2f}"
        )
    if "budget_check" in results:
        bc = results["budget_check"]
        lines.append(
            f"\nchange budgets at {bc['resources']:,} resources: {bc['budget_check_s'] * 1000:.2f} ms of a "
            f"{bc['plan_s']:.3f} s plan ({100 * bc['share']:.2f}%)"
        )
    if "propose" in results:
        pr = results["propose"]
        lines.append(
            f"\nplan --propose at {pr['resources']:,} creates: {pr['propose']['seconds']:.3f} s against a plain plan's "
            f"{pr['plain']['seconds']:.3f} s, ratio {pr['ratio']:.3f} (target at most 1.2)"
        )
    if "slice" in results:
        sl = results["slice"]
        lines.append(
            f"\nfirst apply of {sl['resources']:,} pins with --max-changes {sl['max_changes']:,} (sandbox without latency): "
            f"{sl['apply']['seconds']:.2f} s, {sl['apply']['peak_mb']:.0f} MB"
        )
    pg = results["postgres_state"]
    lines.append(
        f"\nstate in PostgreSQL against the local file: apply of {pg['creates']:,} creates (latency 20 ms, concurrency 8) "
        f"{pg['apply']['postgres']['seconds']:.2f} s against {pg['apply']['local']['seconds']:.2f} s, throughput ratio "
        f"{pg['apply_throughput_postgres_to_local']:.2f}; no-op plan of {pg['resources']:,} resources "
        f"{pg['plan']['postgres']['seconds']:.3f} s against {pg['plan']['local']['seconds']:.3f} s, "
        f"ratio {pg['plan_postgres_to_local']:.2f}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
