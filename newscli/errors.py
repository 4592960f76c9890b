"""Errors whose message is shown to the user as-is, each carrying its exit status."""

from __future__ import annotations

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_TEMPFAIL",
    "EXIT_USAGE",
    "ArticleNotFound",
    "BadAliases",
    "BadQuery",
    "IndexBusy",
    "IndexNotFound",
    "IndexUnusable",
    "NewscliError",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_TEMPFAIL = 75  # EX_TEMPFAIL from sysexits.h: "try again later"
EXIT_INTERRUPTED = 130


class NewscliError(Exception):
    """An error whose message is shown to the user as-is."""

    exit_code = EXIT_FAILURE


class IndexNotFound(NewscliError):
    """There is no index at the configured location."""


class IndexUnusable(NewscliError):
    """The index exists but cannot be used (other schema version, damaged, not ours)."""


class IndexBusy(NewscliError):
    """Another newscli process holds the write lock."""

    exit_code = EXIT_TEMPFAIL


class ArticleNotFound(NewscliError):
    """No article matches the given id or id prefix."""


class BadQuery(NewscliError):
    """The search query or one of its filters cannot be understood."""


class BadAliases(NewscliError):
    """An alias file could not be read or has the wrong shape."""
