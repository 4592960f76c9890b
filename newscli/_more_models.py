"""The types of :mod:`newscli.models` a search does not need, defined on first use.

Import them from :mod:`newscli.models`; they call that module their home (``__module__``), so
their pickles and reprs are the same as when they were defined there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newscli.models import DocumentKind

__all__ = [
    "Article",
    "DateCandidate",
    "Failure",
    "IndexCheck",
    "IngestReport",
    "RebuildReport",
    "RefreshReport",
    "Removal",
    "Source",
    "Stats",
    "Timeline",
]


@dataclass(frozen=True, slots=True)
class Source:
    """One input to ingest: a local file (``path``) or a web address (``url``)."""

    key: str
    """Stable identity of the input: ``file://`` + absolute path, or the canonical URL."""
    path: str | None = None
    url: str | None = None
    given: str = ""
    """The argument as the user typed it (for messages)."""
    signature: str | None = None
    """The file's stat signature, taken when its folder was listed (see ``filestate``)."""


@dataclass(frozen=True, slots=True)
class Removal:
    """A block of text that cleaning removed, and the rule that removed it."""

    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """A publication date found in one place, kept even when another place was preferred."""

    date: str
    """ISO 8601, as for ``Article.date``."""
    source: str
    """Where it was found: ``sidecar``, ``feed``, ``html-meta``, ``published-line``, ``url``,
    ``text-header``."""


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article with its metadata, as stored in the index."""

    id: str
    title: str | None
    body: str
    path: str | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None
    language: str | None = None
    date: str | None = None
    """Publication date, ISO 8601: ``YYYY-MM-DD`` when only the day is known."""
    date_source: str | None = None
    """Where ``date`` came from: ``html-meta``, ``sidecar``, ``text-header``, ``url``, ..."""
    credits: tuple[str, ...] = ()
    """Credit lines taken out of the body ("Sources: ...", "Picture: ...")."""
    kind: str = DocumentKind.TEXT.value
    content_hash: str = ""
    """Hash of the cleaned title and body: equal hashes mean duplicate articles."""
    source_hash: str = ""
    """Hash of the raw input (and sidecar): equal hashes mean nothing to re-do."""
    ingested: str = ""
    """When this version was indexed, ISO 8601 UTC with ``Z``."""
    removed: tuple[Removal, ...] = field(default=(), compare=False)
    """What cleaning removed (not stored in the index; shown by ``extract --explain``)."""
    date_confidence: str | None = None
    """How sure ``date`` is: ``high``, ``medium`` or ``low`` (e.g. a bare header date)."""
    date_candidates: tuple[DateCandidate, ...] = ()
    """Every publication date found, most reliable place first (``date`` is the first)."""
    mentions: tuple[str, ...] = ()
    """Days the body mentions (``YYYY-MM-DD``), sorted; year-less dates resolved or dropped."""


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be ingested, and why."""

    source: str
    reason: str


@dataclass(slots=True)
class IngestReport:
    """What one ``ingest`` run did, input by input."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    skipped: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def processed(self) -> int:
        """Inputs that were read successfully, whatever happened to them then."""
        return self.added + self.updated + self.unchanged + self.duplicates

    def summary(self) -> str:
        """One line: ``5 added, 0 updated, 0 unchanged, 0 duplicates, 1 skipped, 0 failed``."""
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.duplicates} duplicates, {len(self.skipped)} skipped, {len(self.failed)} failed"
        )


@dataclass(frozen=True, slots=True)
class Stats:
    """A summary of what the index holds."""

    index: str
    documents: int
    sources: tuple[tuple[str, int], ...]
    languages: tuple[tuple[str, int], ...]
    earliest: str | None
    latest: str | None
    undated: int
    size_bytes: int


@dataclass(slots=True)
class RefreshReport:
    """What one ``refresh`` run did: the sources it visited and the ingest totals."""

    started: str
    """When the run started, ISO 8601 UTC with ``Z``."""
    sources: int = 0
    sources_failed: int = 0
    """Sources that could not be read at all (feed unreachable, folder gone)."""
    ingest: IngestReport = field(default_factory=IngestReport)
    duration: float = 0.0

    def summary(self) -> str:
        """One line: ``3 sources, 2 added, 0 updated, 5 unchanged, 0 duplicates, 1 failed``."""
        ingest = self.ingest
        return (
            f"{self.sources} sources, {ingest.added} added, {ingest.updated} updated, "
            f"{ingest.unchanged} unchanged, {ingest.duplicates} duplicates, "
            f"{len(ingest.failed)} failed"
        )


@dataclass(frozen=True, slots=True)
class Timeline:
    """How many matching articles fall in each day, week or month."""

    query: str
    field: str
    """``date`` (publication date) or ``mentions`` (days mentioned in the body)."""
    by: str
    """``day``, ``week`` or ``month``."""
    matched: int
    """Articles matching the query and filters."""
    without: int
    """Matching articles with no date in ``field`` (not counted in any period)."""
    periods: tuple[tuple[str, int], ...]
    """``(period, count)`` for every period with articles, oldest first: ``2022-04-18``,
    ``2022-W16`` (ISO week) or ``2022-04``."""
    gaps: tuple[int, ...] = ()
    """How many empty periods come before each of ``periods`` (0 for the first)."""


@dataclass(frozen=True, slots=True)
class IndexCheck:
    """What ``index check`` found: the live document count and every problem, in words."""

    index: str
    documents: int | None
    schema_version: int | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What ``index rebuild`` did: documents carried over, documents it could not read."""

    index: str
    documents: int
    unreadable: int
    problems: tuple[str, ...] = ()


for _type in (
    Article,
    DateCandidate,
    Source,
    Removal,
    Failure,
    IngestReport,
    Stats,
    RefreshReport,
    Timeline,
    IndexCheck,
    RebuildReport,
):
    _type.__module__ = "newscli.models"
