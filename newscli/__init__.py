"""newscli: turn saved news articles and news sites into a clean, searchable, offline corpus.

Use it from Python through :class:`Corpus`::

    from newscli import Corpus

    corpus = Corpus.open("news-index", create=True)
    report = corpus.ingest(["corpus/"])
    for hit in corpus.search("Termez", limit=5).hits:
        print(hit.id, hit.date, hit.title)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newscli.startup import import_dataclasses

import_dataclasses()  # before any module of ours imports dataclasses: see newscli.startup

from newscli.errors import (
    ArticleNotFound,
    BadQuery,
    IndexBusy,
    IndexNotFound,
    IndexUnusable,
    NewscliError,
)
from newscli.models import SearchHit, SearchPage

if TYPE_CHECKING:
    from newscli.api import Corpus
    from newscli.models import Article, Failure, IngestReport, Stats

__all__ = [
    "Article",
    "ArticleNotFound",
    "BadQuery",
    "Corpus",
    "Failure",
    "IndexBusy",
    "IndexNotFound",
    "IndexUnusable",
    "IngestReport",
    "NewscliError",
    "SearchHit",
    "SearchPage",
    "Stats",
    "__version__",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import the Corpus facade (and Whoosh with it) and the report types when first used."""
    if name == "Corpus":
        from newscli.api import Corpus

        return Corpus
    if name in ("Article", "Failure", "IngestReport", "Stats"):
        from newscli import models

        return getattr(models, name)
    raise AttributeError(f"module 'newscli' has no attribute {name!r}")
