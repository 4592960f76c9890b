"""From a user's query string and filters to ranked hits with highlighted snippets."""

from __future__ import annotations

import calendar
import copy
import functools
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newscli.startup import import_whoosh

import_whoosh()  # before any other Whoosh import, whichever of store/query comes first

from whoosh import highlight
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token
from whoosh.columns import NumericColumn
from whoosh.fields import DATETIME
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcher
from whoosh.qparser import FieldAliasPlugin, GtLtPlugin, QueryParser, syntax
from whoosh.qparser.plugins import PhrasePlugin, Plugin, PrefixPlugin, WildcardPlugin
from whoosh.query import And, AndNot, DateRange, Every, Not, Or, Query, Term
from whoosh.searching import Hit, Searcher
from whoosh.util.times import adatetime

from newscli.analysis import FoldingAnalyzer, fold, fold_word
from newscli.errors import BadQuery
from newscli.models import SearchHit, SearchPage
from newscli.phrases import exact_phrases
from newscli.store import FOLDED_FIELD, STEM_FIELDS, count_matching

if TYPE_CHECKING:
    from newscli.aliases import AliasTable
    from newscli.models import Timeline

__all__ = [
    "PERIODS",
    "SORT_ORDERS",
    "TIMELINE_FIELDS",
    "build_filter",
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
    "lang",
    "language",
    "mentions",
    "source",
    "title",
    "url",
)
FIELD_ALIASES = {"language": ["lang"]}
"""Query-language field aliases: ``lang:ru`` means ``language:ru``."""
FOLDED_BOOST = 0.4
"""Weight of a match in the folded field, relative to an exact title/body match (1.0)."""
STEM_BOOST = 0.5
"""Weight of a match in the article-language stemmed field (``text_<lang>``)."""
ALIAS_BOOST = 0.3
"""Weight of a match on another spelling from the alias file, relative to the typed one."""
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
    names = set(searcher.schema.names()) | {alias for v in FIELD_ALIASES.values() for alias in v}
    for name in _FIELD_PREFIX.findall(_QUOTED.sub(" ", text)):
        if name not in names:
            known = ", ".join(sorted(QUERY_FIELDS))
            raise BadQuery(f"unknown field {name!r} in the query; fields are: {known}")


class _DistinctDateRange(DateRange):  # type: ignore[misc] # Whoosh is untyped
    """A date range over a multi-valued field that matches each document once.

    Whoosh's union matcher yields a document once per matching value when the searcher asks
    for the current matcher (as its ``terms=True`` does), so an article mentioning two days of
    a range would be listed twice.
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


class _InColumnRange:
    """The documents of one segment whose ``date`` column value lies in ``[low, high]``.

    Used as the id set of a FilterMatcher. The segment's column (8 bytes a document) is read
    in one call rather than one file read per tested document. Undated documents hold the
    column default (the largest value) and never match. The sorted list of the documents in
    range is made only when asked for (:meth:`first_from`): a scan of the whole column.
    """

    def __init__(self, reader: Any, fieldname: str, low: int, high: int) -> None:
        default = int(reader.schema[fieldname].default)
        self._values, self._count = _column_values(
            reader.column_reader(fieldname, translate=False), reader.doc_count_all()
        )
        self._low = low
        self._high = min(high, default - 1)
        self._docs: list[int] | None = None
        self.end = int(reader.doc_count_all())
        """A document number past every document of the segment."""

    def __contains__(self, docnum: int) -> bool:
        # Documents past the column's end were added without a value: the default, out of range.
        return docnum < self._count and bool(self._low <= self._values[docnum] <= self._high)

    def first_from(self, docnum: int) -> int:
        """Return the first document in range at or after ``docnum``, else :attr:`end`."""
        if self._docs is None:
            low, high, values = self._low, self._high, self._values
            if isinstance(values, array) and (not values or min(values) > high):
                self._docs = []  # a segment of later articles only: no scan needed
            elif isinstance(values, array) and len(values) == self._count:
                self._docs = [doc for doc, value in enumerate(values) if low <= value <= high]
            else:
                self._docs = [doc for doc in range(self._count) if low <= values[doc] <= high]
        index = bisect_left(self._docs, docnum)
        return self._docs[index] if index < len(self._docs) else self.end


def _column_values(column: Any, doc_count: int) -> tuple[Any, int]:
    """A numeric column's values (indexable by document) and how many documents it covers.

    Whoosh's own reader is read in one call; another kind is read a document at a time.
    """
    if isinstance(column, NumericColumn.Reader) and column._typecode in ("q", "Q"):
        count = int(column._count)
        return column._dbfile.get_array(column._basepos, column._typecode, count), count
    return column, doc_count  # it answers the default past its end itself


_SCAN_BEFORE_LEAP = 32
"""Documents out of a date range stepped through one by one before skipping to the next in it."""


class _ColumnRangeMatcher(FilterMatcher):  # type: ignore[misc] # Whoosh is untyped
    """The wrapped matcher's documents inside a column range; adds ``extra`` to each score."""

    def __init__(self, child: Any, ids: Any, exclude: bool = False, boost: float = 0.0) -> None:
        super().__init__(child, ids, exclude=exclude, boost=boost)

    def next(self) -> bool:
        """Move to the next match; return whether the child entered a new block of postings.

        Whoosh's FilterMatcher returns None, so a top-N collector never again skipped the
        blocks that cannot reach the top hits and scored every match of the term.
        """
        entered = bool(self.child.next())
        return bool(self._find_next()) or entered

    def _find_next(self) -> bool:
        """Move the child to its next document in range; return whether it changed block.

        After :data:`_SCAN_BEFORE_LEAP` consecutive documents out of range the child skips to
        the next document in range instead of stepping through the ones between (a common
        word with a month's range stepped through tens of thousands of articles).
        """
        child = self.child
        in_range: _InColumnRange = self._ids
        entered = False
        misses = 0
        while child.is_active():
            docnum = child.id()
            if docnum in in_range:
                break
            misses += 1
            if misses < _SCAN_BEFORE_LEAP:
                entered = bool(child.next()) or entered
            else:
                target = in_range.first_from(docnum + 1)
                child.skip_to(target)
                entered = True  # perhaps a new block: the collector checks its quality again
        return entered

    def skip_to_quality(self, minquality: float) -> int:
        skipped = int(self.child.skip_to_quality(minquality - self.boost))
        self._find_next()
        return skipped

    def max_quality(self) -> float:
        return float(self.child.max_quality() + self.boost)

    def block_quality(self) -> float:
        return float(self.child.block_quality() + self.boost)

    def weight(self) -> float:
        return float(self.child.weight() + self.boost)

    def score(self) -> float:
        return float(self.child.score() + self.boost)


class _DateColumnRange(Query):  # type: ignore[misc] # Whoosh is untyped
    """``child`` restricted to a publication-date range read from the sortable ``date`` column.

    Matches exactly what ``And([child, range])`` matches (with the same scores when ``extra``
    is the range clause's boost) without expanding the range into the union of its terms'
    postings, which costs time in proportion to the articles in the range.
    """

    def __init__(self, child: Query, date_range: DateRange, extra: float = 0.0) -> None:
        self.child = child
        self.range = date_range
        self.extra = extra

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.child!r}, {self.range!r}, {self.extra!r})"

    def __str__(self) -> str:
        return f"({self.child} AND {self.range})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and self.child == other.child
            and self.range == other.range
            and self.extra == other.extra
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.child, self.range, self.extra))

    def is_leaf(self) -> bool:
        return False

    def children(self) -> Any:
        yield self.child

    def apply(self, fn: Callable[[Query], Query]) -> Query:
        return _DateColumnRange(fn(self.child), self.range, self.extra)

    def requires(self) -> Any:
        return self.child.requires()

    def estimate_size(self, ixreader: Any) -> int:
        return int(self.child.estimate_size(ixreader))

    def estimate_min_size(self, ixreader: Any) -> int:
        return 0

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        reader = searcher.reader()
        field = self.range.fieldname
        if not reader.has_column(field):  # no value in this segment: nothing is in range
            return NullMatcher()
        child = self.child.matcher(searcher, context)
        if not child.is_active():
            return child
        low = self.range.start if self.range.start is not None else -(2**63)
        high = self.range.end if self.range.end is not None else 2**63 - 1
        if self.range.startexcl:
            low += 1
        if self.range.endexcl:
            high -= 1
        ids = _InColumnRange(reader, field, low, high)
        return _ColumnRangeMatcher(child, ids, boost=self.extra)


def _is_date_range(node: Query) -> bool:
    return type(node) is DateRange and node.fieldname == "date"


def _date_ranges_by_column(query: Query) -> Query:
    """Rewrite ``x AND date:[…]`` clauses to read the date column of ``x``'s matches."""
    if isinstance(query, And):
        ranges = [child for child in query.subqueries if _is_date_range(child)]
        rest = [child for child in query.subqueries if not _is_date_range(child)]
        if len(ranges) == 1 and any(not isinstance(child, Not) for child in rest):
            inner = _date_ranges_by_column(rest[0] if len(rest) == 1 else And(rest))
            return _DateColumnRange(inner, ranges[0], extra=float(ranges[0].boost))
    return query


def _with_date_filter(
    query: Query, filter_query: Query | None, since: date | None, until: date | None
) -> tuple[Query, Query | None]:
    """Move the ``--since/--until`` range from the filter into ``query`` as a column check.

    A Whoosh filter is evaluated to the full set of its documents first; for a date range
    that is every article published in it, however few the query matches.
    """
    if not (since or until):
        return query, filter_query
    date_range = _range("date", since, until)
    assert isinstance(filter_query, And)  # _filters puts the date range first
    rest = [part for part in filter_query.subqueries if part != date_range]
    return _DateColumnRange(query, date_range), And(rest) if rest else None


class _MultilingualPlugin(Plugin):  # type: ignore[misc] # Whoosh is untyped
    """Expand unfielded words to their aliases, then to the exact, stemmed and folded fields.

    Runs as a parser filter after explicit field names are applied (priority 100) and replaces
    Whoosh's MultifieldPlugin. ``title:``/``body:`` and other fielded terms are left exact.
    """

    def __init__(
        self,
        stem_fields: Sequence[str],
        aliases: AliasTable | None,
        expansions: list[str],
        *,
        folding: bool = True,
    ) -> None:
        self.stem_fields = tuple(stem_fields)
        self.aliases = aliases
        self.expansions = expansions
        self.folding = folding

    def filters(self, parser: QueryParser) -> list[tuple[Callable[..., Any], int]]:
        return [(self._rewrite, 105)]

    def _rewrite(self, parser: QueryParser, group: Any, *, expand: bool = True) -> Any:
        nodes = list(group)
        if expand and self.aliases is not None:
            nodes = self._expand_aliases(nodes, self.aliases)
        rewritten = []
        for node in nodes:
            if isinstance(node, syntax.GroupNode):
                inner = expand and not getattr(node, "from_alias", False)
                rewritten.append(self._rewrite(parser, node, expand=inner))
            elif node.has_fieldname and node.fieldname is None:
                rewritten.append(self._fielded(node))
            else:
                rewritten.append(node)
        group.nodes[:] = rewritten
        return group

    def _fielded(self, node: Any) -> Any:
        text = getattr(node, "text", "") or ""
        exact: tuple[tuple[str, float], ...] = (("title", 1.0), ("body", 1.0))
        if not self.folding:
            return syntax.OrGroup([self._copy(node, name, boost) for name, boost in exact])
        stems = tuple((name, STEM_BOOST) for name in self.stem_fields)
        folded = ((FOLDED_FIELD, FOLDED_BOOST),)
        if isinstance(node, syntax.WordNode | PhrasePlugin.PhraseNode):
            # A hyphenated word (ISIS-K) is looked up joined; title/body would split it.
            has_hyphen = isinstance(node, syntax.WordNode) and re.search(r"\w-\w", text)
            fields = (*(() if has_hyphen else exact), *stems, *folded)
        elif isinstance(node, PrefixPlugin.PrefixNode | WildcardPlugin.WildcardNode):
            fields = (*exact, *folded)
        else:
            fields = exact
        copies = []
        for name, boost in fields:
            fielded = self._copy(node, name, boost)
            if name == FOLDED_FIELD and not isinstance(
                node, syntax.WordNode | PhrasePlugin.PhraseNode
            ):
                fielded.text = fold(text)
            copies.append(fielded)
        if type(node) is syntax.WordNode and not text.isascii() and fold_word(text).isascii():
            # The folded field holds only words folding changes, so a Cyrillic or accented
            # query word looks for its folded form among the plain words of title and body.
            for name, _ in () if has_hyphen else exact:
                fielded = self._copy(node, name, FOLDED_BOOST)
                fielded.text = fold_word(text)
                copies.append(fielded)
        return syntax.OrGroup(copies)

    @staticmethod
    def _copy(node: Any, fieldname: str, boost: float) -> Any:
        fielded = copy.copy(node)
        fielded.set_fieldname(fieldname)
        fielded.set_boost(node.boost * boost)
        return fielded

    def _expand_aliases(self, nodes: list[Any], aliases: AliasTable) -> list[Any]:
        result: list[Any] = []
        index = 0
        while index < len(nodes):
            run = self._word_run(nodes, index, aliases.max_words)
            replaced = False
            for length in range(len(run), 0, -1):
                words = [nodes[i] for i in run[:length]]
                typed = " ".join(node.text for node in words)
                variants = aliases.variants(typed)
                if not variants:
                    continue
                original = words[0] if length == 1 else syntax.AndGroup(words)
                result.append(self._alias_group(original, typed, variants))
                index = run[length - 1] + 1
                replaced = True
                break
            if not replaced:
                node = nodes[index]
                variants = ()
                if _is_unfielded(node, PhrasePlugin.PhraseNode):
                    variants = aliases.variants(node.text)
                result.append(self._alias_group(node, node.text, variants) if variants else node)
                index += 1
        return result

    @staticmethod
    def _word_run(nodes: list[Any], start: int, most: int) -> list[int]:
        """Indexes of up to ``most`` unfielded words from ``start``, across whitespace only."""
        run: list[int] = []
        index = start
        while index < len(nodes) and len(run) < most:
            node = nodes[index]
            if _is_unfielded(node, syntax.WordNode):
                run.append(index)
            elif not isinstance(node, syntax.Whitespace) or not run:
                break
            index += 1
        return run

    def _alias_group(self, original: Any, typed: str, variants: Sequence[str]) -> Any:
        self.expansions.append(f"{typed} -> {' | '.join(variants)}")
        alternatives = [original]
        for variant in variants:
            if " " in variant:
                node = PhrasePlugin.PhraseNode(variant, 0)
            else:
                node = syntax.WordNode(variant)
            node.set_boost(ALIAS_BOOST)
            node.startchar = getattr(original, "startchar", 0)
            node.endchar = getattr(original, "endchar", 0)
            alternatives.append(node)
        group = syntax.OrGroup(alternatives)
        group.from_alias = True
        return group


def _is_unfielded(node: Any, kind: type[Any]) -> bool:
    return type(node) is kind and node.fieldname is None and node.boost == 1.0


def _stem_fields(searcher: Searcher) -> list[str]:
    """The ``text_<lang>`` fields that hold anything in this index (others cost query time)."""
    reader = searcher.reader()
    names = set(searcher.schema.names())
    return [name for name in STEM_FIELDS.values() if name in names and reader.field_length(name)]


def parse_query(
    text: str,
    searcher: Searcher,
    *,
    aliases: AliasTable | None = None,
    expansions: list[str] | None = None,
    folding: bool = True,
    today: date | None = None,
) -> Query:
    """Parse Whoosh query syntax over the exact, stemmed and folded fields; raise BadQuery.

    Unfielded words are searched in ``title``/``body`` (exact), the article-language stemmed
    fields and the folded field, exact matches weighing most; with ``aliases`` each word or
    phrase found in the alias table also matches its other spellings. The alias expansions
    made are appended to ``expansions`` when given. Without ``folding`` only the exact fields
    are searched (as newscli did before; used to measure what folding adds). With ``today``,
    dates in the query may also be relative (``date:>30d``).
    """
    if not text or not text.strip():
        raise BadQuery("the query is empty; try `newscli search 'Termez'`")
    if len(text) > _MAX_QUERY_CHARS:
        raise BadQuery(f"the query is longer than {_MAX_QUERY_CHARS} characters")
    if text.strip() == "*":
        return Every()  # every document; Every("body") would walk every term of the body
    _check_fields(text, searcher)
    errors = _DateErrors()
    parser = QueryParser(None, searcher.schema)
    date_fields = [name for name, field in searcher.schema.items() if isinstance(field, DATETIME)]
    if any(f"{name}:" in text for name in date_fields):
        # Only ``date:``/``mentions:`` terms need it (its module costs a cold search 2 %).
        from whoosh.qparser.dateparse import DateParserPlugin

        parser.add_plugin(
            DateParserPlugin(dateparser=_IsoDates(today=today), basedate=_BASEDATE, callback=errors)
        )
    parser.add_plugin(GtLtPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(
        _MultilingualPlugin(
            _stem_fields(searcher),
            aliases,
            expansions if expansions is not None else [],
            folding=folding,
        )
    )
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
    return query.accept(_distinct_ranges).accept(exact_phrases)


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


def build_filter(
    *,
    since: date | None = None,
    until: date | None = None,
    sources: Sequence[str] = (),
    languages: Sequence[str] = (),
) -> Query | None:
    """Return the filter for the shared options (``--since/--until/--source/--lang``).

    Every command that filters articles (``search``, ``timeline``) builds its filter here.
    """
    return _filters(since=since, until=until, sources=sources, languages=languages)


def _split_markers(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The text without its markers, and the ``(start, end)`` of each marked stretch in it."""
    pieces = _MARKER.split(marked)  # text, marker, text, marker, ..., text
    spans: list[tuple[int, int]] = []
    length = len(pieces[0])
    start = -1
    for position in range(1, len(pieces), 2):
        if pieces[position] == _OPEN:
            start = length
        else:
            if start >= 0:
                spans.append((start, length))
            start = -1
        length += len(pieces[position + 1])
    return "".join(pieces[::2]), tuple(spans)


_MARKER = re.compile(f"([{_OPEN}{_CLOSE}])")


_CONTEXT_WORD = re.compile(r"[^\W_]+")
_HIGHLIGHT_FIELDS = frozenset(("body", FOLDED_FIELD, *STEM_FIELDS.values()))


def _index_tokens(analyzer: Any, text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(startchar, endchar, term)`` for each token ``analyzer`` makes of ``text``.

    The common chain (a regex tokenizer, then lower-casing, stop words and stemming, as in
    ``title`` and ``body``) is run word by word through a cache: the same terms as Whoosh's
    token generators, several times faster, which is most of a snippet's cost.
    """
    term_of = _word_terms(analyzer)
    if term_of is None:
        if isinstance(analyzer, FoldingAnalyzer):
            yield from analyzer.index_spans(text)
            return
        for token in analyzer(text, chars=True, mode="index", removestops=False):
            yield token.startchar, token.endchar, token.text
        return
    for match in analyzer.items[0].expression.finditer(text):
        yield match.start(), match.end(), term_of(match.group())


_TERM_FUNCTIONS: dict[tuple[Any, ...], Callable[[str], str]] = {}
"""Word -> term functions by analyzer configuration: each searcher unpickles its own schema,
so the same chain comes back as new objects, and its cache must outlive them."""


def _word_terms(analyzer: Any) -> Callable[[str], str] | None:
    """Return a cached word -> term function equal to ``analyzer``, if it is the common chain."""
    key = _chain_key(analyzer)
    if key is None:
        return None
    known = _TERM_FUNCTIONS.get(key)
    if known is None:
        if len(_TERM_FUNCTIONS) >= 64:  # a long-lived process with many kinds of analyzer
            _TERM_FUNCTIONS.clear()
        known = _TERM_FUNCTIONS[key] = _make_word_terms(analyzer.items[1:])
    return known


def _chain_key(analyzer: Any) -> tuple[Any, ...] | None:
    """Describe a regex tokenizer + lower case / stop word / stemming chain, or return None."""
    items = getattr(analyzer, "items", None)
    if not items or type(items[0]) is not RegexTokenizer or items[0].gaps:
        return None
    key: list[Any] = [items[0].expression.pattern]
    for item in items[1:]:
        if type(item) is LowercaseFilter:
            key.append("lower")
        elif type(item) is StopFilter:
            key.append(("stop", item.stops, item.min, item.max))
        elif type(item) is StemFilter:
            key.append(("stem", item.stemfn, item.lang, item.ignore))
        else:
            return None
    return tuple(key)


def _make_word_terms(filters: Sequence[Any]) -> Callable[[str], str]:
    """Return the word -> term function of a chain's filters (after its regex tokenizer)."""

    @functools.lru_cache(maxsize=1 << 14)
    def term_of(word: str) -> str:
        stopped = False
        for item in filters:
            if type(item) is LowercaseFilter:
                word = word.lower()
            elif type(item) is StopFilter:
                stopped = not (
                    len(word) >= item.min
                    and (item.max is None or len(word) <= item.max)
                    and word not in item.stops
                )
            elif not stopped and word not in item.ignore:
                word = item._stem(word)
        return word

    return term_of


def _highlight_terms(query: Query, reader: Any) -> dict[str, set[str]]:
    """Return the terms a hit's body is highlighted for, by field: every term of the query
    outside a negation, with prefix, wildcard and fuzzy terms as found in the index.

    A body word whose term in one of these fields is among them makes the hit contain that
    term there, so this marks the words Whoosh's ``terms=True`` would, without that option's
    recording of every matching document's terms (for a common word at 100,000 articles, a
    third of the search).
    """
    found: dict[str, set[str]] = {}

    def visit(node: Query) -> None:
        if isinstance(node, Not):
            return
        if isinstance(node, AndNot):
            visit(node.a)
            return
        if not node.is_leaf():
            for child in node.children():
                visit(child)
            return
        if getattr(node, "fieldname", None) not in _HIGHLIGHT_FIELDS:
            return
        for fieldname, term in node.expanded_terms(reader, phrases=True):
            text = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            found.setdefault(fieldname, set()).add(text)

    visit(query)
    return found


def _words_by_hit(
    searcher: Searcher, words: dict[str, set[str]], docnums: Sequence[int]
) -> Callable[[int], dict[str, set[str]]]:
    """Return ``docnum -> words`` without the fields whose own analyzer (slow: no cached
    word-by-word path, as for ``folded``) would re-read a body that has none of their terms.

    Membership is read from the postings of the shown documents only.
    """
    schema = searcher.schema
    slow = {name for name in words if _word_terms(schema[name].analyzer) is None}
    if not slow:
        return lambda docnum: words
    holders: dict[str, set[int]] = {}
    wanted = sorted(set(docnums))
    for fieldname in slow:
        found = holders.setdefault(fieldname, set())
        for text in words[fieldname]:
            if not searcher.reader().frequency(fieldname, text):
                continue
            matcher = searcher.postings(fieldname, text)
            for docnum in wanted:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found.add(docnum)

    def words_of(docnum: int) -> dict[str, set[str]]:
        return {
            name: terms
            for name, terms in words.items()
            if name not in slow or docnum in holders[name]
        }

    return words_of


class _Context:
    """An unmatched word around the matches: all the fragmenter reads of it (a Whoosh Token,
    built for every word of every shown body, cost a tenth of a common word's search)."""

    __slots__ = ("endchar", "startchar")
    matched = False

    def __init__(self, startchar: int, endchar: int) -> None:
        self.startchar = startchar
        self.endchar = endchar


def _matched_tokens(hit: Hit, body: str, words: dict[str, set[str]]) -> list[Token | _Context]:
    """Tokens of ``body`` matched in any searched field: exact, stemmed, folded or aliased.

    ``words`` holds the query's terms by field (:func:`_highlight_terms`). Each field's
    analyzer re-reads the original body (its character offsets are the original text's), so a
    folded match on ``termez`` marks the word ``Термезе`` where it stands.
    """
    schema = hit.searcher.schema
    spans: dict[int, tuple[int, str]] = {}
    for fieldname, terms in words.items():
        analyzer = schema[fieldname].analyzer
        term_of = _word_terms(analyzer)
        if term_of is None:
            for start, end, text in _index_tokens(analyzer, body):
                if text in terms and end > spans.get(start, (-1, ""))[0]:
                    spans[start] = (end, text)
            continue
        for match in analyzer.items[0].expression.finditer(body):  # _index_tokens, inlined
            text = term_of(match.group())
            if text in terms:
                start, end = match.span()
                if end > spans.get(start, (-1, ""))[0]:
                    spans[start] = (end, text)
    matched: list[Token] = []
    last_end = -1
    for start in sorted(spans):
        end, text = spans[start]
        if start >= last_end:
            matched.append(Token(text=text, startchar=start, endchar=end, boost=1.0, matched=True))
            last_end = end
    if not matched:
        return []
    # The fragmenter needs the unmatched words around the matches too, for context.
    tokens: list[Token | _Context] = []
    next_match = 0
    for word in _CONTEXT_WORD.finditer(body):
        while next_match < len(matched) and matched[next_match].startchar < word.end():
            tokens.append(matched[next_match])
            next_match += 1
        if tokens and tokens[-1].matched and word.start() < tokens[-1].endchar:
            continue  # this word is (part of) the match just added
        tokens.append(_Context(word.start(), word.end()))
    tokens.extend(matched[next_match:])
    return tokens


def _snippet(
    hit: Hit, highlighter: highlight.Highlighter, words: dict[str, set[str]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    body = str(hit.get("body", "")).replace(_OPEN, "").replace(_CLOSE, "")
    tokens = _matched_tokens(hit, body, words) if body and words else []
    if tokens:
        fragments = highlight.top_fragments(
            highlighter.fragmenter.fragment_tokens(body, tokens),
            2,
            highlighter.scorer,
            highlighter.order,
        )
        marked = highlighter.formatter.format(fragments)
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


def _prepare(
    searcher: Searcher,
    text: str,
    *,
    since: date | None,
    until: date | None,
    sources: Sequence[str],
    languages: Sequence[str],
    mentions_since: date | None,
    mentions_until: date | None,
    today: date | None,
    aliases: AliasTable | None,
    expansions: list[str] | None = None,
    folding: bool = True,
) -> tuple[Query, Query | None, Query, Query | None]:
    """Parse the query and build its filter, as written and as run (date ranges by column).

    ``search`` and ``timeline`` share this, so both read queries and filters the same way.
    """
    _check_order(since, until, mentions_since, mentions_until)
    query = parse_query(
        text, searcher, aliases=aliases, expansions=expansions, folding=folding, today=today
    )
    filter_query = _filters(
        since=since,
        until=until,
        sources=sources,
        languages=languages,
        mentions_since=mentions_since,
        mentions_until=mentions_until,
    )
    run_query, run_filter = _with_date_filter(
        _date_ranges_by_column(query), filter_query, since, until
    )
    return query, filter_query, run_query, run_filter


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
    aliases: AliasTable | None = None,
    folding: bool = True,
    count: bool = False,
) -> SearchPage:
    """Run a query and return the top ``limit`` hits, best first (or newest first).

    ``aliases`` expands names to their other spellings; the page's ``query`` tells what ran.
    ``count`` also counts every matching article (``total``; filters included): a second
    pass over all matches, which costs more than finding the top hits of a common word.
    """
    if sort not in SORT_ORDERS:
        raise BadQuery(f"unknown sort order {sort!r}; use one of {', '.join(SORT_ORDERS)}")
    expansions: list[str] = []
    ran_query, ran_filter, query, filter_query = _prepare(
        searcher,
        text,
        since=since,
        until=until,
        sources=sources,
        languages=languages,
        mentions_since=mentions_since,
        mentions_until=mentions_until,
        today=today,
        aliases=aliases,
        expansions=expansions,
        folding=folding,
    )
    _skip_by_quality(query)
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
        )
        result_sets = [first]
        if not isinstance(query, _DateColumnRange):  # a date range matches no undated article
            rest = searcher.search(
                query,
                # Whoosh refuses limit=0; a full first page is cut to ``limit`` below.
                limit=max(1, limit - first.scored_length()),
                filter=filter_query,
                mask=dated,
            )
            result_sets.append(rest)
    else:
        result_sets = [searcher.search(query, limit=limit, filter=filter_query)]
    highlighter = highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=_SNIPPET_CHARS, surround=_SNIPPET_SURROUND),
        formatter=_MarkerFormatter(),
    )
    words = _highlight_terms(query, searcher.reader())
    shown = [hit for results in result_sets for hit in results][:limit]
    words_of = _words_by_hit(searcher, words, [hit.docnum for hit in shown])
    hits = []
    for hit in shown:
        # The stored fields as store.article_from_fields reads them, without making an Article:
        # a search that makes none need not define the class.
        fields = hit.fields()
        title = fields.get("title") or None
        snippet, spans = _snippet(hit, highlighter, words_of(hit.docnum))
        hits.append(
            SearchHit(
                id=fields["id"],
                title=title,
                date=fields.get("date_text"),
                date_source=fields.get("date_source"),
                source=fields.get("source_name"),
                author=fields.get("author"),
                language=fields.get("language"),
                path=fields.get("path"),
                url=fields.get("url"),
                score=round(float(hit.score or 0.0), 4),
                snippet=snippet,
                highlights=spans,
                lead="" if title else _lead(fields.get("body", "")),
            )
        )
    return SearchPage(
        hits=tuple(hits),
        total=_count_matches(searcher, query, filter_query) if count else None,
        query=_explain(ran_query, ran_filter, expansions),
    )


def _skip_by_quality(node: Query) -> None:
    """Make every OR of the query a tree of union matchers, which skip blocks of postings that
    cannot reach the top hits.

    Unless the search records matched terms, Whoosh preloads every posting of an OR with three or
    more clauses into an array of scores in segments of up to 5,000 articles: on a 50,000-article
    index in ~2,000-article segments, common-word searches took twice as long.
    """
    if isinstance(node, Or) and len(node.subqueries) < Or.TOO_MANY_CLAUSES:
        node.matcher_type = Or.DEFAULT_MATCHER
    for child in node.children():
        _skip_by_quality(child)


def _count_matches(searcher: Searcher, query: Query, filter_query: Query | None) -> int:
    """Count the live documents matching ``query`` and ``filter_query``.

    Whoosh's own count of a top-N search runs the query again without its filter.
    """
    return count_matching(searcher, query if filter_query is None else And([query, filter_query]))


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
    aliases: AliasTable | None = None,
) -> Timeline:
    """Count matching articles per day, week or month of their publication or mentioned dates.

    With ``field="mentions"`` an article counts once in every period it mentions a day of
    (within the ``mentions_since``/``mentions_until`` range, when given). Only periods with
    articles are listed; ``gaps`` says how many empty periods precede each.
    """
    from newscli.models import Timeline

    if by not in PERIODS:
        raise BadQuery(f"unknown period {by!r}; use one of {', '.join(PERIODS)}")
    if field not in TIMELINE_FIELDS:
        raise BadQuery(f"unknown field {field!r}; use one of {', '.join(TIMELINE_FIELDS)}")
    _, _, query, filter_query = _prepare(
        searcher,
        text,
        since=since,
        until=until,
        sources=sources,
        languages=languages,
        mentions_since=mentions_since,
        mentions_until=mentions_until,
        today=today,
        aliases=aliases,
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


def _explain(query: Query, filter_query: Query | None, expansions: Sequence[str]) -> str:
    """Describe the query that ran: alias expansions, the Whoosh query, the filter."""
    lines = [f"aliases: {line}" for line in expansions]
    lines.append(f"query: {query}")
    if filter_query is not None:
        lines.append(f"filter: {filter_query.normalize()}")
    return "\n".join(lines)
