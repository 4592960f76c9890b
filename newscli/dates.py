"""Parse dates with python-dateutil: never raises, never guesses, keeps precision and provenance.

This is the only module that imports dateutil.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from dateutil import parser as _dateutil_parser
from dateutil.tz import tzoffset

__all__ = ["EARLIEST_YEAR", "ParsedDate", "is_plausible", "parse_date", "parse_date_line"]

EARLIEST_YEAR = 1900
"""Dates before this year are taken for parsing accidents, not publication dates."""
_MAX_INPUT = 120
"""Longer strings are not a date but a sentence; dateutil would only find accidents in them."""
_MAX_DATE_LINE = 60

# Two defaults that differ in every field: a field that comes out differently was not in the text.
_DEFAULT_A = datetime(1904, 1, 1, 0, 0, 0, 0)  # noqa: DTZ001 - a sentinel, never a real date
_DEFAULT_B = datetime(1905, 2, 2, 1, 1, 1, 1)  # noqa: DTZ001 - a sentinel, never a real date

_TZINFOS: dict[str, tzinfo] = {
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "CET": tzoffset("CET", 3600),
    "CEST": tzoffset("CEST", 7200),
    "MSK": tzoffset("MSK", 3 * 3600),
    "UZT": tzoffset("UZT", 5 * 3600),
    "TJT": tzoffset("TJT", 5 * 3600),
    "AFT": tzoffset("AFT", 4 * 3600 + 1800),
    "EST": tzoffset("EST", -5 * 3600),
    "EDT": tzoffset("EDT", -4 * 3600),
    "PST": tzoffset("PST", -8 * 3600),
    "PDT": tzoffset("PDT", -7 * 3600),
}

_ISO_LIKE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_HAS_DIGIT = re.compile(r"\d")
_LONG_DIGITS = re.compile(r"\d{9,}")
# Separators news sites put between time and date ("09:18 / 16.11.2024", "12:00 | 5 May 2024").
_SEPARATORS = re.compile(r"\s*[|/·•]\s+|\s+[|/·•]\s*")
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_DATE_WORDS = frozenset(
    (
        "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june "
        "july august september october november december mon tue tues wed thu thur thurs fri sat "
        "sun monday tuesday wednesday thursday friday saturday sunday am pm utc gmt z t at of on "
        "the"
    ).split()
)


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A parsed date: a ``date`` when only the day is known, else a ``datetime``."""

    value: date | datetime
    source: str = ""

    @property
    def has_time(self) -> bool:
        """Return whether a time of day was given."""
        return isinstance(self.value, datetime)

    def isoformat(self) -> str:
        """Return ISO 8601: ``2024-03-05``, ``2024-11-16T09:18:00`` or with its zone."""
        return self.value.isoformat()

    def day(self) -> date:
        """Return the calendar day as written (in the date's own zone, if any)."""
        return self.value.date() if isinstance(self.value, datetime) else self.value


def is_plausible(value: date | datetime, *, now: datetime) -> bool:
    """Return whether ``value`` can be a publication date seen at ``now``."""
    day = value.date() if isinstance(value, datetime) else value
    return day.year >= EARLIEST_YEAR and day <= (now + timedelta(days=1)).date()


def parse_date(
    raw: str | None, *, now: datetime, source: str = "", dayfirst: bool = True
) -> ParsedDate | None:
    """Parse a string that is a date (not a sentence containing one); return None if unsure.

    The day, month and year must all be present; a time is kept when given. Numeric dates are
    read day-first unless ``dayfirst`` is False. Implausible dates (before 1900, or more than a
    day after ``now``) give None. Never raises.
    """
    if not raw:
        return None
    text = " ".join(str(raw).split())
    if not text or len(text) > _MAX_INPUT or not _HAS_DIGIT.search(text):
        return None
    if _LONG_DIGITS.search(text):
        return None
    value = _parse_iso(text) if _ISO_LIKE.match(text) else _parse_free(text, dayfirst=dayfirst)
    if value is None or not is_plausible(value, now=now):
        return None
    return ParsedDate(value=value, source=source)


def parse_date_line(line: str, *, now: datetime, source: str = "") -> ParsedDate | None:
    """Parse a line that consists of a date and nothing else (a dateline, a header date)."""
    text = line.strip()
    if not text or len(text) > _MAX_DATE_LINE:
        return None
    words = [w.lower() for w in _WORDS.findall(text)]
    if any(w not in _DATE_WORDS for w in words):
        return None
    return parse_date(text, now=now, source=source)


def _parse_iso(text: str) -> date | datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(text) == 10:
        return value.date()
    return value


def _parse_free(text: str, *, dayfirst: bool) -> date | datetime | None:
    text = _SEPARATORS.sub(" ", text)
    try:
        first = _dateutil_parser.parse(
            text, dayfirst=dayfirst, default=_DEFAULT_A, tzinfos=_TZINFOS
        )
        second = _dateutil_parser.parse(
            text, dayfirst=dayfirst, default=_DEFAULT_B, tzinfos=_TZINFOS
        )
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        return None
    if first.year != second.year or first.month != second.month or first.day != second.day:
        return None  # year, month or day missing: not a full date
    if first.hour != second.hour and first.minute != second.minute:
        return first.date()
    value = first.replace(second=first.second if first.second == second.second else 0)
    if value.microsecond != second.microsecond:
        value = value.replace(microsecond=0)
    if value.tzinfo is not None and value.utcoffset() == timedelta(0):
        value = value.replace(tzinfo=UTC)
    return value


def to_utc_naive(value: date | datetime) -> datetime:
    """Return the instant (or day start) as a naive UTC datetime, for index range queries."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value
    return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - naive UTC by design
