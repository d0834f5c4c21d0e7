"""Share a list of independent jobs between this process and forked copies of it.

Reading a large catalog is CPU work in pure Python, and CI machines have two cores or more.
The copies (forks: they see everything this process has loaded) take jobs from one queue, so
no process waits while work remains, and each sends its results back once, as `marshal` data
(plain values only; nothing is executed to read them).

Whatever a copy does not deliver (it failed, was killed, sent something unreadable) comes back
as None, and the caller does that job itself: sharing can make reading slower, never different.
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
import threading
from typing import Any, Callable, Iterator, Mapping, Sequence, TypeVar

Job = TypeVar("Job")

WORKERS_VARIABLE = "PUBLISHER_WORKERS"  # processes that read a catalog; "1": never fork
MAX_WORKERS = 4  # beyond this, sending results back costs more than the reading saved
_INDEX = 4  # bytes per job number in the queue
_SIZE = 4  # bytes before each result, saying its length
_STOPS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def workers(environ: Mapping[str, str]) -> int:
    """How many processes may share the work: PUBLISHER_WORKERS, else the usable cores (at
    most MAX_WORKERS); 1 where forking is not safe: off Linux (macOS system libraries are not
    safe to use after a fork) or with another thread running (a fork copies only the calling
    thread, and a lock another thread held stays locked in the copy)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return 1
    chosen = environ.get(WORKERS_VARIABLE, "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


def share(
    jobs: Sequence[Job], work: Callable[[Job], Any], processes: int, meanwhile: Callable[[], None] = lambda: None
) -> list[Any]:
    """`work(job)` for each job, or None where a forked copy did not deliver one. This process
    is one of `processes`; it calls `meanwhile()` once the copies are working, before it
    takes jobs itself (or first, when there are no copies).

    `work` must return plain values (what `marshal` writes) and must not need anything that
    other jobs leave behind in the process that ran them."""
    if processes < 2 or len(jobs) < 2:
        meanwhile()
        return [work(job) for job in jobs]
    queue_out, queue_in = os.pipe()
    # Every job number is in the pipe before the forks, and one read takes one number: each
    # process takes the next job when it becomes free. The writing end is closed first, so an
    # empty queue reads as the end. Written without blocking (nothing reads it yet): the jobs
    # whose numbers do not fit (a pipe holds 64 KiB, less for a user over the kernel's pipe
    # limits) come back as None, and the caller does them.
    os.set_blocking(queue_in, False)
    try:
        written = os.write(queue_in, b"".join(i.to_bytes(_INDEX, "little") for i in range(len(jobs))))
    except BlockingIOError:
        written = 0
    os.close(queue_in)
    count = written // _INDEX
    copies: list[tuple[int, int]] = []  # (pid, the end its results are read from)
    results: list[Any] = [None] * len(jobs)
    finished = False
    try:
        for _ in range(min(processes, count) - 1):
            copy = _fork(queue_out, jobs, work)
            if copy is None:
                break  # no process to spare: fewer copies, or none, do the work
            copies.append(copy)
        meanwhile()
        for index in _taken(queue_out):
            results[index] = work(jobs[index])
        payloads = []
        for _, results_out in copies:
            with os.fdopen(results_out, "rb", closefd=False) as stream:
                payloads.append(stream.read())
        finished = True
        # Read while the copies exit (freeing a forked process's memory takes a while).
        delivered = [_delivered(payload, len(jobs)) for payload in payloads]
    finally:
        os.close(queue_out)
        for pid, results_out in copies:
            os.close(results_out)
            if not finished:  # interrupted, or a bug: the copies' work is not wanted
                os.kill(pid, signal.SIGKILL)
        statuses = [os.waitpid(pid, 0)[1] for pid, _ in copies]
    for status, done in zip(statuses, delivered):
        if status == 0:
            for index, value in done:
                results[index] = value
    return results


def _delivered(payload: bytes, count: int) -> list[tuple[int, Any]]:
    """A copy's results: (job number, result) for each job it did; none if any is unreadable."""
    done = []
    view, position = memoryview(payload), 0
    try:
        while position < len(payload):
            size = int.from_bytes(view[position:position + _SIZE], "little")
            start, position = position + _SIZE, position + _SIZE + size
            if position > len(payload):
                return []  # cut short
            index, value = marshal.loads(view[start:position])
            if not (isinstance(index, int) and 0 <= index < count):
                return []
            done.append((index, value))
    except (EOFError, ValueError, TypeError):
        return []
    return done


def _fork(queue_out: int, jobs: Sequence[Job], work: Callable[[Job], Any]) -> tuple[int, int] | None:
    results_out, results_in = os.pipe()
    # Ctrl-C or a stop between the fork and the copy's `try` would unwind the copy through the
    # caller's own cleanup (a lock released, a file written twice): held back across the fork,
    # and in the copy they end it as their default actions do.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        pid = os.fork()
    except OSError:  # a process limit, or no memory for one more
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(results_out)
        os.close(results_in)
        return None
    if pid == 0:  # the copy: it must never return into the caller's code
        status = 1
        try:
            for stop in _STOPS:
                signal.signal(stop, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            os.close(results_out)
            # Each result is encoded as soon as it is made, while the others still work: at
            # the end only the writing is left, not encoding everything while they wait.
            done = []
            for index in _taken(queue_out):
                encoded = marshal.dumps((index, work(jobs[index])))
                done += [len(encoded).to_bytes(_SIZE, "little"), encoded]
            with os.fdopen(results_in, "wb") as out:
                out.write(b"".join(done))
            status = 0
        finally:
            os._exit(status)  # no atexit handlers, no flushing of the parent's buffers
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(results_in)
    return pid, results_out


def _taken(queue: int) -> Iterator[int]:
    while len(chunk := os.read(queue, _INDEX)) == _INDEX:
        yield int.from_bytes(chunk, "little")
