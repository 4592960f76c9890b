# ruff: noqa: RUF001 - Cyrillic month and weekday names are data, not look-alike typos
"""Parse dates with python-dateutil: never raises, never guesses, keeps precision and provenance.

This is the only module that imports dateutil. Month and weekday names in Russian, Uzbek (Latin
and Cyrillic), Tajik, German and French are translated to English through our own tables before
dateutil sees the string; dateutil is never run in fuzzy mode. It also holds the rules that pick
a publication date among candidates from several places (:func:`choose_date`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from urllib.parse import urlsplit

from dateutil import parser as _dateutil_parser
from dateutil.tz import tzoffset

__all__ = [
    "CONFIDENCES",
    "EARLIEST_YEAR",
    "FEED",
    "HTML_META",
    "MONTHS",
    "PROVENANCES",
    "PUBLISHED_LINE",
    "SIDECAR",
    "TEXT_HEADER",
    "URL",
    "WEEKDAYS",
    "ChosenDate",
    "ParsedDate",
    "choose_date",
    "date_from_url",
    "is_plausible",
    "month_number",
    "parse_date",
    "parse_date_line",
    "parse_published_line",
    "weekday_number",
]

EARLIEST_YEAR = 1900
"""Dates before this year are taken for parsing accidents, not publication dates."""
_MAX_INPUT = 120
"""Longer strings are not a date but a sentence; dateutil would only find accidents in them."""
_MAX_DATE_LINE = 60
_MAX_PUBLISHED_LINE = 300
"""Only the start of a paragraph can hold a dateline ("TASHKENT, March 5, 2024 (Reuters) -")."""

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
        "the h er"
    ).split()
)


SIDECAR = "sidecar"
FEED = "feed"
HTML_META = "html-meta"
PUBLISHED_LINE = "published-line"
URL = "url"
TEXT_HEADER = "text-header"
PROVENANCES = (SIDECAR, FEED, HTML_META, PUBLISHED_LINE, URL, TEXT_HEADER)
"""Where a publication date can come from, most reliable first (the order :func:`choose_date`
prefers): a sidecar the user wrote, the feed entry, the page's metadata (JSON-LD, OpenGraph,
``<time>``, via trafilatura/htmldate), a "Published:" line or dateline in the text, the URL
path, and last a bare date line at the top of a saved text (often the day it was saved)."""
CONFIDENCES = ("low", "medium", "high")
_BASE_CONFIDENCE = {
    SIDECAR: 2,
    FEED: 2,
    HTML_META: 1,
    PUBLISHED_LINE: 1,
    URL: 1,
    TEXT_HEADER: 0,
}


def _words(table: dict[int, str]) -> dict[str, int]:
    return {word: number for number, words in table.items() for word in words.split()}


MONTHS: dict[str, int] = _words(
    {
        1: "january jan janv janvier januar jänner jan yanvar январь января январе янв январ "
        "январи",
        2: "february feb febr fevral février fevrier févr fevr februar феврал февраль февраля "
        "феврале фев феврали",
        3: "march mar mart mars märz maerz mär марта март марте мар марти",
        4: "april apr aprel avril avr апреля апрель апреле апр апрел апрели",
        5: "may mai мая май мае майи",
        6: "june jun iyun juin juni июня июнь июне июн июни",
        7: "july jul iyul juillet juil juli июля июль июле июл июли",
        8: "august aug avgust août aout августа август августе авг августи",
        9: "september sep sept sentabr sentyabr septembre сентября сентябрь сентябре сен сент "
        "сентябр сентябри",
        10: "october oct oktabr oktyabr octobre oktober okt октября октябрь октябре окт октябр "
        "октябри",
        11: "november nov noyabr novembre ноября ноябрь ноябре ноя нояб ноябр ноябри",
        12: "december dec dekabr décembre decembre déc dezember dez декабря декабрь декабре дек "
        "декабр декабри",
    }
)
"""Month names and abbreviations (lower case) in English, Russian, Uzbek Latin and Cyrillic,
Tajik, German and French, mapped to the month number."""

WEEKDAYS: dict[str, int] = _words(
    {
        0: "monday mon dushanba душанба душанбе понедельник пн montag lundi",
        1: "tuesday tue tues seshanba сешанба сешанбе вторник вт dienstag mardi",
        2: "wednesday wed chorshanba чоршанба чоршанбе среда среду ср mittwoch mercredi",
        3: "thursday thu thur thurs payshanba пайшанба панҷшанбе панчшанбе четверг чт "
        "donnerstag jeudi",
        4: "friday fri juma жума ҷумъа ҷумa пятница пятницу пт freitag vendredi",
        5: "saturday sat shanba шанба шанбе суббота субботу сб samstag sonnabend samedi",
        6: "sunday sun yakshanba якшанба якшанбе воскресенье вс sonntag dimanche",
    }
)
"""Weekday names (lower case) in the same languages, mapped to ``date.weekday()`` numbers."""

_EN_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Uzbek case endings on a month name ("5-martda", "5-мартдаги"), longest first.
_SUFFIXES = ("dagi", "gacha", "dan", "da", "ga", "даги", "гача", "дан", "да", "га")
# Words that only say "year", "at", "on", "the", "o'clock": dropped before dateutil parses.
_NOISE = frozenset(
    "г гг год года году yil yilda yili yilning йил йилда йили йилнинг сол соли sol soli "
    "в во soat соат соати um uhr à le der den de".split()
)


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A parsed date: a ``date`` when only the day is known, else a ``datetime``."""

    value: date | datetime
    source: str = ""
    updated: bool = False
    """A modification date ("Updated: ..."): ranked after publication dates of its source."""

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


def month_number(word: str) -> int | None:
    """Return the month a month name or abbreviation stands for, in any supported language."""
    key = word.lower().rstrip(".")
    month = MONTHS.get(key)
    if month is None:
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 2:
                month = MONTHS.get(key[: -len(suffix)])
                if month is not None:
                    break
    return month


def weekday_number(word: str) -> int | None:
    """Return ``date.weekday()`` for a weekday name in any supported language, else None."""
    return WEEKDAYS.get(word.lower().rstrip(".,"))


def parse_date(
    raw: str | None, *, now: datetime, source: str = "", dayfirst: bool = True
) -> ParsedDate | None:
    """Parse a string that is a date (not a sentence containing one); return None if unsure.

    The day, month and year must all be present; a time is kept when given. Month and weekday
    names may be English, Russian, Uzbek (Latin or Cyrillic), Tajik, German or French. Numeric
    dates are read day-first unless ``dayfirst`` is False (year-first forms are always read
    year-month-day). Implausible dates (before 1900, or more than a day after ``now``) give
    None. Never raises.
    """
    if not raw:
        return None
    text = " ".join(str(raw).split())
    if not text or len(text) > _MAX_INPUT or not _HAS_DIGIT.search(text):
        return None
    if _LONG_DIGITS.search(text):
        return None
    if _ISO_LIKE.match(text):
        value = _parse_iso(text)
    else:
        english = _to_english(text)
        value = _parse_free(english, dayfirst=dayfirst and not _YEAR_FIRST.match(english))
    if value is None or not is_plausible(value, now=now):
        return None
    return ParsedDate(value=value, source=source)


def parse_date_line(
    line: str, *, now: datetime, source: str = "", dayfirst: bool = True
) -> ParsedDate | None:
    """Parse a line that consists of a date and nothing else (a dateline, a header date)."""
    text = line.strip()
    if not text or len(text) > _MAX_DATE_LINE:
        return None
    if any(not _is_date_word(word) for word in _WORDS.findall(text)):
        return None
    return parse_date(text, now=now, source=source, dayfirst=dayfirst)


_LABELLED = re.compile(
    r"^\W{0,3}(?P<label>published|posted|updated|last updated|date|dated|released|"
    r"опубликовано|опубликован|дата публикации|дата|обновлено|"
    r"e'lon qilingan|e’lon qilingan|nashr qilingan|chop etilgan|sana|yangilangan|"
    r"эълон қилинган|нашр қилинган|нашр шуд|санаи нашр|сана|"
    r"veröffentlicht|aktualisiert|stand|publié le|publié|mis à jour le|mis à jour|publicado)"
    r"\s*(?:on|am|le|:|-)?\s*(?P<date>\S.{4,60})$",
    re.IGNORECASE,
)
_UPDATED_LABELS = frozenset(
    (
        "updated",
        "last updated",
        "обновлено",
        "yangilangan",
        "aktualisiert",
        "stand",
        "mis à jour",
        "mis à jour le",
    )
)
# "TASHKENT, March 5, 2024 (Reuters) -", "MOSCOW, 5 March 2024 - ": a dateline opening a story.
_DATELINE = re.compile(
    r"^(?:[A-ZА-ЯЁЎҚҒҲ][A-ZА-ЯЁЎҚҒҲ'’. -]{1,30}),\s+(?P<date>[^()\u2013\u2014]{6,40}?)\s*"
    r"(?:\([^)]{1,30}\)\s*)?[-\u2013\u2014]\s"
)


def parse_published_line(
    line: str, *, now: datetime, dayfirst: bool = True, dateline: bool = True
) -> ParsedDate | None:
    """Parse a "Published: ..." / "Опубликовано: ..." line or (``dateline``) a dateline
    opening a story ("TASHKENT, March 5, 2024 (Reuters) - ...").

    The date must be complete (day, month and year); the provenance is ``published-line``.
    """
    text = " ".join(line[:_MAX_PUBLISHED_LINE].split())
    for pattern in (_LABELLED, _DATELINE) if dateline else (_LABELLED,):
        match = pattern.match(text)
        if match:
            value = match.group("date").strip(" .,;|")
            parsed = parse_date_line(value, now=now, source=PUBLISHED_LINE, dayfirst=dayfirst)
            label = (match.groupdict().get("label") or "").lower()
            if parsed is not None and label in _UPDATED_LABELS:
                return ParsedDate(value=parsed.value, source=PUBLISHED_LINE, updated=True)
            if parsed is not None:
                return parsed
    return None


# /2022/04/19/, /2022-04-19-title, /2022/4/19/, /20220419/ (a whole path segment).
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=/|$)"
)


def date_from_url(url: str | None, *, now: datetime) -> ParsedDate | None:
    """Return the day a URL path spells out (``/2022/04/19/``), provenance ``url``."""
    if not url:
        return None
    path = urlsplit(url).path
    match = _URL_DATE.search(path)
    if not match:
        return None
    parts = [int(part) for part in match.groups() if part is not None]
    try:
        value = date(parts[0], parts[1], parts[2])
    except ValueError:
        return None
    if not is_plausible(value, now=now):
        return None
    return ParsedDate(value=value, source=URL)


@dataclass(frozen=True, slots=True)
class ChosenDate:
    """The publication date picked among candidates, how sure we are, and all candidates."""

    date: ParsedDate | None
    confidence: str | None
    candidates: tuple[ParsedDate, ...]


def choose_date(candidates: Sequence[ParsedDate | None]) -> ChosenDate:
    """Pick the publication date from the most reliable place; rate it; keep the others.

    Candidates are ranked by provenance (:data:`PROVENANCES`), modification dates after
    publication dates. The base confidence is high for a sidecar or feed date, medium for page
    metadata, a "Published:" line or the URL, low for a bare header date or an "Updated:"
    line. A second, independent source agreeing on the day raises it one step (page metadata
    and URL do not confirm each other: htmldate reads the URL too); a disagreeing source
    (other than a bare header date or a modification date) lowers it one step.
    """
    found = [item for item in candidates if item is not None]
    unique: list[ParsedDate] = []
    for item in found:
        if not any(item.source == kept.source and item.day() == kept.day() for kept in unique):
            unique.append(item)
    if not unique:
        return ChosenDate(date=None, confidence=None, candidates=())
    ranked = sorted(unique, key=lambda item: (_rank(item.source), item.updated))
    chosen = ranked[0]
    others = [item for item in ranked[1:] if item.source != chosen.source]
    level = 0 if chosen.updated else _BASE_CONFIDENCE.get(chosen.source, 0)
    if any(item.day() == chosen.day() and _independent(item, chosen) for item in others):
        level += 1
    if any(
        item.day() != chosen.day() and item.source != TEXT_HEADER and not item.updated
        for item in others
    ):
        level -= 1
    confidence = CONFIDENCES[max(0, min(level, len(CONFIDENCES) - 1))]
    return ChosenDate(date=chosen, confidence=confidence, candidates=tuple(ranked))


def _independent(first: ParsedDate, second: ParsedDate) -> bool:
    """Return whether two candidates can confirm each other (htmldate also reads the URL)."""
    return {first.source, second.source} != {HTML_META, URL}


def _rank(source: str) -> int:
    return PROVENANCES.index(source) if source in PROVENANCES else len(PROVENANCES)


def _is_date_word(word: str) -> bool:
    key = word.lower()
    return (
        key in _DATE_WORDS
        or key in _NOISE
        or key in _TZINFOS_LOWER
        or month_number(key) is not None
        or weekday_number(key) is not None
    )


_ZONE_ALIASES = {"мск": "MSK", "utc": "UTC", "gmt": "GMT"}
_TZINFOS_LOWER = frozenset(name.lower() for name in _TZINFOS) | frozenset(_ZONE_ALIASES)
_YEAR_FIRST = re.compile(r"^\s*\d{4}\b")
_WORD_TOKEN = re.compile(r"[^\W\d_]+\.?", re.UNICODE)
_FR_ORDINAL = re.compile(r"\b(\d{1,2})(?:er|st|nd|rd|th|-?е|-?го)\b", re.IGNORECASE)
_HOUR_H = re.compile(r"\b(\d{1,2})\s?h\s?(\d{2})\b")
_DAY_DOT = re.compile(r"\b(\d{1,2})\.(?=\s*[^\W\d_])")
_NUM_HYPHEN_WORD = re.compile(r"(\d)-(?=[^\W\d_])")
_WORD_HYPHEN_NUM = re.compile(r"(?<=[^\W\d_])-(?=\d)")
_GERMAN_AM = re.compile(r"\bam\s+(?=\d{1,2}\.)", re.IGNORECASE)


def _to_english(text: str) -> str:
    """Rewrite month and weekday names in English and drop words that only say "year"/"at"."""
    text = _GERMAN_AM.sub("", text)
    text = _FR_ORDINAL.sub(r"\1", text)
    text = _HOUR_H.sub(r"\1:\2", text)
    text = _DAY_DOT.sub(r"\1 ", text)
    text = _NUM_HYPHEN_WORD.sub(r"\1 ", text)
    text = _WORD_HYPHEN_NUM.sub(" ", text)

    def translate(match: re.Match[str]) -> str:
        word = match.group(0)
        month = month_number(word)
        if month is not None:
            return _EN_MONTHS[month]
        weekday = weekday_number(word)
        if weekday is not None:
            return calendar.day_name[weekday]
        key = word.lower().rstrip(".")
        if key in _NOISE:
            return " "
        return _ZONE_ALIASES.get(key, word)

    return " ".join(_WORD_TOKEN.sub(translate, text).split())


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
    if value.tzinfo is not None:
        try:
            offset = value.utcoffset()
        except ValueError:  # dateutil accepts offsets of a day or more ("1/1/0/000000-24")
            return None
        if offset == timedelta(0):
            value = value.replace(tzinfo=UTC)
    return value


def to_utc_naive(value: date | datetime) -> datetime:
    """Return the instant (or day start) as a naive UTC datetime, for index range queries."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value
    return datetime(value.year, value.month, value.day)  # noqa: DTZ001 - naive UTC by design
