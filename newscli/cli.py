"""The ``newscli`` command line: a thin Click layer over :class:`newscli.api.Corpus`.

Heavy modules (Whoosh, trafilatura, rich) are imported inside the commands that need them, so
``newscli --help`` starts instantly.
"""

from __future__ import annotations

import calendar
import gc
import os
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from newscli.startup import import_click

import_click()  # before Click is first imported: it keeps `newscli search` quick to start

import click

from newscli import __version__, config, render
from newscli.config import (
    DEFAULT_MEMORY_BUDGET_MB,
    DEFAULT_TIME_BUDGET,
    Settings,
    default_config_dir,
    default_index_dir,
)
from newscli.errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    NewscliError,
)

if TYPE_CHECKING:
    from newscli.api import Corpus
    from newscli.models import IngestReport, RefreshReport

__all__ = ["cli", "exit_code_for", "main", "refresh_exit_code"]

F = TypeVar("F", bound=Callable[..., Any])


class NewsGroup(click.Group):
    """Turns library errors into one-line messages with their exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewscliError as exc:
            if isinstance(ctx.obj, Settings) and ctx.obj.debug:
                raise
            click.echo(f"Error: {render.sanitize(str(exc), single_line=True)}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from exc
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


pass_settings = click.make_pass_decorator(Settings)


def format_option(command: F) -> F:
    """Add ``-f/--format`` and its shorthand ``--json``."""
    command = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Same as --format json.",
    )(command)
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(render.FORMATS),
        default=None,
        help="Output format. Default: table on a terminal, plain when piped.",
    )(command)


def filter_options(command: F) -> F:
    """Add the article filters ``search`` and ``timeline`` share (dates, source, language)."""
    options = [
        click.option("--since", type=DayBound(end=False), help="Published on or after this day."),
        click.option("--until", type=DayBound(end=True), help="Published on or before this day."),
        click.option(
            "--mentions-since",
            type=DayBound(end=False),
            help="Mentions a day on or after this one in its text.",
        ),
        click.option(
            "--mentions-until",
            type=DayBound(end=True),
            help="Mentions a day on or before this one in its text.",
        ),
        click.option("--source", "sources", multiple=True, help="Only this source (repeatable)."),
        click.option(
            "--lang", "languages", multiple=True, help="Only this language, e.g. en (repeatable)."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def budget_options(command: F) -> F:
    """Add ``--jobs``, ``--time-budget`` and ``--memory-budget`` (ingest and extract)."""
    options = [
        click.option(
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Worker processes that read and extract inputs. Default: one per CPU.",
        ),
        click.option(
            "--time-budget",
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_TIME_BUDGET,
            show_default=True,
            metavar="SECONDS",
            help="Fail an input whose extraction takes longer than this.",
        ),
        click.option(
            "--memory-budget",
            type=click.IntRange(min=0),
            default=DEFAULT_MEMORY_BUDGET_MB,
            show_default=True,
            metavar="MB",
            help="Fail an input whose extraction needs more memory than this (0: no limit).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _output_format(fmt: str | None, as_json: bool) -> str:
    return render.resolve_format("json" if as_json else fmt)


class DayBound(click.ParamType):  # type: ignore[type-arg] # generic only in newer Click
    """An ISO day (``2024-03-05``), month (``2024-03``) or year (``2024``), or a relative day
    (``7d``, ``2w``, ``3m``, ``1y``), which the library resolves against its clock."""

    name = "DATE"
    _pattern = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

    def __init__(self, *, end: bool) -> None:
        self.end = end

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> date | str:
        if isinstance(value, date):
            return value
        from newscli.query import is_relative_day

        if is_relative_day(str(value)):
            return str(value).strip().lower()
        match = self._pattern.match(str(value).strip())
        if match:
            year, month, day = (int(part) if part else None for part in match.groups())
            assert year is not None
            try:
                if month is None:
                    return date(year, 12, 31) if self.end else date(year, 1, 1)
                if day is None:
                    last = calendar.monthrange(year, month)[1]
                    return date(year, month, last if self.end else 1)
                return date(year, month, day)
            except (ValueError, calendar.IllegalMonthError):
                pass
        self.fail(
            f"{value!r} is not a date like 2024-03-05, 2024-03 or 2024, or a relative day "
            "like 7d, 2w, 3m",
            param,
            ctx,
        )


def exit_code_for(report: IngestReport) -> int:
    """0 when every input went well, 3 when some failed, 1 when nothing could be done."""
    if not report.failed:
        return EXIT_OK if report.processed or report.skipped else EXIT_FAILURE
    return EXIT_PARTIAL if report.processed else EXIT_FAILURE


_FREEZE_MODULES = False
"""Set by :func:`main`: this process runs one command, so what its imports created lives until
it exits and the garbage collector need not scan it again."""


def _open(settings: Settings, *, create: bool = False, lock_wait: float = 0.0) -> Corpus:
    from newscli.api import Corpus

    if _FREEZE_MODULES:
        gc.freeze()  # Whoosh and the index modules, imported just now
    return Corpus.open(
        settings.index_dir,
        create=create,
        lock_wait=lock_wait,
        batch_size=settings.batch_size,
        batch_seconds=settings.batch_seconds,
        max_file_bytes=settings.max_file_bytes,
        allow_private_hosts=settings.allow_private_hosts,
        fetch_timeout=settings.fetch_timeout,
        host_delay=settings.host_delay,
        max_fetch_bytes=settings.max_fetch_bytes,
        config_dir=settings.config_dir,
        jobs=settings.jobs,
        time_budget=settings.time_budget,
        memory_budget_mb=settings.memory_budget_mb,
    )


def refresh_exit_code(report: RefreshReport) -> int:
    """0 when nothing failed (nothing new included), 3 when some failed, 1 when all sources did."""
    if not report.ingest.failed:
        return EXIT_OK
    return EXIT_FAILURE if report.sources_failed >= report.sources else EXIT_PARTIAL


@click.group(cls=NewsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NEWSCLI_INDEX",
    show_envvar=True,
    help="Index folder. Default: $XDG_DATA_HOME/newscli/index (~/.local/share/newscli/index).",
)
@click.option("-v", "--verbose", count=True, help="Log progress to stderr (-vv: debug).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(__version__, prog_name="newscli")
@click.pass_context
def cli(ctx: click.Context, index_dir: Path | None, verbose: int, debug: bool) -> None:
    """Turn saved news articles into a clean, searchable, offline corpus.

    \b
    Examples:
        newscli ingest ~/saved-articles/
        newscli search 'Termez AND rocket*' --since 2022-04-01
        newscli show 1896ec956de9
        newscli stats
    """
    if verbose:
        import logging

        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
    try:
        fetch_timeout = config.env_seconds(
            os.environ, "NEWSCLI_FETCH_TIMEOUT", config.DEFAULT_FETCH_TIMEOUT
        )
        host_delay = config.env_seconds(os.environ, "NEWSCLI_HOST_DELAY", config.DEFAULT_HOST_DELAY)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    ctx.obj = Settings(
        index_dir=index_dir or default_index_dir(os.environ),
        debug=debug,
        verbosity=verbose,
        allow_private_hosts=config.allow_private_hosts(os.environ),
        fetch_timeout=fetch_timeout,
        host_delay=host_delay,
        config_dir=default_config_dir(os.environ),
    )


@cli.command()
@click.argument("inputs", nargs=-1, metavar="PATH|URL...")
@click.option(
    "--urls",
    "urls_file",
    type=click.File("r", encoding="utf-8"),
    metavar="FILE",
    help="Also fetch the URLs in FILE (one a line, # comments; - reads stdin).",
)
@click.option(
    "--feed",
    "feeds",
    multiple=True,
    metavar="URL",
    help="Ingest the articles of an RSS/Atom feed, sitemap or home page (repeatable).",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Only files matching this pattern (repeatable), e.g. '*.html'.",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files (repeatable).")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another run's lock, then exit 75.",
)
@budget_options
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Commit every N articles (default: 500 at first, growing to 4,000 in long runs).",
)
@pass_settings
def ingest(
    settings: Settings,
    inputs: tuple[str, ...],
    urls_file: IO[str] | None,
    feeds: tuple[str, ...],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    wait: float,
    jobs: int | None,
    time_budget: float,
    memory_budget: int,
    quiet: bool,
    batch_size: int | None,
) -> None:
    """Import article files, folders and URLs into the index.

    Plain text (.txt .text .md) and HTML (.html .htm .xhtml .html.gz) are cleaned of
    boilerplate; a sidecar FILE.json may supply title, date, url, source, author, language.
    Unchanged files are skipped; changed files replace their article.

    \b
    Examples:
        newscli ingest corpus/
        newscli ingest ~/saved/ --include '*.html' --exclude 'drafts/*'
        newscli ingest https://example.org/2024/05/story.html
        newscli ingest --urls reading-list.txt --feed https://example.org/
    Exit status: 0 all went well, 3 some inputs failed, 1 nothing could be done,
    75 another run holds the index.
    """
    if not inputs and urls_file is None and not feeds:
        raise click.UsageError("give PATH|URL arguments, --urls FILE or --feed URL")
    urls: list[str] = []
    if urls_file is not None:
        from newscli.feeds import read_url_list

        urls = read_url_list(urls_file.read())
    settings = replace(
        settings,
        batch_size=batch_size or settings.batch_size,
        jobs=jobs,
        time_budget=time_budget,
        memory_budget_mb=memory_budget,
    )
    corpus = _open(settings, create=True, lock_wait=wait)
    with render.progress("Ingesting", enabled=not quiet) as progress:
        report = corpus.ingest(
            inputs, include=include, exclude=exclude, progress=progress, urls=urls, feeds=feeds
        )
    render.ingest_summary(report, command="ingest", verbose=settings.verbosity > 0, quiet=quiet)
    if not report.processed and not report.failed and not report.skipped:
        click.echo("ingest: no article files found in the given inputs", err=True)
    sys.exit(exit_code_for(report))


@cli.command()
@click.argument("query")
@click.option("-n", "--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@filter_options
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Best matches first, or newest first.",
)
@click.option(
    "--no-aliases",
    "no_aliases",
    is_flag=True,
    help="Do not expand names to the other spellings in the alias files.",
)
@click.option("--explain", is_flag=True, help="Print the query actually run to stderr.")
@format_option
@pass_settings
def search(
    settings: Settings,
    query: str,
    limit: int,
    since: date | str | None,
    until: date | str | None,
    mentions_since: date | str | None,
    mentions_until: date | str | None,
    sources: tuple[str, ...],
    languages: tuple[str, ...],
    sort: str,
    no_aliases: bool,
    explain: bool,
    fmt: str | None,
    as_json: bool,
) -> None:
    """Search titles and bodies, best matches first.

    QUERY uses Whoosh syntax: words (all must match), AND/OR/NOT, "exact phrases",
    wildcards (rocket*), fields (title:, body:, author:, source:, language: or lang:) and
    dates (date:2024-03, "date:[2024-01-01 to 2024-03-31]", mentions:2022-04-18). Words match
    across scripts and inflections (Termez finds Термезе) and names match their aliases
    (Termiz, ISKP). --since/--until and --mentions-since/--mentions-until also take 7d, 2w,
    3m, 1y.

    \b
    Examples:
        newscli search Termez
        newscli search '"rocket attack" AND Uzbekistan' --since 2022 --sort date
        newscli search 'title:ISIS' -n 5 --json
        newscli search Termez --mentions-since 2022-04 --since 3m
        newscli search ISKP --explain --no-aliases
    """
    corpus = _open(settings)
    output = _output_format(fmt, as_json)
    page = corpus.search(
        query,
        limit=limit,
        since=since,
        until=until,
        sources=sources,
        languages=languages,
        sort=sort,
        mentions_since=mentions_since,
        mentions_until=mentions_until,
        aliases=not no_aliases,
        count=output == "table",  # only the table shows the total
    )
    if explain:
        click.echo(render.sanitize(page.query), err=True)
    render.hits(page, output)


@cli.command()
@click.argument("query")
@click.option(
    "--by",
    type=click.Choice(["day", "week", "month"]),
    default="month",
    show_default=True,
    help="Period of each bar.",
)
@click.option(
    "--field",
    type=click.Choice(["date", "mentions"]),
    default="date",
    show_default=True,
    help="Count by publication date or by the days mentioned in the text.",
)
@filter_options
@format_option
@pass_settings
def timeline(
    settings: Settings,
    query: str,
    by: str,
    field: str,
    since: date | str | None,
    until: date | str | None,
    mentions_since: date | str | None,
    mentions_until: date | str | None,
    sources: tuple[str, ...],
    languages: tuple[str, ...],
    fmt: str | None,
    as_json: bool,
) -> None:
    """Chart how many matching articles fall in each period.

    QUERY is as for `search`; '*' matches every article. An article counts once per
    period; with --field mentions, once in each period it mentions a day of.

    \b
    Examples:
        newscli timeline Termez
        newscli timeline 'ISIS AND rocket*' --by week --field mentions
        newscli timeline '*' --by day --since 2w --json
    """
    corpus = _open(settings)
    result = corpus.timeline(
        query,
        by=by,
        field=field,
        since=since,
        until=until,
        mentions_since=mentions_since,
        mentions_until=mentions_until,
        sources=sources,
        languages=languages,
    )
    render.timeline(result, _output_format(fmt, as_json))


@cli.command()
@click.argument("article_id", metavar="ID")
@format_option
@pass_settings
def show(settings: Settings, article_id: str, fmt: str | None, as_json: bool) -> None:
    """Print one article with its metadata.

    ID may be any unique prefix of 6 or more characters.

    \b
    Examples:
        newscli show 1896ec956de9
        newscli show 1896ec --json
    """
    corpus = _open(settings)
    render.article(corpus.get(article_id), _output_format(fmt, as_json))


@cli.command()
@format_option
@pass_settings
def stats(settings: Settings, fmt: str | None, as_json: bool) -> None:
    """Summarise the index: documents, sources, dates, size.

    \b
    Examples:
        newscli stats
        newscli stats --json
    """
    corpus = _open(settings)
    render.stats(corpus.stats(), _output_format(fmt, as_json))


@cli.group()
def sources() -> None:
    """Register folders, pages and feeds for refresh.

    \b
    Examples:
        newscli sources add ~/saved-articles/
        newscli sources add https://example.org/ --feed --name example
        newscli sources list
        newscli sources remove example
    """


@sources.command("add")
@click.argument("location", metavar="PATH|URL")
@click.option("--feed", is_flag=True, help="URL is a feed, sitemap or home page with a feed.")
@click.option("--name", help="Name to list and remove it by. Default: host or folder name.")
@pass_settings
def sources_add(settings: Settings, location: str, feed: bool, name: str | None) -> None:
    """Register a folder, file, page or feed for refresh.

    \b
    Examples:
        newscli sources add ~/saved-articles/
        newscli sources add https://example.org/feed.xml --feed
        newscli sources add https://example.org/ --feed --name example
    """
    source = _open(settings, create=True).add_source(location, feed=feed, name=name)
    click.echo(
        f"added {source.kind} {render.sanitize(source.name, single_line=True)}: "
        f"{render.sanitize(source.location, single_line=True)}",
        err=True,
    )


@sources.command("list")
@format_option
@pass_settings
def sources_list(settings: Settings, fmt: str | None, as_json: bool) -> None:
    """List registered sources.

    \b
    Examples:
        newscli sources list
        newscli sources list --json
    """
    render.registered_sources(_open(settings).list_sources(), _output_format(fmt, as_json))


@sources.command("remove")
@click.argument("name", metavar="NAME|PATH|URL")
@pass_settings
def sources_remove(settings: Settings, name: str) -> None:
    """Unregister a source (its articles stay in the index).

    \b
    Examples:
        newscli sources remove example
    """
    source = _open(settings).remove_source(name)
    click.echo(f"removed {render.sanitize(source.name, single_line=True)}", err=True)


@cli.command()
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another run's lock, then exit 75.",
)
@click.option("--refetch", is_flag=True, help="Download pages and feed entries seen before again.")
@pass_settings
def refresh(settings: Settings, quiet: bool, wait: float, refetch: bool) -> None:
    """Ingest what is new or changed in every registered source.

    New and changed files in folders, feed entries never fetched before, registered pages
    not fetched yet. A line per run goes to refresh.log beside the index.

    \b
    Examples:
        newscli refresh
        newscli refresh --quiet --wait 600     # from cron
    Exit status: 0 all went well or nothing new, 3 some sources failed, 1 all failed,
    75 another run holds the index.
    """
    corpus = _open(settings, lock_wait=wait)
    with render.progress("Refreshing", enabled=not quiet) as progress:
        report = corpus.refresh(refetch=refetch, progress=progress)
    render.refresh_summary(report, verbose=settings.verbosity > 0, quiet=quiet)
    sys.exit(refresh_exit_code(report))


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH|URL...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, one per line.")
@click.option("--explain", is_flag=True, help="Also show each removed block and the rule why.")
@click.option("--include", multiple=True, metavar="GLOB", help="Only matching files (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files (repeatable).")
@budget_options
@pass_settings
def extract(
    settings: Settings,
    inputs: tuple[str, ...],
    as_json: bool,
    explain: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    jobs: int | None,
    time_budget: float,
    memory_budget: int,
) -> None:
    """Show what ingest would index, without touching the index.

    Prints title, date (and where it came from), author, source, language and the
    cleaned text of each input; --explain adds what cleaning removed, grouped by rule.

    \b
    Examples:
        newscli extract corpus/000_599497af99412e51.txt --explain
        newscli extract ~/saved/ --json > articles.jsonl
    Exit status: 0 all went well, 3 some inputs failed, 1 every input failed.
    """
    from newscli.api import Corpus

    ok = failed = 0
    results = Corpus.extract(
        inputs,
        include=include,
        exclude=exclude,
        max_file_bytes=settings.max_file_bytes,
        allow_private_hosts=settings.allow_private_hosts,
        fetch_timeout=settings.fetch_timeout,
        host_delay=settings.host_delay,
        max_fetch_bytes=settings.max_fetch_bytes,
        jobs=jobs,
        time_budget=time_budget,
        memory_budget_mb=memory_budget,
    )
    from newscli.models import Article

    for item in results:
        render.extracted(item, as_json=as_json, explain=explain, first=ok == 0)
        ok, failed = (ok + 1, failed) if isinstance(item, Article) else (ok, failed + 1)
    if not ok and not failed:
        click.echo("extract: no article files found in the given inputs", err=True)
    sys.exit(EXIT_OK if not failed and ok else EXIT_PARTIAL if ok else EXIT_FAILURE)


@cli.group("index")
def index_group() -> None:
    """Check or repair the index folder.

    \b
    Examples:
        newscli index check
        newscli index rebuild
    """


@index_group.command("check")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for a running ingest to finish, then exit 75.",
)
@format_option
@pass_settings
def index_check(settings: Settings, wait: float, fmt: str | None, as_json: bool) -> None:
    """Look for damage: TOC, segments, schema, stray files.

    Reads every segment. Exit status: 0 no problem found, 1 problems found (listed),
    75 another run holds the index.

    \b
    Examples:
        newscli index check
        newscli index check --json
    """
    from newscli.api import Corpus

    check = Corpus.check_index(settings.index_dir, lock_wait=wait)
    render.index_check(check, _output_format(fmt, as_json))
    sys.exit(EXIT_OK if check.ok else EXIT_FAILURE)


@index_group.command("rebuild")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another run's lock, then exit 75.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless documents were lost.")
@pass_settings
def index_rebuild(settings: Settings, wait: float, quiet: bool) -> None:
    """Re-create the index from its stored documents.

    Builds a new index beside the old one under the current schema and analyzers, then
    swaps them atomically; searches keep working meanwhile. Use it after `index check`
    reports damage or when newscli says the schema version changed.
    Exit status: 0 done, 3 done but some documents were unreadable, 1 impossible,
    75 another run holds the index.

    \b
    Examples:
        newscli index rebuild
    """
    from newscli.api import Corpus

    with render.progress("Rebuilding", enabled=not quiet) as progress:
        report = Corpus.rebuild_index(settings.index_dir, lock_wait=wait, progress=progress)
    render.rebuild_summary(report, quiet=quiet)
    sys.exit(EXIT_PARTIAL if report.unreadable else EXIT_OK)


def main() -> None:
    """Entry point of the ``newscli`` console script."""
    global _FREEZE_MODULES
    # The collector skips objects frozen here and after the command's imports (``_open``):
    # they live as long as the process. A cold `newscli search` runs 6 % fewer instructions,
    # most of them the collection at exit, which otherwise scans every module's objects.
    _FREEZE_MODULES = True
    gc.freeze()
    cli(prog_name="newscli")
