"""Turn ``ingest`` arguments (files, folders, URLs) into inputs, and read local inputs."""

from __future__ import annotations

import fnmatch
import gzip
import io
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

from newscli import decoding
from newscli.filestate import signature_of_entry
from newscli.ids import canonical_url, content_hash, file_key
from newscli.models import DocumentKind, Failure, Source

__all__ = [
    "HTML_SUFFIXES",
    "SIDECAR_FIELDS",
    "TEXT_SUFFIXES",
    "InputError",
    "RawInput",
    "expand",
    "is_html_name",
    "is_text_name",
    "is_url",
    "load",
    "read_ahead",
    "read_local",
]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SIDECAR_FIELDS = frozenset({"title", "date", "url", "source", "author", "language", "date_order"})
_GZIP_SUFFIX = ".gz"


class InputError(Exception):
    """An input cannot be ingested; the message says why, in a few words."""


@dataclass(frozen=True, slots=True)
class RawInput:
    """An input's bytes, what kind of document they are, and its sidecar metadata."""

    data: bytes
    kind: DocumentKind
    sidecar: dict[str, str]
    source_hash: str
    date_hint: str | None = None
    """A date from outside the document (a feed entry's date), raw text; may be None."""


def is_url(argument: str) -> bool:
    """Return whether an argument is an http(s) URL rather than a path."""
    lowered = argument.lower()
    return lowered.startswith(("http://", "https://"))


def _name_suffix(name: str) -> str:
    """Return the document suffix of a file name, looking through ``.gz`` (lower case)."""
    return _lowered_suffix(name.lower())


def _lowered_suffix(name: str) -> str:
    """:func:`_name_suffix` of a name already in lower case."""
    if name.endswith(_GZIP_SUFFIX):
        name = name[: -len(_GZIP_SUFFIX)]
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""  # as pathlib's Path.suffix


def _suffix(path: Path) -> str:
    """Return the document suffix, looking through ``.gz`` (``a.html.gz`` -> ``.html``)."""
    return _name_suffix(path.name)


def is_text_name(path: str) -> bool:
    """Return whether a file's name says plain text (its content may still turn out HTML)."""
    return _name_suffix(path.rsplit("/", 1)[-1]) in TEXT_SUFFIXES


def is_html_name(path: str) -> bool:
    """Return whether a file's name says HTML."""
    return _name_suffix(path.rsplit("/", 1)[-1]) in HTML_SUFFIXES


def _is_candidate_suffix(suffix: str) -> bool:
    return suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES or suffix == ""


_UNQUOTED_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")
"""Characters ``quote_from_bytes`` leaves as they are (with ``/``, its default safe)."""


def _uri_path(path: str) -> str:
    """``path`` quoted as in a ``file://`` URI (``/`` kept)."""
    if _UNQUOTED_PATH.fullmatch(path):  # most paths: nothing to quote
        return path
    return quote_from_bytes(os.fsencode(path))


def _file_uri(absolute: str) -> str:
    """``Path(absolute).as_uri()`` (see :func:`ids.file_key`) without building a Path."""
    return "file://" + _uri_path(absolute)


def _matches(relative: str, patterns: Sequence[str]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)


def _walk(root: str) -> Iterator[tuple[str, str, str, str | None]]:
    """Yield ``(path relative to root with /, name, path, stat signature)`` of files below
    ``root``.

    The order is stable (names sorted, a folder's files before its subfolders, as
    ``os.walk``). Hidden files and folders are skipped; symlinked folders are not followed;
    unreadable folders are passed over. One ``scandir`` per folder gives the names, the
    sidecars for the signatures and the stats, so a file costs one ``stat`` and no ``Path``:
    a folder of 100,000 files is walked and signed in about a second.
    """
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = [entry for entry in listing if not entry.name.startswith(".")]
        except OSError:
            continue
        entries.sort(key=lambda entry: entry.name)
        sidecars = frozenset(e.name for e in entries if e.name.endswith(".json"))
        subfolders: list[tuple[str, str]] = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                if not entry.is_symlink():
                    subfolders.append((entry.path, prefix + entry.name + "/"))
                continue
            name = entry.name
            yield prefix + name, name, entry.path, signature_of_entry(entry, folder, sidecars)
        pending.extend(reversed(subfolders))


def expand(
    arguments: Iterable[str],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> Iterator[Source | Failure]:
    """Yield a Source for each input named or found below a folder, a Failure for bad ones.

    Folder entries are filtered by ``include``/``exclude`` glob patterns (matched against the
    path relative to the folder and against the file name); files of other types are skipped
    and reported as Failures whose reason starts with "skipped". Files named explicitly are
    always tried. Files found in folders carry their stat signature.
    """
    seen: set[str] = set()
    for argument in arguments:
        if is_url(argument):
            key = canonical_url(argument)
            if key not in seen:
                seen.add(key)
                yield Source(key=key, url=argument, given=argument)
            continue
        path = Path(argument).expanduser()
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            yield Failure(argument, _os_reason(exc))
            continue
        if stat.S_ISDIR(mode):
            base = str(path.absolute())
            base_uri = _file_uri(os.path.join(base, ""))  # noqa: PTH118 - "/" once, even for "/"
            for relative, name, file, signature in _walk(str(path)):
                if include and not _matches(relative, include):
                    continue
                if exclude and _matches(relative, exclude):
                    continue
                lowered = name.lower()
                if lowered.endswith(".json"):
                    continue  # sidecars and other metadata
                suffix = _lowered_suffix(lowered)
                if not _is_candidate_suffix(suffix):
                    yield Failure(file, f"skipped: unsupported file type '{suffix}'")
                    continue
                key = base_uri + _uri_path(relative)
                if key not in seen:
                    seen.add(key)
                    yield Source(key=key, path=file, given=file, signature=signature)
        elif stat.S_ISREG(mode):
            key = file_key(path)
            if key not in seen:
                seen.add(key)
                yield Source(key=key, path=str(path), given=argument)
        else:
            yield Failure(argument, "not a regular file or folder")


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


_CHUNK_BYTES = 1024 * 1024


def _read_up_to(read: Callable[[int], bytes], limit: int, first: int = _CHUNK_BYTES) -> bytes:
    """Read at most ``limit`` bytes in chunks: ``read(limit)`` would allocate ``limit`` at once."""
    chunks: list[bytes] = []
    total = 0
    size = max(1, min(first, limit))
    while total < limit:
        chunk = read(min(size, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        size = _CHUNK_BYTES
    return b"".join(chunks)


def _read_capped(path: Path, max_bytes: int) -> bytes:
    # O_NONBLOCK: a named pipe must not hang the run; it is refused below like any non-file.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise InputError("not a regular file")
        data = _read_up_to(handle.read, max_bytes + 1, first=status.st_size + 1)
    if len(data) > max_bytes:
        raise InputError(f"file is larger than the {max_bytes // (1024 * 1024)} MB limit")
    return data


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = _read_up_to(stream.read, max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise InputError(f"damaged gzip data ({exc})") from exc
    if len(out) > max_bytes:
        raise InputError(f"uncompressed size is over the {max_bytes // (1024 * 1024)} MB limit")
    return out


def _sidecar_path(path: Path) -> Path | None:
    for candidate in (path.with_name(path.name + ".json"), path.with_suffix(".json")):
        if candidate != path and candidate.is_file():
            return candidate
    return None


def _read_sidecar(path: Path) -> tuple[dict[str, str], bytes]:
    sidecar = _sidecar_path(path)
    if sidecar is None:
        return {}, b""
    try:
        raw = sidecar.read_bytes()
        loaded: Any = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"unreadable sidecar {sidecar.name}: {exc}") from exc
    if not isinstance(loaded, dict):
        raise InputError(f"sidecar {sidecar.name} is not a JSON object")
    fields = {
        key: " ".join(str(value).split())
        for key, value in loaded.items()
        if key in SIDECAR_FIELDS and value not in (None, "")
    }
    return fields, raw


def read_ahead(path: str) -> None:
    """Have the kernel start reading a file that is to be read soon; never fails or blocks.

    For inputs queued for a worker: their bytes come off the disk while it works on the input
    before, instead of the worker waiting for them. Does nothing where ``posix_fadvise`` is
    missing or the path is not a readable regular file.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return
    try:
        advise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass  # a pipe or a device: read_local refuses it later with a reason
    finally:
        os.close(descriptor)


def read_local(source: Source, *, max_bytes: int) -> RawInput:
    """Read a local input and decide whether it is text or HTML, by content and extension."""
    assert source.path is not None
    path = Path(source.path)
    try:
        data = _read_capped(path, max_bytes)
        sidecar, sidecar_bytes = _read_sidecar(path)
    except OSError as exc:
        raise InputError(_os_reason(exc)) from exc
    if path.name.lower().endswith(_GZIP_SUFFIX):
        data = _gunzip(data, max_bytes)
    if not data.strip():
        raise InputError("empty file")
    binary = decoding.binary_kind(data)
    if binary is not None:
        raise InputError(f"not an article: {binary}")
    suffix = _suffix(path)
    is_html = suffix in HTML_SUFFIXES or decoding.looks_like_html(data)
    kind = DocumentKind.HTML if is_html else DocumentKind.TEXT
    return RawInput(
        data=data,
        kind=kind,
        sidecar=sidecar,
        source_hash=content_hash(data, sidecar_bytes),
    )


def load(source: Source, *, max_bytes: int) -> RawInput:
    """Turn a Source into a RawInput: the one place where an input's content is obtained."""
    if source.path is None:
        raise InputError("fetching URLs is not available in this version")
    return read_local(source, max_bytes=max_bytes)
