"""From a user's query string and filters to ranked hits with highlighted snippets."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from whoosh import highlight
from whoosh.matching import ListMatcher
from whoosh.qparser import GtLtPlugin, MultifieldParser
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.query import And, DateRange, Every, Or, Query, Term
from whoosh.searching import Hit, Searcher
from whoosh.util.times import adatetime

from newscli.errors import BadQuery
from newscli.models import SearchHit, SearchPage, Timeline
from newscli.store import article_from_fields

__all__ = [
    "PERIODS",
    "SORT_ORDERS",
    "TIMELINE_FIELDS",
    "is_relative_day",
    "parse_query",
    "relative_day",
    "search",
    "timeline",
]

SORT_ORDERS = ("relevance", "date")
PERIODS = ("day", "week", "month")
TIMELINE_FIELDS = ("date", "mentions")
QUERY_FIELDS = (
    "author",
    "body",
    "date",
    "date_confidence",
    "id",
    "kind",
    "language",
    "mentions",
    "source",
    "title",
    "url",
)
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
    """Reads ``2024``, ``2024-03`` and ``2024-03-05`` for Whoosh's date plugin (whole periods),
    and, given ``today``, relative days (``7d``, ``2w``, ``3m``, ``1y``)."""

    _pattern = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

    def __init__(self, *, whole_period: bool = True, today: date | None = None) -> None:
        self._whole_period = whole_period
        self._today = today

    def get_parser(self) -> _IsoDates:
        """Return the variant Whoosh uses for range ends (it widens them itself)."""
        return _IsoDates(whole_period=False, today=self._today)

    def date_from(self, text: str, basedate: object = None, *args: object, **kwargs: object) -> Any:
        if self._today is not None and is_relative_day(text):
            text = str(relative_day(text, today=self._today))
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


class _DistinctDateRange(DateRange):  # type: ignore[misc] # Whoosh is untyped
    """A date range over a multi-valued field that matches each document once.

    Whoosh's union matcher yields a document once per matching value when the searcher asks
    for the current matcher (as ``terms=True`` does), so an article mentioning two days of a
    range would be listed twice.
    """

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        docs = sorted(set(self._compile_query(searcher.reader()).docs(searcher)))
        return ListMatcher(docs, all_weights=self.boost)


def _distinct_ranges(node: Query) -> Query:
    if isinstance(node, DateRange) and node.fieldname == "mentions":
        return _DistinctDateRange(
            node.fieldname,
            node.startdate,
            node.enddate,
            startexcl=node.startexcl,
            endexcl=node.endexcl,
            boost=node.boost,
        )
    return node


def parse_query(text: str, searcher: Searcher, *, today: date | None = None) -> Query:
    """Parse Whoosh query syntax over title and body; raise BadQuery on nonsense.

    With ``today``, dates in the query may also be relative (``date:>30d``).
    """
    if not text or not text.strip():
        raise BadQuery("the query is empty; try `newscli search 'Termez'`")
    if len(text) > _MAX_QUERY_CHARS:
        raise BadQuery(f"the query is longer than {_MAX_QUERY_CHARS} characters")
    if text.strip() == "*":
        return Every()  # every document; Every("body") would walk every term of the body
    _check_fields(text, searcher)
    errors = _DateErrors()
    parser = MultifieldParser(list(_SEARCH_FIELDS), searcher.schema)
    parser.add_plugin(
        DateParserPlugin(dateparser=_IsoDates(today=today), basedate=_BASEDATE, callback=errors)
    )
    parser.add_plugin(GtLtPlugin())
    try:
        query = parser.parse(text)
    except Exception as exc:  # Whoosh's parser raises assorted types on malformed input
        raise BadQuery(f"cannot parse query {text!r}: {exc}") from exc
    if errors.messages:
        raise BadQuery(
            f"cannot read the date {errors.messages[0]!r} in the query; "
            "use forms like date:2024-03-05, date:2024-03, date:[2024-01-01 to 2024-03-31] "
            "or mentions:2022-04"
        )
    return query.accept(_distinct_ranges)


def _day(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - index-internal


_RELATIVE = re.compile(r"^\s*(\d{1,4})\s*([dwmy])\s*$", re.IGNORECASE)


def is_relative_day(text: str) -> bool:
    """Return whether ``text`` is a relative day like ``7d``, ``2w``, ``3m`` or ``1y``."""
    return bool(_RELATIVE.match(text))


def relative_day(value: date | str | None, *, today: date) -> date | None:
    """Return the day ``value`` names: a date as is, ``7d``/``2w``/``3m``/``1y`` before ``today``.

    Months and years go back by calendar (3m before 31 May is 28 or 29 February).
    """
    if value is None or isinstance(value, date):
        return value
    match = _RELATIVE.match(value)
    if not match:
        raise BadQuery(f"{value!r} is not a date or a relative day like 7d, 2w, 3m or 1y")
    amount, unit = int(match.group(1)), match.group(2).lower()
    if unit == "d":
        return today - timedelta(days=amount)
    if unit == "w":
        return today - timedelta(weeks=amount)
    months = amount * (12 if unit == "y" else 1)
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    if year < 1:
        raise BadQuery(f"{value!r} goes back too far")
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _range(field: str, since: date | None, until: date | None) -> Query:
    return DateRange(field, _day(since) if since else None, _day(until) if until else None)


def _filters(
    *,
    since: date | None,
    until: date | None,
    sources: Sequence[str],
    languages: Sequence[str],
    mentions_since: date | None = None,
    mentions_until: date | None = None,
) -> Query | None:
    parts: list[Query] = []
    if since or until:
        parts.append(_range("date", since, until))
    if mentions_since or mentions_until:
        parts.append(_range("mentions", mentions_since, mentions_until))
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
    mentions_since: date | None = None,
    mentions_until: date | None = None,
    today: date | None = None,
) -> SearchPage:
    """Run a query and return the top ``limit`` hits, best first (or newest first)."""
    if sort not in SORT_ORDERS:
        raise BadQuery(f"unknown sort order {sort!r}; use one of {', '.join(SORT_ORDERS)}")
    _check_order(since, until, mentions_since, mentions_until)
    query = parse_query(text, searcher, today=today)
    filter_query = _filters(
        since=since,
        until=until,
        sources=sources,
        languages=languages,
        mentions_since=mentions_since,
        mentions_until=mentions_until,
    )
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
            # Whoosh refuses limit=0; a full first page is cut to ``limit`` below.
            limit=max(1, limit - first.scored_length()),
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


def _check_order(
    since: date | None,
    until: date | None,
    mentions_since: date | None,
    mentions_until: date | None,
) -> None:
    if since and until and since > until:
        raise BadQuery(f"--since {since} is after --until {until}")
    if mentions_since and mentions_until and mentions_since > mentions_until:
        raise BadQuery(
            f"--mentions-since {mentions_since} is after --mentions-until {mentions_until}"
        )


def _period(day: date, by: str) -> date:
    """Return the first day of the period ``day`` falls in."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def _next_period(start: date, by: str) -> date:
    if by == "week":
        return start + timedelta(days=7)
    if by == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


def _label(start: date, by: str) -> str:
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return start.isoformat()


def timeline(
    searcher: Searcher,
    text: str,
    *,
    by: str = "month",
    field: str = "date",
    since: date | None = None,
    until: date | None = None,
    mentions_since: date | None = None,
    mentions_until: date | None = None,
    sources: Sequence[str] = (),
    languages: Sequence[str] = (),
    today: date | None = None,
) -> Timeline:
    """Count matching articles per day, week or month of their publication or mentioned dates.

    With ``field="mentions"`` an article counts once in every period it mentions a day of
    (within the ``mentions_since``/``mentions_until`` range, when given). Only periods with
    articles are listed; ``gaps`` says how many empty periods precede each.
    """
    if by not in PERIODS:
        raise BadQuery(f"unknown period {by!r}; use one of {', '.join(PERIODS)}")
    if field not in TIMELINE_FIELDS:
        raise BadQuery(f"unknown field {field!r}; use one of {', '.join(TIMELINE_FIELDS)}")
    _check_order(since, until, mentions_since, mentions_until)
    query = parse_query(text, searcher, today=today)
    filter_query = _filters(
        since=since,
        until=until,
        sources=sources,
        languages=languages,
        mentions_since=mentions_since,
        mentions_until=mentions_until,
    )
    results = searcher.search(query, limit=None, filter=filter_query, scored=False)
    matched = set(results.docs())
    low = mentions_since if field == "mentions" else None
    high = mentions_until if field == "mentions" else None
    # Walk the field's day terms (far fewer than documents) and their postings instead of
    # loading every matching document's stored fields.
    reader = searcher.reader()
    field_type = searcher.schema[field]
    members: dict[date, set[int]] = {}
    dated: set[int] = set()
    for term in field_type.sortable_terms(reader, field):
        day = field_type.from_bytes(term).date()
        if (low is not None and day < low) or (high is not None and day > high):
            continue
        docs = matched.intersection(reader.postings(field, term).all_ids())
        if docs:
            members.setdefault(_period(day, by), set()).update(docs)
            dated |= docs
    counts = {start: len(docs) for start, docs in members.items()}
    without = len(matched) - len(dated)
    periods: list[tuple[str, int]] = []
    gaps: list[int] = []
    previous: date | None = None
    for start in sorted(counts):
        empty = 0
        if previous is not None:
            step = _next_period(previous, by)
            while step < start:
                empty += 1
                step = _next_period(step, by)
        periods.append((_label(start, by), counts[start]))
        gaps.append(empty)
        previous = start
    return Timeline(
        query=text,
        field=field,
        by=by,
        matched=len(matched),
        without=without,
        periods=tuple(periods),
        gaps=tuple(gaps),
    )
