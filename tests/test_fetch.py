"""Fetching over real HTTP on 127.0.0.1: ``ingest URL``, ``ingest --urls`` and the Fetcher rules."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.cli import cli
from newscli.fetch import FEED_TYPES, Fetcher, FetchError, FetchPolicy
from newscli.ids import article_id, canonical_url
from tests.conftest import run
from tests.httpserver import Page, TestSite, article_html

LOCAL = FetchPolicy(timeout=1.5, host_delay=0, allow_private_hosts=True)


def test_ingest_url_indexes_the_page_keyed_by_its_url(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    url = site.add("/news/termez", article_html("Rockets near Termez", "Termez"))
    result = run(runner, "ingest", url, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "ingest: 1 added, 0 updated, 0 unchanged, 0 duplicates, 0 skipped, 0 failed\n"
    )
    article = Corpus.open(tmp_path / "ix").get(article_id(canonical_url(url)))
    assert (article.title, article.url, article.path) == ("Rockets near Termez", url, None)
    assert "Termez report, part 5" in article.body
    assert "Copyright" not in article.body
    assert all(agent.startswith("newscli/") for agent in site.user_agents)


def test_ingest_url_twice_is_unchanged(runner: CliRunner, tmp_path: Path, site: TestSite) -> None:
    url = site.add("/a", article_html("Alpha", "Alpha"))
    assert run(runner, "ingest", url, index=tmp_path / "ix").exit_code == 0
    second = run(runner, "ingest", url, index=tmp_path / "ix")
    assert second.exit_code == 0
    assert second.stderr.startswith("ingest: 0 added, 0 updated, 1 unchanged")


def test_ingest_url_same_canonical_is_one_document(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    canonical = site.url("/story")
    page = article_html("The story", "Harbour", canonical=canonical)
    first = site.add("/story", page)
    second = site.add("/amp/story", page)
    result = run(runner, "ingest", first, second, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("ingest: 1 added, 0 updated, 0 unchanged, 1 duplicates")
    corpus = Corpus.open(tmp_path / "ix")
    assert corpus.stats().documents == 1
    assert corpus.get(article_id(canonical_url(canonical))).url == canonical


def test_ingest_url_canonical_on_another_site_is_ignored(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    url = site.add("/x", article_html("X", "Glacier", canonical="https://victim.example/news"))
    assert run(runner, "ingest", url, index=tmp_path / "ix").exit_code == 0
    corpus = Corpus.open(tmp_path / "ix")
    article = corpus.get(article_id(canonical_url(url)))
    assert (article.title, article.url) == ("X", url)


def test_ingest_urls_file_reports_each_bad_url_and_the_rest_land(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    good = [site.add(f"/ok/{n}", article_html(f"Story {n}", f"Topic{n}")) for n in range(2)]
    flaky = site.add_flaky("/flaky", article_html("Flaky", "Railway"))
    redirect = site.add_redirect("/r1", "/r2")
    site.add_redirect("/r2", "/ok/final", status=301)
    site.add("/ok/final", article_html("Final", "Orchard"))
    missing = site.url("/missing")
    broken = site.add("/broken", "down", status=500)
    slow = site.add_slow("/slow", article_html("Slow", "Drought"), delay=5)
    huge = site.add_huge("/huge", 11 * 1024 * 1024)
    pdf = site.add("/paper.pdf", b"%PDF-1.4\n%\xe2\xe3\n", content_type="application/pdf")
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# reading list\n\n"
        + "\n".join([*good, flaky, redirect, missing, broken, slow, huge, pdf])
        + "\nfile:///etc/passwd\n  # indented comment\n",
        encoding="utf-8",
    )
    result = run(runner, "ingest", "--urls", str(listing), index=tmp_path / "ix")
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        "ingest: 4 added, 0 updated, 0 unchanged, 0 duplicates, 0 skipped, 6 failed",
        "failed: file:///etc/passwd: not an http(s) URL",
        f"failed: {missing}: HTTP 404 Not Found",
        f"failed: {broken}: HTTP 500 Internal Server Error",
        f"failed: {slow}: timed out after 1.5 s",
        f"failed: {huge}: response is larger than the 10 MB limit",
        f"failed: {pdf}: not an HTML page (content type application/pdf)",
    ]
    assert site.hits["/flaky"] == 2  # one 500, then the retry that worked
    assert site.hits["/broken"] == 2  # retried, then given up before the deadline
    titles = {hit.title for hit in Corpus.open(tmp_path / "ix").search("officials").hits}
    assert titles == {"Story 0", "Story 1", "Flaky", "Final"}


def test_ingest_url_private_host_refused_without_setting(
    runner: CliRunner, tmp_path: Path, site: TestSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSCLI_ALLOW_PRIVATE_HOSTS")
    url = site.add("/a", article_html("Alpha", "Alpha"))
    result = run(runner, "ingest", url, index=tmp_path / "ix")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        f"failed: {url}: refused: 127.0.0.1 resolves to the non-public address 127.0.0.1 "
        "(set NEWSCLI_ALLOW_PRIVATE_HOSTS=1 to allow)"
    ]
    assert site.hits["/a"] == 0


def test_ingest_bad_fetch_setting_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSCLI_FETCH_TIMEOUT", "soon")
    result = run(runner, "ingest", "https://example.org/", index=tmp_path / "ix")
    assert result.exit_code == 2
    assert "NEWSCLI_FETCH_TIMEOUT must be a number of seconds" in result.stderr


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "[::1]", "0.0.0.0"]
)
def test_fetch_refuses_non_public_addresses(address: str) -> None:
    with pytest.raises(FetchError, match="non-public address"):
        Fetcher(FetchPolicy(timeout=1)).get(f"http://{address}:9/")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
def test_fetch_refuses_other_schemes(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        Fetcher(LOCAL).get(url)


def test_fetch_total_deadline_stops_a_slow_drip(site: TestSite) -> None:
    url = site.add_drip("/drip", seconds=10)
    with pytest.raises(FetchError, match=r"timed out after 1 s"):
        Fetcher(FetchPolicy(timeout=1, host_delay=0, allow_private_hosts=True)).get(url)


def test_fetch_redirect_limit(site: TestSite) -> None:
    for n in range(8):
        site.add_redirect(f"/loop{n}", f"/loop{n + 1}")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        Fetcher(LOCAL).get(site.url("/loop0"))


def test_fetch_redirect_to_other_scheme_refused(site: TestSite) -> None:
    url = site.add_redirect("/sneaky", "file:///etc/passwd")
    with pytest.raises(FetchError, match="only http and https"):
        Fetcher(LOCAL).get(url)


def test_fetch_conditional_request_gets_not_modified(site: TestSite) -> None:
    url = site.add(
        "/feed.xml", "<rss/>", content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    fetcher = Fetcher(LOCAL)
    first = fetcher.get(url, accept=FEED_TYPES)
    assert (first.status, first.etag, first.data) == (200, '"v1"', b"<rss/>")
    second = fetcher.get(url, accept=FEED_TYPES, etag=first.etag)
    assert second.not_modified and second.data == b""


def test_fetch_waits_between_requests_to_one_host(site: TestSite) -> None:
    url = site.add("/a", article_html("Alpha", "Alpha"))
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    fetcher = Fetcher(
        FetchPolicy(timeout=5, host_delay=2.0, allow_private_hosts=True),
        clock=lambda: now[0],
        sleep=sleep,
    )
    fetcher.get(url)
    fetcher.get(url)
    fetcher.get(url)
    assert sleeps == [2.0, 2.0]


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[TestSite, Path]]:
    """An https server on 127.0.0.1 with a self-signed certificate for ``localhost``."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    server = TestSite(certificate=(str(cert), str(key))).start()
    yield server, cert
    server.stop()


def test_fetch_https_verifies_the_certificate(
    tls_site: tuple[TestSite, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    site, cert = tls_site
    site.add("/a", article_html("Alpha", "Alpha"))
    url = site.url("/a").replace("127.0.0.1", "localhost")
    with pytest.raises(FetchError, match=r"TLS error: .*certificate verify failed"):
        Fetcher(LOCAL).get(url)
    assert site.hits["/a"] == 0
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now trusted: name checked against localhost
    response = Fetcher(LOCAL).get(url)
    assert (response.status, response.url) == (200, url)
    assert b"Alpha report" in response.data


def test_fetch_gzip_is_decoded_and_counted_after_decoding(site: TestSite) -> None:
    page = article_html("Zipped", "Zipped").encode()
    url = site.add("/z", gzip.compress(page), headers={"Content-Encoding": "gzip"})
    assert Fetcher(LOCAL).get(url).data == page
    bomb = site.add(
        "/bomb",
        gzip.compress(b"<p>" + b" " * (12 * 1024 * 1024)),
        headers={"Content-Encoding": "gzip"},
    )
    with pytest.raises(FetchError, match="larger than the 10 MB limit"):
        Fetcher(LOCAL).get(bomb)


def test_ingest_urls_from_stdin(runner: CliRunner, tmp_path: Path, site: TestSite) -> None:
    url = site.add("/a", article_html("Alpha", "Alpha"))
    result = runner.invoke(
        cli, ["--index", str(tmp_path / "ix"), "ingest", "--urls", "-"], input=f"{url}\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("ingest: 1 added,")


def test_fetch_garbled_answer_is_reported(site: TestSite) -> None:
    url = site.add_raw("/garbled", b"SPAM 200 maybe\r\n\r\nhello")
    with pytest.raises(FetchError, match="bad HTTP exchange"):
        Fetcher(LOCAL).get(url)


def test_fetch_escapes_non_ascii_paths(site: TestSite) -> None:
    site.add("/caf%C3%A9/na%20me", article_html("Café", "Cafe"))
    response = Fetcher(LOCAL).get(site.url("/café/na me"))
    assert response.status == 200
    assert site.hits["/caf%C3%A9/na%20me"] == 1


def test_ingest_url_records_a_relative_canonical_url(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    url = site.add("/amp/story", article_html("Amp", "Bridge", canonical="/story?utm_source=x"))
    assert run(runner, "ingest", url, index=tmp_path / "ix").exit_code == 0
    canonical = site.url("/story?utm_source=x")
    article = Corpus.open(tmp_path / "ix").get(article_id(canonical_url(canonical)))
    assert article.url == canonical


def test_fetch_unasked_not_modified_is_an_error(site: TestSite) -> None:
    site.routes["/odd"] = Page(status=304)
    with pytest.raises(FetchError, match="HTTP 304 Not Modified, but nothing was asked"):
        Fetcher(LOCAL).get(site.url("/odd"))
