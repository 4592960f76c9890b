"""Read a plain-text article: title, byline and header date at the top, then the body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from newscli.cleaning import CleanText, clean_body, is_prose, normalize_text, split_paragraphs
from newscli.dates import ParsedDate, parse_date, parse_date_line

__all__ = ["TextArticle", "parse_text_article"]

_HEADER_LINES = 6
"""How many leading paragraphs may hold title, byline and date."""
_MAX_TITLE_CHARS = 200
_BYLINE = re.compile(
    r"^(?:by|written by|author|автор|muallif|von|par|por|di)\s*[:\-\u2013]?\s+(?P<name>\S.{0,80})$",
    re.IGNORECASE,
)
_DATED_LABEL = re.compile(
    r"^(?:published|posted|updated|date|dated|опубликовано|дата|обновлено|veröffentlicht|"
    r"publié le|publicado)\s*(?:on|:)?\s*(?P<date>.{6,60})$",
    re.IGNORECASE,
)
TEXT_HEADER = "text-header"


@dataclass(frozen=True, slots=True)
class TextArticle:
    """What a plain-text file says about itself."""

    title: str | None
    author: str | None
    date: ParsedDate | None
    body: CleanText


def _is_title(paragraph: str) -> bool:
    return len(paragraph) <= _MAX_TITLE_CHARS and not (len(paragraph) > 120 and is_prose(paragraph))


def parse_text_article(
    text: str, *, now: datetime, template: frozenset[str] = frozenset()
) -> TextArticle:
    """Split a plain-text article into title, author, header date and cleaned body.

    The title is the first paragraph unless it is a date or a byline; a date line among the
    leading paragraphs gives the date (provenance ``text-header``), a byline ("By ...") the
    author. A first paragraph too long to be a headline leaves the title empty.
    """
    paragraphs = split_paragraphs(normalize_text(text))
    title: str | None = None
    author: str | None = None
    date: ParsedDate | None = None
    index = 0
    while index < min(len(paragraphs), _HEADER_LINES):
        paragraph = paragraphs[index]
        parsed = parse_date_line(paragraph, now=now, source=TEXT_HEADER)
        labelled = _DATED_LABEL.match(paragraph)
        if parsed is None and labelled:
            parsed = parse_date(labelled.group("date"), now=now, source=TEXT_HEADER)
        if parsed is not None:
            date = date or parsed
            index += 1
            continue
        byline = _BYLINE.match(paragraph)
        if byline and author is None:
            author = byline.group("name").strip(" .,")
            index += 1
            continue
        if title is None and _is_title(paragraph):
            title = paragraph
            index += 1
            continue
        break
    return TextArticle(title=title, author=author, date=date, body=clean_body(paragraphs[index:]))
