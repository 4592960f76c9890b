"""Killed runs, overlapping runs, searches during commits, and index folders that are not ours."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.store import LOCK_FILE, RunLock
from tests.conftest import CORPUS, REPO, run

WORDS = "storm border rocket council harvest election river market winter bridge".split()


def write_articles(folder: Path, count: int, *, start: int = 0) -> None:
    """Write ``count`` distinct small plain-text articles."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        words = " ".join(WORDS[(number * 3 + k) % len(WORDS)] for k in range(50))
        (folder / f"a{number:04d}.txt").write_text(
            f"Dispatch {number}\n\nDispatch {number} reports: {words}.\n", encoding="utf-8"
        )


def newscli(index: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "newscli", "--index", str(index), *args]


def wait_for(predicate: object, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


@pytest.mark.slow
def test_ingest_survives_kills_short_killtest(tmp_path: Path) -> None:
    """The documented kill script, short: 5 SIGKILLs on 300 articles (a tenth of them HTML)."""
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "killtest.py"),
            "--articles",
            "300",
            "--kills",
            "5",
            "--html-share",
            "0.1",
            "--seed",
            "7",
            "--workdir",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kills survived: 5 of 5" in result.stdout
    assert "lost: 0" in result.stdout


def test_ingest_removes_files_left_by_killed_writer(
    runner: CliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, index = tmp_path / "in", tmp_path / "ix"
    write_articles(folder, 3000)
    process = subprocess.Popen(
        newscli(index, "ingest", "--batch-size", "100000", str(folder)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill while the one writer is open: its temporary folder and segment files exist and
    # nothing of this run is committed yet (3,000 articles take seconds, not milliseconds).
    wait_for(lambda: (index / "MAIN.tmp").is_dir() and any(index.glob("*.trm")))
    time.sleep(0.05)  # the writer creates its other segment files right after the term file
    assert process.poll() is None, "the ingest ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    toc = next(index.glob("_MAIN_*.toc"))
    toc_temp = index / f"{toc.name}.1732240000.123"  # as left by a kill inside TOC writing
    toc_temp.write_bytes(toc.read_bytes()[:10])
    left = sorted(p.name for p in index.iterdir())
    assert "MAIN.tmp" in left and any(name.endswith(".trm") for name in left)
    with caplog.at_level(logging.INFO, logger="newscli.store"):
        result = run(runner, "ingest", str(folder), index=index)
    assert result.exit_code == 0, result.output
    assert "removed 4 stale files" in caplog.text
    after = {p.name for p in index.iterdir() if not p.name.endswith((".seg", ".toc"))}
    assert len(list(index.glob("_MAIN_*.toc"))) == 1
    assert after == {
        "MAIN_WRITELOCK",
        "newscli.json",
        "filestate.marshal",
        LOCK_FILE,
    }
    assert Corpus.open(index).stats().documents == 3000


def test_ingest_waits_for_lock_then_runs(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert (
        run(runner, "ingest", str(CORPUS / "000_599497af99412e51.txt"), index=index).exit_code == 0
    )
    lock = RunLock(index, wait=0)
    lock.acquire()
    timer = threading.Timer(0.5, lock.release)
    timer.start()
    try:
        result = run(runner, "ingest", "--wait", "10", str(CORPUS), index=index)
    finally:
        timer.join()
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("ingest: 4 added, 0 updated, 1 unchanged")


def test_ingest_second_run_exits_75_after_wait(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    with Corpus.open(index, create=True)._store.writer(
        batch_size=10, batch_seconds=60, lock_wait=0
    ):
        started = time.monotonic()
        result = subprocess.run(
            newscli(index, "ingest", "--wait", "1", str(CORPUS)),
            capture_output=True,
            text=True,
            check=False,
        )
        waited = time.monotonic() - started
    assert result.returncode == 75
    assert "is busy" in result.stderr
    assert waited >= 1.0


# When a commit deletes a file just as Whoosh's reader opens it, Whoosh retries (and the search
# succeeds) but drops the half-read TOC file object unclosed; that ResourceWarning is not ours.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_search_during_commits_never_fails(tmp_path: Path) -> None:
    """Searches, stats and shows in a loop while another process commits every 5 articles."""
    folder, index = tmp_path / "in", tmp_path / "ix"
    write_articles(folder, 120)
    assert subprocess.run(newscli(index, "ingest", str(CORPUS)), check=False).returncode == 0
    writer = subprocess.Popen(
        newscli(index, "ingest", "--batch-size", "5", str(folder)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    searches = failures = 0
    counts: set[int] = set()
    errors: list[str] = []
    while writer.poll() is None:
        try:
            corpus = Corpus.open(index)
            page = corpus.search("rocket OR Termez", limit=5)
            counts.add(corpus.stats().documents)
            corpus.get(page.hits[0].id)
            searches += 1
        except Exception as exc:  # any failure at all is what this test looks for
            failures += 1
            errors.append(repr(exc))
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert failures == 0, errors[:5]
    assert searches >= 20
    assert len(counts) >= 5  # the searches really overlapped many commits


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give a folder to another user")
@pytest.mark.parametrize("args", [["stats"], ["search", "x"], ["ingest", str(CORPUS)]])
def test_index_owned_by_other_user_is_refused(
    runner: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    os.chown(index, 65534, 65534)
    result = run(runner, *args, index=index)
    assert result.exit_code == 1
    assert "owned by another user" in result.stderr


def test_ingest_creates_folders_mode_0700(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "deep" / "ix"
    old = os.umask(0o022)
    try:
        assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    finally:
        os.umask(old)
    assert index.stat().st_mode & 0o777 == 0o700
    assert (index / LOCK_FILE).stat().st_mode & 0o777 == 0o600


def test_ingest_never_recreates_index_without_toc(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    segments = sorted(p.name for p in index.glob("MAIN_*.seg"))
    for toc in index.glob("_MAIN_*.toc"):
        toc.unlink()
    result = run(runner, "ingest", str(CORPUS), index=index)
    assert result.exit_code == 1
    assert "table of contents is missing" in result.stderr
    assert "newscli index rebuild" in result.stderr
    assert sorted(p.name for p in index.glob("MAIN_*.seg")) == segments
    assert not list(index.glob("_MAIN_*.toc"))
