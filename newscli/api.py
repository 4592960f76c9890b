"""The Corpus facade: everything the command line does, usable from Python."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from newscli.config import DEFAULT_BATCH_SECONDS, DEFAULT_BATCH_SIZE, DEFAULT_MAX_FILE_BYTES
from newscli.errors import ArticleNotFound
from newscli.ids import ID_LENGTH, MIN_PREFIX, article_id
from newscli.models import (
    Article,
    Failure,
    IndexCheck,
    IngestReport,
    RebuildReport,
    SearchPage,
    Source,
    Stats,
)
from newscli.store import Store

__all__ = ["Corpus", "ProgressCallback"]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, current_input)`` while ingesting."""


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
    ) -> None:
        self._store = store
        self.lock_wait = lock_wait
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.max_file_bytes = max_file_bytes

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
    ) -> Corpus:
        """Open the index in ``index_dir``; ``create`` makes it when it does not exist yet."""
        store = Store.open(Path(index_dir), create=create, lock_wait=lock_wait)
        return cls(
            store,
            lock_wait=lock_wait,
            batch_size=batch_size,
            batch_seconds=batch_seconds,
            max_file_bytes=max_file_bytes,
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
        from newscli.pipeline import build_article  # trafilatura & co.: ingest pays, not search
        from newscli.sources import InputError, expand, read_local

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
        written_hashes: dict[str, str] = {}
        with self._store.writer(
            batch_size=self.batch_size, batch_seconds=self.batch_seconds, lock_wait=self.lock_wait
        ) as writer:
            for done, source in enumerate(sources):
                if progress:
                    progress(done, len(sources), source.given)
                if source.path is None:
                    report.failed.append(
                        Failure(source.given, "fetching URLs is not available in this version")
                    )
                    continue
                try:
                    raw = read_local(source, max_bytes=self.max_file_bytes)
                    known = writer.fingerprint(article_id(source.key))
                    if known is not None and known.source_hash == raw.source_hash:
                        report.unchanged += 1
                        continue
                    article = build_article(source, raw, now=now)
                except InputError as exc:
                    report.failed.append(Failure(source.given, str(exc)))
                    continue
                except (OSError, ValueError, RecursionError, MemoryError) as exc:
                    log.debug("unexpected failure on %s", source.given, exc_info=True)
                    report.failed.append(Failure(source.given, f"{type(exc).__name__}: {exc}"))
                    continue
                twin = written_hashes.get(article.content_hash) or writer.id_with_content(
                    article.content_hash
                )
                if twin is not None and twin != article.id:
                    report.duplicates += 1
                    continue
                if known is None:
                    report.added += 1
                elif known.content_hash == article.content_hash:
                    report.unchanged += 1  # e.g. only boilerplate changed; keep the new hash
                else:
                    report.updated += 1
                writer.put(article)
                written_hashes[article.content_hash] = article.id
            if progress:
                progress(len(sources), len(sources), "")
        return report

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

    @staticmethod
    def check_index(index_dir: str | Path, *, lock_wait: float = 0.0) -> IndexCheck:
        """Report damage in an index folder (it need not open): TOC, segments, schema, strays."""
        from newscli.store import check_index

        return check_index(Path(index_dir), lock_wait=lock_wait)

    @staticmethod
    def rebuild_index(
        index_dir: str | Path,
        *,
        lock_wait: float = 0.0,
        progress: ProgressCallback | None = None,
    ) -> RebuildReport:
        """Re-create an index from its stored documents under the current schema, atomically."""
        from newscli.store import rebuild_index

        return rebuild_index(Path(index_dir), lock_wait=lock_wait, progress=progress)
