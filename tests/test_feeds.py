"""Feeds and sitemaps: parsing, discovery, and ``ingest --feed`` over real HTTP."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.feeds import (
    FeedEntry,
    FeedError,
    canonical_link,
    discover_feed,
    is_feed_document,
    parse_feed,
    read_url_list,
)
from tests.conftest import run
from tests.httpserver import TestSite, article_html, atom_feed, rss_feed, sitemap

BASE = "https://news.example.org/section/"


def test_feeds_parse_rss_with_dates_and_relative_links() -> None:
    feed = parse_feed(rss_feed(["/a", "https://news.example.org/b"]).encode(), BASE)
    assert feed.kind == "rss"
    assert feed.entries == (
        FeedEntry("https://news.example.org/a", "Fri, 01 Mar 2024 09:30:00 +0000", "Story 0"),
        FeedEntry("https://news.example.org/b", "Sat, 02 Mar 2024 09:30:00 +0000", "Story 1"),
    )


def test_feeds_parse_rss_guid_permalink_and_dc_date() -> None:
    data = (
        b"<rss xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><item>"
        b"<guid>https://x.example/1</guid><dc:date>2024-05-01</dc:date></item>"
        b"<item><guid isPermaLink='false'>tag:x,1</guid></item></channel></rss>"
    )
    assert parse_feed(data, BASE).entries == (FeedEntry("https://x.example/1", "2024-05-01"),)


def test_feeds_parse_atom() -> None:
    feed = parse_feed(atom_feed(["https://x.example/1"]).encode(), BASE)
    assert (feed.kind, feed.entries) == (
        "atom",
        (FeedEntry("https://x.example/1", "2024-03-01T09:30:00Z", "Story 0"),),
    )


def test_feeds_parse_sitemap_gzipped_and_news_sitemap() -> None:
    plain = sitemap(["https://x.example/1"]).encode()
    assert parse_feed(gzip.compress(plain), BASE).entries == (
        FeedEntry("https://x.example/1", "2024-03-01"),
    )
    news = (
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        b"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'><url>"
        b"<loc>https://x.example/2</loc><news:news><news:publication_date>2024-04-02"
        b"</news:publication_date><news:title>Two</news:title></news:news></url></urlset>"
    )
    assert parse_feed(news, BASE).entries == (
        FeedEntry("https://x.example/2", "2024-04-02", "Two"),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>hello</body></html>", "root element <html>"),
        (b"", "not a feed or sitemap"),
    ],
)
def test_feeds_parse_rejects_non_feeds(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(data, BASE)


def test_feeds_entities_are_not_resolved() -> None:
    data = (
        b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        b"<rss><channel><item><link>https://x.example/&x;</link></item></channel></rss>"
    )
    (entry,) = parse_feed(data, BASE).entries
    assert "root:" not in entry.url


def test_feeds_is_feed_document() -> None:
    assert is_feed_document(rss_feed([]).encode())
    assert is_feed_document(b"\xef\xbb\xbf  <feed xmlns='http://www.w3.org/2005/Atom'/>")
    assert is_feed_document(gzip.compress(sitemap([]).encode()))
    assert not is_feed_document(article_html("A", "B").encode())
    assert not is_feed_document(b"<?xml version='1.0'?><html><body/></html>")


def test_feeds_discover_and_canonical_links() -> None:
    page = (
        b"<html><head><link rel='canonical' href='/story'>"
        b"<link rel='alternate' type='application/rss+xml' href='/feed.xml'></head></html>"
    )
    assert discover_feed(page, BASE) == "https://news.example.org/feed.xml"
    assert canonical_link(page, BASE) == "https://news.example.org/story"
    assert discover_feed(b"<html><head></head></html>", BASE) is None
    foreign = b"<link rel='canonical' href='https://other.example/story'>"
    assert canonical_link(foreign, BASE) is None


def test_feeds_read_url_list() -> None:
    text = "# list\nhttps://a.example/1\n\n  https://b.example/2  # note\n   # skipped\n"
    assert read_url_list(text) == ["https://a.example/1", "https://b.example/2"]


def _articles(site: TestSite, count: int, prefix: str = "/news/") -> list[str]:
    return [
        site.add(f"{prefix}{n}", article_html(f"Story {n}", f"Topic{prefix}{n}"))
        for n in range(count)
    ]


@pytest.mark.parametrize(("kind", "render"), [("rss", rss_feed), ("atom", atom_feed)])
def test_ingest_feed_indexes_exactly_the_linked_articles(
    runner: CliRunner, tmp_path: Path, site: TestSite, kind: str, render: object
) -> None:
    links = _articles(site, 3)
    site.add("/news/unlisted", article_html("Unlisted", "Unlisted"))
    assert callable(render)
    feed = site.add(f"/{kind}.xml", render(links), content_type=f"application/{kind}+xml")
    result = run(runner, "ingest", "--feed", feed, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("ingest: 3 added, 0 updated, 0 unchanged")
    corpus = Corpus.open(tmp_path / "ix")
    assert sorted(hit.url or "" for hit in corpus.search("officials").hits) == sorted(links)
    assert site.hits["/news/unlisted"] == 0


def test_ingest_feed_sitemap_and_sitemap_index(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    first = site.add("/sitemap-1.xml", sitemap(_articles(site, 2, "/a/")), content_type="text/xml")
    second = site.add("/sitemap-2.xml", sitemap(_articles(site, 1, "/b/")), content_type="text/xml")
    index = site.add(
        "/sitemap.xml",
        "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>{first}</loc></sitemap><sitemap><loc>{second}</loc></sitemap>"
        "</sitemapindex>",
        content_type="application/xml",
    )
    result = run(runner, "ingest", "--feed", index, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("ingest: 3 added,")


def test_ingest_feed_home_page_advertising_its_feed(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    site.add("/feed.xml", rss_feed(_articles(site, 2)), content_type="application/rss+xml")
    home = site.add(
        "/",
        "<html><head><title>Test News</title><link rel='alternate' "
        "type='application/rss+xml' href='/feed.xml'></head><body>Welcome</body></html>",
    )
    result = run(runner, "ingest", "--feed", home, index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("ingest: 2 added,")


def test_ingest_feed_problems_are_reported_and_the_rest_lands(
    runner: CliRunner, tmp_path: Path, site: TestSite
) -> None:
    good = _articles(site, 1)
    links = [*good, "file:///etc/passwd", site.url("/gone")]
    feed = site.add("/feed.xml", rss_feed(links), content_type="application/rss+xml")
    plain = site.add("/plain", "<html><body>no feed here</body></html>")
    result = run(runner, "ingest", "--feed", feed, "--feed", plain, index=tmp_path / "ix")
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        "ingest: 1 added, 0 updated, 0 unchanged, 0 duplicates, 0 skipped, 3 failed",
        "failed: file:///etc/passwd: refused: only http and https URLs are fetched",
        f"failed: {plain}: not a feed, and the page advertises no feed",
        f"failed: {site.url('/gone')}: HTTP 404 Not Found",
    ]


def test_ingest_without_inputs_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "ingest", index=tmp_path / "ix")
    assert result.exit_code == 2
    assert "give PATH|URL arguments, --urls FILE or --feed URL" in result.stderr
