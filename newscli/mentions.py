# ruff: noqa: RUF001 - Cyrillic year words are data, not look-alike typos
"""Dates mentioned in an article's body, resolved to days without guessing.

A date written with its year is taken as it is. A date without a year ("Monday, 18 April",
"Saturday (May 7)", "April 18") takes the nearest fitting year not after a reference day:

1. the publication date (when the caller trusts it),
2. failing that, the latest of the article's other fully resolved dates,
3. failing those, and only when a weekday is given, the ingestion date.

Where a weekday is given only years in which the day falls on that weekday fit. A reference
taken from the article's own dates must not be older than the latest year the article mentions
(an article that says "2014" was not written in 2001, whatever "September 11, 2001" suggests).
A date that cannot be resolved is dropped, never guessed. Nothing here runs a fuzzy parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from newscli.dates import MONTHS, WEEKDAYS, month_number, weekday_number

__all__ = ["Mention", "extract_mentions", "find_mentions", "resolve_year"]

EARLIEST_MENTION_YEAR = 1800
"""Mentions before this year are taken for accidents (page numbers, counts), not dates."""
FUTURE_YEARS = 10
"""Mentions up to this many years after ingestion are kept (planned events, deadlines)."""
_WEEKDAY_SPAN = 12
"""How many years back a weekday may send a year-less date (weekday cycles repeat within 11)."""

_MONTH_WORDS = sorted(
    (word for word in MONTHS if len(word) >= 3), key=lambda word: (-len(word), word)
)
_WEEKDAY_WORDS = sorted(
    (word for word in WEEKDAYS if len(word) > 3), key=lambda word: (-len(word), word)
)
_MON = r"(?P<m>(?:" + "|".join(re.escape(word) for word in _MONTH_WORDS) + r")\.?)"
_MON_SUFFIX = r"(?:dagi|gacha|dan|da|ga|даги|гача|дан|да|га)?"
_WD = r"(?:(?P<wd>" + "|".join(re.escape(word) for word in _WEEKDAY_WORDS) + r")[,.]?\s*\(?\s*)?"
_YEAR_WORD = r"(?:\s*(?:-?yil\w*|-?йил\w*|г\.|года|году|год))?"
_DAY = r"(?P<d>(?:[12]\d|3[01]|0?[1-9]))"
_YEAR = r"(?P<y>(?:1[89]|2[01])\d\d)"

_PATTERNS = (
    # 18 April 2022, Monday, 18 April, 5-mart 2024, 5 марта 2024, 5 марти соли 2024, 5. März
    re.compile(
        r"(?<![\w.,/-])"
        + _WD
        + _DAY
        + r"(?:st|nd|rd|th|er)?(?:\.|-|\s)\s*(?:of\s+)?"
        + _MON
        + _MON_SUFFIX
        + r"\)?(?:,?\s+(?:соли\s+|de\s+)?"
        + _YEAR
        + _YEAR_WORD
        + r")?(?![\w-])",
        re.IGNORECASE,
    ),
    # April 18, 2022, Saturday (May 7), Monday, April 18
    re.compile(
        r"(?<![\w.-])" + _WD + _MON + r"\s+" + _DAY + r"(?:st|nd|rd|th)?\)?"
        r"(?:,?\s+" + _YEAR + r")?(?![\w:])",
        re.IGNORECASE,
    ),
    # 2024-yil 5-mart, 2024 йил 5 март
    re.compile(
        r"(?<![\w.-])"
        + _YEAR
        + r"(?:-|\s)(?:yil|йил)\w*\s+"
        + _DAY
        + r"(?:-|\s)"
        + _MON
        + _MON_SUFFIX
        + r"(?!\w)",
        re.IGNORECASE,
    ),
    # 16.11.2024, 16/11/2024 (day first)
    re.compile(
        r"(?<![\w.,/:-])"
        + _DAY
        + r"(?P<sep>[./])(?P<mn>0?[1-9]|1[0-2])(?P=sep)"
        + _YEAR
        + r"(?![\w/-]|\.\d)"
    ),
    # 2024-11-16
    re.compile(r"(?<![\w.,/:-])" + _YEAR + r"-(?P<mn>0[1-9]|1[0-2])-" + _DAY + r"(?![\w/:-])"),
)
# English words that are also month abbreviations or names in lower case ("may", "mar"):
# they count only capitalised, unless written the Uzbek way with a hyphen ("5-may").
_AMBIGUOUS_LOWER = frozenset("may mar jan jun jul aug sep sept oct nov dec".split())
_MENTIONED_YEAR = re.compile(r"(?<![\w.,:/-])((?:1[89]|20)\d\d)(?![\w:/]|[.,]\d)")


@dataclass(frozen=True, slots=True)
class Mention:
    """A date as written in the text; ``year`` and ``weekday`` are None when not given."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    weekday: int | None


_DAY_FIRST = (_PATTERNS[0], _PATTERNS[3])
_MONTH_FIRST = _PATTERNS[1]
_YEAR_FIRST = (_PATTERNS[2], _PATTERNS[4])
_NUMBER = re.compile(r"\d+")
_MONTH_GAP = frozenset(" \t\u00a0.")
_WEEKDAY_GAP = frozenset(" \t\u00a0,.(")
_MAX_GAP = 4
_MAX_NAME = 20
"""Month and weekday names are shorter than this; longer words are not looked at."""


def find_mentions(text: str) -> list[Mention]:
    """Return the dates written in ``text`` (day and month at least), in reading order."""
    return _scan(text)[0]


def _word_before(text: str, end: int, gap: frozenset[str]) -> tuple[str, int] | None:
    """Return the word just before ``end`` (across a few ``gap`` characters) and its start.

    A plain character walk: a regular expression searched backwards from every number was
    the slowest part of mention extraction.
    """
    index = end
    limit = max(0, end - _MAX_GAP)
    while index > limit and text[index - 1] in gap:
        index -= 1
    word_end = index
    limit = max(0, word_end - _MAX_NAME)
    while index > limit and text[index - 1].isalpha():
        index -= 1
    if index == word_end or (index > 0 and text[index - 1].isalpha()):
        return None
    return text[index:word_end], index


def _starts(text: str, position: int) -> list[int]:
    """Return ``position`` and, when a weekday name precedes it, where that weekday starts."""
    starts = [position]
    weekday = _word_before(text, position, _WEEKDAY_GAP)
    if weekday is not None and weekday_number(weekday[0]) is not None:
        starts.append(weekday[1])
    return starts


def _scan(text: str) -> tuple[list[Mention], set[int]]:
    """Find the written dates and every year mentioned anywhere (one pass over numbers).

    Every date form holds a number, so the patterns are only tried where one stands: this is
    many times faster than running each pattern over the whole text.
    """
    found: list[Mention] = []
    years: set[int] = set()
    for number in _NUMBER.finditer(text):
        position, digits = number.start(), number.group()
        attempts: list[tuple[re.Pattern[str], int]] = []
        if len(digits) <= 2:
            starts = _starts(text, position)
            attempts += [(pattern, start) for pattern in _DAY_FIRST for start in starts]
            month = _word_before(text, position, _MONTH_GAP)
            if month is not None and month_number(month[0]) is not None:
                attempts += [(_MONTH_FIRST, start) for start in _starts(text, month[1])]
        elif len(digits) == 4:
            attempts += [(pattern, position) for pattern in _YEAR_FIRST]
            if _MENTIONED_YEAR.match(text, position):
                years.add(int(digits))
        for pattern, start in attempts:
            match = pattern.match(text, start)
            mention = _mention(match) if match else None
            if mention is not None:
                found.append(mention)
    found.sort(key=lambda item: (item.start, -(item.end - item.start)))
    kept: list[Mention] = []
    for item in found:
        if kept and item.start < kept[-1].end:
            continue  # the same date found from another start, or overlapping a longer one
        kept.append(item)
    return kept, years


def _mention(match: re.Match[str]) -> Mention | None:
    groups = match.groupdict()
    if groups.get("mn"):
        month: int | None = int(groups["mn"])
    else:
        word = groups["m"]
        ambiguous = word.rstrip(".").lower() in _AMBIGUOUS_LOWER and word[0].islower()
        if ambiguous and "-" not in match.group(0):
            return None
        month = month_number(word)
    if month is None:
        return None
    year = int(groups["y"]) if groups.get("y") else None
    weekday = weekday_number(groups["wd"]) if groups.get("wd") else None
    return Mention(
        start=match.start(),
        end=match.end(),
        day=int(groups["d"]),
        month=month,
        year=year,
        weekday=weekday,
    )


def resolve_year(
    month: int, day: int, *, reference: date, weekday: int | None = None
) -> date | None:
    """Return the nearest ``day``/``month`` not after ``reference`` that fits ``weekday``."""
    span = _WEEKDAY_SPAN if weekday is not None else 2
    for year in range(reference.year, reference.year - span, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February in a common year, 31 April
        if candidate > reference:
            continue
        if weekday is not None and candidate.weekday() != weekday:
            continue
        return candidate
    return None


def extract_mentions(
    text: str, *, now: datetime, published: date | None = None
) -> tuple[date, ...]:
    """Return the days ``text`` mentions, resolved as the module docstring says; sorted, unique.

    ``published`` is the publication day to resolve year-less dates against (pass None when
    it is unknown or not trusted); ``now`` is the ingestion time.
    """
    mentions, years = _scan(text)
    today = now.date()
    # Future years (plans, deadlines) say nothing about when the article was written.
    latest_year = max((year for year in years if year <= today.year), default=None)
    resolved: list[date] = []
    for item in mentions:
        if item.year is None:
            continue
        try:
            value = date(item.year, item.month, item.day)
        except ValueError:
            continue
        if item.weekday is not None and value.weekday() != item.weekday:
            continue  # "Monday, 19 April 2022" is wrong somewhere; do not pick a side
        if EARLIEST_MENTION_YEAR <= value.year <= today.year + FUTURE_YEARS:
            resolved.append(value)

    def own_reference(days: list[date]) -> date | None:
        usable = [day for day in days if day <= today]
        if not usable:
            return None
        latest = max(usable)
        if latest_year is not None and latest.year < latest_year:
            return None  # the article speaks of later years: its dates are history, not "now"
        return latest

    with_weekday = [item for item in mentions if item.year is None and item.weekday is not None]
    reference = published or own_reference(resolved) or today
    for item in with_weekday:
        found = resolve_year(item.month, item.day, reference=reference, weekday=item.weekday)
        if found is not None:
            resolved.append(found)
    reference_plain = published or own_reference(resolved)
    if reference_plain is not None:
        for item in mentions:
            if item.year is None and item.weekday is None:
                found = resolve_year(item.month, item.day, reference=reference_plain)
                if found is not None:
                    resolved.append(found)
    return tuple(sorted(set(resolved)))
