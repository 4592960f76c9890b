"""Read, extract and clean inputs in killable worker processes, each input within a budget.

The parent sends a :class:`Task` to an idle worker and gets an :data:`Outcome` back. Every
input has a wall-time budget (the worker is killed and replaced when it overruns) and a memory
budget (``RLIMIT_AS`` in the worker: an allocation over it raises ``MemoryError`` there). A crash
of a worker (a segfault in a C library, the kernel's OOM killer) fails that input only.
Outcomes come back in input order and only a few inputs are in flight at any time, so memory
stays flat however many inputs there are, and the parent can decide duplicates deterministically.
A worker holds a few inputs queued while it works on one, so it never waits for the parent.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from types import TracebackType
from typing import Any, TypeVar

from newscli.logs import get_logger
from newscli.models import Article, Source
from newscli.sources import RawInput, is_text_name

__all__ = [
    "MAX_ARTICLE_CHARS",
    "Budget",
    "Built",
    "Failed",
    "Outcome",
    "Same",
    "Task",
    "WorkerPool",
    "default_jobs",
    "process",
    "start_fork_server",
    "start_fork_server_in_background",
]

log = get_logger(__name__)

C = TypeVar("C")

_PRELOAD_TEXT = ["newscli.pipeline", "newscli.store", "newscli.warmup"]
_PRELOAD_HTML = ["newscli.pipeline", "newscli.store", "trafilatura", "newscli.warmup"]
"""Imported once by the fork server, so that starting or replacing a worker is cheap; without
HTML to extract, trafilatura (a second of start-up) is left out (see start_fork_server)."""
MAX_ARTICLE_CHARS = 1_000_000
"""Longer cleaned texts are refused: no news article is that long, and indexing one would take
the main process (which has no budget) minutes and gigabytes."""
_AHEAD_PER_WORKER = 8
"""Inputs dispatched or finished but not yet handed back, per worker: bounds memory."""
_QUEUED_PER_WORKER = 3
"""Inputs a worker holds besides the one it works on, so that it starts the next the moment it
finishes instead of waiting for the parent (busy indexing) to send one."""
_QUEUED_MAX_BYTES = 16 * 1024
"""Larger tasks (fetched pages) are sent to idle workers only: one could fill the pipe while the
worker writes its answer to the parent, and each would wait for the other for ever."""
_TASKS_PER_WORKER = 500
"""A worker is replaced after this many inputs: lxml and trafilatura keep growing a process's
heap (to 250+ MB over 5,000 pages), and a new one forks from the warm server in milliseconds."""
_TEXT_FILES_PER_TASK = 10
"""Plain-text files that count as one input towards :data:`_TASKS_PER_WORKER`: text does not
grow the heap, and a fresh worker fills its caches (stemmer, regular expressions, copied
pages) again, which cost 10 % of the workers' CPU on 10,000 text files replaced every 500."""
_WORKER_NICENESS = 10
"""Workers run at a lower priority than the parent, which indexes what they send: with two
cores, two workers and the parent share them, and a parent held back by the scheduler left
the workers waiting for it (10,000 text files, medians of 4 A/B runs: 104 s -> 91 s)."""
_START_TIMEOUT = 120.0
_STOP_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class Budget:
    """What one input may cost: wall-clock seconds and extra memory in MiB (0: no limit)."""

    seconds: float
    memory_mb: int


@dataclass(frozen=True, slots=True)
class Task:
    """One input to process; ``known_hash`` is the raw hash of the version already indexed."""

    source: Source
    known_hash: str | None = None
    raw: RawInput | None = None
    """The input's content when the parent already has it (e.g. fetched); else it is loaded."""
    template: frozenset[str] | None = None
    """Lines learnt as the template of the input's folder (see templates.folder_templates)."""
    analyze: bool = False
    """Also analyse the article's text fields for the index (see store.analyzed_document)."""


@dataclass(frozen=True, slots=True)
class Built:
    """The input was read and turned into an article."""

    article: Article
    document: dict[str, Any] | None = None
    """The article's index document with analysed text fields, when the task asked for it."""


@dataclass(frozen=True, slots=True)
class Same:
    """The raw input hashes to ``known_hash``: nothing to do."""

    source_hash: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The input could not be turned into an article, and why."""

    reason: str
    lasting: bool = False
    """The same bytes will always fail this way (so an unchanged file need not be retried)."""


Outcome = Built | Same | Failed


def default_jobs() -> int:
    """Return the number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def process(task: Task, *, max_bytes: int, now: datetime) -> Outcome:
    """Load one input and build its article (the unit of work a worker runs)."""
    from newscli.pipeline import build_article
    from newscli.sources import InputError, load

    try:
        raw = task.raw if task.raw is not None else load(task.source, max_bytes=max_bytes)
        if task.known_hash is not None and raw.source_hash == task.known_hash:
            return Same(raw.source_hash)
        article = build_article(
            task.source, raw, now=now, date_hint=raw.date_hint, template=task.template
        )
        if len(article.body) > MAX_ARTICLE_CHARS:
            return Failed(
                f"article text is longer than {MAX_ARTICLE_CHARS:,} characters "
                f"({len(article.body):,}); not indexed",
                lasting=True,
            )
        if not task.analyze:
            return Built(article)
        from newscli.store import analyzed_document

        return Built(article, analyzed_document(article))
    except InputError as exc:
        return Failed(str(exc), lasting=not isinstance(exc.__cause__, OSError))
    except MemoryError:
        raise
    except Exception as exc:  # a bad input must never stop the run; say what went wrong
        log.debug("unexpected failure on %s", task.source.given, exc_info=True)
        return Failed(f"{type(exc).__name__}: {exc}")


def _memory_message(budget: Budget) -> str:
    return f"extraction exceeded the memory budget of {budget.memory_mb} MB"


def _address_space() -> int | None:
    """Return this process's virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:  # noqa: PTH123 - hot, tiny
            pages = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(megabytes: int) -> None:
    """Cap the address space at what is mapped now plus ``megabytes``."""
    if megabytes <= 0:
        return
    base = _address_space()
    if base is None:
        return
    limit = base + megabytes * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _warm_up(html: bool) -> None:
    """Make sure lazily loaded models are loaded before the memory limit and the clock start."""
    from newscli.warmup import warm_up  # a no-op import when the fork server preloaded it

    warm_up(html=html)


def _worker_main(
    conn: Connection, budget: Budget, max_bytes: int, now: datetime, html: bool
) -> None:
    """Serve tasks from ``conn`` until it closes or sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    with contextlib.suppress(OSError):
        os.nice(_WORKER_NICENESS)
    _warm_up(html)
    _limit_memory(budget.memory_mb)
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        outcome: Outcome
        try:
            outcome = process(task, max_bytes=max_bytes, now=now)
        except MemoryError:
            outcome = Failed(_memory_message(budget))
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send(Failed(_memory_message(budget)))
        except (BrokenPipeError, OSError):
            return


class _Worker:
    """One worker process, the pipe to it, and the inputs sent to it that it has not answered.

    The worker answers in the order it was sent inputs; the first of ``inflight`` is the one
    it is working on, and ``deadline`` is when that one's budget runs out.
    """

    def __init__(
        self, context: Any, budget: Budget, max_bytes: int, now: datetime, name: str, html: bool
    ) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_worker_main,
            args=(child_end, budget, max_bytes, now, html),
            name=name,
            daemon=True,
        )
        with _main_module_hidden():
            self.process.start()
        child_end.close()
        self.conn: Connection = parent_end
        self.inflight: deque[tuple[int, Task, bytes]] = deque()
        self.deadline = 0.0
        self.load = 0
        """Inputs sent, in tenths: :data:`_TEXT_FILES_PER_TASK` plain-text files make one."""
        self.retiring = False
        """It has had its quota of inputs: it gets no more and stops once it has answered."""
        self._ready = False

    def send(self, seq: int, task: Task, message: bytes, seconds: float) -> None:
        """Send a pickled task; its budget starts now if the worker has nothing else to do."""
        if not self._ready:  # the budget starts once the worker has started
            if not self.conn.poll(_START_TIMEOUT):
                raise OSError("a worker process did not start")
            self.conn.recv()
            self._ready = True
        self.conn.send_bytes(message)
        if self.inflight and task.raw is None and task.source.path is not None:
            from newscli.sources import read_ahead

            read_ahead(task.source.path)  # queued: its bytes arrive while the worker is busy
        self.load += _TEXT_FILES_PER_TASK if _is_html_task(task) else 1
        if not self.inflight:
            self.deadline = time.monotonic() + seconds
        self.inflight.append((seq, task, message))

    def answered(self, seconds: float) -> int:
        """Take the first input off ``inflight``; the next one's budget starts now."""
        seq, _task, _message = self.inflight.popleft()
        if self.inflight:
            self.deadline = time.monotonic() + seconds
        return seq

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(_STOP_TIMEOUT)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def _is_html_task(task: Task) -> bool:
    """Return whether an input is (or may be) HTML rather than a plain-text file."""
    path = task.source.path
    return path is None or not is_text_name(path)


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Keep multiprocessing from running the caller's main script again in each new worker.

    A worker needs nothing from ``__main__``; without this, a script that calls
    ``Corpus.ingest`` at top level would be re-run (and re-ingest) in every worker.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    names: tuple[str, ...] = ("__file__", "__spec__")
    saved: dict[str, Any] = {name: main.__dict__[name] for name in names if name in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.update(saved)
        if "__spec__" not in saved:
            main.__dict__.pop("__spec__", None)


def _crash_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            return f"extraction crashed (worker killed by {signal.Signals(-exitcode).name})"
    return f"extraction crashed (worker exited with status {exitcode})"


class WorkerPool:
    """A fixed number of worker processes that turn Tasks into Outcomes within a Budget.

    Each worker is replaced by a fresh one after ``tasks_per_worker`` inputs (of which
    :data:`_TEXT_FILES_PER_TASK` plain-text files count as one).
    """

    def __init__(
        self,
        *,
        jobs: int,
        budget: Budget,
        max_bytes: int,
        now: datetime,
        html: bool = True,
        tasks_per_worker: int = _TASKS_PER_WORKER,
    ) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._tasks_per_worker = max(1, tasks_per_worker)
        self._html = html
        self._budget = budget
        self._max_bytes = max_bytes
        self._now = now
        self._jobs = max(1, jobs)
        self._workers: list[_Worker] = []
        self._unsent: deque[tuple[int, Task, bytes]] = deque()
        """Inputs taken from the caller (or not started by a lost worker), not yet sent."""
        self._started = 0
        self._launched = False
        """Whether the workers were started (or are starting in the background)."""
        self._starter: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self.replaced = 0
        """Workers killed or lost and replaced during this pool's life."""

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _spawn(self) -> _Worker:
        self._started += 1
        return _Worker(
            self._context,
            self._budget,
            self._max_bytes,
            self._now,
            name=f"newscli-worker-{self._started}",
            html=self._html,
        )

    def start_in_background(self) -> None:
        """Start the workers in a thread, so they warm up while the caller prepares the work."""
        if not self._launched:
            self._launched = True
            self._starter = threading.Thread(
                target=self._start_all, name="newscli-pool-start", daemon=True
            )
            self._starter.start()

    def _start_all(self) -> None:
        self._launched = True
        try:
            start_fork_server(html=self._html)
            self._workers = [self._spawn() for _ in range(self._jobs)]  # they warm up together
        except BaseException as exc:  # raised again by the first dispatch
            self._start_error = exc

    def _wait_started(self) -> None:
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        if self._start_error is not None:
            error, self._start_error = self._start_error, None
            raise error

    @property
    def html(self) -> bool:
        """Whether the workers are ready for HTML (trafilatura loaded by the fork server)."""
        return self._html

    def include_html(self) -> None:
        """Make a pool started for plain text only ready for HTML too, before any input is
        sent: its workers are stopped and the fork server started again with trafilatura
        loaded (without that, each worker would load it: a second per worker and per
        replacement)."""
        if self._html:
            return
        if any(worker.inflight for worker in self._workers):
            raise RuntimeError("include_html() after inputs were sent")
        self._html = True
        with contextlib.suppress(Exception):
            self._wait_started()
        for worker in self._workers:
            worker.stop()
        self._workers.clear()
        self._launched = False
        self.start_in_background()

    def _worker_for(self, size: int) -> _Worker | None:
        """Return the worker to send a task of ``size`` bytes to, None when all are full.

        An idle worker first, else a new one while fewer than ``jobs`` live (a retiring
        worker, its heap grown by hundreds of pages, stops before its successor starts: the
        two at once raised the 100,000-article benchmark's peak memory from 497 to 525 MB),
        else one that may queue it (:data:`_QUEUED_PER_WORKER`, :data:`_QUEUED_MAX_BYTES`).
        """
        self._wait_started()
        if not self._launched:  # first use: start them all, they warm up together
            self._start_all()
            self._wait_started()
        active = [worker for worker in self._workers if not worker.retiring]
        for worker in active:
            if not worker.inflight:
                return worker
        if len(self._workers) < self._jobs:  # a retiring worker is gone before its successor
            worker = self._spawn()
            self._workers.append(worker)
            return worker
        if size <= _QUEUED_MAX_BYTES:
            for worker in active:
                if len(worker.inflight) <= _QUEUED_PER_WORKER:
                    return worker
        return None

    def _dispatch(self, seq: int, task: Task, message: bytes) -> bool:
        """Send a task to a worker; False when every worker is full."""
        worker = self._worker_for(len(message))
        if worker is None:
            return False
        try:
            worker.send(seq, task, message, self._budget.seconds)
        except (OSError, ValueError, EOFError):  # it died: replace it, try once more
            if worker.inflight:
                worker.retiring = True  # collecting its answers finds out what happened
            else:
                self._workers.remove(worker)
                worker.kill()
                self.replaced += 1
            worker = self._spawn()
            self._workers.append(worker)
            worker.send(seq, task, message, self._budget.seconds)
        if worker.load >= self._tasks_per_worker * _TEXT_FILES_PER_TASK:
            worker.retiring = True
        return True

    def _lose(self, worker: _Worker) -> None:
        """Forget a dead worker; the inputs it was sent but had not started go out again."""
        self._workers.remove(worker)
        self._unsent.extendleft(reversed(worker.inflight))
        worker.inflight.clear()
        self.replaced += 1

    def _collect(self, outcomes: dict[int, Outcome]) -> None:
        """Wait for the next answered or overdue input and record its outcome."""
        busy = [worker for worker in self._workers if worker.inflight]
        soonest = min(worker.deadline for worker in busy)
        by_conn = {worker.conn: worker for worker in busy}
        for conn in wait(list(by_conn), max(0.0, soonest - time.monotonic())):
            worker = by_conn[conn]  # type: ignore[index] # wait() returns what it was given
            try:
                outcome = worker.conn.recv()
            except (EOFError, OSError):
                worker.process.join()
                seq, _task, _message = worker.inflight.popleft()
                outcomes[seq] = Failed(_crash_reason(worker.process.exitcode))
                worker.conn.close()
                self._lose(worker)
                continue
            outcomes[worker.answered(self._budget.seconds)] = outcome
            if worker.retiring and not worker.inflight:
                self._workers.remove(worker)
                worker.stop()
        now = time.monotonic()
        for worker in [worker for worker in self._workers if worker.inflight]:
            if worker.deadline <= now:
                seq, _task, _message = worker.inflight.popleft()
                outcomes[seq] = Failed(f"extraction took longer than {self._budget.seconds:g} s")
                worker.kill()
                self._lose(worker)

    def run(self, items: Iterable[tuple[C, Task]]) -> Iterator[tuple[C, Outcome]]:
        """Process ``(context, task)`` pairs; yield ``(context, outcome)`` in input order.

        ``items`` is consumed lazily, a few ahead of what has been handed back.
        """
        window = self._jobs * _AHEAD_PER_WORKER
        pending = iter(items)
        exhausted = False
        contexts: dict[int, C] = {}
        outcomes: dict[int, Outcome] = {}
        next_seq = next_out = 0
        while True:
            while True:
                if not self._unsent:
                    if exhausted or next_seq - next_out >= window:
                        break
                    try:
                        context, task = next(pending)
                    except StopIteration:
                        exhausted = True
                        break
                    contexts[next_seq] = context
                    self._unsent.append((next_seq, task, _pickled(task)))
                    next_seq += 1
                if not self._dispatch(*self._unsent[0]):
                    break
                self._unsent.popleft()
            if next_out in outcomes:
                yield contexts.pop(next_out), outcomes.pop(next_out)
                next_out += 1
                continue
            if exhausted and next_out == next_seq:
                return
            self._collect(outcomes)

    def close(self) -> None:
        """Stop idle workers and kill busy ones."""
        with contextlib.suppress(Exception):
            self._wait_started()
        for worker in self._workers:
            if worker.inflight:
                worker.kill()
            else:
                worker.stop()
        self._workers.clear()
        self._unsent.clear()


_server_lock = threading.Lock()
_server_html: bool | None = None
"""Whether the fork server started by :func:`start_fork_server` loaded trafilatura (None:
none started)."""


def start_fork_server(*, html: bool) -> None:
    """Start this process's worker fork server, unless it runs: with the modules workers for
    plain text need and, with ``html``, trafilatura too (one without it is restarted).

    Workers fork from it in milliseconds, but it takes ~0.6 s to start (~1.5 s with
    trafilatura), so an ingest with a long scan ahead starts it first, in the background.
    """
    global _server_html
    from multiprocessing import forkserver

    with _server_lock:
        if _server_html is None or (html and not _server_html):
            if _server_html is not None:
                _stop_fork_server()
            multiprocessing.get_context("forkserver").set_forkserver_preload(
                _PRELOAD_HTML if html else _PRELOAD_TEXT
            )
            _server_html = html
        forkserver.ensure_running()  # a no-op while it runs


def start_fork_server_in_background(*, html: bool) -> None:
    """:func:`start_fork_server` in a thread: the caller goes on while it starts."""
    threading.Thread(
        target=start_fork_server, kwargs={"html": html}, name="newscli-fork-server", daemon=True
    ).start()


def _stop_fork_server() -> None:
    """Stop this process's fork server, if it runs, so that the next worker starts a new one
    (with the preload list set since). Uses multiprocessing's own ``_stop``, made for its tests:
    where it is missing, the old server goes on and workers load what they need themselves."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        with contextlib.suppress(Exception):
            stop()


def _pickled(task: Task) -> bytes:
    """Pickle a task as ``Connection.send`` would (the worker's ``recv`` reads it)."""
    return bytes(ForkingPickler.dumps(task))
