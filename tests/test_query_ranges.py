"""Publication-date ranges read from the date column give what the plain DateRange gives."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from whoosh.query import And, DateRange, Query
from whoosh.searching import Searcher

from newscli import query as q
from newscli.models import Article
from newscli.store import Store

WORDS = ("oil", "bank", "trade", "prices", "crude", "shares", "wheat", "dollar", "talks", "rates")
FIRST_DAY = date(1987, 1, 1)


def _article(number: int, rng: random.Random) -> Article:
    if number % 7 == 0:
        day = None  # undated
    elif number % 11 == 0:  # range edges, many times over
        day = (date(1987, 2, 28), date(1987, 3, 1), date(1987, 3, 31), date(1987, 4, 1))[number % 4]
    else:
        day = FIRST_DAY + timedelta(days=rng.randrange(180))
    words = [rng.choice(WORDS) for _ in range(rng.randrange(3, 30))]
    return Article(
        id=f"a{number:04d}",
        title=f"Story {number} {rng.choice(WORDS)}",
        body=" ".join(words) + ".",
        source="reuters" if number % 2 else "bbc",
        language="en",
        date=day.isoformat() if day else None,
        content_hash=f"h{number}",
        source_hash=f"s{number}",
    )


def _built_index(
    factory: pytest.TempPathFactory, name: str, articles: Iterable[Article], batch_size: int
) -> Store:
    """An index of ``articles``, committed every ``batch_size``: several segments."""
    folder = factory.mktemp(name) / "index"
    store = Store.open(folder, create=True)
    with store.writer(batch_size=batch_size, batch_seconds=600, lock_wait=0) as writer:
        for article in articles:
            writer.put(article)
    return Store.open(folder)


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    rng = random.Random(1987)
    yield _built_index(tmp_path_factory, "ranges", (_article(n, rng) for n in range(600)), 150)


def _day(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - index-internal


def _scored(
    searcher: Searcher, query: Query, filter_query: Query | None = None
) -> dict[int, float]:
    results = searcher.search(query, limit=None, filter=filter_query)
    return {hit.docnum: round(hit.score or 0.0, 6) for hit in results}


RANGES = [
    (date(1987, 3, 1), date(1987, 3, 31)),
    (date(1987, 3, 1), date(1987, 3, 1)),
    (date(1987, 2, 28), date(1987, 4, 1)),
    (date(1987, 3, 1), None),
    (None, date(1987, 3, 31)),
    (date(1988, 1, 1), None),
    (date(1990, 1, 1), date(1990, 12, 31)),
    (date(1986, 1, 1), date(1986, 12, 31)),  # before every article: no column scan
]


def _rewritten_and_expected(
    searcher: Searcher, text: str, since: date | None, until: date | None
) -> tuple[Query, dict[int, float]]:
    """The query as ``--since/--until`` rewrites it, and the scores Whoosh's DateRange gives."""
    parsed = q.parse_query(text, searcher)
    plain = DateRange("date", since and _day(since), until and _day(until))
    rewritten, rest = q._with_date_filter(parsed, And([plain]), since, until)
    assert rest is None
    return rewritten, _scored(searcher, parsed, plain)


@pytest.mark.parametrize(("since", "until"), RANGES)
@pytest.mark.parametrize("text", ["oil", "bank OR wheat", '"crude oil"', "oil NOT bank", "*"])
def test_search_since_until_matches_date_range_filter(
    dated_index: Store, text: str, since: date | None, until: date | None
) -> None:
    with dated_index.searcher() as searcher:
        rewritten, expected = _rewritten_and_expected(searcher, text, since, until)
        assert _scored(searcher, rewritten) == expected
        page = q.search(searcher, text, limit=1000, since=since, until=until, count=True)
        by_id = {searcher.stored_fields(n)["id"] for n in expected}
        assert {hit.id for hit in page.hits} == by_id
        assert page.total == len(expected)


@pytest.mark.parametrize(
    "text",
    [
        "oil date:[1987-03-01 to 1987-03-31]",
        "oil date:1987-03",
        "date:1987-03 oil",
        "bank wheat date:[1987-02-28 to 1987-04-01]",
        "(oil OR bank) date:[1987-03-01 to 1987-03-01]",
        "oil date:>1987-03-31",
        "oil date:<=1987-03-01",
        "oil date:1987",
        "oil date:1990",
    ],
)
def test_search_date_clause_matches_plain_query(dated_index: Store, text: str) -> None:
    with dated_index.searcher() as searcher:
        parsed = q.parse_query(text, searcher)
        rewritten = q._date_ranges_by_column(parsed)
        assert isinstance(rewritten, q._DateColumnRange)  # the fast path is taken
        expected = _scored(searcher, parsed)
        assert _scored(searcher, rewritten) == expected
        # The top 10 (where Whoosh skips postings blocks by quality) is the best 10 of all.
        # Whoosh's own top 10 of ``x AND date:>…`` can miss better hits, so it is not the
        # reference: the full ranking is.
        best = sorted(expected, key=lambda docnum: (-expected[docnum], docnum))[:10]
        top = searcher.search(rewritten, limit=10)
        assert [hit.docnum for hit in top] == best


def test_search_top_hits_and_date_sort_unchanged(dated_index: Store) -> None:
    since, until = date(1987, 3, 1), date(1987, 4, 1)
    plain = DateRange("date", _day(since), _day(until))
    with dated_index.searcher() as searcher:
        parsed = q.parse_query("oil", searcher)
        expected = [
            searcher.stored_fields(hit.docnum)["id"]
            for hit in searcher.search(parsed, limit=10, filter=plain)
        ]
        page = q.search(searcher, "oil", limit=10, since=since, until=until, count=True)
        assert [hit.id for hit in page.hits] == expected
        # Whoosh counts a top-10 search's total without its filter; the column range is
        # part of the query, so the total is the number of articles in the range.
        assert page.total == len(_scored(searcher, parsed, plain))
        newest = q.search(
            searcher, "oil", limit=15, since=since, until=until, sort="date", count=True
        )
        days = [hit.date or "" for hit in newest.hits]
        assert "" not in days
        assert days == sorted(days, reverse=True)
        assert since.isoformat() <= days[-1] <= days[0] <= until.isoformat()
        assert newest.total == page.total


def test_search_date_filter_combines_with_source(dated_index: Store) -> None:
    since, until = date(1987, 3, 1), date(1987, 3, 31)
    with dated_index.searcher() as searcher:
        parsed = q.parse_query("oil", searcher)
        both = And([DateRange("date", _day(since), _day(until)), q.build_filter(sources=["bbc"])])
        expected = {searcher.stored_fields(n)["id"] for n in _scored(searcher, parsed, both)}
        page = q.search(searcher, "oil", limit=1000, since=since, until=until, sources=["bbc"])
        assert {hit.id for hit in page.hits} == expected
        assert expected
        assert "filter: (date:" in page.query  # the explanation names the range, as before


def test_timeline_since_until_counts_unchanged(dated_index: Store) -> None:
    since, until = date(1987, 2, 28), date(1987, 3, 31)
    with dated_index.searcher() as searcher:
        parsed = q.parse_query("oil", searcher)
        plain = DateRange("date", _day(since), _day(until))
        expected = len(_scored(searcher, parsed, plain))
        line = q.timeline(searcher, "oil", by="month", since=since, until=until)
        assert line.matched == expected
        assert line.without == 0
        assert [label for label, _ in line.periods] == ["1987-02", "1987-03"]
        assert sum(count for _, count in line.periods) == expected


def test_search_date_column_read_at_once_equals_per_document(dated_index: Store) -> None:
    with dated_index.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            column = leaf.column_reader("date", translate=False)
            values, count = q._column_values(column, leaf.doc_count_all())
            assert count == column._count
            assert list(values) == [column[docnum] for docnum in range(count)]
            assert any(value != column._default for value in values)


@pytest.fixture(scope="module")
def chronological_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Articles ingested in date order, as a dated archive often is: a range is a run."""
    rng = random.Random(87)

    def articles() -> Iterator[Article]:
        for number in range(1000):
            day = None if number % 13 == 0 else FIRST_DAY + timedelta(days=number // 6)
            yield replace(_article(number, rng), date=day.isoformat() if day else None)

    yield _built_index(tmp_path_factory, "chronological", articles(), 250)


@pytest.mark.parametrize(("since", "until"), RANGES)
@pytest.mark.parametrize("text", ["oil", "bank OR wheat", '"crude oil"', "oil NOT bank"])
def test_search_date_range_skips_to_the_range_same_hits(
    chronological_index: Store, text: str, since: date | None, until: date | None
) -> None:
    with chronological_index.searcher() as searcher:
        rewritten, expected = _rewritten_and_expected(searcher, text, since, until)
        assert _scored(searcher, rewritten) == expected
        best = sorted(expected, key=lambda docnum: (-expected[docnum], docnum))[:10]
        assert [hit.docnum for hit in searcher.search(rewritten, limit=10)] == best
        page = q.search(searcher, text, limit=10, since=since, until=until, count=True)
        assert [hit.id for hit in page.hits] == [searcher.stored_fields(n)["id"] for n in best]
        assert page.total == len(expected)


def test_search_date_range_first_from(chronological_index: Store) -> None:
    with chronological_index.searcher() as searcher:
        low, high = (_day(day) for day in (date(1987, 1, 10), date(1987, 1, 12)))
        column_range = q._DateColumnRange(
            q.parse_query("*", searcher), DateRange("date", low, high)
        )
        for leaf, _ in searcher.reader().leaf_readers():
            column = leaf.column_reader("date", translate=False)
            in_range = q._InColumnRange(
                leaf, "date", column_range.range.start, column_range.range.end
            )
            members = [doc for doc in range(leaf.doc_count_all()) if doc in in_range]
            for docnum in range(leaf.doc_count_all() + 1):
                after = [doc for doc in members if doc >= docnum]
                assert in_range.first_from(docnum) == (after[0] if after else in_range.end)
            assert all(column[doc] != column._default for doc in members)
