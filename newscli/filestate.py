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
import marshal
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "DUPLICATE",
    "FAILED",
    "INDEXED",
    "STATE_FILE",
    "Entry",
    "FileState",
    "Signer",
    "signature",
    "signature_of_entry",
]

STATE_FILE = "filestate.marshal"
_OLD_STATE_FILE = "filestate.sqlite"
"""Where versions before 0.2 kept the cache; read once, then replaced by :data:`STATE_FILE`."""
_MAGIC = b"newscli-filestate-1\n"
INDEXED = "indexed"
DUPLICATE = "duplicate"
FAILED = "failed"


class Entry(NamedTuple):
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


def _with_sidecar(own: str, name: str, folder: str, sidecars: frozenset[str]) -> str:
    """``own`` extended by the signature of the file's sidecar, if ``sidecars`` lists one."""
    stem = os.path.splitext(name)[0]  # noqa: PTH122 - hot path, plain strings
    for candidate in (name + ".json", stem + ".json"):
        if candidate != name and candidate in sidecars:
            found = _stat_part(os.path.join(folder, candidate))  # noqa: PTH118 - hot path
            if found is not None:
                return f"{own}|{candidate}={found}"
    return own


def signature_of_entry(
    entry: os.DirEntry[str], folder: str, sidecars: frozenset[str]
) -> str | None:
    """Return the signature of a file found by ``scandir`` of ``folder`` (``sidecars``: the
    ``.json`` names there), or None when it cannot be stat'ed."""
    try:
        info = entry.stat()
    except OSError:
        return None
    own = f"{info.st_size}:{info.st_mtime_ns}"
    if not sidecars:
        return own
    return _with_sidecar(own, entry.name, folder, sidecars)


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
        return _with_sidecar(own, name, folder, listing) if listing else own


def signature(path: str) -> str | None:
    """Return the stat signature of one file (see :class:`Signer`)."""
    return Signer().signature(path)


_Entries = dict[str, tuple[str, str, str]]
_Templates = dict[str, tuple[str, tuple[str, ...]]]


_BYTES_PER_ENTRY = 130
"""About what one file's entry takes in :data:`STATE_FILE` (13 MB for 100,000 files)."""


def cached_files(index_dir: Path) -> int:
    """Estimate, without reading it, how many files the index's stat cache holds."""
    try:
        return (index_dir / STATE_FILE).stat().st_size // _BYTES_PER_ENTRY
    except OSError:
        return 0


def _read_state(path: Path) -> tuple[int, _Entries, _Templates] | None:
    """The generation, entries and templates saved in ``path``; None if missing or unreadable."""
    try:
        data = path.read_bytes()
        if not data.startswith(_MAGIC):
            return None
        generation, entries, templates = marshal.loads(data[len(_MAGIC) :])
    except (OSError, ValueError, EOFError, TypeError):
        return None  # e.g. written by another Python's marshal: the run hashes instead
    if not (
        isinstance(generation, int) and isinstance(entries, dict) and isinstance(templates, dict)
    ):
        return None
    return generation, entries, templates


def _read_old_state(path: Path) -> tuple[int, _Entries, _Templates] | None:
    """The cache as ``filestate.sqlite`` kept it, or None."""
    with (
        contextlib.suppress(sqlite3.Error, ValueError),
        contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db,
    ):
        row = db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        if row is not None:
            rows = db.execute("SELECT key, signature, status, detail FROM files")
            entries = {key: (sig, status, detail) for key, sig, status, detail in rows}
            return int(row[0]), entries, {}
    return None


class FileState:
    """The stat cache of one index folder (``filestate.marshal``).

    The whole cache is one file, rewritten (to a temporary file, then renamed) after each
    commit: 100,000 entries load in about 0.2 s, three times faster than from SQLite, and a
    crash leaves the previous file or the new one, never half of one.
    """

    def __init__(
        self,
        path: Path,
        entries: _Entries,
        generation: int,
        *,
        templates: _Templates | None = None,
        stale: bool = False,
    ) -> None:
        self._path = path
        self._entries = entries
        self.templates: _Templates = templates if templates is not None else {}
        """Folder templates learnt before (see ``templates.folder_templates``), saved along."""
        self._staged: dict[str, tuple[int, Entry]] = {}
        self._staged_count = 0
        self._generation = generation
        self._stale = stale
        self._unsaved = False

    @classmethod
    def load(cls, folder: Path, *, generation: int) -> FileState:
        """Read the cache of ``folder``; it is empty unless saved at index ``generation``."""
        path = folder / STATE_FILE
        old = folder / _OLD_STATE_FILE
        saved = _read_state(path) if path.exists() else None
        migrating = saved is None and old.exists()
        if migrating:
            saved = _read_old_state(old)
        if saved is not None and saved[0] == generation:
            state = cls(path, saved[1], generation, templates=saved[2])
            state._unsaved = migrating  # written in the new form by the next save
            return state
        return cls(path, {}, generation, stale=saved is not None or old.exists())

    @property
    def entries(self) -> Mapping[str, tuple[str, str, str]]:
        """Every saved entry as a plain ``(signature, status, detail)`` tuple, by key (for
        loops over 100,000 inputs, where building an :class:`Entry` each costs 0.1 s)."""
        return self._entries

    def get(self, key: str) -> Entry | None:
        """Return what is known about the input with this key."""
        found = self._entries.get(key)
        return None if found is None else Entry._make(found)

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
        if not ready and not fresh and not self._unsaved:
            return
        entries = {} if self._stale else dict(self._entries)
        entries.update(
            (key, (entry.signature, entry.status, entry.detail)) for key, entry in ready.items()
        )
        temporary = self._path.with_name(self._path.name + ".tmp")  # one writer: the run lock
        try:
            with temporary.open("wb") as handle:
                handle.write(_MAGIC)
                marshal.dump((generation, entries, self.templates), handle)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self._path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()
            return  # the cache is an optimisation: without it the next run hashes
        with contextlib.suppress(OSError):
            (self._path.parent / _OLD_STATE_FILE).unlink()
        self._entries = entries
        for key in ready:
            del self._staged[key]
        self._generation = generation
        self._stale = self._unsaved = False
