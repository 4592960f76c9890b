"""RSS, Atom and sitemap parsing, feed discovery on a home page, canonical links, URL lists.

Parsed with lxml (already installed with trafilatura) rather than feedparser: three formats
need ~100 lines, lxml's recovering parser copes with the broken XML feeds often are, and its
parser is configured not to resolve entities or touch the network (no XXE).
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

__all__ = [
    "Feed",
    "FeedEntry",
    "FeedError",
    "canonical_link",
    "discover_feed",
    "is_feed_document",
    "parse_feed",
    "read_url_list",
]

_MAX_UNCOMPRESSED = 50 * 1024 * 1024
_FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


class FeedError(Exception):
    """A document is not a feed or sitemap newscli can read."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One article a feed or sitemap links to; ``date`` is the raw date text, if any."""

    url: str
    date: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: its kind (rss, atom, sitemap, sitemapindex) and its entries in order."""

    kind: str
    entries: tuple[FeedEntry, ...]


def _local(tag: object) -> str:
    """Return an element's tag without its namespace (comments and PIs give '')."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(element: Any, *names: str) -> str | None:
    for name in names:
        for child in element:
            if _local(child.tag) == name and child.text and child.text.strip():
                return " ".join(str(child.text).split())
    return None


def _maybe_gunzip(data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(_MAX_UNCOMPRESSED + 1)
    except (OSError, EOFError) as exc:
        raise FeedError(f"damaged gzip data ({exc})") from exc
    if len(out) > _MAX_UNCOMPRESSED:
        raise FeedError("uncompressed feed is too large")
    return out


def _parse_xml(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(_maybe_gunzip(data).strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not a feed or sitemap ({exc})") from exc
    if root is None:
        raise FeedError("not a feed or sitemap (no XML document)")
    return root


def is_feed_document(data: bytes) -> bool:
    """Return whether ``data`` looks like XML (a feed or sitemap) rather than an HTML page."""
    head = _maybe_gunzip(data[:4096] if data[:2] != b"\x1f\x8b" else data)[:2048]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<?xml"):
        return b"<html" not in text
    return text.startswith((b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf"))


def parse_feed(data: bytes, base_url: str) -> Feed:
    """Parse an RSS, Atom or RDF feed, a sitemap or a sitemap index; links made absolute."""
    root = _parse_xml(data)
    kind = _local(root.tag)
    if kind == "rss" or kind == "rdf":
        return Feed("rss", tuple(_rss_entries(root, base_url)))
    if kind == "feed":
        return Feed("atom", tuple(_atom_entries(root, base_url)))
    if kind in ("urlset", "sitemapindex"):
        return Feed(kind.replace("urlset", "sitemap"), tuple(_sitemap_entries(root, base_url)))
    raise FeedError(f"not a feed or sitemap (root element <{kind or '?'}>)")


def _rss_entries(root: Any, base_url: str) -> list[FeedEntry]:
    entries = []
    for item in root.iter():
        if _local(item.tag) != "item":
            continue
        link = _child_text(item, "link")
        if not link:
            for child in item:
                if _local(child.tag) == "guid" and child.get("isPermaLink", "true") != "false":
                    link = (child.text or "").strip() or None
        if not link:
            continue
        entries.append(
            FeedEntry(
                url=urljoin(base_url, link),
                date=_child_text(item, "pubdate", "date", "published", "updated"),
                title=_child_text(item, "title"),
            )
        )
    return entries


def _atom_entries(root: Any, base_url: str) -> list[FeedEntry]:
    entries = []
    for entry in root:
        if _local(entry.tag) != "entry":
            continue
        link = None
        for child in entry:
            if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                link = child.get("href")
                if link:
                    break
        if not link:
            continue
        entries.append(
            FeedEntry(
                url=urljoin(base_url, link.strip()),
                date=_child_text(entry, "published", "updated"),
                title=_child_text(entry, "title"),
            )
        )
    return entries


def _sitemap_entries(root: Any, base_url: str) -> list[FeedEntry]:
    entries = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        location = _child_text(node, "loc")
        if not location:
            continue
        date = None
        for child in node.iter():
            if _local(child.tag) in ("publication_date", "lastmod") and child.text:
                date = child.text.strip()
                break
        title = None
        for child in node.iter():
            if _local(child.tag) == "title" and child.text:
                title = child.text.strip()
                break
        entries.append(FeedEntry(url=urljoin(base_url, location), date=date, title=title))
    return entries


def _html_root(data: bytes) -> Any:
    from lxml import html

    try:
        return html.fromstring(data)
    except (ValueError, TypeError, SyntaxError):  # lxml's ParserError is a SyntaxError
        return None


def discover_feed(page: bytes, base_url: str) -> str | None:
    """Return the first feed a page advertises (``<link rel=alternate type=...rss+xml>``)."""
    root = _html_root(page)
    if root is None:
        return None
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().strip()
        href = str(link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_LINK_TYPES and href:
            return urljoin(base_url, href)
    return None


def canonical_link(page: bytes, base_url: str) -> str | None:
    """Return the page's ``<link rel=canonical>`` URL when it is on the page's own host."""
    root = _html_root(page)
    if root is None:
        return None
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = str(link.get("href") or "").strip()
            if not href:
                return None
            canonical = urljoin(base_url, href)
            if _same_site(canonical, base_url):
                return canonical
            return None
    return None


def _same_site(one: str, other: str) -> bool:
    first, second = urlsplit(one), urlsplit(other)
    if first.scheme.lower() not in ("http", "https"):
        return False

    def host(parts: Any) -> str:
        return str(parts.hostname or "").lower().removeprefix("www.")

    return host(first) == host(second) and bool(host(first))


def read_url_list(text: str) -> list[str]:
    """Return the URLs of a URL list: one a line, blank lines and ``#`` comments ignored."""
    urls = []
    for line in text.splitlines():
        stripped = line.split(" #", 1)[0].strip()
        if stripped and not stripped.startswith("#"):
            urls.append(stripped)
    return urls
