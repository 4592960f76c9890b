"""Plain data passed between newscli's layers: inputs, articles, hits and reports.

The types a search needs (its hits and page) are defined here; the others (articles, inputs,
reports, summaries) are defined in :mod:`newscli._more_models` when first used, as
``newscli.models`` attributes: making a dataclass compiles its methods, and making the twelve
a search does not need takes ~60 M instructions, a sixth of a cold search's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newscli._more_models import (
        Article,
        DateCandidate,
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
