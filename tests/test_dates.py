"""``newscli.dates``: full-date parsing in every supported language, URL dates, candidates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscli.dates import (
    FEED,
    HTML_META,
    PUBLISHED_LINE,
    SIDECAR,
    TEXT_HEADER,
    URL,
    ParsedDate,
    choose_date,
    date_from_url,
    parse_date,
    parse_date_line,
    parse_published_line,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # English
        ("5 March 2024", date(2024, 3, 5)),
        ("March 5, 2024", date(2024, 3, 5)),
        ("Tuesday, 05, March, 2024", date(2024, 3, 5)),
        ("Mon, 18 Apr 2022", date(2022, 4, 18)),
        # Russian
        ("5 марта 2024 г.", date(2024, 3, 5)),
        ("5 марта 2024 года", date(2024, 3, 5)),
        ("вторник, 5 марта 2024", date(2024, 3, 5)),
        ("18 апреля 2022", date(2022, 4, 18)),
        # Uzbek, Latin script
        ("5-mart, 2024", date(2024, 3, 5)),
        ("2024-yil 5-mart", date(2024, 3, 5)),
        ("5-martda, 2024-yil", date(2024, 3, 5)),
        ("18-aprel 2022-yil", date(2022, 4, 18)),
        # Uzbek, Cyrillic script
        ("2024 йил 5 март", date(2024, 3, 5)),
        ("5-март, 2024", date(2024, 3, 5)),
        ("18 апрель 2022 йил", date(2022, 4, 18)),
        # Tajik
        ("5 марти 2024", date(2024, 3, 5)),
        ("5 марти соли 2024", date(2024, 3, 5)),
        ("18 апрели 2022", date(2022, 4, 18)),
        # German
        ("5. März 2024", date(2024, 3, 5)),
        ("Dienstag, 5. März 2024", date(2024, 3, 5)),
        ("18. Apr. 2022", date(2022, 4, 18)),
        # French
        ("5 mars 2024", date(2024, 3, 5)),
        ("1er mars 2024", date(2024, 3, 1)),
        ("mardi 5 mars 2024", date(2024, 3, 5)),
        ("18 avril 2022", date(2022, 4, 18)),
        # numeric: dots, slashes, dashes; day first
        ("16.11.2024", date(2024, 11, 16)),
        ("05/03/2024", date(2024, 3, 5)),
        ("05-03-2024", date(2024, 3, 5)),
        ("19/04/2022", date(2022, 4, 19)),
        ("2022/04/19", date(2022, 4, 19)),
        ("2024-03-05", date(2024, 3, 5)),
    ],
)
def test_parse_date_reads_every_language(raw: str, expected: date) -> None:
    parsed = parse_date(raw, now=NOW)
    assert parsed is not None, raw
    assert parsed.value == expected
    assert not parsed.has_time


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("09:18 / 16.11.2024", datetime(2024, 11, 16, 9, 18)),  # noqa: DTZ001 - no zone given
        ("5 марта 2024 года в 10:30", datetime(2024, 3, 5, 10, 30)),  # noqa: DTZ001
        ("Dienstag, 5. März 2024, 10:30 Uhr", datetime(2024, 3, 5, 10, 30)),  # noqa: DTZ001
        ("1er mars 2024 à 10h30", datetime(2024, 3, 1, 10, 30)),  # noqa: DTZ001
        ("2024-yil 5-mart soat 14:00", datetime(2024, 3, 5, 14, 0)),  # noqa: DTZ001
        ("2024-03-05T10:30:00Z", datetime(2024, 3, 5, 10, 30, tzinfo=UTC)),
        (
            "2024-03-05 10:30:00+05:00",
            datetime(2024, 3, 5, 10, 30, tzinfo=timezone(timedelta(hours=5))),
        ),
        (
            "5 March 2024 10:30 MSK",
            datetime(2024, 3, 5, 10, 30, tzinfo=timezone(timedelta(hours=3))),
        ),
        (
            "5 мая 2024 г. 14:00 МСК",
            datetime(2024, 5, 5, 14, 0, tzinfo=timezone(timedelta(hours=3))),
        ),
    ],
)
def test_parse_date_keeps_times_and_zones(raw: str, expected: datetime) -> None:
    parsed = parse_date(raw, now=NOW)
    assert parsed is not None, raw
    assert parsed.value == expected
    assert parsed.value.utcoffset() == expected.utcoffset()


def test_parse_date_month_first_when_asked() -> None:
    assert parse_date("04/05/2024", now=NOW) == ParsedDate(date(2024, 5, 4))
    assert parse_date("04/05/2024", now=NOW, dayfirst=False) == ParsedDate(date(2024, 4, 5))
    # unambiguous either way
    assert parse_date("04/19/2022", now=NOW) == ParsedDate(date(2022, 4, 19))


def test_parse_date_reads_year_first_numbers_year_month_day() -> None:
    assert parse_date("2024-03-05, 10:30", now=NOW) == ParsedDate(
        datetime(2024, 3, 5, 10, 30)  # noqa: DTZ001 - no zone given
    )


@pytest.mark.parametrize(
    "raw",
    [
        "Room 101",  # dateutil's fuzzy mode makes this the year 101
        "from 2002",
        "The current legislative framework is the Facilitators Package from 2002.",
        "Monday, 18 April",  # no year
        "Saturday (May 7)",
        "March 2024",  # no day
        "2024",
        "12345678901234567890",  # dateutil raises OverflowError on long digit runs
        "99999999999999999999999 March 2024",
        "5 March 1850",  # before the floor
        "5 March 2099",  # after ingestion
        "2026-11-24",  # two days after ingestion
        "31 February 2024",
        "",
    ],
)
def test_parse_date_rejects_non_dates_and_implausible_dates(raw: str) -> None:
    assert parse_date(raw, now=NOW) is None


def test_parse_date_accepts_the_ingestion_day_and_the_next() -> None:
    assert parse_date("2026-11-23", now=NOW) is not None


@given(st.text(max_size=200))
def test_parse_date_never_raises(text: str) -> None:
    parse_date(text, now=NOW)
    parse_date_line(text, now=NOW)
    parse_published_line(text, now=NOW)


def test_parse_date_line_refuses_sentences() -> None:
    assert parse_date_line("Tuesday, 05, March, 2024", now=NOW) is not None
    assert parse_date_line("On 5 March 2024 rockets were fired", now=NOW) is None
    assert parse_date_line("5 марта 2024 г.", now=NOW) is not None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published: 5 March 2024", date(2024, 3, 5)),
        ("Published on March 5, 2024", date(2024, 3, 5)),
        ("Updated: 05.03.2024", date(2024, 3, 5)),
        ("Опубликовано: 5 марта 2024", date(2024, 3, 5)),
        ("Опубликовано: 05.03.2024 09:18", date(2024, 3, 5)),
        ("Nashr qilingan: 5-mart, 2024", date(2024, 3, 5)),
        ("Санаи нашр: 5 марти 2024", date(2024, 3, 5)),
        ("Veröffentlicht am 5. März 2024", date(2024, 3, 5)),
        ("Publié le 5 mars 2024", date(2024, 3, 5)),
        ("TASHKENT, March 5, 2024 (Reuters) - Uzbekistan said on Tuesday", date(2024, 3, 5)),
    ],
)
def test_parse_published_line_reads_labels_and_datelines(line: str, expected: date) -> None:
    parsed = parse_published_line(line, now=NOW)
    assert parsed is not None, line
    assert parsed.day() == expected
    assert parsed.source == PUBLISHED_LINE


@pytest.mark.parametrize(
    "line",
    ["Published: yesterday", "TASHKENT, March 5 (Reuters) - no year", "Updated daily since 2002"],
)
def test_parse_published_line_needs_a_full_date(line: str) -> None:
    assert parse_published_line(line, now=NOW) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/2022/04/19/rockets-termez/", date(2022, 4, 19)),
        ("https://example.org/news/2022/4/19/story.html", date(2022, 4, 19)),
        ("https://example.org/news/2022-04-19-rockets", date(2022, 4, 19)),
        ("https://example.org/20220419/story", date(2022, 4, 19)),
        ("https://example.org/2022/04/rockets", None),  # month only
        ("https://example.org/id/20221399/", None),
        ("https://example.org/story?date=2022/04/19", None),  # the path only
        ("https://example.org/2099/01/01/future", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: date | None) -> None:
    parsed = date_from_url(url, now=NOW)
    assert (parsed.day() if parsed else None) == expected
    if parsed:
        assert parsed.source == URL


def _candidate(value: date, source: str) -> ParsedDate:
    return ParsedDate(value=value, source=source)


def test_choose_date_prefers_the_more_reliable_place_and_keeps_the_others() -> None:
    header = _candidate(date(2024, 3, 5), TEXT_HEADER)
    url = _candidate(date(2022, 4, 19), URL)
    meta = _candidate(date(2022, 4, 19), HTML_META)
    chosen = choose_date([header, url, meta, None])
    assert chosen.date == meta
    # The header date's disagreement does not count; the URL's agreement does not either,
    # as htmldate (page metadata) reads the URL itself.
    assert chosen.confidence == "medium"
    assert [item.source for item in chosen.candidates] == [HTML_META, URL, TEXT_HEADER]


def test_choose_date_independent_agreement_raises_confidence() -> None:
    chosen = choose_date(
        [_candidate(date(2022, 4, 19), URL), _candidate(date(2022, 4, 19), PUBLISHED_LINE)]
    )
    assert chosen.date is not None and chosen.date.source == PUBLISHED_LINE
    assert chosen.confidence == "high"


def test_choose_date_lowers_confidence_when_sources_disagree() -> None:
    chosen = choose_date(
        [_candidate(date(2022, 4, 19), URL), _candidate(date(2021, 1, 1), HTML_META)]
    )
    assert chosen.date is not None and chosen.date.source == HTML_META
    assert chosen.confidence == "low"


@pytest.mark.parametrize(
    ("source", "confidence"),
    [
        (SIDECAR, "high"),
        (FEED, "high"),
        (HTML_META, "medium"),
        (PUBLISHED_LINE, "medium"),
        (URL, "medium"),
        (TEXT_HEADER, "low"),
    ],
)
def test_choose_date_confidence_of_a_lone_candidate(source: str, confidence: str) -> None:
    assert choose_date([_candidate(date(2022, 4, 19), source)]).confidence == confidence


def test_choose_date_with_nothing() -> None:
    chosen = choose_date([None])
    assert (chosen.date, chosen.confidence, chosen.candidates) == (None, None, ())


def test_choose_date_prefers_published_over_updated_lines() -> None:
    updated = parse_published_line("Updated: 7 March 2024", now=NOW)
    published = parse_published_line("Published: 5 March 2024", now=NOW)
    assert updated is not None and updated.updated
    assert published is not None and not published.updated
    chosen = choose_date([updated, published])
    assert chosen.date == published
    assert chosen.confidence == "medium"  # an update on another day is no disagreement
    alone = choose_date([updated])
    assert alone.date == updated
    assert alone.confidence == "low"


def test_dates_parse_date_survives_an_offset_of_a_whole_day() -> None:
    assert parse_date("1/1/0/000000-24", now=NOW) is None
