"""HTML to article text and metadata with trafilatura. The only module that imports it."""

from __future__ import annotations

from dataclasses import dataclass

from newscli.logs import get_logger

__all__ = ["HtmlArticle", "extract_fallback", "extract_html"]

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
    language: str | None


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def extract_html(data: bytes | str, *, url: str | None = None) -> HtmlArticle | None:
    """Extract the main text and metadata of an HTML page; None when it has no article text."""
    import trafilatura  # ~0.3 s to import: only ingestion and extraction pay for it

    from newscli.dates import EARLIEST_YEAR

    document = trafilatura.bare_extraction(
        data,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        # No "extensive search": htmldate would hand lines of free text with figures to
        # dateparser (14 ms a line, 2 s to prepare its ~200 locales in each worker). On the
        # devset (make eval-dates, blind to URLs) it gave 137 right and 10 wrong dates;
        # without it 136 right, 8 wrong and 3 missing: newscli's own rules find dates in text.
        # htmldate's default earliest date is 1995-01-01: older archives lost their dates.
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "min_date": f"{EARLIEST_YEAR}-01-01",
        },
    )
    if document is None:
        return None
    fields = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = fields.get("text") or ""
    if not text.strip():
        return None
    return HtmlArticle(
        text=text,
        title=_clean(fields.get("title")),
        author=_clean(fields.get("author")),
        date=_clean(fields.get("date")),
        sitename=_clean(fields.get("sitename")),
        url=_clean(fields.get("url")),
        hostname=_clean(fields.get("hostname")),
        language=_clean(fields.get("language")),
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
        language=None,
    )
