"""``newscli ingest`` with worker processes: --jobs, time and memory budgets, the stat cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.filestate import STATE_FILE
from newscli.store import Store
from tests.conftest import CORPUS, SAMPLE_IDS, python_ok, run

HTML_PAGE = """<html><head><title>{title}</title>
<meta name="date" content="2024-03-0{day}"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>
<p>{text} Officials in the region said on Tuesday that talks would go on.</p>
<p>The ministry gave no further details about the {title} meeting in its statement.</p>
</article><aside><h2>Related articles</h2><ul><li><a href="/x">Other story</a></li></ul></aside>
</body></html>"""
# One <p> of 50,000 <span>s: trafilatura needs several seconds and hundreds of MB for it.
SLOW_PAGE = "<html><body><p>" + "<span>word</span> " * 50_000 + "</p></body></html>"
SUMMARY = "ingest: {} added, {} updated, {} unchanged, {} duplicates, {} skipped, {} failed\n"


def _mixed_folder(root: Path) -> Path:
    """Sample texts, a few HTML pages, a copy (a duplicate) and a PNG named .txt."""
    shutil.copytree(CORPUS, root)
    for day in range(1, 5):
        page = HTML_PAGE.format(title=f"Border talks {day}", day=day, text=f"Round {day} began.")
        (root / f"page{day}.html").write_text(page, encoding="utf-8")
    shutil.copy(root / SAMPLE_IDS["001"], root / "zz_copy_of_001.txt")
    (root / "fake.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return root


def _documents(index: Path) -> list[dict[str, Any]]:
    store = Store.open(index)
    with store.searcher() as searcher:
        documents = [dict(fields) for fields in searcher.documents()]
    for fields in documents:
        fields.pop("ingested", None)
    return sorted(documents, key=lambda fields: str(fields["id"]))


def test_ingest_jobs_2_gives_same_report_and_index_as_jobs_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = _mixed_folder(tmp_path / "in")
    one = run(runner, "ingest", "--jobs", "1", str(folder), index=tmp_path / "one")
    two = run(runner, "ingest", "--jobs", "2", str(folder), index=tmp_path / "two")
    assert one.exit_code == 3, one.output
    assert two.stderr == one.stderr
    assert one.stderr == SUMMARY.format(9, 0, 0, 1, 0, 1) + (
        f"failed: {folder / 'fake.txt'}: not an article: PNG image\n"
    )
    assert _documents(tmp_path / "two") == _documents(tmp_path / "one")


def test_ingest_slow_extraction_fails_with_time_budget_and_rest_lands(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / SAMPLE_IDS["000"], folder / "a.txt")
    (folder / "b_slow.html").write_text(SLOW_PAGE, encoding="utf-8")
    shutil.copy(CORPUS / SAMPLE_IDS["002"], folder / "c.txt")
    index = tmp_path / "ix"
    result = run(runner, "ingest", "--jobs", "1", "--time-budget", "1", str(folder), index=index)
    assert result.exit_code == 3, result.output
    assert result.stderr == SUMMARY.format(2, 0, 0, 0, 0, 1) + (
        f"failed: {folder / 'b_slow.html'}: extraction took longer than 1 s\n"
    )
    assert Corpus.open(index).stats().documents == 2


def test_ingest_memory_hungry_input_fails_with_memory_budget(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / SAMPLE_IDS["000"], folder / "a.txt")
    (folder / "b_big.html").write_text(SLOW_PAGE, encoding="utf-8")
    index = tmp_path / "ix"
    result = run(runner, "ingest", "--memory-budget", "40", str(folder), index=index)
    assert result.exit_code == 3, result.output
    assert result.stderr == SUMMARY.format(1, 0, 0, 0, 0, 1) + (
        f"failed: {folder / 'b_big.html'}: extraction exceeded the memory budget of 40 MB\n"
    )


def test_ingest_unchanged_stat_is_not_read_again(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(corpus_copy), index=index).exit_code == 0
    assert (index / STATE_FILE).is_file()
    # Same size and mtime, other bytes: a stat-first scan must not notice (nor read) it.
    target = corpus_copy / SAMPLE_IDS["003"]
    before = target.stat()
    data = target.read_bytes()
    target.write_bytes(data.replace(b"Azizov", b"Qwertz"))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = run(runner, "ingest", str(corpus_copy), index=index)
    assert result.exit_code == 0, result.output
    assert result.stderr == SUMMARY.format(0, 0, 5, 0, 0, 0)
    assert run(runner, "search", "Qwertz", "--format", "plain", index=index).stdout == ""


def test_ingest_touched_identical_file_is_unchanged(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(corpus_copy), index=index).exit_code == 0
    target = corpus_copy / SAMPLE_IDS["000"]
    stamp = target.stat().st_mtime_ns + 5_000_000_000
    os.utime(target, ns=(stamp, stamp))
    result = run(runner, "ingest", str(corpus_copy), index=index)
    assert result.stderr == SUMMARY.format(0, 0, 5, 0, 0, 0)


def test_ingest_changed_file_is_updated_after_stat_cache(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(corpus_copy), index=index).exit_code == 0
    target = corpus_copy / SAMPLE_IDS["003"]
    target.write_text(
        target.read_text(encoding="utf-8").replace("Azizov", "Qwertz"), encoding="utf-8"
    )
    result = run(runner, "ingest", str(corpus_copy), index=index)
    assert result.stderr == SUMMARY.format(0, 1, 4, 0, 0, 0)
    hits = run(runner, "search", "Qwertz", "--format", "plain", index=index).stdout
    assert hits.count("\n") == 1


def test_ingest_duplicate_stays_duplicate_on_rerun(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    shutil.copy(corpus_copy / SAMPLE_IDS["001"], corpus_copy / "zz_copy.txt")
    index = tmp_path / "ix"
    first = run(runner, "ingest", str(corpus_copy), index=index)
    second = run(runner, "ingest", str(corpus_copy), index=index)
    assert first.stderr == SUMMARY.format(5, 0, 0, 1, 0, 0)
    assert second.stderr == SUMMARY.format(0, 0, 5, 1, 0, 0)


def test_ingest_stat_cache_of_another_index_state_is_not_trusted(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(corpus_copy), index=index).exit_code == 0
    saved = (index / STATE_FILE).read_bytes()
    extra = tmp_path / "extra.txt"
    extra.write_text("Extra story\n\nA paragraph about something else entirely.\n")
    assert run(runner, "ingest", str(extra), index=index).exit_code == 0
    # Put back a cache from before the last commit, then change a file without changing its
    # stat: the stale cache is ignored, so the file is read and the change is seen.
    (index / STATE_FILE).write_bytes(saved)
    target = corpus_copy / SAMPLE_IDS["003"]
    before = target.stat()
    target.write_bytes(target.read_bytes().replace(b"Azizov", b"Qwertz"))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = run(runner, "ingest", str(corpus_copy), index=index)
    assert result.stderr == SUMMARY.format(0, 1, 4, 0, 0, 0)


@pytest.mark.parametrize("jobs", ["0", "x"])
def test_ingest_bad_jobs_is_a_usage_error(runner: CliRunner, tmp_path: Path, jobs: str) -> None:
    result = run(runner, "ingest", "--jobs", jobs, str(CORPUS), index=tmp_path / "ix")
    assert result.exit_code == 2
    assert "--jobs" in result.stderr


def test_ingest_lasting_failure_is_reported_again_without_rereading(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    fake = corpus_copy / "fake.txt"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    index = tmp_path / "ix"
    first = run(runner, "ingest", str(corpus_copy), index=index)
    # Same size and mtime, now a text: a stat-first scan reports the remembered failure.
    before = fake.stat()
    fake.write_bytes(b"A title\n\n" + b"word " * 12 + b"ok\n")  # 72 bytes, like before
    os.utime(fake, ns=(before.st_atime_ns, before.st_mtime_ns))
    second = run(runner, "ingest", str(corpus_copy), index=index)
    assert first.exit_code == second.exit_code == 3
    failed = f"failed: {fake}: not an article: PNG image\n"
    assert first.stderr == SUMMARY.format(5, 0, 0, 0, 0, 1) + failed
    assert second.stderr == SUMMARY.format(0, 0, 5, 0, 0, 1) + failed


def test_ingest_changed_sidecar_updates_unchanged_file(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    story = folder / "story.txt"
    shutil.copy(CORPUS / SAMPLE_IDS["001"], story)
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(folder), index=index).exit_code == 0
    (folder / "story.txt.json").write_text('{"title": "Sidecar title"}', encoding="utf-8")
    result = run(runner, "ingest", str(folder), index=index)
    assert result.stderr == SUMMARY.format(0, 1, 0, 0, 0, 0)
    hits = run(runner, "search", "title:sidecar", "--format", "plain", index=index).stdout
    assert hits.count("\n") == 1


def test_ingest_from_a_script_does_not_rerun_it_in_workers(tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    marker = tmp_path / "runs.txt"
    script.write_text(
        "from newscli import Corpus\n"
        f"with open({str(marker)!r}, 'a') as handle:\n"
        "    handle.write('run\\n')\n"
        f"report = Corpus.open({str(tmp_path / 'ix')!r}, create=True, jobs=2)"
        f".ingest([{str(CORPUS)!r}])\n"
        "print(report.summary())\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "5 added, 0 updated, 0 unchanged, 0 duplicates, 0 skipped, 0 failed\n"
    assert marker.read_text(encoding="utf-8") == "run\n"


def test_ingest_overlong_article_fails_and_rest_lands(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / SAMPLE_IDS["000"], folder / "a.txt")
    paragraph = "The council met again today and talked about the new budget for roads. " * 10
    paragraphs = [f"Meeting {number}. {paragraph}" for number in range(1500)]
    (folder / "b_long.txt").write_text(
        "A very long story\n\n" + "\n\n".join(paragraphs), encoding="utf-8"
    )
    index = tmp_path / "ix"
    result = run(runner, "ingest", str(folder), index=index)
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(SUMMARY.format(1, 0, 0, 0, 0, 1))
    assert f"failed: {folder / 'b_long.txt'}: article text is longer than 1,000,000" in (
        result.stderr
    )


def _pool(*, jobs: int = 2, html: bool = True, tasks_per_worker: int = 500) -> Any:
    """A worker pool with generous budgets, for the tests that drive one directly."""
    from datetime import UTC, datetime

    from newscli.workers import Budget, WorkerPool

    return WorkerPool(
        jobs=jobs,
        budget=Budget(seconds=60, memory_mb=0),
        max_bytes=10_000_000,
        now=datetime(2026, 1, 1, tzinfo=UTC),
        html=html,
        tasks_per_worker=tasks_per_worker,
    )


def _run_pool(sources: list[Any], tasks_per_worker: int, *, html: bool) -> tuple[list[Any], int]:
    """Run ``sources`` through a two-worker pool; return the outcomes and workers started."""

    from newscli.workers import Task

    with _pool(html=html, tasks_per_worker=tasks_per_worker) as pool:
        outcomes = list(pool.run((source.given, Task(source)) for source in sources))
        return outcomes, pool._started


def test_worker_pool_replaces_workers_after_their_quota(tmp_path: Path) -> None:
    """Workers retire after ``tasks_per_worker`` HTML inputs; results stay complete and in
    order."""
    from newscli.sources import expand
    from newscli.workers import Built

    for number in range(15):
        (tmp_path / f"page{number:02}.html").write_text(
            f"<html><head><title>Page {number}</title></head><body><article>"
            + f"<p>Rocket report number {number} from Termez, said the officials.</p>" * 5
            + "</article></body></html>",
            encoding="utf-8",
        )
    sources = [item for item in expand([str(tmp_path)]) if not hasattr(item, "reason")]
    outcomes, started = _run_pool(sources, 2, html=True)
    assert [given for given, _ in outcomes] == [source.given for source in sources]
    assert all(isinstance(outcome, Built) for _, outcome in outcomes)
    assert started >= len(sources) // 2  # 15 inputs, 2 each: at least 7 workers


def test_worker_pool_counts_ten_text_files_as_one_task() -> None:
    """Plain text does not grow a worker's heap: ten text files count as one input."""
    from newscli.sources import expand
    from newscli.workers import Built

    sources = [item for item in expand([str(CORPUS)]) if not hasattr(item, "reason")] * 3
    outcomes, started = _run_pool(sources, 1, html=False)
    assert [given for given, _ in outcomes] == [source.given for source in sources]
    assert all(isinstance(outcome, Built) for _, outcome in outcomes)
    assert 2 <= started <= 4  # 15 text files: a worker retires after 10


def test_worker_pool_workers_run_below_the_parents_priority() -> None:
    """The parent indexes what the workers send: on a busy machine it must not wait for CPU
    behind them."""

    from newscli.sources import expand
    from newscli.workers import _WORKER_NICENESS, Built, Task

    sources = [item for item in expand([str(CORPUS)]) if not hasattr(item, "reason")]
    parent = os.getpriority(os.PRIO_PROCESS, 0)
    with _pool(html=False) as pool:
        outcomes = list(pool.run((source.given, Task(source)) for source in sources))
        priorities = {
            os.getpriority(os.PRIO_PROCESS, worker.process.pid) for worker in pool._workers
        }
    assert all(isinstance(outcome, Built) for _, outcome in outcomes)
    assert priorities == {min(19, parent + _WORKER_NICENESS)}


def test_worker_pool_started_for_text_restarts_its_fork_server_for_html(tmp_path: Path) -> None:
    """Ingest starts workers for plain text when the first changed input is text; an HTML
    input found later gets them a fork server with trafilatura loaded, and is extracted."""
    from multiprocessing import forkserver

    from newscli import workers
    from newscli.sources import expand
    from newscli.workers import Built, Task

    workers._stop_fork_server()
    workers._server_html = None
    for day in range(1, 4):
        page = HTML_PAGE.format(title=f"Border talks {day}", day=day, text=f"Round {day} began.")
        (tmp_path / f"page{day}.html").write_text(page, encoding="utf-8")
    sources = [item for item in expand([str(tmp_path)]) if not hasattr(item, "reason")]
    with _pool(jobs=1, html=False) as pool:
        pool.start_in_background()
        pool._wait_started()
        text_server = forkserver._forkserver._forkserver_pid
        pool.include_html()
        outcomes = list(pool.run((source.given, Task(source)) for source in sources))
        assert pool.html
        assert forkserver._forkserver._forkserver_pid not in (None, text_server)
    titles = [outcome.article.title for _, outcome in outcomes if isinstance(outcome, Built)]
    assert titles == ["Border talks 1", "Border talks 2", "Border talks 3"]


def test_start_fork_server_restarts_only_to_add_trafilatura() -> None:
    """A started fork server is reused; one without trafilatura is replaced when HTML is to be
    extracted, and one with it also serves plain text."""
    from multiprocessing import forkserver

    from newscli import workers

    workers._stop_fork_server()
    workers._server_html = None
    workers.start_fork_server(html=False)
    text_server = forkserver._forkserver._forkserver_pid
    workers.start_fork_server(html=False)
    assert forkserver._forkserver._forkserver_pid == text_server
    workers.start_fork_server(html=True)
    html_server = forkserver._forkserver._forkserver_pid
    assert html_server not in (None, text_server)
    workers.start_fork_server(html=False)
    assert forkserver._forkserver._forkserver_pid == html_server


def test_cached_files_estimates_the_stat_cache_size(tmp_path: Path) -> None:
    from newscli.filestate import _BYTES_PER_ENTRY, cached_files

    assert cached_files(tmp_path) == 0
    (tmp_path / STATE_FILE).write_bytes(b"x" * (_BYTES_PER_ENTRY * 7))
    assert cached_files(tmp_path) == 7


def test_worker_pool_never_runs_more_workers_than_jobs(tmp_path: Path) -> None:
    """A worker that has had its quota finishes its queued inputs and stops before its
    successor starts: two at once would hold a grown heap beside a new one."""

    from newscli.sources import expand
    from newscli.workers import Built, Task

    for number in range(12):
        page = HTML_PAGE.format(title=f"Talks {number}", day=1 + number % 9, text="Round.")
        (tmp_path / f"page{number:02}.html").write_text(page, encoding="utf-8")
    sources = [item for item in expand([str(tmp_path)]) if not hasattr(item, "reason")]
    live: list[int] = []
    with _pool(tasks_per_worker=3) as pool:
        outcomes = []
        for outcome in pool.run((source.given, Task(source)) for source in sources):
            outcomes.append(outcome)
            live.append(sum(worker.process.is_alive() for worker in pool._workers))
        started = pool._started
    assert all(isinstance(outcome, Built) for _, outcome in outcomes)
    assert started >= 4
    assert max(live) <= 2


def test_warm_up_prepares_justext_for_forked_workers() -> None:
    python_ok(
        "import trafilatura, newscli.warmup\n"
        "from trafilatura import external\n"
        "assert external.JT_STOPLIST\n"
    )


def test_warm_up_without_html_leaves_trafilatura_out() -> None:
    python_ok(
        "import sys, newscli.warmup\n"
        "assert 'trafilatura' not in sys.modules and 'dateparser' not in sys.modules\n"
    )
