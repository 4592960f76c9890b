"""``newscli refresh``: registered folders and feeds, only what is new, cron behaviour, locking."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.store import RunLock
from tests.conftest import SAMPLE_IDS, run
from tests.httpserver import Page, TestSite, article_html, rss_feed


def _articles(site: TestSite, names: list[str]) -> list[str]:
    return [
        site.add(f"/news/{name}", article_html(f"Story {name}", f"Topic{name}")) for name in names
    ]


def _feed(site: TestSite, links: list[str], version: str) -> str:
    return site.add(
        "/feed.xml",
        rss_feed(links),
        content_type="application/rss+xml",
        headers={"ETag": f'"{version}"'},
    )


def _summary(added: int = 0, unchanged: int = 0, failed: int = 0, sources: int = 1) -> str:
    return (
        f"refresh: {sources} sources, {added} added, 0 updated, {unchanged} unchanged, "
        f"0 duplicates, {failed} failed\n"
    )


def test_refresh_feed_adds_only_new_entries(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    links = _articles(site, ["a", "b", "c"])
    feed = _feed(site, links, "v1")
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0

    first = run(runner, "refresh", index=index)
    assert (first.exit_code, first.stderr) == (0, _summary(added=3))

    second = run(runner, "refresh", index=index)
    assert (second.exit_code, second.stderr) == (0, _summary())
    assert site.hits["/feed.xml"] == 2  # asked again, answered 304 Not Modified
    assert [site.hits[f"/news/{name}"] for name in "abc"] == [1, 1, 1]

    links += _articles(site, ["d"])
    _feed(site, links, "v2")
    third = run(runner, "refresh", index=index)
    assert (third.exit_code, third.stderr) == (0, _summary(added=1))
    assert [site.hits[f"/news/{name}"] for name in "abcd"] == [1, 1, 1, 1]
    assert Corpus.open(index).stats().documents == 4


def test_refresh_refetch_downloads_pages_again(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    feed = _feed(site, _articles(site, ["a", "b"]), "v1")
    page = site.add("/page", article_html("A page", "Museum"))
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0
    assert run(runner, "sources", "add", page, index=index).exit_code == 0
    assert run(runner, "refresh", index=index).stderr == _summary(added=3, sources=2)
    assert run(runner, "refresh", index=index).stderr == _summary(sources=2)
    again = run(runner, "refresh", "--refetch", index=index)
    assert (again.exit_code, again.stderr) == (0, _summary(unchanged=3, sources=2))
    assert (site.hits["/news/a"], site.hits["/page"]) == (2, 2)


def test_refresh_folder_changed_and_new_files(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "sources", "add", str(corpus_copy), index=index).exit_code == 0
    assert run(runner, "refresh", index=index).stderr == _summary(added=5)
    edited = corpus_copy / SAMPLE_IDS["004"]
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("Wholey.", "Wholey in Tashkent."),
        encoding="utf-8",
    )
    result = run(runner, "refresh", index=index)
    assert (result.exit_code, result.stderr) == (
        0,
        "refresh: 1 sources, 0 added, 1 updated, 4 unchanged, 0 duplicates, 0 failed\n",
    )
    hits = Corpus.open(index).search('"Wholey in Tashkent"').hits
    assert [hit.path for hit in hits] == [str(edited)]


def test_refresh_quiet_prints_nothing_on_success(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    feed = _feed(site, _articles(site, ["a"]), "v1")
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0
    for _ in range(2):
        result = run(runner, "refresh", "--quiet", index=index)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_refresh_quiet_prints_one_line_per_problem(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    links = [*_articles(site, ["a"]), site.url("/gone")]
    feed = _feed(site, links, "v1")
    dead = site.url("/dead-feed.xml")
    for location in (feed, dead):
        assert run(runner, "sources", "add", location, "--feed", index=index).exit_code == 0
    result = run(runner, "refresh", "--quiet", index=index)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"failed: {site.url('/gone')}: HTTP 404 Not Found",
        f"failed: {dead}: HTTP 404 Not Found",
    ]
    assert Corpus.open(index).stats().documents == 1


def test_refresh_everything_failed_exits_1(
    runner: CliRunner, tmp_path: Path, site: TestSite, corpus_copy: Path
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "sources", "add", str(corpus_copy), index=index).exit_code == 0
    assert run(runner, "sources", "add", site.url("/none.xml"), "--feed", index=index)
    for entry in corpus_copy.iterdir():
        entry.unlink()
    corpus_copy.rmdir()
    result = run(runner, "refresh", index=index)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        _summary(failed=2, sources=2).rstrip("\n"),
        f"failed: {corpus_copy}: no such file or folder",
        f"failed: {site.url('/none.xml')}: HTTP 404 Not Found",
    ]


def test_refresh_failed_entry_is_retried_then_left_alone(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    feed = _feed(site, [*_articles(site, ["a"]), site.url("/broken")], "v1")
    site.add("/broken", "down", status=503)
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0
    site.routes["/feed.xml"].headers.clear()  # type: ignore[union-attr] # no 304: entries re-read
    codes = [run(runner, "refresh", "--quiet", index=index).exit_code for _ in range(4)]
    assert codes == [3, 1, 1, 0]
    assert site.hits["/broken"] == 3 * 2  # three refreshes, each with one retry


def test_refresh_logs_a_line_per_run(runner: CliRunner, tmp_path: Path, site: TestSite) -> None:
    index = tmp_path / "ix"
    feed = _feed(site, _articles(site, ["a", "b"]), "v1")
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0
    run(runner, "refresh", index=index)
    run(runner, "refresh", "-q", index=index)
    lines = (index / "refresh.log").read_text(encoding="utf-8").splitlines()
    pattern = (
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ refresh sources=1 added={} updated=0 unchanged=0 "
        r"duplicates=0 failed=0 failed_sources=0 duration=\d+\.\d\ds"
    )
    assert len(lines) == 2
    assert re.fullmatch(pattern.replace("{}", "2"), lines[0]), lines[0]
    assert re.fullmatch(pattern.replace("{}", "0"), lines[1]), lines[1]


def test_refresh_without_sources_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert run(runner, "sources", "add", str(tmp_path), "--name", "x", index=index).exit_code == 0
    assert run(runner, "sources", "remove", "x", index=index).exit_code == 0
    result = run(runner, "refresh", index=index)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no sources registered; add one with `newscli sources add PATH|URL`\n"
    )


def test_refresh_busy_index_exits_75(runner: CliRunner, tmp_path: Path, corpus_copy: Path) -> None:
    index = tmp_path / "ix"
    assert run(runner, "sources", "add", str(corpus_copy), index=index).exit_code == 0
    with RunLock(index, wait=0):
        result = run(runner, "refresh", "--wait", "0.2", index=index)
    assert result.exit_code == 75
    assert result.stderr.startswith("Error: index ")
    assert "busy" in result.stderr


def _newscli(index: Path, *args: str, timeout: str = "10") -> subprocess.Popen[str]:
    env = {**os.environ, "NEWSCLI_FETCH_TIMEOUT": timeout}
    return subprocess.Popen(
        [sys.executable, "-m", "newscli", "--index", str(index), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_hit(site: TestSite, path: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while site.hits[path] == 0:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the first refresh never reached the slow page"
        time.sleep(0.05)


@pytest.mark.slow
def test_refresh_concurrent_second_run_exits_75(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    links = _articles(site, ["a", "b"])
    gate = site.add_gate("/news/slow", article_html("Slow", "Stadium"))
    feed = _feed(site, [*links, site.url("/news/slow")], "v1")
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0
    first = _newscli(index, "refresh", "--quiet", timeout="60")
    try:
        _wait_for_hit(site, "/news/slow", first)  # the first run now holds the lock
        second = _newscli(index, "refresh", "--quiet")
        out, err = second.communicate(timeout=60)
    finally:
        gate.set()
    assert second.returncode == 75, err
    assert (out, err.count("\n")) == ("", 1)
    assert "busy" in err
    out, err = first.communicate(timeout=60)
    assert (first.returncode, out, err) == (0, "", "")
    assert Corpus.open(index).stats().documents == 3
    again = run(runner, "refresh", index=index)
    assert (again.exit_code, again.stderr) == (0, _summary())


@pytest.mark.slow
def test_refresh_after_a_killed_run_takes_the_lock(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    links = _articles(site, ["a"])
    links.append(site.add_slow("/news/slow", article_html("Slow", "Stadium"), delay=30))
    feed = _feed(site, links, "v1")
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0
    first = _newscli(index, "refresh", timeout="60")
    _wait_for_hit(site, "/news/slow", first)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    site.routes["/news/slow"] = Page(article_html("Slow", "Stadium").encode())
    result = run(runner, "refresh", index=index)
    assert (result.exit_code, result.stderr) == (0, _summary(added=2))
    assert Corpus.open(index).stats().documents == 2


def test_refresh_reports_a_refused_link_once(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    feed = _feed(site, [*_articles(site, ["a"]), "javascript:alert(1)"], "v1")
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0
    first = run(runner, "refresh", "--quiet", index=index)
    assert (first.exit_code, first.stderr) == (
        3,
        "failed: javascript:alert(1): refused: only http and https URLs are fetched\n",
    )
    for _ in range(2):
        again = run(runner, "refresh", "--quiet", index=index)
        assert (again.exit_code, again.stderr) == (0, "")
    assert site.hits["/feed.xml"] == 3  # read in full once more, then answered 304


def test_refresh_feed_entry_date_becomes_publication_date(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    index = tmp_path / "ix"
    links = _articles(site, ["a", "b"])
    feed = _feed(site, links, "v1")
    assert run(runner, "sources", "add", feed, "--feed", index=index).exit_code == 0
    assert run(runner, "refresh", index=index).exit_code == 0
    corpus = Corpus.open(index)
    dated = {}
    for hit in corpus.search("report", limit=10).hits:
        article = corpus.get(hit.id)
        dated[article.title] = (article.date, article.date_source)
    assert dated == {
        "Story a": ("2024-03-01T09:30:00+00:00", "feed"),
        "Story b": ("2024-03-02T09:30:00+00:00", "feed"),
    }
