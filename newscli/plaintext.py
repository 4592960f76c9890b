"""Read a plain-text article: title, byline and header date at the top, then the body."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newscli.cleaning import (
    CleanText,
    Signals,
    clean_body,
    is_boilerplate_heading,
    is_dateline,
    is_prose,
    main_region,
    normalize_text,
    reflow,
    resolve_short,
    stoplist,
)
from newscli.dates import TEXT_HEADER, ParsedDate, parse_date_line, parse_published_line
from newscli.language import detect_language
from newscli.models import Removal

__all__ = ["TextArticle", "parse_text_article"]

_HEADER_LINES = 6
"""How many leading paragraphs may hold title, byline and date."""
_MAX_TITLE_CHARS = 200
_LEAD_PARAGRAPHS = 20
"""How far before the first prose paragraph the headline, date and byline may be."""
_TAIL_PARAGRAPHS = 5
_TEASER_PARAGRAPHS = 2
"""Sentences (a teaser, a caption) that may stand between a headline and the article text."""
_SAMPLE_MIN_CHARS = 100
"""Paragraphs this long tell the page's language; menus and buttons do not."""
"""How many short paragraphs after the last prose paragraph still belong to the article."""
_BYLINE = re.compile(
    r"^(?:by|written by|author|автор|muallif|von|par|por|di)\s*[:\-\u2013]?\s+(?P<name>\S.{0,80})$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TextArticle:
    """What a plain-text file says about itself."""

    title: str | None
    author: str | None
    date: ParsedDate | None
    body: CleanText
    dates: tuple[ParsedDate, ...] = ()
    """Every date found in the header: bare date lines and "Published: ..." lines."""
    language: str | None = None
    """Detected from the page's longer paragraphs (ISO 639-1), or None."""


def _is_title(paragraph: str) -> bool:
    return len(paragraph) <= _MAX_TITLE_CHARS and not (len(paragraph) > 120 and is_prose(paragraph))


def _lead_start(paragraphs: Sequence[str], signals: Sequence[Signals], start: int) -> int:
    """Walk back from the first prose paragraph over headline, date, byline and lead lines.

    The walk stops at a section heading, at two boilerplate paragraphs in a row (a menu) or
    after ``_LEAD_PARAGRAPHS``; a single boilerplate line on the way (a share button) is
    passed over and removed later.
    """
    index = start
    while index > 0 and start - index < _LEAD_PARAGRAPHS:
        if is_boilerplate_heading(paragraphs[index - 1]) or _is_wall(signals, index - 1, -1):
            break
        index -= 1
    while index < start and signals[index].rule is not None:
        index += 1
    return index


def _tail_end(paragraphs: Sequence[str], signals: Sequence[Signals], end: int) -> int:
    """Walk on from the last prose paragraph over closing lines (a signature, a source)."""
    index = end
    while index < len(paragraphs) and index - end < _TAIL_PARAGRAPHS:
        if is_boilerplate_heading(paragraphs[index]) or _is_wall(signals, index, 1):
            break
        index += 1
    while index > end and signals[index - 1].rule is not None:
        index -= 1
    return index


def _is_wall(signals: Sequence[Signals], index: int, step: int) -> bool:
    """Return whether boilerplate starts at ``index`` and goes on in direction ``step``."""
    following = index + step
    return signals[index].rule is not None and (
        not 0 <= following < len(signals) or signals[following].rule is not None
    )


def _header_start(
    paragraphs: Sequence[str], signals: Sequence[Signals], first: int, start: int
) -> int:
    """Return where the header (dateline, headline, byline) begins, between lead and prose.

    Walking back from the first prose paragraph over bylines, datelines and up to
    ``_TEASER_PARAGRAPHS`` sentences (a teaser, a caption), the first paragraph shaped like a
    headline is the title; a dateline right above it belongs to the header too. Without one,
    the header begins where the lead does.
    """
    teasers = 0
    for index in range(start - 1, first - 1, -1):
        paragraph = paragraphs[index]
        if signals[index].rule is not None:
            break
        if is_dateline(paragraph) or _BYLINE.match(paragraph):
            continue
        if _is_headline(paragraph):
            while index > first and is_dateline(paragraphs[index - 1]):
                index -= 1
            return index
        teasers += 1
        if teasers > _TEASER_PARAGRAPHS:
            break
    return first


def _is_headline(paragraph: str) -> bool:
    return _is_title(paragraph) and not paragraph.endswith((".", ":", ";", ",", ")", "]"))


def _keep(
    paragraphs: Sequence[str], decisions: Sequence[str | None], removed: list[Removal]
) -> list[str]:
    """Return the paragraphs decided to stay; record the others, with their rule, in ``removed``."""
    kept: list[str] = []
    for paragraph, rule in zip(paragraphs, decisions, strict=True):
        if rule is None:
            kept.append(paragraph)
        else:
            removed.append(Removal(rule, paragraph))
    return kept


def _prose_sample(paragraphs: Sequence[str]) -> str:
    """Return the page's longer paragraphs (where its language is), or all of it."""
    long = [p for p in paragraphs if len(p) >= _SAMPLE_MIN_CHARS]
    return "\n".join(long or paragraphs)


def _removed_block(rule: str, paragraphs: Sequence[str]) -> list[Removal]:
    return [Removal(rule, "\n".join(paragraphs))] if paragraphs else []


def parse_text_article(
    text: str, *, now: datetime, dayfirst: bool = True, template: frozenset[str] = frozenset()
) -> TextArticle:
    """Split a plain-text article into title, author, header date and cleaned body.

    Lines learnt as the folder's template go first. Then the main run of article prose is
    found (:func:`newscli.cleaning.main_region`); the page around it (menus, teasers, footers,
    comments) is dropped. The title is the headline just before that prose, or the first
    paragraph of a clean article, unless it is a date or a byline; a date line among the
    leading paragraphs gives the date (provenance ``text-header``; a "Published: ..." line,
    ``published-line``), a byline ("By ...") the author. ``dayfirst`` says how to read numeric
    dates.
    """
    normalized = normalize_text(text)
    removed: list[Removal] = []
    paragraphs = reflow(normalized)
    if template:
        kept = [p for p in paragraphs if p not in template or is_dateline(p)]
        removed += [
            Removal("line repeated across the folder's files (template)", p)
            for p in paragraphs
            if p in template and not is_dateline(p)
        ]
        paragraphs = kept
    language = detect_language(_prose_sample(paragraphs))
    stopwords = stoplist(language)
    start, end, signals = main_region(paragraphs, stopwords)
    first = _lead_start(paragraphs, signals, start)
    last = _tail_end(paragraphs, signals, end)
    removed += _removed_block("page text before the article", paragraphs[:first])
    title: str | None = None
    author: str | None = None
    date: ParsedDate | None = None
    dates: list[ParsedDate] = []
    index = _header_start(paragraphs, signals, first, start)
    decisions = resolve_short(signals[first:last])
    before_headline = _keep(paragraphs[first:index], decisions[: index - first], removed)
    header_end = index + _HEADER_LINES
    while index < min(last, header_end):
        paragraph = paragraphs[index]
        parsed = parse_date_line(paragraph, now=now, source=TEXT_HEADER, dayfirst=dayfirst)
        if parsed is None:
            parsed = parse_published_line(paragraph, now=now, dayfirst=dayfirst, dateline=False)
        if parsed is not None or is_dateline(paragraph):
            date = date or parsed
            if parsed is not None:
                dates.append(parsed)
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
    body = before_headline + _keep(paragraphs[index:last], decisions[index - first :], removed)
    removed += _removed_block("page text after the article", paragraphs[last:])
    cleaned = clean_body(body, cut_sections=False)
    cleaned = CleanText(cleaned.paragraphs, cleaned.credits, (*removed, *cleaned.removed))
    return TextArticle(
        title=title,
        author=author,
        date=date,
        body=cleaned,
        dates=tuple(dates),
        language=language,
    )
