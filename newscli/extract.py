"""HTML to article text and metadata with trafilatura. The only module that imports it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

__all__ = ["HtmlArticle", "extract_html"]

log = logging.getLogger(__name__)


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

    document = trafilatura.bare_extraction(
        data,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
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
