"""``newscli.mentions``: dates written in the body, resolved without guessing."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscli.mentions import extract_mentions, find_mentions, resolve_year
from newscli.plaintext import parse_text_article
from tests.conftest import CORPUS, SAMPLE_IDS

INGESTED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _body(sample: str) -> str:
    text = (CORPUS / SAMPLE_IDS[sample]).read_text(encoding="utf-8")
    return parse_text_article(text, now=INGESTED).body.text


def test_mentions_sample_001_monday_18_april_is_2022() -> None:
    assert date(2022, 4, 18) in extract_mentions(_body("001"), now=INGESTED)


def test_mentions_sample_002_saturday_may_7_and_april_18() -> None:
    found = extract_mentions(_body("002"), now=INGESTED)
    assert date(2022, 5, 7) in found  # "Saturday (May 7)": weekday against ingestion
    assert date(2022, 4, 18) in found  # "April 18": against the article's resolved dates
    assert found == (date(2022, 4, 17), date(2022, 4, 18), date(2022, 5, 1), date(2022, 5, 7))


def test_mentions_sample_003_drops_year_less_dates_of_an_article_speaking_of_later_years() -> None:
    # "since August 15, 2021" is explicit; "On September 4" cannot take 2021 as its year
    # because the text mentions 2024: it is dropped, not guessed.
    assert extract_mentions(_body("003"), now=INGESTED) == (date(2021, 8, 15),)


def test_mentions_sample_004_history_is_not_a_reference() -> None:
    # "September 11, 2001" is history: the June dates must not become 2001.
    assert extract_mentions(_body("004"), now=INGESTED) == (date(2001, 9, 11),)


def test_mentions_no_sample_mentions_2002() -> None:
    for sample in SAMPLE_IDS:
        assert all(day.year != 2002 for day in extract_mentions(_body(sample), now=INGESTED))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rockets were fired on Monday, 18 April.", date(2022, 4, 18)),
        ("Militants attacked on Saturday (May 7).", date(2022, 5, 7)),
        ("Talks began on Tuesday (28 November) in Brussels.", date(2023, 11, 28)),
        ("Ракеты выпустили в понедельник, 18 апреля.", date(2022, 4, 18)),
        ("Dushanba, 18-aprel kuni raketalar otildi.", date(2022, 4, 18)),
        ("Душанба, 18-апрель куни ракеталар отилди.", date(2022, 4, 18)),
        ("Рӯзи душанбе, 18 апрели ракетаҳо партофта шуданд.", date(2022, 4, 18)),
        ("Am Montag, 18. April, wurden Raketen abgefeuert.", date(2022, 4, 18)),
        ("Des roquettes ont été tirées le lundi 18 avril.", date(2022, 4, 18)),
    ],
)
def test_mentions_weekday_picks_the_nearest_fitting_year(text: str, expected: date) -> None:
    assert extract_mentions(text, now=INGESTED) == (expected,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The meeting on 5 March 2024 was postponed.", date(2024, 3, 5)),
        ("The meeting on March 5, 2024 was postponed.", date(2024, 3, 5)),
        ("Встреча 5 марта 2024 г. была отложена.", date(2024, 3, 5)),
        ("Uchrashuv 2024-yil 5-martda bo'lib o'tdi.", date(2024, 3, 5)),
        ("Uchrashuv 5-mart, 2024 kuni bo'ldi.", date(2024, 3, 5)),
        ("Учрашув 2024 йил 5 мартда бўлди.", date(2024, 3, 5)),
        ("Мулоқот 5 марти соли 2024 баргузор шуд.", date(2024, 3, 5)),
        ("Das Treffen am 5. März 2024 fand statt.", date(2024, 3, 5)),
        ("La réunion du 5 mars 2024 a eu lieu.", date(2024, 3, 5)),
        ("Posted 09:18 / 16.11.2024 in News", date(2024, 11, 16)),
        ("Deadline: 16/11/2024.", date(2024, 11, 16)),
        ("Filed 2024-11-16.", date(2024, 11, 16)),
    ],
)
def test_mentions_full_dates_in_every_language(text: str, expected: date) -> None:
    assert extract_mentions(text, now=INGESTED) == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "He waited in Room 101 for the verdict.",
        "The current legislative framework is the Facilitators Package from 2002.",
        "Officials may 7 times a year meet.",  # "may" the verb
        "In December 2021 the army paraded.",  # no day
        "On April 18, ISIS launched a rocket attack.",  # no year, no weekday, no reference
        "On Monday the ministry denied it.",  # weekday alone
        "Version 1.2.3 of the rules, page 12.05.",
    ],
)
def test_mentions_drop_what_is_not_a_resolvable_day(text: str) -> None:
    assert extract_mentions(text, now=INGESTED) == ()


def test_mentions_publication_date_is_the_first_reference() -> None:
    text = "On April 18 rockets were fired; on December 30 talks were held."
    found = extract_mentions(text, now=INGESTED, published=date(2022, 5, 9))
    # Nearest year not after publication: December 30 is in the previous year.
    assert found == (date(2021, 12, 30), date(2022, 4, 18))


def test_mentions_weekday_against_the_publication_date() -> None:
    found = extract_mentions("on Monday, 18 April", now=INGESTED, published=date(2024, 3, 5))
    assert found == (date(2022, 4, 18),)


def test_mentions_weekday_that_contradicts_the_year_is_dropped() -> None:
    assert extract_mentions("on Tuesday, 18 April 2022", now=INGESTED) == ()


def test_mentions_own_dates_are_a_reference() -> None:
    text = "The deal of 2 May 2022 followed the attack on April 18."
    assert extract_mentions(text, now=INGESTED) == (date(2022, 4, 18), date(2022, 5, 2))


def test_find_mentions_keeps_weekday_and_missing_year() -> None:
    (mention,) = find_mentions("Saturday (May 7)")
    assert (mention.day, mention.month, mention.year, mention.weekday) == (7, 5, None, 5)


def test_resolve_year_skips_impossible_days() -> None:
    assert resolve_year(2, 29, reference=date(2023, 3, 1)) is None  # 2023 and 2022: no 29 Feb
    assert resolve_year(2, 29, reference=date(2024, 3, 1)) == date(2024, 2, 29)


@given(st.text(max_size=300), st.none() | st.dates())
def test_mentions_never_raise(text: str, published: date | None) -> None:
    found = extract_mentions(text, now=INGESTED, published=published)
    assert list(found) == sorted(set(found))


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2026, 11, 22)))
def test_mentions_full_dates_round_trip(day: date) -> None:
    months = list(calendar.month_name)[1:]
    text = f"It happened on {day.day} {months[day.month - 1]} {day.year} in Termez."
    assert extract_mentions(text, now=INGESTED) == (day,)
