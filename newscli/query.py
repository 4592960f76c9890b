"""From a user's query string and filters to ranked hits with highlighted snippets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from whoosh import highlight
from whoosh.qparser import GtLtPlugin, MultifieldParser
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.query import And, DateRange, Or, Query, Term
from whoosh.searching import Hit, Searcher
from whoosh.util.times import adatetime

from newscli.errors import BadQuery
from newscli.models import SearchHit, SearchPage
from newscli.store import article_from_fields

__all__ = ["SORT_ORDERS", "parse_query", "search"]

SORT_ORDERS = ("relevance", "date")
QUERY_FIELDS = ("author", "body", "date", "id", "kind", "language", "source", "title", "url")
_SEARCH_FIELDS = ("title", "body")
_SNIPPET_CHARS = 240
_SNIPPET_SURROUND = 70
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use markers around matched terms
_MAX_QUERY_CHARS = 2000
_BASEDATE = datetime(2000, 1, 1)  # noqa: DTZ001 - only for relative dates, which we do not parse


class _MarkerFormatter(highlight.Formatter):  # type: ignore[misc] # Whoosh is untyped
    """Wrap matched terms in private-use markers; the renderer turns them into styles."""

    between = " … "

    def format_token(self, text: str, token: object, replace: bool = False) -> str:
        return _OPEN + str(highlight.get_text(text, token, replace)) + _CLOSE


class _IsoDates:
    """Reads ``2024``, ``2024-03`` and ``2024-03-05`` for Whoosh's date plugin (whole periods)."""

    _pattern = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

    def __init__(self, *, whole_period: bool = True) -> None:
        self._whole_period = whole_period

    def get_parser(self) -> _IsoDates:
        """Return the variant Whoosh uses for range ends (it widens them itself)."""
        return _IsoDates(whole_period=False)

    def date_from(self, text: str, basedate: object = None, *args: object, **kwargs: object) -> Any:
        match = self._pattern.match(text.strip())
        if not match:
            return None
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            if day is not None and month is not None:
                date(year or 1, month, day)  # validates the day of the month
            value = adatetime(year=year, month=month, day=day)
            return value.disambiguated(_BASEDATE) if self._whole_period else value
        except ValueError:
            return None


class _DateErrors:
    """Collects the date expressions DateParserPlugin could not read."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: str) -> None:
        self.messages.append(message)


_FIELD_PREFIX = re.compile(r"(?:^|[\s(])([A-Za-z_]\w*):(?=\S)")
_QUOTED = re.compile(r'"[^"]*"|\'[^\']*\'')


def _check_fields(text: str, searcher: Searcher) -> None:
    """Reject ``name:value`` terms whose field does not exist (Whoosh would match nothing)."""
    names = set(searcher.schema.names())
    for name in _FIELD_PREFIX.findall(_QUOTED.sub(" ", text)):
        if name not in names:
            known = ", ".join(sorted(QUERY_FIELDS))
            raise BadQuery(f"unknown field {name!r} in the query; fields are: {known}")


def parse_query(text: str, searcher: Searcher) -> Query:
    """Parse Whoosh query syntax over title and body; raise BadQuery on nonsense."""
    if not text or not text.strip():
        raise BadQuery("the query is empty; try `newscli search 'Termez'`")
    if len(text) > _MAX_QUERY_CHARS:
        raise BadQuery(f"the query is longer than {_MAX_QUERY_CHARS} characters")
    _check_fields(text, searcher)
    errors = _DateErrors()
    parser = MultifieldParser(list(_SEARCH_FIELDS), searcher.schema)
    parser.add_plugin(DateParserPlugin(dateparser=_IsoDates(), basedate=_BASEDATE, callback=errors))
    parser.add_plugin(GtLtPlugin())
    try:
        query = parser.parse(text)
    except Exception as exc:  # Whoosh's parser raises assorted types on malformed input
        raise BadQuery(f"cannot parse query {text!r}: {exc}") from exc
    if errors.messages:
        raise BadQuery(
            f"cannot read the date {errors.messages[0]!r} in the query; "
            "use forms like date:2024-03-05, date:2024-03 or date:[2024-01-01 to 2024-03-31]"
        )
    return query


def _day(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - index-internal


def _filters(
    *,
    since: date | None,
    until: date | None,
    sources: Sequence[str],
    languages: Sequence[str],
) -> Query | None:
    parts: list[Query] = []
    if since or until:
        parts.append(
            DateRange("date", _day(since) if since else None, _day(until) if until else None)
        )
    if sources:
        parts.append(Or([Term("source", name.strip().lower()) for name in sources]))
    if languages:
        parts.append(Or([Term("language", code.strip().lower()) for code in languages]))
    return And(parts) if parts else None


def _split_markers(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = -1
    for char in marked:
        if char == _OPEN:
            start = length
        elif char == _CLOSE:
            if start >= 0:
                spans.append((start, length))
            start = -1
        else:
            plain.append(char)
            length += 1
    return "".join(plain), tuple(spans)


def _snippet(
    hit: Hit, highlighter: highlight.Highlighter
) -> tuple[str, tuple[tuple[int, int], ...]]:
    body = str(hit.get("body", "")).replace(_OPEN, "").replace(_CLOSE, "")
    marked = highlighter.highlight_hit(hit, "body", text=body, top=2) if body else ""
    if marked:
        return _split_markers(" ".join(marked.split()))
    lead = " ".join(body[: _SNIPPET_CHARS * 2].split())
    if len(lead) > _SNIPPET_CHARS:
        lead = lead[:_SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return lead, ()


def _lead(body: str, *, limit: int = 90) -> str:
    text = " ".join(body[: limit * 3].split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def search(
    searcher: Searcher,
    text: str,
    *,
    limit: int = 10,
    since: date | None = None,
    until: date | None = None,
    sources: Sequence[str] = (),
    languages: Sequence[str] = (),
    sort: str = "relevance",
) -> SearchPage:
    """Run a query and return the top ``limit`` hits, best first (or newest first)."""
    if sort not in SORT_ORDERS:
        raise BadQuery(f"unknown sort order {sort!r}; use one of {', '.join(SORT_ORDERS)}")
    if since and until and since > until:
        raise BadQuery(f"--since {since} is after --until {until}")
    query = parse_query(text, searcher)
    filter_query = _filters(since=since, until=until, sources=sources, languages=languages)
    if sort == "date":
        # Dated articles newest first, then undated ones by relevance: Whoosh's column default
        # would otherwise sort articles without a date as if they were the newest.
        dated = Term("dated", "1")
        first = searcher.search(
            query,
            limit=limit,
            filter=And([filter_query, dated]) if filter_query else dated,
            sortedby="date",
            reverse=True,
            terms=True,
        )
        rest = searcher.search(
            query,
            limit=max(0, limit - first.scored_length()),
            filter=filter_query,
            mask=dated,
            terms=True,
        )
        result_sets = [first, rest]
    else:
        result_sets = [searcher.search(query, limit=limit, filter=filter_query, terms=True)]
    highlighter = highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=_SNIPPET_CHARS, surround=_SNIPPET_SURROUND),
        formatter=_MarkerFormatter(),
    )
    hits = []
    for hit in (hit for results in result_sets for hit in results):
        article = article_from_fields(dict(hit.fields()))
        snippet, spans = _snippet(hit, highlighter)
        hits.append(
            SearchHit(
                id=article.id,
                title=article.title,
                date=article.date,
                date_source=article.date_source,
                source=article.source,
                author=article.author,
                language=article.language,
                path=article.path,
                url=article.url,
                score=round(float(hit.score or 0.0), 4),
                snippet=snippet,
                highlights=spans,
                lead="" if article.title else _lead(article.body),
            )
        )
    return SearchPage(hits=tuple(hits[:limit]), total=sum(len(r) for r in result_sets))
