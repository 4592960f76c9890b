"""What each ingested file looked like (size, mtime), kept beside the index: the stat cache.

A file whose size and modification time (and its sidecar's) are what they were when it was last
ingested is not read again, the way notmuch scans mail: a no-change ingest of 100,000 files
costs one ``stat`` each. A file whose stat changed is read and hashed; it is rebuilt only when
the hash changed too.

The cache is only trusted for the index generation it was saved with: entries are written after
the index commit that contains their articles, and any other change of the index (a commit the
cache did not see, e.g. a run killed between the two) makes the whole cache stale, so the next
run falls back to hashing. A failure that depends on the bytes alone ("no article text found")
is remembered and reported again; failures that may pass next time (an unreadable file, a
budget overrun, a crash) are not cached.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DUPLICATE",
    "FAILED",
    "INDEXED",
    "STATE_FILE",
    "Entry",
    "FileState",
    "Signer",
    "signature",
]

STATE_FILE = "filestate.sqlite"
INDEXED = "indexed"
DUPLICATE = "duplicate"
FAILED = "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    key TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """A file as last ingested: its stat signature and what became of it.

    ``detail`` is the content hash for ``indexed`` and ``duplicate``, the reason for ``failed``
    (only failures that depend on the file's content alone are remembered).
    """

    signature: str
    status: str
    detail: str


def _stat_part(path: str) -> str | None:
    try:
        info = os.stat(path)  # noqa: PTH116 - hot path: no Path object per file
    except OSError:
        return None
    return f"{info.st_size}:{info.st_mtime_ns}"


class Signer:
    """Stat signatures of files: ``size:mtime`` of the file and of its sidecar, if any.

    Sidecars are looked for in a listing of each folder, read once, so that a file without
    one costs a single ``stat``.
    """

    def __init__(self) -> None:
        self._listings: dict[str, frozenset[str]] = {}

    def _json_names(self, folder: str) -> frozenset[str]:
        names = self._listings.get(folder)
        if names is None:
            try:
                with os.scandir(folder or ".") as entries:
                    names = frozenset(e.name for e in entries if e.name.endswith(".json"))
            except OSError:
                names = frozenset()
            self._listings[folder] = names
        return names

    def signature(self, path: str) -> str | None:
        """Return the file's signature, or None when it cannot be stat'ed."""
        own = _stat_part(path)
        if own is None:
            return None
        folder, name = os.path.split(path)
        listing = self._json_names(folder)
        if not listing:
            return own
        stem = os.path.splitext(name)[0]  # noqa: PTH122 - hot path, plain strings
        for candidate in (name + ".json", stem + ".json"):
            if candidate != name and candidate in listing:
                found = _stat_part(os.path.join(folder, candidate))  # noqa: PTH118 - hot path
                if found is not None:
                    return f"{own}|{candidate}={found}"
        return own


def signature(path: str) -> str | None:
    """Return the stat signature of one file (see :class:`Signer`)."""
    return Signer().signature(path)


class FileState:
    """The stat cache of one index folder (``filestate.sqlite``)."""

    def __init__(
        self, path: Path, entries: dict[str, Entry], generation: int, *, stale: bool = False
    ) -> None:
        self._path = path
        self._entries = entries
        self._staged: dict[str, tuple[int, Entry]] = {}
        self._staged_count = 0
        self._generation = generation
        self._stale = stale

    @classmethod
    def load(cls, folder: Path, *, generation: int) -> FileState:
        """Read the cache of ``folder``; it is empty unless saved at index ``generation``."""
        path = folder / STATE_FILE
        entries: dict[str, Entry] = {}
        stale = path.exists()
        if stale:
            with (
                contextlib.suppress(sqlite3.Error, ValueError),
                contextlib.closing(sqlite3.connect(path)) as db,
            ):
                row = db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
                if row is not None and int(row[0]) == generation:
                    stale = False
                    entries = {
                        key: Entry(sig, status, content)
                        for key, sig, status, content in db.execute(
                            "SELECT key, signature, status, detail FROM files"
                        )
                    }
        return cls(path, entries, generation, stale=stale)

    def get(self, key: str) -> Entry | None:
        """Return what is known about the input with this key."""
        return self._entries.get(key)

    def stage(self, key: str, entry: Entry) -> None:
        """Remember an entry; it is written by a later :meth:`save`."""
        self._staged.pop(key, None)  # keep the dict in staging order
        self._staged[key] = (self._staged_count, entry)
        self._staged_count += 1

    def checkpoint(self) -> int:
        """Return a mark for the entries staged so far (for ``save(upto=...)``)."""
        return self._staged_count

    def save(self, generation: int, *, upto: int | None = None) -> None:
        """Write staged entries, valid for index ``generation`` (call after each commit).

        ``upto`` (a :meth:`checkpoint`) writes only the entries staged before it: those of
        the articles that commit holds; later ones wait for the next commit.
        """
        fresh = generation != self._generation
        ready = {
            key: entry
            for key, (number, entry) in self._staged.items()
            if upto is None or number < upto
        }
        if not ready and not fresh:
            return
        try:
            with contextlib.closing(sqlite3.connect(self._path)) as db, db:
                db.executescript(_SCHEMA)
                if self._stale:  # saved for another state of the index: start afresh
                    db.execute("DELETE FROM files")
                db.executemany(
                    "INSERT OR REPLACE INTO files (key, signature, status, detail) "
                    "VALUES (?, ?, ?, ?)",
                    [
                        (key, entry.signature, entry.status, entry.detail)
                        for key, entry in ready.items()
                    ],
                )
                db.execute(
                    "INSERT OR REPLACE INTO meta (name, value) VALUES ('generation', ?)",
                    (str(generation),),
                )
        except sqlite3.Error:
            return  # the cache is an optimisation: without it the next run hashes
        self._entries.update(ready)
        for key in ready:
            del self._staged[key]
        self._generation = generation
        self._stale = False
