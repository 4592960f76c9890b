"""The Corpus facade: everything the command line does, usable from Python."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from newscli.config import (
    DEFAULT_BATCH_SECONDS,
    DEFAULT_FETCH_TIMEOUT,
    DEFAULT_HOST_DELAY,
    DEFAULT_MAX_FETCH_BYTES,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MEMORY_BUDGET_MB,
    DEFAULT_TIME_BUDGET,
)
from newscli.errors import ArticleNotFound, NewscliError
from newscli.ids import ID_LENGTH, MIN_PREFIX, article_id, canonical_url
from newscli.logs import get_logger
from newscli.models import SearchPage
from newscli.store import BatchWriter, Fingerprint, RunLock, Store

if TYPE_CHECKING:
    from newscli.feeds import FeedEntry
    from newscli.fetch import Fetcher
    from newscli.models import (
        Article,
        Failure,
        IndexCheck,
        IngestReport,
        RebuildReport,
        RefreshReport,
        Source,
        Stats,
        Timeline,
    )
    from newscli.registry import FeedState, FetchState, RegisteredSource
    from newscli.sources import RawInput
    from newscli.workers import WorkerPool

__all__ = ["Corpus", "ProgressCallback"]

log = get_logger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, current_input)`` while ingesting."""


_DIRECT_LOOKUPS = 200
"""Index lookups made one by one before loading all ids and content hashes at once."""
_PRESTART_FILES = 5000
"""An ingest into an index whose stat cache holds at least this many files (a rescan of a
large folder, most likely) starts the workers' fork server (for plain text) as it begins: a
scan of 100,000 files takes ~2.5 s and the server ~0.6 s, which a changed file found late in
the scan waited for."""


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
        batch_size: int | None = None,
        batch_seconds: float = DEFAULT_BATCH_SECONDS,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        allow_private_hosts: bool = False,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        host_delay: float = DEFAULT_HOST_DELAY,
        max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES,
        config_dir: Path | None = None,
        jobs: int | None = None,
        time_budget: float = DEFAULT_TIME_BUDGET,
        memory_budget_mb: int = DEFAULT_MEMORY_BUDGET_MB,
    ) -> None:
        self._store = store
        self.config_dir = config_dir
        self.lock_wait = lock_wait
        self.batch_size = batch_size
        """Documents per commit; None: 500 at first, then growing with the run (up to 4,000)."""
        self.batch_seconds = batch_seconds
        self.max_file_bytes = max_file_bytes
        self.allow_private_hosts = allow_private_hosts
        """Fetch from loopback and private addresses too (off: protects intranets)."""
        self.fetch_timeout = fetch_timeout
        """Total seconds per URL, redirects and retries included."""
        self.host_delay = host_delay
        """Seconds between two requests to the same host."""
        self.max_fetch_bytes = max_fetch_bytes
        self._fetcher: Fetcher | None = None
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
        batch_size: int | None = None,
        batch_seconds: float = DEFAULT_BATCH_SECONDS,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        allow_private_hosts: bool = False,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        host_delay: float = DEFAULT_HOST_DELAY,
        max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES,
        config_dir: Path | None = None,
        jobs: int | None = None,
        time_budget: float = DEFAULT_TIME_BUDGET,
        memory_budget_mb: int = DEFAULT_MEMORY_BUDGET_MB,
    ) -> Corpus:
        """Open the index in ``index_dir``; ``create`` makes it when it does not exist yet.

        ``config_dir`` is where a user ``aliases.toml`` may live (besides the index folder).
        """
        store = Store.open(Path(index_dir), create=create, lock_wait=lock_wait)
        return cls(
            store,
            lock_wait=lock_wait,
            batch_size=batch_size,
            batch_seconds=batch_seconds,
            max_file_bytes=max_file_bytes,
            allow_private_hosts=allow_private_hosts,
            fetch_timeout=fetch_timeout,
            host_delay=host_delay,
            max_fetch_bytes=max_fetch_bytes,
            config_dir=config_dir,
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
        urls: Sequence[str] = (),
        feeds: Sequence[str] = (),
        date_hints: Mapping[str, str] | None = None,
    ) -> IngestReport:
        """Read, clean and index files, folders and URLs; return what happened to each.

        ``urls`` are more URLs (e.g. from a URL list; anything but http(s) fails), ``feeds``
        are RSS/Atom feeds, sitemaps or home pages advertising a feed, whose entries are
        ingested; ``date_hints`` maps a URL to a date known from elsewhere (a feed entry).

        A bad input never stops the run: it is listed in the report's ``failed``. Articles
        whose raw input is unchanged are not processed again; articles whose cleaned text is
        already indexed from another input are counted as duplicates and not indexed twice.
        """
        from newscli import filestate
        from newscli.models import IngestReport, Source
        from newscli.sources import expand

        if filestate.cached_files(self.index_dir) >= _PRESTART_FILES:
            from newscli.workers import start_fork_server_in_background

            start_fork_server_in_background(html=False)
        now = now or datetime.now(UTC)
        report = IngestReport()
        hints = dict(date_hints or {})
        if urls or feeds:
            inputs = [*inputs, *self._web_inputs(urls, feeds, report, hints)]
        fetched: dict[str, str | None] = {}
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
            self._ingest_sources(
                sources, writer, report, progress=progress, now=now, hints=hints, fetched=fetched
            )
            if fetched:
                self._remember_fetched(fetched, now)
        return report

    def _ingest_sources(
        self,
        sources: Sequence[Source],
        writer: BatchWriter,
        report: IngestReport,
        *,
        progress: ProgressCallback | None,
        now: datetime,
        hints: Mapping[str, str] | None = None,
        fetched: dict[str, str | None] | None = None,
    ) -> None:
        """Skip what the stat cache knows, build the rest in workers, index it in input order.

        Web pages are downloaded here (one connection pool, per-host delays) and extracted in
        the workers like files. Workers read, extract and clean; this process alone decides (in
        input order, so the report is the same for any number of workers) what is new, updated,
        unchanged or a duplicate, and writes to the index.
        """
        from newscli import filestate
        from newscli.models import Failure

        state = filestate.FileState.load(self.index_dir, generation=self._store.generation())
        writer.on_commit_start = state.checkpoint
        writer.on_commit = lambda mark: state.save(self._store.generation(), upto=mark)
        total = len(sources)
        done = 0
        lookups = _Lookups(writer)
        analyze = writer.takes_analyzed
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
        pool: WorkerPool | None = None
        cached = state.entries
        with contextlib.ExitStack() as stack:
            for position, source in enumerate(sources):  # first the stat cache: no reading
                signature = source.signature
                if signature is None and source.path is not None:
                    signature = signer.signature(source.path)
                entry = cached.get(source.key) if signature else None
                if entry is not None and entry[0] == signature:
                    _signature, status, detail = entry
                    if status == filestate.INDEXED:
                        report.unchanged += 1
                        tick(source.given)
                        continue
                    if status == filestate.FAILED:
                        failures.append((position, Failure(source.given, detail)))
                        tick(source.given)
                        continue
                    twin = lookups.id_with_content(detail)
                    if twin is not None and twin != article_id(source.key):
                        report.duplicates += 1
                        tick(source.given)
                        continue
                if pool is None:  # the first input to build: workers start while the scan goes on
                    pool = stack.enter_context(self._worker_pool(now, source))
                pending.append((position, source, signature))

            if pool is None:  # nothing changed: no worker starts, no extraction code is imported
                state.save(self._store.generation())
                report.failed.extend(_in_input_order(failures))
                return

            from newscli.sources import InputError, is_text_name
            from newscli.templates import folder_templates

            if any(not is_text_name(source.path or "") for _, source, _ in pending):
                pool.include_html()
            from newscli.workers import Built, Same, Task

            hints = hints or {}
            fetched = fetched if fetched is not None else {}
            templates: dict[str, frozenset[str]] = {}  # learnt below, before the first task

            def tasks() -> Iterator[tuple[_Pending, Task]]:
                for position, source, signature in pending:
                    raw = None
                    if source.path is None:
                        try:
                            source, raw = self._fetch_page(source, hints.get(source.given), fetched)
                        except InputError as exc:
                            failures.append((position, Failure(source.given, str(exc))))
                            tick(source.given)
                            continue
                    known = lookups.fingerprint(article_id(source.key))
                    yield (
                        _Pending(position, source, signature, known),
                        Task(
                            source,
                            known_hash=known.source_hash if known else None,
                            raw=raw,
                            template=templates.get(source.path) if source.path else None,
                            analyze=analyze,
                        ),
                    )

            written_hashes: dict[str, str] = {}
            # Folder templates are learnt only for folders with something to (re)build, so
            # that a run where nothing changed reads no file.
            # Plain strings: this looks at every input (a Path costs 10 µs, dirname 1 µs).
            changed = {s.path.rpartition(os.sep)[0] for _, s, _ in pending if s.path is not None}
            if changed:
                in_changed = [
                    s
                    for s in sources
                    if s.path is not None and s.path.rpartition(os.sep)[0] in changed
                ]
                templates.update(
                    folder_templates(
                        in_changed,
                        max_bytes=self.max_file_bytes,
                        cache=state.templates,
                        changed={s.path for _, s, _ in pending if s.path is not None},
                    )
                )
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
                    if twin is not None and (
                        twin != article.id or article.content_hash in written_hashes
                    ):  # the same article twice in this run, e.g. two URLs with one canonical
                        report.duplicates += 1
                        status = filestate.DUPLICATE
                    else:
                        if known is None:
                            report.added += 1
                        elif known.content_hash == article.content_hash:
                            report.unchanged += 1  # e.g. only boilerplate changed
                        else:
                            report.updated += 1
                        writer.put(article, outcome.document, new=known is None)
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
        report.failed.extend(_in_input_order(failures))

    def _worker_pool(self, now: datetime, first: Source) -> WorkerPool:
        """A worker pool for this corpus's settings, starting in the background.

        Its workers load trafilatura only when ``first`` (the first input to build) may be
        HTML: a run where only text files changed starts in half the time. If an HTML input
        turns up later in the scan, :meth:`WorkerPool.include_html` gets them ready for it.
        """
        from newscli.sources import is_text_name
        from newscli.workers import Budget, WorkerPool, default_jobs

        pool = WorkerPool(
            jobs=self.jobs or default_jobs(),
            budget=Budget(seconds=self.time_budget, memory_mb=self.memory_budget_mb),
            max_bytes=self.max_file_bytes,
            now=now,
            html=not is_text_name(first.path or ""),
        )
        pool.start_in_background()
        return pool

    @staticmethod
    def extract(
        inputs: Iterable[str],
        *,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        learn_templates: bool = True,
        now: datetime | None = None,
        allow_private_hosts: bool = False,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        host_delay: float = DEFAULT_HOST_DELAY,
        max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES,
        jobs: int | None = None,
        time_budget: float = DEFAULT_TIME_BUDGET,
        memory_budget_mb: int = DEFAULT_MEMORY_BUDGET_MB,
    ) -> Iterator[Article | Failure]:
        """Yield what ``ingest`` would index for each input, in input order, without an index.

        Each input gives an Article (with ``removed`` telling what cleaning took out) or a
        Failure saying why it has no article. Skipped files (unsupported types) are not
        yielded. Inputs go through the same worker pool, budgets, folder templates
        (``learn_templates``) and fetcher as in ``ingest``.
        """
        from newscli.models import Failure, Source
        from newscli.sources import InputError, expand
        from newscli.templates import folder_templates
        from newscli.workers import Budget, Built, Failed, Task, WorkerPool, default_jobs

        now = now or datetime.now(UTC)
        items: list[Source | Failure] = [
            item
            for item in expand(inputs, include=include, exclude=exclude)
            if isinstance(item, Source) or not item.reason.startswith("skipped")
        ]
        sources = [item for item in items if isinstance(item, Source)]
        templates = folder_templates(sources, max_bytes=max_file_bytes) if learn_templates else {}
        early: dict[int, Failure] = {}  # failures known before extraction, by position
        fetcher: Fetcher | None = None

        def tasks() -> Iterator[tuple[tuple[int, Source], Task]]:
            nonlocal fetcher
            for position, item in enumerate(items):
                if isinstance(item, Failure):
                    early[position] = item
                    continue
                raw = None
                if item.path is None:
                    fetcher = fetcher or _make_fetcher(
                        allow_private_hosts=allow_private_hosts,
                        fetch_timeout=fetch_timeout,
                        host_delay=host_delay,
                        max_fetch_bytes=max_fetch_bytes,
                    )
                    try:
                        item, raw = _fetch_page(fetcher, item, None, {})
                    except InputError as exc:
                        early[position] = Failure(item.given, str(exc))
                        continue
                template = templates.get(item.path) if item.path else None
                yield (position, item), Task(item, raw=raw, template=template)

        def earlier_than(position: int) -> Iterator[Failure]:
            for known in sorted(p for p in early if p < position):
                yield early.pop(known)

        budget = Budget(seconds=time_budget, memory_mb=memory_budget_mb)
        with WorkerPool(
            jobs=jobs or default_jobs(), budget=budget, max_bytes=max_file_bytes, now=now
        ) as pool:
            for (position, source), outcome in pool.run(tasks()):
                yield from earlier_than(position)
                if isinstance(outcome, Built):
                    yield outcome.article
                elif isinstance(outcome, Failed):
                    yield Failure(source.given, outcome.reason)
        yield from earlier_than(len(items))

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        since: date | str | None = None,
        until: date | str | None = None,
        sources: Sequence[str] = (),
        languages: Sequence[str] = (),
        sort: str = "relevance",
        mentions_since: date | str | None = None,
        mentions_until: date | str | None = None,
        now: datetime | None = None,
        aliases: bool = True,
        folding: bool = True,
        count: bool = False,
    ) -> SearchPage:
        """Return the best ``limit`` hits for a Whoosh query over titles and bodies.

        ``since``/``until`` bound the publication date and ``mentions_since``/
        ``mentions_until`` the days mentioned in the body, inclusive; each is a date or a
        relative day before ``now`` (``7d``, ``2w``, ``3m``, ``1y``). Words match across
        scripts and inflections; with ``aliases`` a name also matches the other spellings in
        the alias files (starter list, config folder, index folder). ``folding=False``
        searches the exact title and body fields only. ``count`` fills the page's ``total``
        (every matching article, filters included), which costs a second pass.
        """
        from newscli import query as query_module
        from newscli.aliases import alias_files, load_aliases

        today = (now or datetime.now(UTC)).date()
        table = load_aliases(alias_files(self.index_dir, self.config_dir)) if aliases else None
        with self._store.searcher() as searcher:
            return query_module.search(
                searcher,
                query,
                limit=limit,
                since=query_module.relative_day(since, today=today),
                until=query_module.relative_day(until, today=today),
                sources=sources,
                languages=languages,
                sort=sort,
                mentions_since=query_module.relative_day(mentions_since, today=today),
                mentions_until=query_module.relative_day(mentions_until, today=today),
                today=today,
                aliases=table,
                folding=folding,
                count=count,
            )

    def timeline(
        self,
        query: str,
        *,
        by: str = "month",
        field: str = "date",
        since: date | str | None = None,
        until: date | str | None = None,
        mentions_since: date | str | None = None,
        mentions_until: date | str | None = None,
        sources: Sequence[str] = (),
        languages: Sequence[str] = (),
        now: datetime | None = None,
        aliases: bool = True,
    ) -> Timeline:
        """Count matching articles per day, week or month of their date or mentioned days.

        ``field`` is ``date`` (publication date) or ``mentions``; bounds, folding and aliases
        as for :meth:`search`.
        """
        from newscli import query as query_module
        from newscli.aliases import alias_files, load_aliases

        today = (now or datetime.now(UTC)).date()
        table = load_aliases(alias_files(self.index_dir, self.config_dir)) if aliases else None
        with self._store.searcher() as searcher:
            return query_module.timeline(
                searcher,
                query,
                by=by,
                field=field,
                since=query_module.relative_day(since, today=today),
                until=query_module.relative_day(until, today=today),
                mentions_since=query_module.relative_day(mentions_since, today=today),
                mentions_until=query_module.relative_day(mentions_until, today=today),
                sources=sources,
                languages=languages,
                today=today,
                aliases=table,
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

    # --- the web: fetching pages and feeds, registered sources, refresh -------------------

    def _get_fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = _make_fetcher(
                allow_private_hosts=self.allow_private_hosts,
                fetch_timeout=self.fetch_timeout,
                host_delay=self.host_delay,
                max_fetch_bytes=self.max_fetch_bytes,
            )
        return self._fetcher

    def _fetch_page(
        self, source: Source, date_hint: str | None, fetched: dict[str, str | None]
    ) -> tuple[Source, RawInput]:
        """Download an article page; its key becomes its same-site canonical URL if it has one."""
        return _fetch_page(self._get_fetcher(), source, date_hint, fetched)

    def _remember_fetched(self, fetched: Mapping[str, str | None], now: datetime) -> None:
        """Record downloaded URLs (and failed downloads) in the fetch state; needs the lock."""
        from newscli.registry import FetchState

        state = FetchState.load(self.index_dir)
        when = _iso(now)
        for key, error in fetched.items():
            state.record(key, ok=error is None, when=when, error=error)
        state.save()

    def _web_inputs(
        self,
        urls: Sequence[str],
        feeds: Sequence[str],
        report: IngestReport,
        hints: dict[str, str],
    ) -> list[str]:
        """Check listed URLs and read feeds; return the URLs to ingest, failures to ``report``."""
        from newscli.models import Failure
        from newscli.sources import is_url

        found: list[str] = []
        for url in urls:
            if is_url(url):
                found.append(url)
            else:
                report.failed.append(Failure(url, "not an http(s) URL"))
        for feed in feeds:
            try:
                entries, _ = self._feed_entries(feed, remembered=None)
            except NewscliError as exc:
                report.failed.append(Failure(feed, str(exc)))
                continue
            found.extend(self._entry_urls(entries or [], report, hints))
        return found

    @staticmethod
    def _entry_urls(
        entries: Sequence[FeedEntry],
        report: IngestReport,
        hints: dict[str, str],
        state: FetchState | None = None,
    ) -> list[str]:
        """Keep the http(s) links of feed entries, note their dates as hints.

        Other links are reported; with a ``state``, only once (then remembered as refused).
        """
        from newscli.models import Failure
        from newscli.sources import is_url

        urls = []
        for entry in entries:
            if not is_url(entry.url):
                if state is None or not state.is_done(entry.url):
                    reason = "refused: only http and https URLs are fetched"
                    report.failed.append(Failure(entry.url, reason))
                    if state is not None:
                        state.refuse(entry.url, reason)
                continue
            urls.append(entry.url)
            if entry.date:
                hints[entry.url] = entry.date
        return urls

    def _feed_entries(
        self, location: str, *, remembered: FeedState | None, depth: int = 0
    ) -> tuple[list[FeedEntry] | None, FeedState]:
        """Fetch a feed, sitemap (index) or home page; return its entries and validators.

        With ``remembered`` validators the request is conditional, and None entries mean
        "not modified". Raises NewscliError (a one-line reason) when the feed cannot be read.
        """
        from newscli.feeds import FeedError, discover_feed, is_feed_document, parse_feed
        from newscli.fetch import FEED_TYPES, FetchError
        from newscli.registry import FeedState

        fetcher = self._get_fetcher()
        url = (remembered.feed_url if remembered else None) or location
        try:
            response = fetcher.get(
                url,
                accept=FEED_TYPES,
                etag=remembered.etag if remembered else None,
                last_modified=remembered.last_modified if remembered else None,
            )
            if response.not_modified and remembered is not None:
                return None, remembered
            discovered = None
            if not is_feed_document(response.data):
                discovered = discover_feed(response.data, response.url)
                if discovered is None:
                    raise NewscliError("not a feed, and the page advertises no feed")
                response = fetcher.get(discovered, accept=FEED_TYPES)
            feed = parse_feed(response.data, response.url)
            entries = list(feed.entries)
            if feed.kind == "sitemapindex":
                if depth > 0:
                    raise NewscliError("sitemap index nested in a sitemap index")
                nested: list[FeedEntry] = []
                for child in entries[:_MAX_CHILD_SITEMAPS]:
                    found, _ = self._feed_entries(child.url, remembered=None, depth=1)
                    nested.extend(found or [])
                entries = nested
        except (FetchError, FeedError) as exc:
            raise NewscliError(str(exc)) from exc
        validators = FeedState(
            etag=response.etag,
            last_modified=response.last_modified,
            feed_url=discovered or (remembered.feed_url if remembered else None),
        )
        return entries, validators

    def add_source(
        self,
        location: str,
        *,
        feed: bool = False,
        name: str | None = None,
        now: datetime | None = None,
    ) -> RegisteredSource:
        """Register a folder, file, page URL or feed URL for ``refresh`` to revisit."""
        from newscli.registry import RegisteredSource, RegistryError, SourceRegistry
        from newscli.sources import is_url

        registry = SourceRegistry(self.index_dir)
        if is_url(location):
            kind = "feed" if feed else "page"
            location = location.strip()
            default = (_host_of(location) or location).removeprefix("www.")
        else:
            if feed:
                raise RegistryError(f"--feed needs an http(s) URL, not {location!r}")
            path = Path(location).expanduser().absolute()
            if path.is_dir():
                kind = "folder"
            elif path.is_file():
                kind = "file"
            else:
                raise RegistryError(f"no such file or folder: {location}")
            location = str(path)
            default = path.name or str(path)
        if name is not None and not name.strip():
            raise RegistryError("a source name cannot be empty")
        taken = {known.name.lower() for known in registry.entries()}
        chosen = name.strip() if name else default
        if name is None:
            suffix = 2
            while chosen.lower() in taken:
                chosen = f"{default}-{suffix}"
                suffix += 1
        added = _iso(now or datetime.now(UTC))
        return registry.add(
            RegisteredSource(name=chosen, kind=kind, location=location, added=added)
        )

    def list_sources(self) -> list[RegisteredSource]:
        """Return the registered sources, in the order they were added."""
        from newscli.registry import SourceRegistry

        return SourceRegistry(self.index_dir).entries()

    def remove_source(self, name_or_location: str) -> RegisteredSource:
        """Unregister a source (its articles stay in the index) and return it."""
        from newscli.registry import SourceRegistry

        return SourceRegistry(self.index_dir).remove(name_or_location)

    def refresh(
        self,
        *,
        refetch: bool = False,
        progress: ProgressCallback | None = None,
        now: datetime | None = None,
    ) -> RefreshReport:
        """Revisit every registered source and ingest what is new or changed.

        Folders and files: new and changed files. Feeds: entries never fetched before (feeds
        are asked conditionally, with ETag / Last-Modified). Pages: fetched once. ``refetch``
        downloads pages and feed entries again. Holds the run lock for the whole run, so two
        refreshes never write at once (the second raises IndexBusy after ``lock_wait``).
        A line per run is appended to ``refresh.log`` beside the index.
        """
        from newscli import runlog
        from newscli.models import Failure, IngestReport, RefreshReport
        from newscli.registry import FeedState, FetchState, RegistryError
        from newscli.sources import InputError

        now = now or datetime.now(UTC)
        started = time.monotonic()
        report = RefreshReport(started=_iso(now))
        with RunLock(self.index_dir, wait=self.lock_wait, reentrant=True):
            registered = self.list_sources()
            if not registered:
                raise RegistryError(
                    "no sources registered; add one with `newscli sources add PATH|URL`"
                )
            report.sources = len(registered)
            for source in registered:
                part = IngestReport()
                hints: dict[str, str] = {}
                inputs: list[str] = []
                validators: FeedState | None = None
                try:
                    if source.kind in ("folder", "file"):
                        if not Path(source.location).exists():
                            raise InputError("no such file or folder")
                        inputs = [source.location]
                    elif source.kind == "page":
                        state = FetchState.load(self.index_dir)
                        if refetch or not state.is_done(canonical_url(source.location)):
                            inputs = [source.location]
                    else:
                        state = FetchState.load(self.index_dir)
                        remembered = state.feeds.get(source.location)
                        if refetch and remembered is not None:
                            remembered = FeedState(feed_url=remembered.feed_url)
                        entries, validators = self._feed_entries(
                            source.location, remembered=remembered
                        )
                        urls = self._entry_urls(entries or [], part, hints, state)
                        state.save()
                        inputs = [
                            url for url in urls if refetch or not state.is_done(canonical_url(url))
                        ]
                except (NewscliError, InputError) as exc:
                    part.failed.append(Failure(source.location, str(exc)))
                except Exception as exc:  # one bad source never stops the others
                    log.debug("unexpected failure on %s", source.location, exc_info=True)
                    reason = f"{type(exc).__name__}: {exc}"
                    part.failed.append(Failure(source.location, reason))
                if inputs:
                    result = self.ingest(inputs, progress=progress, now=now, date_hints=hints)
                    _merge(part, result)
                if validators is not None and not part.failed:
                    # Only now: a run killed before its entries landed, or an entry that
                    # failed, must see the whole feed again next time, not a 304.
                    state = FetchState.load(self.index_dir)
                    state.feeds[source.location] = validators
                    state.save()
                if part.failed and not part.processed:
                    report.sources_failed += 1
                _merge(report.ingest, part)
            report.duration = time.monotonic() - started
            runlog.append_run(self.index_dir, report)
        return report


_MAX_CHILD_SITEMAPS = 50
"""A sitemap index's first sitemaps read; news sites list years of archives after them."""


def _in_input_order(failures: list[tuple[int, Failure]]) -> list[Failure]:
    """The failures of ``(position, failure)`` pairs, sorted by position."""
    return [failure for _, failure in sorted(failures, key=lambda pair: pair[0])]


def _host_of(url: str) -> str | None:
    """Return the lower-case host of a URL, or None."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname
    return host.lower() if host else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _merge(total: IngestReport, part: IngestReport) -> None:
    total.added += part.added
    total.updated += part.updated
    total.unchanged += part.unchanged
    total.duplicates += part.duplicates
    total.skipped.extend(part.skipped)
    total.failed.extend(part.failed)


def _fetch_page(
    fetcher: Fetcher, source: Source, date_hint: str | None, fetched: dict[str, str | None]
) -> tuple[Source, RawInput]:
    """Download an article page; its key becomes its same-site canonical URL if it has one."""
    from newscli import decoding
    from newscli.feeds import canonical_link
    from newscli.fetch import FetchError
    from newscli.ids import content_hash
    from newscli.models import DocumentKind, Source
    from newscli.sources import InputError, RawInput

    assert source.url is not None
    try:
        response = fetcher.get(source.url)
    except FetchError as exc:
        fetched[source.key] = str(exc)
        raise InputError(str(exc)) from exc
    fetched[source.key] = None
    log.info("fetched %s (%d bytes)", response.url, len(response.data))
    if not response.content_type and not decoding.looks_like_html(response.data):
        raise InputError("not an HTML page")
    canonical = canonical_link(response.data, response.url)
    page = Source(
        key=canonical_url(canonical) if canonical else source.key,
        url=response.url,
        given=source.given,
    )
    raw = RawInput(
        data=response.data,
        kind=DocumentKind.HTML,
        sidecar={"url": canonical or response.url},  # recorded as the article's url
        source_hash=content_hash(response.data),
        date_hint=date_hint,
    )
    return page, raw


def _make_fetcher(
    *, allow_private_hosts: bool, fetch_timeout: float, host_delay: float, max_fetch_bytes: int
) -> Fetcher:
    from newscli.fetch import Fetcher, FetchPolicy

    return Fetcher(
        FetchPolicy(
            timeout=fetch_timeout,
            max_bytes=max_fetch_bytes,
            host_delay=host_delay,
            allow_private_hosts=allow_private_hosts,
        )
    )
