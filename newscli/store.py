"""The Whoosh index on disk: schema, create/open, locking, batched durable writes, lookups.

This module and ``query.py`` are the only ones that import Whoosh. Durability rules:

* one writer at a time, enforced by a run lock (``flock`` on ``newscli.lock``) held for a whole
  ingest, index creation included; the lock file is never deleted;
* an existing index is never re-created (``create_in`` would silently empty it);
* writes are committed in batches; before a commit's table of contents (TOC) is renamed into
  place every file written since the last commit and the TOC itself are fsynced, and the folder
  is fsynced after the rename, so "committed" means on disk and a power cut at any moment
  leaves the previous or the new commit, never a TOC that names unwritten data;
* files left by killed writers (temporary TOCs, uncommitted segments) are removed by the next
  run that holds the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import json
import os
import re
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from newscli.logs import get_logger
from newscli.startup import import_whoosh

import_whoosh()  # before any other Whoosh import: it keeps `newscli search` quick to start

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.index import TOC
from whoosh.query import Term
from whoosh.searching import Searcher

from newscli.analysis import STEM_LANGUAGES, FoldingAnalyzer, stem_language, stemmed_analyzer
from newscli.codec import CompactPositions
from newscli.config import DEFAULT_BATCH_SIZE
from newscli.errors import IndexBusy, IndexNotFound, IndexUnusable
from newscli.ids import MIN_PREFIX

if TYPE_CHECKING:
    from whoosh.writing import IndexWriter

    from newscli.models import Article, IndexCheck, RebuildReport, Stats

__all__ = [
    "FOLDED_FIELD",
    "INDEX_NAME",
    "LOCK_FILE",
    "META_FILE",
    "SCHEMA_VERSION",
    "STEM_FIELDS",
    "AnalyzedText",
    "BatchWriter",
    "Fingerprint",
    "PreAnalyzed",
    "RunLock",
    "Store",
    "analyzed_document",
    "build_schema",
    "check_index",
    "count_matching",
    "rebuild_index",
    "remove_stale_files",
]

log = get_logger(__name__)

SCHEMA_VERSION = 4
"""2: ``mentions``, ``mentions_text``, ``date_confidence``, ``date_candidates``, the
folded field and the per-language stemmed ``text_<lang>`` fields added. 3: text fields store
positions compactly (:mod:`newscli.codec`); ``path`` and ``date_source`` are stored only.
4: same fields; stored documents compressed in blocks, inlined postings as arrays, postings
pickled with protocol 5 (:mod:`newscli.codec`). A version 3 index is still read (its segments'
pickled codec says how), so ``index rebuild`` converts it."""
INDEX_NAME = "MAIN"
META_FILE = "newscli.json"
LOCK_FILE = "newscli.lock"
TITLE_BOOST = 2.0
MAX_BATCH_SIZE = 4000
"""Largest batch a run grows to when no batch size is given (see :class:`BatchWriter`)."""
_LOCK_POLL_SECONDS = 0.1
FOLDED_FIELD = "folded"
"""Title and body folded across scripts, diacritics, apostrophes and case (any language).

Only words that folding changes are indexed (Cyrillic, diacritics, apostrophes, kh/q/gh, case
endings); plain words are found through ``title``/``body``."""
STEM_FIELDS = {language: f"text_{language}" for language in STEM_LANGUAGES}
"""Title and body stemmed for the article's own language (filled for that language only)."""
_SEARCHER_ATTEMPTS = 4
_TOC_NAME = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")
_TOC_TEMP_NAME = re.compile(rf"^_{INDEX_NAME}_\d+\.toc\..+$")
_SEGMENT_NAME = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
_WHOOSH_TEMP_DIR = f"{INDEX_NAME}.tmp"
_WHOOSH_LOCK_FILE = f"{INDEX_NAME}_WRITELOCK"


class PreAnalyzed:
    """A text field's postings, analysed before they reach the index writer.

    Ingest workers analyse an article's text fields (tokenising, stemming, folding: most of
    Whoosh's indexing time) so that the one process that writes the index only files postings.
    """

    __slots__ = ("length", "pooled_size", "postings")

    def __init__(self, postings: tuple[tuple[bytes, int, float, bytes], ...]) -> None:
        self.postings = postings
        self.length = sum(posting[1] for posting in postings)
        """The field's length in the document (its terms' frequencies added up)."""
        self.pooled_size = sum(2 * len(posting[0]) + len(posting[3] or b"") for posting in postings)
        """Whoosh's memory estimate of these postings in its pool, less 150 bytes and the
        field name's length a posting."""

    def __reduce__(self) -> tuple[Callable[..., PreAnalyzed], tuple[Any, ...]]:
        return (_rebuild_pre_analyzed, (self.postings, self.length, self.pooled_size))


def _rebuild_pre_analyzed(
    postings: tuple[tuple[bytes, int, float, bytes], ...], length: int, pooled_size: int
) -> PreAnalyzed:
    """Unpickle a :class:`PreAnalyzed` without computing its figures again."""
    value = PreAnalyzed.__new__(PreAnalyzed)
    value.postings, value.length, value.pooled_size = postings, length, pooled_size
    return value


class AnalyzedText(TEXT):  # type: ignore[misc] # Whoosh has no type hints
    """A TEXT field that also accepts :class:`PreAnalyzed` values (and plain strings), with
    its positions stored compactly (:class:`newscli.codec.CompactPositions`)."""

    format: Any

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(self.format, Positions):
            self.format = CompactPositions(field_boost=self.format.field_boost)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, PreAnalyzed):
            return iter(value.postings)
        return super().index(value, **kwargs)  # type: ignore[no-any-return]


def build_schema() -> Schema:
    """Return the index schema; field names are Article attribute names where they can be."""
    analyzer = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=AnalyzedText(stored=True, analyzer=analyzer, field_boost=TITLE_BOOST),
        body=AnalyzedText(stored=True, analyzer=analyzer),
        path=STORED(),
        url=ID(stored=True),
        source=KEYWORD(lowercase=True, commas=True),
        source_name=STORED(),
        author=AnalyzedText(stored=True),
        language=ID(stored=True),
        date=DATETIME(sortable=True),
        dated=ID(),
        date_text=STORED(),
        date_source=STORED(),
        credits=STORED(),
        kind=ID(stored=True),
        content_hash=ID(stored=True),
        source_hash=STORED(),
        ingested=STORED(),
        # Days mentioned in the body: one DATETIME field with several values per document
        # (Whoosh's NUMERIC indexing takes a list), so ``mentions:2022-04`` and ranges work.
        mentions=DATETIME(),
        mentions_text=STORED(),
        date_confidence=ID(stored=True),
        date_candidates=STORED(),
        **{FOLDED_FIELD: AnalyzedText(analyzer=FoldingAnalyzer(sparse=True))},
        **{
            name: AnalyzedText(analyzer=stemmed_analyzer(code))
            for code, name in STEM_FIELDS.items()
        },
    )


def day_of(iso: str) -> datetime:
    """Return the day of an ISO date or datetime as a naive midnight, for the ``date`` field.

    Day precision keeps range queries fast; the exact value is stored in ``date_text``.
    """
    parsed = date.fromisoformat(iso[:10])
    return datetime(parsed.year, parsed.month, parsed.day)  # noqa: DTZ001 - index-internal


def _to_document(article: Article) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": article.id,
        "title": article.title or "",
        "body": article.body,
        "kind": article.kind,
        "content_hash": article.content_hash,
        "source_hash": article.source_hash,
        "ingested": article.ingested,
        "credits": list(article.credits),
    }
    optional = {
        "path": article.path,
        "url": article.url,
        "author": article.author,
        "language": article.language,
        "date_source": article.date_source,
    }
    document.update({key: value for key, value in optional.items() if value})
    if article.source:
        document["source"] = article.source
        document["source_name"] = article.source
    if article.date:
        document["date"] = day_of(article.date)
        document["dated"] = "1"
        document["date_text"] = article.date
    if article.date_confidence:
        document["date_confidence"] = article.date_confidence
    if article.date_candidates:
        document["date_candidates"] = [[item.date, item.source] for item in article.date_candidates]
    if article.mentions:
        document["mentions"] = [day_of(day) for day in article.mentions]
        document["mentions_text"] = list(article.mentions)
    # Derived search fields: computed here from the Article alone, so rebuilding an index from
    # its stored documents regenerates them under the current analyzers.
    text = f"{article.title}\n{article.body}" if article.title else article.body
    document[FOLDED_FIELD] = text
    language = stem_language(article.language, text)
    if language is not None:
        document[STEM_FIELDS[language]] = text
    return document


def analyzed_document(article: Article, schema: Schema | None = None) -> dict[str, Any]:
    """Return the index document of an article with its text fields already analysed.

    What :meth:`BatchWriter.put` writes for ``article`` is the same either way; analysing in an
    ingest worker spares the writing process that work.
    """
    schema = schema or _schema()
    document = _to_document(article)
    for name, value in list(document.items()):
        field = schema[name]
        if isinstance(field, AnalyzedText) and isinstance(value, str):
            document[name] = PreAnalyzed(tuple(field.index(value)))
            if field.stored:
                document[f"_stored_{name}"] = value
    return document


@functools.lru_cache(maxsize=1)
def _schema() -> Schema:
    return build_schema()


def _accepts(schema: Schema, document: dict[str, Any]) -> bool:
    """Return whether an index's schema takes every pre-analysed value of ``document``."""
    return all(
        isinstance(schema[name], AnalyzedText)
        for name, value in document.items()
        if isinstance(value, PreAnalyzed)
    )


def article_from_fields(fields: dict[str, Any]) -> Article:
    """Rebuild an Article from a stored Whoosh document."""
    from newscli.models import Article, DateCandidate

    return Article(
        id=fields["id"],
        title=fields.get("title") or None,
        body=fields.get("body", ""),
        path=fields.get("path"),
        url=fields.get("url"),
        source=fields.get("source_name"),
        author=fields.get("author"),
        language=fields.get("language"),
        date=fields.get("date_text"),
        date_source=fields.get("date_source"),
        credits=tuple(fields.get("credits") or ()),
        kind=fields.get("kind", "text"),
        content_hash=fields.get("content_hash", ""),
        source_hash=fields.get("source_hash", ""),
        ingested=fields.get("ingested", ""),
        date_confidence=fields.get("date_confidence"),
        date_candidates=tuple(
            DateCandidate(date=str(value), source=str(source))
            for value, source in fields.get("date_candidates") or ()
        ),
        mentions=tuple(fields.get("mentions_text") or ()),
    )


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What is needed to decide whether an input changed: its raw and cleaned hashes."""

    source_hash: str
    content_hash: str


class RunLock:
    """An exclusive ``flock`` on ``newscli.lock`` in the index folder.

    The kernel releases it when the holder dies, so a killed run never leaves a stale lock and
    the file itself is never deleted.
    """

    _held: ClassVar[dict[tuple[str, int], int]] = {}
    """Reentrant locks this process holds, by (lock file, thread)."""

    def __init__(self, folder: Path, *, wait: float, reentrant: bool = False) -> None:
        self._path = folder / LOCK_FILE
        self._wait = max(0.0, wait)
        self._fd: int | None = None
        self._nested = False
        self._reentrant = reentrant

    def _key(self) -> tuple[str, int]:
        return (str(self._path.absolute()), threading.get_ident())

    def acquire(self) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raise IndexBusy when it stays held.

        A lock taken with ``reentrant=True`` may be taken again by the same thread (``refresh``
        holds it for the whole run while each of its ingests takes it too); the flock is
        dropped when that outer lock is released.
        """
        key = self._key()
        if RunLock._held.get(key):
            RunLock._held[key] += 1
            self._nested = True
            return
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + self._wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if _same_file(fd, self._path):
                    break
                # `index rebuild` swapped the folder while we waited: lock the new one.
                os.close(fd)
                fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                continue
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise IndexBusy(
                        f"index {self._path.parent} is busy: another newscli run is writing to it; "
                        "try again later or pass --wait SECONDS"
                    ) from None
                time.sleep(_LOCK_POLL_SECONDS)
        self._fd = fd
        if self._reentrant:
            RunLock._held[key] = 1

    def release(self) -> None:
        """Release the lock (closing the descriptor drops the flock)."""
        if self._nested:
            RunLock._held[self._key()] -= 1
            self._nested = False
            return
        if self._fd is not None:
            RunLock._held.pop(self._key(), None)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if directory else 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return  # removed by the commit's own clean-up
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        current = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino)


class _DurableStorage(FileStorage):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh file storage that makes a commit durable before it becomes visible.

    Whoosh commits by writing segment files and a temporary TOC, then renaming the TOC into
    place. Here every file created since the last rename is fsynced just before the rename,
    and the folder just after it.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)  # see _open_index
        self._written: set[str] = set()

    def create_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._written.add(name)
        return super().create_file(name, *args, **kwargs)

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        folder = Path(self.folder)
        for name in sorted(self._written):
            _fsync_path(folder / name)  # files merged away meanwhile are skipped
        self._written.clear()
        super().rename_file(oldname, newname, safe=safe)
        _fsync_path(folder, directory=True)


def _names(folder: Path) -> list[str]:
    """Return the names in ``folder``, or none when it is missing or not a folder."""
    try:
        return sorted(entry.name for entry in folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _has_toc(folder: Path) -> bool:
    return any(_TOC_NAME.match(name) for name in _names(folder))


def _looks_like_index(folder: Path) -> bool:
    """Return whether ``folder`` holds index files (a TOC or segments), readable or not."""
    return any(_TOC_NAME.match(name) or _SEGMENT_NAME.match(name) for name in _names(folder))


def remove_stale_files(folder: Path) -> list[str]:
    """Delete what killed writers left behind; call only while holding the run lock.

    Removes temporary TOCs (``_MAIN_N.toc.<time>``), TOCs of older generations, segment files
    the current TOC does not name, Whoosh's temporary folder and ``newscli.json.tmp``. Leaves
    everything alone when the current TOC cannot be read (``index check`` reports that), and
    never touches the lock files. Returns the names removed.
    """
    import shutil  # here: searches do not need it (nor tempfile, bz2, lzma with it)

    storage = FileStorage(str(folder))
    try:
        toc = TOC.read(storage, INDEX_NAME)
    except Exception:  # a damaged index is for `index check`/`index rebuild`, not for us
        return []
    keep = {segment.segment_id() for segment in toc.segments}
    removed: list[str] = []
    for name in _names(folder):
        path = folder / name
        toc_match = _TOC_NAME.match(name)
        segment_match = _SEGMENT_NAME.match(name)
        stale = (
            bool(_TOC_TEMP_NAME.match(name))
            or (toc_match is not None and int(toc_match.group(1)) != toc.generation)
            or (segment_match is not None and segment_match.group(1) not in keep)
            or name in (_WHOOSH_TEMP_DIR, META_FILE + ".tmp")
        )
        if not stale or name in (_WHOOSH_LOCK_FILE, LOCK_FILE, META_FILE):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        removed.append(name)
    if removed:
        _fsync_path(folder, directory=True)
        log.info("removed %d stale files from %s: %s", len(removed), folder, ", ".join(removed))
    return removed


def _folder_size(folder: Path) -> int:
    """Sum the sizes of the files in ``folder``, skipping files a commit removes meanwhile."""
    size = 0
    for entry in os.scandir(folder):
        with contextlib.suppress(FileNotFoundError):
            if entry.is_file(follow_symlinks=False):
                size += entry.stat(follow_symlinks=False).st_size
    return size


def count_matching(searcher: Searcher, query: Any) -> int:
    """Count live (not deleted) documents matching ``query``."""
    return sum(1 for _ in searcher.docs_for_query(query))


def _open_index(folder: Path) -> Any:
    """Open the Whoosh index without memory-mapping its segment files.

    With mmap, Whoosh copies every opened term and posting file into memory (``BytesIO`` over
    the map), so a reader costs as much RAM as the index and a cold ``search`` copies it all;
    plain file reads leave caching to the OS page cache: measured at 10,000 articles, a cold
    open and four searches took 150-190 ms instead of 230-370 ms and 30 MB instead of 103 MB.
    """
    return _DurableStorage(str(folder)).open_index(INDEX_NAME)


def _unopenable(folder: Path, exc: Exception) -> str:
    return (
        f"index {folder} cannot be opened ({exc}); "
        "run `newscli index check` for details and `newscli index rebuild` to repair"
    )


def _toc_signature(folder: Path) -> tuple[int, ...] | None:
    """Identify the index's current table of contents: generation, inode, change time."""
    generations = [int(m.group(1)) for m in map(_TOC_NAME.match, _names(folder)) if m]
    if not generations:
        return None
    latest = max(generations)
    try:
        info = (folder / f"_{INDEX_NAME}_{latest}.toc").stat()
    except OSError:
        return None
    return (latest, info.st_ino, info.st_ctime_ns)


def _check_owner(folder: Path) -> None:
    """Refuse folders of other users: Whoosh unpickles index files, which can run code."""
    if folder.stat().st_uid != os.getuid():
        raise IndexUnusable(
            f"refusing to open index {folder}: it is owned by another user "
            "(index files are unpickled and could run their code)"
        )


class Store:
    """An open Whoosh index and its metadata file."""

    def __init__(self, folder: Path, ix: Any) -> None:
        self.folder = folder
        self._ix = ix
        self._searcher: Searcher | None = None
        self._searcher_signature: tuple[int, ...] | None = None
        self._searcher_lock = threading.RLock()
        self._searcher_closer: Callable[[], Any] = lambda: None

    @classmethod
    def open(cls, folder: Path, *, create: bool = False, lock_wait: float = 0.0) -> Store:
        """Open the index in ``folder``; with ``create``, make it first if it does not exist."""
        folder = folder.expanduser()
        if not _has_toc(folder):
            if _looks_like_index(folder):
                _check_owner(folder)
                raise IndexUnusable(
                    f"index {folder} is damaged (its table of contents is missing); "
                    "run `newscli index check` for details and `newscli index rebuild` to repair"
                )
            if not create:
                raise IndexNotFound(f"no index at {folder}; run `newscli ingest PATH` first")
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _check_owner(folder)
            with RunLock(folder, wait=lock_wait):
                if not _looks_like_index(folder):  # never create over an existing index
                    cls._create(folder)
        _check_owner(folder)
        cls._check_meta(folder)
        for attempt in range(_SEARCHER_ATTEMPTS):
            try:
                ix = _open_index(folder)
                ix.schema  # noqa: B018 - reads the TOC now, so damage is reported here
                return cls(folder, ix)
            except FileNotFoundError as exc:  # a commit replaced the TOC as it was read
                if attempt == _SEARCHER_ATTEMPTS - 1:
                    raise IndexUnusable(_unopenable(folder, exc)) from exc
                time.sleep(0.1 * (attempt + 1))
            except Exception as exc:  # Whoosh raises many kinds on a damaged index
                raise IndexUnusable(_unopenable(folder, exc)) from exc
        raise AssertionError("unreachable")

    @classmethod
    def _create(cls, folder: Path) -> None:
        """Create an empty index and its metadata, durably (caller holds the run lock)."""
        cls._write_meta(folder)
        _fsync_path(folder / META_FILE)
        _DurableStorage(str(folder)).create_index(build_schema(), indexname=INDEX_NAME)

    @staticmethod
    def _write_meta(folder: Path) -> None:
        meta = {"schema_version": SCHEMA_VERSION, "created_by": "newscli"}
        path = folder / META_FILE
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        temporary.replace(path)

    @staticmethod
    def _check_meta(folder: Path) -> None:
        path = folder / META_FILE
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            version = int(meta["schema_version"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexUnusable(
                f"{path} is missing or unreadable; is {folder} a newscli index?"
            ) from exc
        if version != SCHEMA_VERSION:
            raise IndexUnusable(
                f"index {folder} has schema version {version}, this newscli uses "
                f"{SCHEMA_VERSION}; run `newscli index rebuild` to convert it"
            )

    @contextlib.contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Yield a Whoosh searcher over the latest committed state.

        The searcher is kept for the next call while the index's table of contents is the
        same file (opening one reads the TOC and every segment's directory: several
        milliseconds); one caller at a time uses it.
        """
        with self._searcher_lock:
            signature = _toc_signature(self.folder)
            if self._searcher is None or signature != self._searcher_signature:
                self.close()
                searcher = self._open_searcher()
                # Closed with this Store at the latest (not left to the garbage collector).
                self._searcher_closer = weakref.finalize(self, searcher.close)
                self._searcher, self._searcher_signature = searcher, signature
            yield self._searcher

    def close(self) -> None:
        """Close the kept searcher (it is reopened when needed)."""
        if self._searcher is not None:
            self._searcher = None
            self._searcher_closer()

    def _open_searcher(self) -> Searcher:
        """Open a searcher; retry briefly when a commit removes files meanwhile.

        Whoosh already retries a missing file ten times in 0.5 s; a few more tries cover a
        slow disk. Anything else means damage and says how to get out of it.
        """
        for attempt in range(_SEARCHER_ATTEMPTS):
            try:
                return self._ix.searcher()
            except FileNotFoundError:
                if attempt == _SEARCHER_ATTEMPTS - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))
            except Exception as exc:  # Whoosh raises many kinds on a damaged index
                raise IndexUnusable(
                    f"index {self.folder} cannot be read ({type(exc).__name__}: {exc}); "
                    "run `newscli index check` for details and `newscli index rebuild` to repair"
                ) from exc
        raise AssertionError("unreachable")

    def document_count(self) -> int:
        """Return how many articles the index holds."""
        with self.searcher() as searcher:
            return int(searcher.doc_count())

    def get(self, article_id: str) -> Article | None:
        """Return the article with exactly this id, or None."""
        with self.searcher() as searcher:
            fields = searcher.document(id=article_id)
        return article_from_fields(fields) if fields else None

    def find_prefix(self, prefix: str, *, limit: int = 10) -> list[Article]:
        """Return the articles whose id starts with ``prefix`` (at most ``limit``)."""
        if len(prefix) < MIN_PREFIX:
            return []
        found: list[Article] = []
        with self.searcher() as searcher:
            reader = searcher.reader()
            for term in reader.expand_prefix("id", prefix):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                fields = searcher.document(id=text)
                if fields:
                    found.append(article_from_fields(fields))
                if len(found) >= limit:
                    break
        return found

    def stats(self) -> Stats:
        """Count documents, sources, languages and dates."""
        from newscli.models import Stats

        with self.searcher() as searcher:
            reader = searcher.reader()
            sources = []
            for term in reader.field_terms("source"):
                count = count_matching(searcher, Term("source", term))
                if count:
                    fields = searcher.document(source=term) or {}
                    sources.append((str(fields.get("source_name", term)), count))
            languages = []
            for term in reader.field_terms("language"):
                count = count_matching(searcher, Term("language", term))
                if count:
                    languages.append((str(term), count))
            dated_query = Term("dated", "1")
            dated = count_matching(searcher, dated_query)
            earliest = latest = None
            if dated:
                first = searcher.search(dated_query, sortedby="date", limit=1)
                last = searcher.search(dated_query, sortedby="date", reverse=True, limit=1)
                earliest = first[0].get("date_text") if len(first) else None
                latest = last[0].get("date_text") if len(last) else None
            documents = int(searcher.doc_count())
        size = _folder_size(self.folder)
        return Stats(
            index=str(self.folder),
            documents=documents,
            sources=tuple(sorted(sources, key=lambda item: (-item[1], item[0].lower()))),
            languages=tuple(sorted(languages, key=lambda item: (-item[1], item[0]))),
            earliest=earliest,
            latest=latest,
            undated=documents - dated,
            size_bytes=size,
        )

    def generation(self) -> int:
        """Return the generation of the latest commit (it changes with every commit)."""
        return int(self._ix.latest_generation())

    def writer(
        self, *, batch_size: int | None, batch_seconds: float, lock_wait: float
    ) -> BatchWriter:
        """Return a writer that holds the run lock and commits in batches."""
        return BatchWriter(
            self, batch_size=batch_size, batch_seconds=batch_seconds, lock_wait=lock_wait
        )

    def _whoosh_writer(self) -> IndexWriter:
        from newscli.merging import StreamingMergeWriter  # not on the search path

        return StreamingMergeWriter(self._ix, timeout=5.0)

    def _refresh(self) -> None:
        self._ix = _open_index(self.folder)


_NOW: Any = object()
"""Default of :meth:`BatchWriter._commit`'s mark: ``on_commit_start()`` at the commit."""


class BatchWriter:
    """Adds and replaces articles, committing every ``batch_size`` documents or seconds.

    With ``batch_size`` None, the first batch is :data:`DEFAULT_BATCH_SIZE` documents and each
    later one as large as all committed before it in this run, up to :data:`MAX_BATCH_SIZE`
    (500, 500, 1,000, 2,000, 4,000, 4,000, ...): a small refresh commits as often as before,
    a large ingest writes fewer, larger segments, which later need less merging.

    Use as a context manager: entering takes the run lock; leaving normally commits what is
    pending; leaving on an exception still commits what was added before it, so work done is
    kept, and then releases the lock.

    A full batch is committed in a background thread while the caller goes on (the workers
    keep extracting); documents put meanwhile wait in memory (one first batch of them, or
    more up to :data:`_WAITING_LIMIT_BYTES`) and go to a new Whoosh writer once that commit
    is on disk. ``on_commit`` is called, in the caller's thread, after each commit with what
    ``on_commit_start`` returned when it began.
    """

    def __init__(
        self, store: Store, *, batch_size: int | None, batch_seconds: float, lock_wait: float
    ) -> None:
        self._store = store
        self._first_batch = max(1, batch_size or DEFAULT_BATCH_SIZE)
        self._largest_batch = self._first_batch if batch_size else MAX_BATCH_SIZE
        self._batch_size = self._first_batch
        self._batch_seconds = batch_seconds
        self._lock = RunLock(store.folder, wait=lock_wait)
        self._writer: IndexWriter | None = None
        self._pending = 0
        self._batch_started = 0.0
        self._searcher: Searcher | None = None
        self._background: _BackgroundCommit | None = None
        self._waiting: deque[tuple[dict[str, Any], bool, Any]] = deque()
        """Documents put while a background commit runs, for the next writer: each with
        whether it replaces one, and what ``on_commit_start`` returned when it was put."""
        self._waiting_bytes = 0
        """Whoosh's estimate of the waiting documents' postings in memory."""
        self._put_ids: set[str] = set()
        self.committed = 0
        """Documents written by commits that have returned (and been fsynced)."""
        self.on_commit_start: Callable[[], Any] = lambda: None
        """Called when a commit begins; its result is passed to ``on_commit``."""
        self.on_commit: Callable[[Any], None] | None = None
        """Called after each commit, once the documents are on disk."""

    def __enter__(self) -> BatchWriter:
        self._lock.acquire()
        try:
            remove_stale_files(self._store.folder)
        except OSError:
            self._lock.release()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None or issubclass(exc_type, Exception):
                self.commit()
            else:  # ^C: what is being committed is kept, what is pending is not
                with contextlib.suppress(Exception):
                    self._finish_background(replay=False)
                self._waiting.clear()
                self._waiting_bytes = 0
                if self._writer is not None:
                    self._writer.cancel()
                    self._writer = None
        finally:
            self._close_searcher()
            self._lock.release()

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def _current_searcher(self) -> Searcher:
        if self._searcher is None:
            self._searcher = self._store._ix.searcher()
        return self._searcher

    def fingerprint(self, article_id: str) -> Fingerprint | None:
        """Return the committed hashes of an article, or None if it is not indexed."""
        fields = self._current_searcher().document(id=article_id)
        if not fields:
            return None
        return Fingerprint(fields.get("source_hash", ""), fields.get("content_hash", ""))

    def id_with_content(self, content_hash: str) -> str | None:
        """Return the id of a committed article with this content hash, if any."""
        fields = self._current_searcher().document(content_hash=content_hash)
        return str(fields["id"]) if fields else None

    def committed_terms(self, fieldname: str) -> set[str]:
        """Return every committed term of an ID field (a superset: deleted documents' too).

        One pass over the field's lexicon; cheaper than many lookups when most will miss.
        """
        reader = self._current_searcher().reader()
        return {
            term.decode("utf-8") if isinstance(term, bytes) else str(term)
            for term in reader.lexicon(fieldname)
        }

    @property
    def takes_analyzed(self) -> bool:
        """Whether this index takes :func:`analyzed_document` values (indexes created by
        earlier newscli versions have plain TEXT fields; ``newscli index rebuild`` converts)."""
        schema = self._store._ix.schema
        return all(
            isinstance(schema[name], AnalyzedText)
            for name, field in _schema().items()
            if isinstance(field, AnalyzedText) and name in schema
        )

    def put(
        self, article: Article, document: dict[str, Any] | None = None, *, new: bool = False
    ) -> None:
        """Add or replace (by id) an article; commit when the batch is full or old.

        ``document`` is the article's :func:`analyzed_document`, when a worker made it; an index
        made before text fields took pre-analysed values analyses the article here instead.
        ``new`` says no committed article has this id (the caller looked): it is added without
        Whoosh's look-up of the id in every segment, unless it was put before in this run.
        """
        if document is None:
            document = _to_document(article)
        replace = not new or article.id in self._put_ids
        self._put_ids.add(article.id)
        if self._background is not None and (self._background.done() or self._waiting_full()):
            self._finish_background(replay=False)
        if self._background is not None or self._waiting:
            self._waiting.append((document, replace, self.on_commit_start()))
            self._waiting_bytes += _pooled_bytes(document)
            if self._background is None:
                self._replay(_REPLAYED_PER_PUT)  # which may start the next background commit
            return
        self._add(document, replace=replace)
        if (
            self._pending >= self._batch_size
            or time.monotonic() - self._batch_started >= self._batch_seconds
        ):
            self._commit(background=True)

    def _waiting_full(self) -> bool:
        """Whether a put must wait for the background commit: one first batch waits already,
        and, when batches grow (no batch size given), over :data:`_WAITING_LIMIT_BYTES`."""
        if len(self._waiting) < self._first_batch:
            return False
        fixed_batches = self._largest_batch == self._first_batch
        return fixed_batches or self._waiting_bytes >= _WAITING_LIMIT_BYTES

    def _add(self, document: dict[str, Any], *, replace: bool) -> None:
        if self._writer is None:
            self._writer = self._store._whoosh_writer()
            self._batch_started = time.monotonic()
        if any(isinstance(value, PreAnalyzed) for value in document.values()) and not _accepts(
            self._writer.schema, document
        ):
            raise ValueError("pre-analysed document for an index that cannot take it")
        if replace:
            self._writer.update_document(**document)
        else:
            self._writer.add_document(**document)
        self._pending += 1

    def commit(self) -> None:
        """Commit everything put so far durably (see _DurableStorage) and wait for it."""
        while self._background is not None or self._waiting:
            self._finish_background()
        self._commit(background=False)

    def _commit(self, *, background: bool, mark: Any = _NOW) -> None:
        """Commit the current writer; ``mark`` is what ``on_commit`` gets (by default what
        ``on_commit_start`` returns now; it must not cover documents the commit lacks)."""
        if self._writer is None:
            return
        writer, count = self._writer, self._pending
        self._writer, self._pending = None, 0
        if mark is _NOW:
            mark = self.on_commit_start()
        if background:
            self._background = _BackgroundCommit(writer, count, mark)
            return
        self._close_searcher()
        writer.commit()
        self._committed(count, mark)

    def _finish_background(self, *, replay: bool = True) -> None:
        """Wait for the background commit, if any; with ``replay``, then give the documents
        put meanwhile a writer (see :meth:`_replay`)."""
        background, self._background = self._background, None
        if background is not None:
            background.wait()
            self._close_searcher()
            self._committed(background.count, background.mark)
        if replay:
            self._replay(len(self._waiting))

    def _replay(self, limit: int) -> None:
        """Add up to ``limit`` waiting documents to the writer, oldest first.

        They fill batches as :meth:`put` would: once one is full it is committed in the
        background in turn, and the rest wait for that commit. That commit's mark is the one
        taken when the first document left waiting was put: the caller records what it put
        (``on_commit_start``, e.g. the stat cache's checkpoint) after each put, so a later
        mark would cover documents this commit does not hold.
        """
        waiting = self._waiting
        for _ in range(min(limit, len(waiting))):
            document, replace, _mark = waiting.popleft()
            self._waiting_bytes -= _pooled_bytes(document)
            self._add(document, replace=replace)
            if self._pending >= self._batch_size or (
                time.monotonic() - self._batch_started >= self._batch_seconds
            ):
                self._commit(background=True, mark=waiting[0][2] if waiting else _NOW)
                return
        if not waiting:
            self._waiting_bytes = 0

    def _committed(self, count: int, mark: Any) -> None:
        self.committed += count
        self._batch_size = min(self._largest_batch, max(self._first_batch, self.committed))
        log.info("committed %d documents to %s", count, self._store.folder)
        self._store._refresh()
        if self.on_commit is not None:
            self.on_commit(mark)


_WAITING_LIMIT_BYTES = 8 * 1024 * 1024
"""Postings (in Whoosh's estimate of their memory) of the documents that may wait for a
background commit, beyond one first batch of them. A commit of 4,000 articles takes 10-20 s
and a merge that ends a size class over a minute; with only 500 articles waiting the workers
stood idle most of that time. A waiting benchmark article takes 1.4x Whoosh's estimate:
24 MB (~1,700 articles) raised the 100,000-article benchmark's peak from 470 to 513 MB;
8 MB is ~570 articles, ~12 MB of memory."""


def _pooled_bytes(document: dict[str, Any]) -> int:
    """Whoosh's memory estimate of a document's pre-analysed postings (see PreAnalyzed);
    for a document analysed by the writer, about as much from the length of its text."""
    analyzed = [value for value in document.values() if isinstance(value, PreAnalyzed)]
    if not analyzed:
        return 25 * sum(len(value) for value in document.values() if isinstance(value, str))
    return sum(value.pooled_size + 150 * len(value.postings) for value in analyzed)


_REPLAYED_PER_PUT = 4
"""Waiting documents added to the writer with each put once their commit is on disk. Adding
all of them at once (~570 articles, 1.7 s) kept the caller from handing the workers their next
inputs, and they stood idle; a few per put empties the queue while the workers keep busy."""


_SWITCH_INTERVAL = 0.0002
"""Seconds the commit thread may hold the GIL while the main thread waits for it (Python's
default is 0.005). The main thread blocks in a system call several times per article (waiting
for a worker, reading its result, sending the next input) and must win the GIL back each time:
with the default, a long commit or merge held it 5 ms at every turn and ingest of 50,000 articles
slowed to ~60 articles/s."""


class _BackgroundCommit:
    """One Whoosh writer's commit, running in its own thread; ``wait`` re-raises its error.

    While it runs, the interpreter's switch interval is shortened (see ``_SWITCH_INTERVAL``).
    """

    def __init__(self, writer: IndexWriter, count: int, mark: Any) -> None:
        self.count = count
        self.mark = mark
        self._error: BaseException | None = None
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._interval, _SWITCH_INTERVAL))
        self._thread = threading.Thread(
            target=self._run, args=(writer,), name="newscli-commit", daemon=True
        )
        self._thread.start()

    def _run(self, writer: IndexWriter) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            writer.commit()
        except BaseException as exc:  # re-raised in the caller's thread by wait()
            self._error = exc
        log.info(
            "commit of %d documents: %.2f s (%.2f s of CPU, merges included)",
            self.count,
            time.perf_counter() - started,
            time.thread_time() - cpu,
        )

    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self) -> None:
        self._thread.join()
        sys.setswitchinterval(self._interval)
        if self._error is not None:
            raise self._error


# Checking and rebuilding (``newscli index check`` / ``newscli index rebuild``)

_REBUILD_COMMIT_EVERY = 5000
_RENAME_EXCHANGE = 2  # renameat2() flag: swap two paths atomically (Linux 3.15+)
_AT_FDCWD = -100


def _read_meta_version(folder: Path) -> int | None:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        return int(meta["schema_version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _schema_signature(schema: Schema) -> dict[str, str]:
    # AnalyzedText writes what TEXT writes: indexes made before it existed are not mismatched.
    return {
        name: "TEXT" if isinstance(field, AnalyzedText) else type(field).__name__
        for name, field in schema.items()
    }


def _stray_files(folder: Path, toc: Any) -> list[str]:
    keep = {segment.segment_id() for segment in toc.segments}
    stray = []
    for name in _names(folder):
        toc_match = _TOC_NAME.match(name)
        segment_match = _SEGMENT_NAME.match(name)
        if (
            _TOC_TEMP_NAME.match(name)
            or (toc_match is not None and int(toc_match.group(1)) != toc.generation)
            or (segment_match is not None and segment_match.group(1) not in keep)
            or name in (_WHOOSH_TEMP_DIR, META_FILE + ".tmp")
        ):
            stray.append(name)
    return stray


def _segment_documents(storage: Any, schema: Schema, segment: Any) -> Iterator[dict[str, Any]]:
    """Yield the stored fields of the live documents of one segment."""
    from whoosh.reading import SegmentReader

    reader = SegmentReader(storage, schema, segment)
    try:
        for _, fields in reader.iter_docs():
            yield fields
    finally:
        reader.close()


def _verify_segment(storage: Any, schema: Schema, segment: Any) -> int:
    """Read every stored document and every term of a segment; return its live documents."""
    from whoosh.reading import SegmentReader

    reader = SegmentReader(storage, schema, segment)
    try:
        documents = sum(1 for _ in reader.iter_docs())
        for _ in reader.all_terms():
            pass
    finally:
        reader.close()
    if documents != segment.doc_count():
        raise ValueError(f"{documents} documents readable of {segment.doc_count()}")
    return documents


def _segment_label(folder: Path, segment: Any) -> str:
    names = [name for name in _names(folder) if name.startswith(segment.segment_id() + ".")]
    return ", ".join(names) or segment.segment_id()


def check_index(folder: Path, *, lock_wait: float = 0.0) -> IndexCheck:
    """Look for damage: metadata, TOC, schema, every segment, stray files.

    Holds the run lock while it looks, so a commit under way is not taken for damage.
    """
    folder = folder.expanduser()
    if not folder.is_dir():
        raise IndexNotFound(f"no index at {folder}")
    _check_owner(folder)
    with RunLock(folder, wait=lock_wait):
        return _check_locked(folder)


def _check_locked(folder: Path) -> IndexCheck:
    from newscli.models import IndexCheck

    problems: list[str] = []
    version = _read_meta_version(folder)
    if version is None:
        problems.append(f"{META_FILE} is missing or unreadable")
    elif version != SCHEMA_VERSION:
        problems.append(
            f"schema version {version}, this newscli uses {SCHEMA_VERSION}: "
            "run `newscli index rebuild`"
        )
    names = _names(folder)
    if not any(_TOC_NAME.match(name) for name in names):
        segments = [name for name in names if _SEGMENT_NAME.match(name)]
        if not segments:
            raise IndexNotFound(f"no index at {folder}")
        problems.append(
            f"the table of contents (_{INDEX_NAME}_N.toc) is missing; "
            f"{len(segments)} segment files cannot be read without it"
        )
        return IndexCheck(str(folder), None, version, tuple(problems))
    storage = FileStorage(str(folder))
    try:
        toc = TOC.read(storage, INDEX_NAME)
    except Exception as exc:  # any damage shows up here as some exception
        problems.append(f"the table of contents is unreadable ({type(exc).__name__}: {exc})")
        return IndexCheck(str(folder), None, version, tuple(problems))
    expected, found = _schema_signature(build_schema()), _schema_signature(toc.schema)
    if expected != found:
        differing = sorted(
            name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name)
        )
        problems.append(
            f"schema mismatch in fields {', '.join(differing)}: run `newscli index rebuild`"
        )
    documents = 0
    for segment in toc.segments:
        try:
            documents += _verify_segment(storage, toc.schema, segment)
        except Exception as exc:  # truncated or missing files fail in many ways
            problems.append(
                f"segment {_segment_label(folder, segment)} is damaged "
                f"({type(exc).__name__}: {exc}); run `newscli index rebuild`"
            )
    stray = _stray_files(folder, toc)
    if stray:
        problems.append(f"stray temporary files {', '.join(stray)} (the next ingest removes them)")
    return IndexCheck(str(folder), documents, version, tuple(problems))


def _exchange(first: Path, second: Path) -> None:
    """Swap two folders atomically (renameat2 RENAME_EXCHANGE), else by two renames."""
    import ctypes  # here: searches do not need it

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        result = renameat2(
            _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
        )
        if result == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(second))
    aside = second.with_name(second.name + f".old-{os.getpid()}")
    second.rename(aside)
    first.rename(second)
    aside.rename(first)


def rebuild_index(
    folder: Path,
    *,
    lock_wait: float = 0.0,
    progress: Callable[[int, int, str], None] | None = None,
) -> RebuildReport:
    """Re-create the index from its stored documents under the current schema.

    Reads every live document's stored fields (with the schema the old index was written
    with, so a changed SCHEMA_VERSION is fine), turns them into Articles and writes them into
    a new folder beside the index, then swaps the two folders atomically while holding the
    run lock of both, and deletes the old one. Documents in damaged segments are counted as
    unreadable.
    """
    import shutil

    from newscli.models import RebuildReport

    folder = folder.expanduser()
    if not folder.is_dir():
        raise IndexNotFound(f"no index at {folder}")
    _check_owner(folder)
    with RunLock(folder, wait=lock_wait):
        storage = FileStorage(str(folder))
        try:
            toc = TOC.read(storage, INDEX_NAME)
        except Exception as exc:
            raise IndexUnusable(
                f"cannot rebuild {folder}: its table of contents is missing or unreadable "
                f"({type(exc).__name__}), so its documents cannot be found; move the folder "
                "aside and ingest your sources again"
            ) from exc
        for stale in folder.parent.glob(f".{folder.name}.rebuild-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed rebuild
        target = folder.parent / f".{folder.name}.rebuild-{os.getpid()}"
        target.mkdir(mode=0o700)
        Store._create(target)
        with RunLock(target, wait=0):
            written, unreadable, problems = _copy_documents(storage, toc, target, progress)
            _fsync_path(target, directory=True)
            _exchange(target, folder)
            _fsync_path(folder.parent, directory=True)
            shutil.rmtree(target, ignore_errors=True)  # the old index, now at target
    log.info("rebuilt %s: %d documents, %d unreadable", folder, written, unreadable)
    return RebuildReport(str(folder), written, unreadable, tuple(problems))


def _copy_documents(
    storage: Any,
    toc: Any,
    target: Path,
    progress: Callable[[int, int, str], None] | None,
) -> tuple[int, int, list[str]]:
    total = sum(segment.doc_count() for segment in toc.segments)
    ix = _DurableStorage(str(target)).open_index(INDEX_NAME)
    seen: set[str] = set()
    unreadable = done = 0
    problems: list[str] = []
    writer = None
    for segment in toc.segments:
        before = done
        try:
            for fields in _segment_documents(storage, toc.schema, segment):
                done += 1
                try:
                    article = article_from_fields(fields)
                except (KeyError, TypeError, ValueError):
                    unreadable += 1
                    continue
                if article.id in seen:
                    continue
                seen.add(article.id)
                if writer is None:
                    from newscli.merging import StreamingMergeWriter

                    writer = StreamingMergeWriter(ix)
                writer.add_document(**_to_document(article))
                if len(seen) % _REBUILD_COMMIT_EVERY == 0:
                    writer.commit()
                    writer = None
                if progress and done % 100 == 0:
                    progress(done, total, article.id)
        except Exception as exc:  # a damaged segment: keep what was read, count the rest
            lost = max(0, segment.doc_count() - (done - before))
            unreadable += lost
            done = before + segment.doc_count()
            problems.append(
                f"segment {segment.segment_id()} is damaged ({type(exc).__name__}); "
                f"{lost} documents could not be read: ingest their sources again"
            )
    if writer is not None:
        writer.commit()
    if progress:
        progress(total, total, "")
    return len(seen), unreadable, problems
