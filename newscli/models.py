"""Plain data passed between newscli's layers: inputs, articles, hits and reports.

The types a search needs are defined here; the others (inputs, reports, summaries) are defined
in :mod:`newscli._more_models` when first used, as ``newscli.models`` attributes: making a
dataclass compiles its methods, and the nine a search does not need cost a cold search ~4 % of
its instructions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newscli._more_models import (
        Failure,
        IndexCheck,
        IngestReport,
        RebuildReport,
        RefreshReport,
        Removal,
        Source,
        Stats,
        Timeline,
    )

__all__ = [
    "Article",
    "DateCandidate",
    "DocumentKind",
    "Failure",
    "IndexCheck",
    "IngestReport",
    "RebuildReport",
    "RefreshReport",
    "Removal",
    "SearchHit",
    "SearchPage",
    "Source",
    "Stats",
    "Timeline",
]

_MORE = (
    "Failure",
    "IndexCheck",
    "IngestReport",
    "RebuildReport",
    "RefreshReport",
    "Removal",
    "Source",
    "Stats",
    "Timeline",
)


def __getattr__(name: str) -> Any:
    """Define the types a search does not need on first use (PEP 562)."""
    if name in _MORE:
        from newscli import _more_models

        globals().update((more, getattr(_more_models, more)) for more in _MORE)
        return globals()[name]
    raise AttributeError(f"module 'newscli.models' has no attribute {name!r}")


class DocumentKind(StrEnum):
    """How an input's content is to be read."""

    TEXT = "text"
    HTML = "html"


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
class SearchHit:
    """One ranked search result with a highlighted snippet."""

    id: str
    title: str | None
    date: str | None
    date_source: str | None
    source: str | None
    author: str | None
    language: str | None
    path: str | None
    url: str | None
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()
    """``(start, end)`` character offsets of matched terms within ``snippet``."""
    lead: str = ""
    """The start of the body, to stand in for a missing title."""


@dataclass(frozen=True, slots=True)
class SearchPage:
    """The hits of one search and how many documents matched in all."""

    hits: tuple[SearchHit, ...]
    total: int | None
    """Every matching article, when the search was asked to count them (else None)."""
    query: str = ""
    """The query that ran, for ``search --explain``: alias expansions, Whoosh query, filter."""
