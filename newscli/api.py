"""The Corpus facade: everything the command line does, usable from Python."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from newscli.config import (
    DEFAULT_BATCH_SECONDS,
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MEMORY_BUDGET_MB,
    DEFAULT_TIME_BUDGET,
)
from newscli.errors import ArticleNotFound
from newscli.ids import ID_LENGTH, MIN_PREFIX, article_id
from newscli.models import Article, Failure, IngestReport, SearchPage, Source, Stats
from newscli.store import BatchWriter, Fingerprint, Store

__all__ = ["Corpus", "ProgressCallback"]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, current_input)`` while ingesting."""


_DIRECT_LOOKUPS = 200
"""Index lookups made one by one before loading all ids and content hashes at once."""


class _Lookups:
    """Ask the index whether an id or a content hash is committed, cheaply when asked often.

    The first few questions are index lookups; after that the committed ids and content hashes
    are loaded once into sets, so that the many misses of a large first ingest cost nothing.
    """

    def __init__(self, writer: BatchWriter) -> None:
        self._writer = writer
        self._asked = 0
        self._ids: set[str] | None = None
        self._hashes: set[str] | None = None

    def _may_exist(self, value: str, terms: set[str] | None) -> bool:
        self._asked += 1
        if self._ids is None and self._asked > _DIRECT_LOOKUPS:
            self._ids = self._writer.committed_terms("id")
            self._hashes = self._writer.committed_terms("content_hash")
        return terms is None or value in terms

    def fingerprint(self, article_id: str) -> Fingerprint | None:
        """Return the committed hashes of an article, or None."""
        if not self._may_exist(article_id, self._ids):
            return None
        return self._writer.fingerprint(article_id)

    def id_with_content(self, content_hash: str) -> str | None:
        """Return the id of a committed article with this content hash, or None."""
        if not self._may_exist(content_hash, self._hashes):
            return None
        return self._writer.id_with_content(content_hash)


class _Pending(NamedTuple):
    """What the ingest loop remembers about an input while a worker processes it."""

    position: int
    source: Source
    signature: str | None
    known: Fingerprint | None


class Corpus:
    """A searchable collection of cleaned articles, stored in one index folder."""

    def __init__(
        self,
        store: Store,
        *,
        lock_wait: float = 0.0,
        batch_size: int = DEFAULT_BATCH_SIZE,
        batch_seconds: float = DEFAULT_BATCH_SECONDS,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        jobs: int | None = None,
        time_budget: float = DEFAULT_TIME_BUDGET,
        memory_budget_mb: int = DEFAULT_MEMORY_BUDGET_MB,
    ) -> None:
        self._store = store
        self.lock_wait = lock_wait
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.max_file_bytes = max_file_bytes
        self.jobs = jobs
        """Worker processes that read and extract inputs; None: one per CPU."""
        self.time_budget = time_budget
        """Seconds one input may take before its worker is killed and the input fails."""
        self.memory_budget_mb = memory_budget_mb
        """Extra memory (MiB) a worker may use for one input; 0: no limit."""

    @classmethod
    def open(
        cls,
        index_dir: str | Path,
        *,
        create: bool = False,
        lock_wait: float = 0.0,
        batch_size: int = DEFAULT_BATCH_SIZE,
        batch_seconds: float = DEFAULT_BATCH_SECONDS,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        jobs: int | None = None,
        time_budget: float = DEFAULT_TIME_BUDGET,
        memory_budget_mb: int = DEFAULT_MEMORY_BUDGET_MB,
    ) -> Corpus:
        """Open the index in ``index_dir``; ``create`` makes it when it does not exist yet."""
        store = Store.open(Path(index_dir), create=create, lock_wait=lock_wait)
        return cls(
            store,
            lock_wait=lock_wait,
            batch_size=batch_size,
            batch_seconds=batch_seconds,
            max_file_bytes=max_file_bytes,
            jobs=jobs,
            time_budget=time_budget,
            memory_budget_mb=memory_budget_mb,
        )

    @property
    def index_dir(self) -> Path:
        """The folder that holds the index."""
        return self._store.folder

    def ingest(
        self,
        inputs: Iterable[str],
        *,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        progress: ProgressCallback | None = None,
        now: datetime | None = None,
    ) -> IngestReport:
        """Read, clean and index files, folders and URLs; return what happened to each.

        A bad input never stops the run: it is listed in the report's ``failed``. Articles
        whose raw input is unchanged are not processed again; articles whose cleaned text is
        already indexed from another input are counted as duplicates and not indexed twice.
        """
        from newscli.sources import expand

        now = now or datetime.now(UTC)
        report = IngestReport()
        sources: list[Source] = []
        for item in expand(inputs, include=include, exclude=exclude):
            if isinstance(item, Source):
                sources.append(item)
            elif item.reason.startswith("skipped"):
                report.skipped.append(item)
            else:
                report.failed.append(item)
        with self._store.writer(
            batch_size=self.batch_size, batch_seconds=self.batch_seconds, lock_wait=self.lock_wait
        ) as writer:
            self._ingest_sources(sources, writer, report, progress=progress, now=now)
        return report

    def _ingest_sources(
        self,
        sources: Sequence[Source],
        writer: BatchWriter,
        report: IngestReport,
        *,
        progress: ProgressCallback | None,
        now: datetime,
    ) -> None:
        """Skip what the stat cache knows, build the rest in workers, index it in input order.

        Workers read, extract and clean; this process alone decides (in input order, so the
        report is the same for any number of workers) what is new, updated, unchanged or a
        duplicate, and writes to the index.
        """
        from newscli import filestate
        from newscli.sources import is_text_name
        from newscli.workers import Budget, Built, Same, Task, WorkerPool, default_jobs

        state = filestate.FileState.load(self.index_dir, generation=self._store.generation())
        writer.on_commit = lambda: state.save(self._store.generation())
        total = len(sources)
        done = 0
        lookups = _Lookups(writer)
        signer = filestate.Signer()

        def tick(current: str) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, total, current)

        if progress:
            progress(0, total, "")
        failures: list[tuple[int, Failure]] = []  # reported in input order at the end
        pending: list[tuple[int, Source, str | None]] = []
        for position, source in enumerate(sources):  # first the stat cache: no reading
            signature = signer.signature(source.path) if source.path else None
            entry = state.get(source.key) if signature else None
            if entry is not None and entry.signature == signature:
                if entry.status == filestate.INDEXED:
                    report.unchanged += 1
                    tick(source.given)
                    continue
                if entry.status == filestate.FAILED:
                    failures.append((position, Failure(source.given, entry.detail)))
                    tick(source.given)
                    continue
                twin = lookups.id_with_content(entry.detail)
                if twin is not None and twin != article_id(source.key):
                    report.duplicates += 1
                    tick(source.given)
                    continue
            pending.append((position, source, signature))

        def tasks() -> Iterator[tuple[_Pending, Task]]:
            for position, source, signature in pending:
                known = lookups.fingerprint(article_id(source.key))
                yield (
                    _Pending(position, source, signature, known),
                    Task(source, known_hash=known.source_hash if known else None),
                )

        budget = Budget(seconds=self.time_budget, memory_mb=self.memory_budget_mb)
        written_hashes: dict[str, str] = {}
        with WorkerPool(
            jobs=self.jobs or default_jobs(),
            budget=budget,
            max_bytes=self.max_file_bytes,
            now=now,
            html=any(not is_text_name(source.path or "") for _, source, _ in pending),
        ) as pool:
            for current, outcome in pool.run(tasks()):
                position, source, signature, known = current
                tick(source.given)
                if isinstance(outcome, Same):
                    report.unchanged += 1
                    status, content = filestate.INDEXED, known.content_hash if known else ""
                elif isinstance(outcome, Built):
                    article = outcome.article
                    status, content = filestate.INDEXED, article.content_hash
                    twin = written_hashes.get(article.content_hash) or lookups.id_with_content(
                        article.content_hash
                    )
                    if twin is not None and twin != article.id:
                        report.duplicates += 1
                        status = filestate.DUPLICATE
                    else:
                        if known is None:
                            report.added += 1
                        elif known.content_hash == article.content_hash:
                            report.unchanged += 1  # e.g. only boilerplate changed
                        else:
                            report.updated += 1
                        writer.put(article)
                        written_hashes[article.content_hash] = article.id
                else:
                    failures.append((position, Failure(source.given, outcome.reason)))
                    if not outcome.lasting:
                        continue
                    status, content = filestate.FAILED, outcome.reason
                if signature is not None:
                    state.stage(source.key, filestate.Entry(signature, status, content))
        writer.commit()
        state.save(self._store.generation())
        report.failed.extend(failure for _, failure in sorted(failures, key=lambda f: f[0]))

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        since: date | None = None,
        until: date | None = None,
        sources: Sequence[str] = (),
        languages: Sequence[str] = (),
        sort: str = "relevance",
    ) -> SearchPage:
        """Return the best ``limit`` hits for a Whoosh query over titles and bodies."""
        from newscli import query as query_module

        with self._store.searcher() as searcher:
            return query_module.search(
                searcher,
                query,
                limit=limit,
                since=since,
                until=until,
                sources=sources,
                languages=languages,
                sort=sort,
            )

    def get(self, id_or_prefix: str) -> Article:
        """Return the article with this id or unique id prefix (6 characters or more)."""
        wanted = id_or_prefix.strip().lower()
        if len(wanted) == ID_LENGTH:
            article = self._store.get(wanted)
            if article is not None:
                return article
        if len(wanted) < MIN_PREFIX:
            raise ArticleNotFound(
                f"id {id_or_prefix!r} is too short; give at least {MIN_PREFIX} characters"
            )
        matches = self._store.find_prefix(wanted, limit=2)
        if not matches:
            raise ArticleNotFound(f"no article with id {id_or_prefix!r}")
        if len(matches) > 1:
            raise ArticleNotFound(f"id prefix {id_or_prefix!r} is ambiguous; give more characters")
        return matches[0]

    def stats(self) -> Stats:
        """Summarise the index: documents, sources, languages, date range, size."""
        return self._store.stats()
