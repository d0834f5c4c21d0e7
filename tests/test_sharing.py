"""Jobs shared with forked copies: every result comes back in order, and a copy that fails,
is killed or sends something unreadable only leaves its jobs to the caller."""

from __future__ import annotations

import marshal
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from publisher import sharing

PARENT = os.getpid()


@pytest.fixture
def meet(tmp_path: Path) -> Callable[[], None]:
    """Called at the start of every job: each process says it is working, and waits until the
    other one has said so too, so both take jobs however busy the machine is (a copy could
    otherwise empty the queue before this process takes a job, or the other way round)."""
    here, there = tmp_path / "this process is working", tmp_path / "a copy is working"
    deadline: list[float] = []  # set at the first wait: 30 s in all, not per job

    def at_each_job() -> None:
        mine, theirs = (here, there) if os.getpid() == PARENT else (there, here)
        mine.touch()
        deadline[:] = deadline or [time.monotonic() + 30]
        while not theirs.exists() and time.monotonic() < deadline[0]:
            time.sleep(0.001)

    return at_each_job


def _doubled(meet: Callable[[], None]) -> Callable[[int], tuple[int, int]]:
    def work(job: int) -> tuple[int, int]:
        meet()
        return job * 2, os.getpid()

    return work


def test_every_job_is_done_once_in_order_by_both_processes(meet):
    results = sharing.share(list(range(60)), _doubled(meet), 2)
    assert [doubled for doubled, _ in results] == [job * 2 for job in range(60)]
    workers = {pid for _, pid in results}
    assert PARENT in workers and len(workers) == 2, "the copy took none of the jobs"


def test_one_process_never_forks():
    results = sharing.share(list(range(10)), lambda job: (job, os.getpid()), 1)
    assert {pid for _, pid in results} == {PARENT}


def _fails_in_the_copy(job: int) -> int:
    if os.getpid() != PARENT:
        raise RuntimeError("a bug in the copy")
    return job


def _killed_in_the_copy(job: int) -> int:
    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return job


def _unwritable_in_the_copy(job: int) -> Any:
    return job if os.getpid() == PARENT else object()  # marshal cannot write it


@pytest.mark.parametrize("failing", [_fails_in_the_copy, _killed_in_the_copy, _unwritable_in_the_copy])
def test_what_a_copy_does_not_deliver_comes_back_as_none(failing, meet):
    def work(job: int) -> Any:
        meet()
        return failing(job)

    results = sharing.share(list(range(40)), work, 2)
    assert all(result in (job, None) for job, result in enumerate(results))
    assert None in results, "the copy took none of the jobs"
    assert any(result is not None for result in results)


def test_a_failure_in_this_process_stops_the_copy_and_propagates():
    def fails_here(job: int) -> int:
        time.sleep(0.002)
        if os.getpid() == PARENT and job > 5:
            raise KeyError(job)
        return job

    before = _children()
    with pytest.raises(KeyError):
        sharing.share(list(range(200)), fails_here, 2)
    assert _children() == before  # the copy was stopped and reaped: no process left behind


def test_the_number_of_workers(monkeypatch):
    monkeypatch.setenv(sharing.WORKERS_VARIABLE, "1")
    assert sharing.workers(os.environ) == 1
    monkeypatch.setenv(sharing.WORKERS_VARIABLE, "3")
    assert sharing.workers(os.environ) == 3
    monkeypatch.setenv(sharing.WORKERS_VARIABLE, "many")
    assert 1 <= sharing.workers(os.environ) <= sharing.MAX_WORKERS


def test_no_fork_while_another_thread_runs(monkeypatch):
    monkeypatch.setenv(sharing.WORKERS_VARIABLE, "2")
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert sharing.workers(os.environ) == 1
    finally:
        release.set()
        thread.join()
    assert sharing.workers(os.environ) == 2


@pytest.mark.parametrize("processes", [1, 2])
def test_meanwhile_runs_once_in_this_process_while_the_copies_work(processes, meet, tmp_path):
    calls: list[int] = []
    if processes == 1:
        (tmp_path / "a copy is working").touch()  # there is none to wait for
    results = sharing.share(list(range(40)), _doubled(meet), processes, meanwhile=lambda: calls.append(os.getpid()))
    assert calls == [PARENT]
    assert [doubled for doubled, _ in results] == [job * 2 for job in range(40)]
    if processes == 2:
        assert {pid for _, pid in results} != {PARENT}, "the copy took none of the jobs"


def test_jobs_beyond_what_the_queue_holds_are_left_to_the_caller():
    """The queue is a pipe written before the fork, without blocking: 64 KiB of job numbers
    on Linux. More jobs than that never hang; the rest come back as None."""
    jobs = list(range(20_000))
    results = sharing.share(jobs, lambda job: job, 2)
    done = [result for result in results if result is not None]
    assert done == jobs[: len(done)] and 0 < len(done) < len(jobs)
    assert all(result is None for result in results[len(done):])


def test_ctrl_c_ends_the_copies_and_only_this_process_unwinds(meet, tmp_path):
    """Ctrl-C reaches every process of the group: the copies end without running the
    caller's cleanup, this process raises KeyboardInterrupt, and no copy is left behind."""
    unwound = tmp_path / "unwound in"

    def work(job: int) -> int:
        meet()
        if os.getpid() == PARENT and job > 3:
            for pid in [*_children(), PARENT]:
                os.kill(pid, signal.SIGINT)
            time.sleep(1)  # the interrupt arrives here
        return job

    before = _children()
    with pytest.raises(KeyboardInterrupt):
        try:
            sharing.share(list(range(200)), work, 2)
        finally:
            with open(unwound, "a") as stream:
                stream.write(f"{os.getpid()}\n")
    assert unwound.read_text().split() == [str(PARENT)]
    assert _children() == before


def _children() -> list[int]:
    """This process's children, zombies included (Linux; a kernel option that is almost always on)."""
    listing = Path(f"/proc/{PARENT}/task/{PARENT}/children")
    if not listing.exists():
        pytest.skip("this kernel does not list a process's children")
    return sorted(int(pid) for pid in listing.read_text().split())


def _framed(*results: object) -> bytes:
    encoded = [marshal.dumps(result) for result in results]
    return b"".join(len(e).to_bytes(4, "little") + e for e in encoded)


@pytest.mark.parametrize("payload", [
    _framed((0, "a"), (1, "b"))[:-1],  # cut short in the last result
    _framed((0, "a"), (1, "b")) + b"\x01",  # cut short in a length
    _framed((0, "a")) + (99).to_bytes(4, "little") + marshal.dumps((1, "b")),  # shorter than its length says
    _framed((0, "a"), (7, "b")),  # a job that does not exist
    _framed((0, "a"), ("1", "b")),  # not a job number
    _framed((0, "a"), (1, "b", "c")),  # not a pair
    b"\x03\x00\x00\x00\xff\xff\xff",  # not marshal data
])
def test_a_copy_that_sends_anything_unreadable_delivers_nothing(payload):
    assert sharing._delivered(_framed((0, "a"), (1, "b")), 2) == [(0, "a"), (1, "b")]
    assert sharing._delivered(payload, 2) == []
