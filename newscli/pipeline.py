"""One input to one Article: decode, extract or parse, clean, date, identify.

``ingest`` and ``extract`` both call :func:`build_article`, so what ``extract`` shows is exactly
what ``ingest`` would index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from newscli import decoding
from newscli.cleaning import clean_body, normalize_text, split_paragraphs
from newscli.dates import ParsedDate, parse_date
from newscli.extract import extract_fallback, extract_html
from newscli.ids import article_id, content_hash
from newscli.language import detect_language, normalize_language
from newscli.models import Article, DocumentKind, Removal, Source
from newscli.plaintext import parse_text_article
from newscli.sources import InputError, RawInput

__all__ = ["HTML_META", "SIDECAR", "build_article"]

HTML_META = "html-meta"
SIDECAR = "sidecar"


def build_article(source: Source, raw: RawInput, *, now: datetime) -> Article:
    """Turn one read input into a cleaned Article; raise InputError when there is no article."""
    if raw.kind is DocumentKind.HTML:
        fields = _from_html(source, raw, now=now)
    else:
        fields = _from_text(raw, now=now)
    sidecar = raw.sidecar
    title = sidecar.get("title") or fields.title
    url = sidecar.get("url") or fields.url or source.url
    date = fields.date
    if "date" in sidecar:
        date = parse_date(sidecar["date"], now=now, source=SIDECAR) or date
    body = fields.body
    if not body.strip():
        raise InputError("no article text found")
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
    date: ParsedDate | None = None
    url: str | None = None
    site: str | None = None
    language: str | None = None
    credits: tuple[str, ...] = ()
    removed: tuple[Removal, ...] = field(default=())


def _from_text(raw: RawInput, *, now: datetime) -> _Fields:
    try:
        text = decoding.decode_text(raw.data)
    except (decoding.BinaryContent, decoding.UndecodableText) as exc:
        raise InputError(str(exc)) from exc
    parsed = parse_text_article(text, now=now)
    return _Fields(
        body=parsed.body.text,
        title=parsed.title,
        author=parsed.author,
        date=parsed.date,
        credits=parsed.body.credits,
        removed=parsed.body.removed,
    )


def _from_html(source: Source, raw: RawInput, *, now: datetime) -> _Fields:
    page = extract_html(raw.data, url=source.url) or extract_fallback(raw.data)
    if page is None:
        raise InputError("no article text found in the HTML")
    cleaned = clean_body(split_paragraphs(normalize_text(page.text)))
    return _Fields(
        body=cleaned.text,
        title=page.title,
        author=page.author,
        date=parse_date(page.date, now=now, source=HTML_META),
        url=page.url,
        site=page.sitename or page.hostname,
        language=normalize_language(page.language),
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
