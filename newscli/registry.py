"""Registered sources and fetch state, stored as JSON files beside the index.

* ``sources.json``: the sources ``refresh`` revisits (folders, files, pages, feeds). Changed
  under its own small lock (``sources.lock``), so ``sources add`` works during a refresh.
* ``fetch-state.json``: URLs already fetched and each feed's ETag / Last-Modified. Written only
  by runs that hold the index's run lock.

Both files are replaced atomically (write a temporary file, fsync, rename, fsync the folder), so
a crash leaves either the old or the new version, never half of one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newscli.errors import NewscliError

__all__ = [
    "MAX_ATTEMPTS",
    "REGISTRY_FILE",
    "STATE_FILE",
    "FeedState",
    "FetchState",
    "RegisteredSource",
    "RegistryError",
    "SourceRegistry",
    "write_json_atomic",
]

REGISTRY_FILE = "sources.json"
STATE_FILE = "fetch-state.json"
_REGISTRY_LOCK = "sources.lock"
MAX_ATTEMPTS = 3
"""A URL whose download failed this many times is no longer tried by ``refresh``."""
KINDS = ("folder", "file", "page", "feed")


class RegistryError(NewscliError):
    """A registry operation cannot be done (duplicate name, unknown source, bad file)."""


def write_json_atomic(path: Path, value: Any) -> None:
    """Write ``value`` as JSON to ``path`` atomically and durably."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    temporary.replace(path)
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise RegistryError(f"{path} is unreadable ({exc}); fix or remove it") from exc


@dataclass(frozen=True, slots=True)
class RegisteredSource:
    """A source ``refresh`` revisits: ``location`` is an absolute path or a URL."""

    name: str
    kind: str
    """``folder``, ``file``, ``page`` or ``feed``."""
    location: str
    added: str = ""

    @property
    def is_web(self) -> bool:
        """Whether the source is fetched over HTTP."""
        return self.kind in ("page", "feed")


class SourceRegistry:
    """The list of registered sources in an index folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / REGISTRY_FILE

    def entries(self) -> list[RegisteredSource]:
        """Return the registered sources in the order they were added."""
        loaded = _read_json(self.path)
        if loaded is None:
            return []
        try:
            return [RegisteredSource(**item) for item in loaded["sources"]]
        except (KeyError, TypeError) as exc:
            raise RegistryError(f"{self.path} is not a newscli source list") from exc

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.folder / _REGISTRY_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held for milliseconds: waiting is fine
            yield
        finally:
            os.close(fd)

    def _save(self, sources: list[RegisteredSource]) -> None:
        write_json_atomic(
            self.path, {"version": 1, "sources": [asdict(source) for source in sources]}
        )

    def add(self, source: RegisteredSource) -> RegisteredSource:
        """Register a source; its name and location must both be new."""
        with self._locked():
            sources = self.entries()
            for known in sources:
                if known.location == source.location:
                    raise RegistryError(
                        f"{source.location} is already registered as {known.name!r}"
                    )
                if known.name.lower() == source.name.lower():
                    raise RegistryError(
                        f"a source named {source.name!r} exists; choose another with --name"
                    )
            sources.append(source)
            self._save(sources)
        return source

    def remove(self, name_or_location: str) -> RegisteredSource:
        """Unregister the source with this name or location and return it."""
        with self._locked():
            sources = self.entries()
            for index, known in enumerate(sources):
                if name_or_location in (known.name, known.location) or (
                    known.name.lower() == name_or_location.lower()
                ):
                    del sources[index]
                    self._save(sources)
                    return known
        raise RegistryError(f"no registered source named {name_or_location!r}")


@dataclass(slots=True)
class FeedState:
    """What the last fetch of a feed returned, for conditional requests."""

    etag: str | None = None
    last_modified: str | None = None
    feed_url: str | None = None
    """The feed a home page advertised, so the page is not fetched every time."""


@dataclass(slots=True)
class FetchState:
    """URLs fetched so far and feed validators; load, change, then :meth:`save`."""

    path: Path
    fetched: dict[str, dict[str, Any]] = field(default_factory=dict)
    feeds: dict[str, FeedState] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> FetchState:
        """Read the state file of an index folder (empty when there is none yet)."""
        path = folder / STATE_FILE
        loaded = _read_json(path) or {}
        try:
            feeds = {url: FeedState(**item) for url, item in loaded.get("feeds", {}).items()}
            return cls(path, dict(loaded.get("fetched", {})), feeds)
        except (AttributeError, TypeError) as exc:
            raise RegistryError(f"{path} is not a newscli fetch state file") from exc

    def save(self) -> None:
        """Write the state atomically."""
        write_json_atomic(
            self.path,
            {
                "version": 1,
                "fetched": self.fetched,
                "feeds": {url: asdict(state) for url, state in self.feeds.items()},
            },
        )

    def is_done(self, key: str) -> bool:
        """Whether ``refresh`` should leave this URL alone: fetched, or failed too often."""
        record = self.fetched.get(key)
        if record is None:
            return False
        return bool(record.get("ok")) or int(record.get("attempts", 0)) >= MAX_ATTEMPTS

    def refuse(self, key: str, reason: str) -> None:
        """Remember a link that will never be fetched (another scheme), so it is reported once."""
        self.fetched[key] = {"ok": False, "attempts": MAX_ATTEMPTS, "error": reason}

    def record(self, key: str, *, ok: bool, when: str, error: str | None = None) -> None:
        """Remember that the URL ``key`` was fetched (``ok``) or that its download failed."""
        previous = self.fetched.get(key, {})
        attempts = 0 if ok else int(previous.get("attempts", 0)) + 1
        record: dict[str, Any] = {"ok": ok, "at": when}
        if not ok:
            record["attempts"] = attempts
            record["error"] = error or ""
        self.fetched[key] = record
