"""HTML to article text and metadata with trafilatura. The only module that imports it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from newscli.dates import EARLIEST_YEAR
from newscli.logs import get_logger

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

__all__ = ["HtmlArticle", "extract_fallback", "extract_html", "use_c_element_lookup"]

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    """What trafilatura found in a page; ``text`` has one paragraph per line."""

    text: str
    title: str | None
    author: str | None
    date: str | None
    sitename: str | None
    url: str | None
    hostname: str | None


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


DATE_PARAMS: Final[dict[str, Any]] = {
    # No "extensive search": htmldate would hand lines of free text with figures to
    # dateparser (14 ms a line, 2 s to prepare its ~200 locales in each worker). On the
    # devset (make eval-dates, blind to URLs) it gave 137 right and 10 wrong dates;
    # without it 136 right, 8 wrong and 3 missing: newscli's own rules find dates in text.
    "original_date": True,
    "extensive_search": False,
    # htmldate's default earliest date is 1995-01-01: older archives lost their dates.
    "min_date": f"{EARLIEST_YEAR}-01-01",
}
"""How htmldate looks for a page's date."""


def page_metadata(tree: HtmlElement, url: str | None = None) -> Document:
    """Title, author, URL, host, date and site name of a parsed page, as trafilatura finds them.

    trafilatura's ``extract_metadata`` step for step, without the categories, tags and
    licence newscli does not keep: those three searches cost 3.6 of its 6 ms a page on the
    benchmark pages (about a tenth of extracting one). tests/test_extract.py holds this to
    trafilatura's own answer on real pages.
    """
    from courlan import extract_domain
    from htmldate import find_date
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_author,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )

    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as exc:  # trafilatura's JSON-LD reader has its bugs
        log.debug("JSON-LD metadata unreadable: %s", exc)
    metadata.title = metadata.title or extract_title(tree)
    metadata.author = metadata.author or extract_author(tree)
    metadata.url = metadata.url or extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, url=metadata.url, **DATE_PARAMS)
    metadata.sitename = metadata.sitename or extract_sitename(tree)
    if metadata.sitename:
        site = metadata.sitename.lstrip("@")  # a Twitter handle
        if site and "." not in site and not site[0].isupper():
            site = site.title()
        metadata.sitename = site
    elif metadata.url and (match := META_URL.match(metadata.url)):
        metadata.sitename = match[1]
    metadata.clean_and_trim()
    return metadata


@functools.cache
def use_c_element_lookup() -> bool:
    """Have trafilatura's HTML parser pick element classes in C; return whether it could.

    lxml.html's parser asks a Python method for the class of every element object it makes
    (``HtmlElementClassLookup.lookup``), which trafilatura makes about 2,600 times a page as
    it walks, copies and prunes the tree. With the C lookup extraction takes 8 % less time on
    the benchmark pages (9.8 -> 9.0 ms) and 4 % less on the devset's (21.4 -> 20.5). Its one
    use is to give form, input, select, textarea and label elements mixins for form handling,
    which trafilatura never calls (it drops forms). The C lookup gives every element the same
    ``HtmlElement`` class: tests/test_extract.py holds the extracted text and metadata to what
    lxml.html's own lookup gives on real pages. This sets the lookup of trafilatura's shared
    parser, so it holds for trafilatura's other users in the same process too.
    """
    from lxml.etree import ElementDefaultClassLookup
    from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
    from trafilatura import utils

    parser = getattr(utils, "HTML_PARSER", None)  # trafilatura's own, used by load_html
    if parser is None:
        return False
    parser.set_element_class_lookup(
        ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return True


def extract_html(data: bytes | str, *, url: str | None = None) -> HtmlArticle | None:
    """Extract the main text and metadata of an HTML page; None when it has no article text."""
    import trafilatura  # ~0.3 s to import: only ingestion and extraction pay for it
    from trafilatura.settings import Document
    from trafilatura.utils import load_html

    use_c_element_lookup()
    tree = load_html(data)
    if tree is None:
        return None
    metadata = page_metadata(tree, url)
    # Given a tree, trafilatura extracts from a copy of it.
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    if not isinstance(document, Document):  # None when it found nothing
        return None
    text = document.text or ""
    if not text.strip():
        return None
    return HtmlArticle(
        text=text,
        title=_clean(metadata.title),
        author=_clean(metadata.author),
        date=_clean(metadata.date),
        sitename=_clean(metadata.sitename),
        url=_clean(metadata.url),
        hostname=_clean(metadata.hostname),
    )


# Fallback for large pages trafilatura returns nothing for (100,000 nested elements, huge
# attributes): the plain text of the page's blocks, scripts and styles left out.

FALLBACK_MIN_BYTES = 64 * 1024
"""Smaller pages with no article text are taken at trafilatura's word (menus, index pages)."""
FALLBACK_MIN_CHARS = 500
"""The fallback needs at least this much text in lines of five words or more."""
_FALLBACK_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
_FALLBACK_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th section article main blockquote pre "
    "header footer nav aside figure figcaption table dd dt".split()
)


def _fallback_lines(text: str) -> tuple[list[str], str | None]:
    """Split a page into block lines with the stdlib streaming parser: no depth limit."""
    from html.parser import HTMLParser

    class _Blocks(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.skip = 0
            self.in_title = False
            self.parts: list[str] = []
            self.title: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self._tag(tag, opening=True)

        def handle_endtag(self, tag: str) -> None:
            self._tag(tag, opening=False)

        def _tag(self, tag: str, *, opening: bool) -> None:
            if tag in _FALLBACK_SKIP:
                self.skip = self.skip + 1 if opening else max(0, self.skip - 1)
            if tag == "title":
                self.in_title = opening
            if tag in _FALLBACK_BLOCKS:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if self.in_title:
                self.title.append(data)
            elif not self.skip:
                self.parts.append(data)

    parser = _Blocks()
    parser.feed(text)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    title = " ".join("".join(parser.title).split()) or None
    return [line for line in lines if len(line.split()) >= 5], title


def extract_fallback(data: bytes | str) -> HtmlArticle | None:
    """Return the block text of a large page that plainly has text, or None.

    For when :func:`extract_html` found nothing: trafilatura gives up silently on very deep
    trees and on pages with huge attributes. Pages under FALLBACK_MIN_BYTES or with under
    FALLBACK_MIN_CHARS of sentence-like lines are left alone.
    """
    if len(data) < FALLBACK_MIN_BYTES:
        return None
    from trafilatura.utils import decode_file

    text = decode_file(data) if isinstance(data, bytes) else data
    lines, title = _fallback_lines(text)
    if sum(len(line) for line in lines) < FALLBACK_MIN_CHARS:
        return None
    log.info("trafilatura found no text in a %d-byte page; used the plain fallback", len(data))
    return HtmlArticle(
        text="\n".join(lines),
        title=title,
        author=None,
        date=None,
        sitename=None,
        url=None,
        hostname=None,
    )
