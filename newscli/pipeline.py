"""One input to one Article: decode, extract or parse, clean, date, identify.

``ingest`` and ``extract`` both call :func:`build_article`, so what ``extract`` shows is exactly
what ``ingest`` would index.

Publication date: every place that gives one is a candidate (sidecar, feed entry, page metadata,
a "Published:" line or dateline, the URL path, a bare header date); :func:`dates.choose_date`
picks the most reliable, rates it and keeps the others. Dates mentioned in the body are
resolved against the publication date only when its confidence is not low.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from newscli import decoding
from newscli.cleaning import (
    clean_extracted,
    normalize_text,
    split_paragraphs,
    stoplist,
)
from newscli.dates import (
    FEED,
    HTML_META,
    SIDECAR,
    ParsedDate,
    choose_date,
    date_from_url,
    parse_date,
    parse_published_line,
)
from newscli.extract import extract_fallback, extract_html
from newscli.ids import article_id, content_hash
from newscli.language import detect_language, normalize_language
from newscli.mentions import extract_mentions
from newscli.models import Article, DateCandidate, DocumentKind, Removal, Source
from newscli.plaintext import parse_text_article
from newscli.sources import InputError, RawInput

__all__ = ["FEED", "HTML_META", "SIDECAR", "build_article", "is_dayfirst"]

_SCAN_PARAGRAPHS = 3
"""How many paragraphs at each end of the body may hold a "Published:" line or a dateline."""
_MONTH_FIRST_HOSTS = (".us", ".gov", ".mil")


def build_article(
    source: Source,
    raw: RawInput,
    *,
    now: datetime,
    date_hint: str | None = None,
    dayfirst: bool | None = None,
    template: frozenset[str] | None = None,
) -> Article:
    """Turn one read input into a cleaned Article; raise InputError when there is no article.

    ``date_hint`` is a publication date given from outside the document, such as a feed
    entry's (provenance ``feed``). ``dayfirst`` says how to read numeric dates like 04/05/2024;
    None decides per source (see :func:`is_dayfirst`). ``template`` holds lines learnt as page
    template from the input's folder (see ``newscli.templates``); plain-text inputs drop them.
    """
    sidecar = raw.sidecar
    if dayfirst is None:
        dayfirst = is_dayfirst(sidecar.get("url") or source.url, sidecar.get("date_order"))
    if raw.kind is DocumentKind.HTML:
        fields = _from_html(source, raw, now=now, dayfirst=dayfirst)
    else:
        fields = _from_text(raw, now=now, dayfirst=dayfirst, template=template or frozenset())
    title = sidecar.get("title") or fields.title
    url = sidecar.get("url") or fields.url or source.url
    body = fields.body
    if not body.strip():
        raise InputError("no article text found")
    candidates: list[ParsedDate | None] = [*fields.dates]
    if "date" in sidecar:
        candidates.append(parse_date(sidecar["date"], now=now, source=SIDECAR, dayfirst=dayfirst))
    if date_hint:
        candidates.append(parse_date(date_hint, now=now, source=FEED, dayfirst=dayfirst))
    candidates.extend(_published_lines(body, now=now, dayfirst=dayfirst))
    for address in dict.fromkeys((url, source.url, fields.url)):
        candidates.append(date_from_url(address, now=now))
    chosen = choose_date(candidates)
    date = chosen.date
    trusted = date.day() if date is not None and chosen.confidence != "low" else None
    mentions = extract_mentions(body, now=now, published=trusted)
    language = (
        normalize_language(sidecar.get("language"))
        or fields.language
        or detect_language(f"{title or ''}\n{body}")
    )
    source_name = sidecar.get("source") or fields.site or _host(url)
    return Article(
        id=article_id(source.key),
        title=title,
        body=body,
        path=source.path,
        url=url,
        source=source_name,
        author=sidecar.get("author") or fields.author,
        language=language,
        date=date.isoformat() if date else None,
        date_source=date.source if date else None,
        date_confidence=chosen.confidence,
        date_candidates=tuple(
            DateCandidate(date=item.isoformat(), source=item.source) for item in chosen.candidates
        ),
        mentions=tuple(day.isoformat() for day in mentions),
        credits=fields.credits,
        kind=raw.kind.value,
        content_hash=content_hash(title, body),
        source_hash=raw.source_hash,
        ingested=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        removed=fields.removed,
    )


@dataclass(slots=True)
class _Fields:
    """What one reader (text or HTML) found, before the sidecar has its say."""

    body: str = ""
    title: str | None = None
    author: str | None = None
    dates: tuple[ParsedDate, ...] = ()
    url: str | None = None
    site: str | None = None
    language: str | None = None
    credits: tuple[str, ...] = ()
    removed: tuple[Removal, ...] = field(default=())


def is_dayfirst(url: str | None, date_order: str | None = None) -> bool:
    """Return whether numeric dates (04/05/2024) read day first for this source.

    A sidecar's ``date_order`` (``dmy`` or ``mdy``) decides; otherwise day first, except for
    US hosts (``.us``, ``.gov``, ``.mil``). Unambiguous dates (19/04/2022) read right anyway.
    """
    if date_order:
        return date_order.strip().lower() != "mdy"
    host = urlsplit(url).hostname or "" if url else ""
    return not host.endswith(_MONTH_FIRST_HOSTS)


def _published_lines(body: str, *, now: datetime, dayfirst: bool) -> list[ParsedDate | None]:
    paragraphs = [line for line in body.split("\n") if line.strip()]
    ends = paragraphs[:_SCAN_PARAGRAPHS] + paragraphs[_SCAN_PARAGRAPHS:][-_SCAN_PARAGRAPHS:]
    return [parse_published_line(line[:200], now=now, dayfirst=dayfirst) for line in ends]


def _from_text(
    raw: RawInput, *, now: datetime, dayfirst: bool, template: frozenset[str]
) -> _Fields:
    try:
        text = decoding.decode_text(raw.data)
    except (decoding.BinaryContent, decoding.UndecodableText) as exc:
        raise InputError(str(exc)) from exc
    parsed = parse_text_article(text, now=now, dayfirst=dayfirst, template=template)
    return _Fields(
        body=parsed.body.text,
        title=parsed.title,
        author=parsed.author,
        dates=parsed.dates,
        language=parsed.language,
        credits=parsed.body.credits,
        removed=parsed.body.removed,
    )


def _from_html(source: Source, raw: RawInput, *, now: datetime, dayfirst: bool) -> _Fields:
    page = extract_html(raw.data, url=source.url) or extract_fallback(raw.data)
    if page is None:
        raise InputError("no article text found in the HTML")
    # The page's language is told from its cleaned text later (lang attributes are often
    # a template's default): cleaning uses the common languages' stop words.
    cleaned = clean_extracted(split_paragraphs(normalize_text(page.text)), stoplist(None))
    # htmldate gives ISO dates (YYYY-MM-DD): never read them day first.
    meta = parse_date(page.date, now=now, source=HTML_META, dayfirst=False)
    return _Fields(
        body=cleaned.text,
        title=page.title,
        author=page.author,
        dates=(meta,) if meta else (),
        url=page.url,
        site=page.sitename or page.hostname,
        credits=cleaned.credits,
        removed=cleaned.removed,
    )


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    if not host:
        return None
    return host.removeprefix("www.")
