"""The ``newscli`` command line: a thin Click layer over :class:`newscli.api.Corpus`.

Heavy modules (Whoosh, trafilatura, rich) are imported inside the commands that need them, so
``newscli --help`` starts instantly.
"""

from __future__ import annotations

import calendar
import dataclasses
import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from newscli import __version__, render
from newscli.config import (
    DEFAULT_MEMORY_BUDGET_MB,
    DEFAULT_TIME_BUDGET,
    Settings,
    default_index_dir,
)
from newscli.errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    NewscliError,
)
from newscli.models import IngestReport

if TYPE_CHECKING:
    from newscli.api import Corpus

__all__ = ["cli", "exit_code_for", "main"]

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


def _output_format(fmt: str | None, as_json: bool) -> str:
    return render.resolve_format("json" if as_json else fmt)


class DayBound(click.ParamType):  # type: ignore[type-arg] # generic only in newer Click
    """An ISO day (``2024-03-05``), month (``2024-03``) or year (``2024``)."""

    name = "DATE"
    _pattern = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

    def __init__(self, *, end: bool) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
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
        self.fail(f"{value!r} is not a date like 2024-03-05, 2024-03 or 2024", param, ctx)


def exit_code_for(report: IngestReport) -> int:
    """0 when every input went well, 3 when some failed, 1 when nothing could be done."""
    if not report.failed:
        return EXIT_OK if report.processed or report.skipped else EXIT_FAILURE
    return EXIT_PARTIAL if report.processed else EXIT_FAILURE


def _open(settings: Settings, *, create: bool = False, lock_wait: float = 0.0) -> Corpus:
    from newscli.api import Corpus

    return Corpus.open(
        settings.index_dir,
        create=create,
        lock_wait=lock_wait,
        batch_size=settings.batch_size,
        batch_seconds=settings.batch_seconds,
        max_file_bytes=settings.max_file_bytes,
        jobs=settings.jobs,
        time_budget=settings.time_budget,
        memory_budget_mb=settings.memory_budget_mb,
    )


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
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
    ctx.obj = Settings(
        index_dir=index_dir or default_index_dir(os.environ),
        debug=debug,
        verbosity=verbose,
    )


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH|URL...")
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
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Worker processes that read and extract inputs. Default: one per CPU.",
)
@click.option(
    "--time-budget",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIME_BUDGET,
    show_default=True,
    metavar="SECONDS",
    help="Fail an input whose extraction takes longer than this.",
)
@click.option(
    "--memory-budget",
    type=click.IntRange(min=0),
    default=DEFAULT_MEMORY_BUDGET_MB,
    show_default=True,
    metavar="MB",
    help="Fail an input whose extraction needs more memory than this (0: no limit).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@pass_settings
def ingest(
    settings: Settings,
    inputs: tuple[str, ...],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    wait: float,
    jobs: int | None,
    time_budget: float,
    memory_budget: int,
    quiet: bool,
) -> None:
    """Import article files, folders and URLs into the index.

    Plain text (.txt .text .md) and HTML (.html .htm .xhtml .html.gz) are cleaned of
    boilerplate; a sidecar FILE.json may supply title, date, url, source, author, language.
    Unchanged files are skipped; changed files replace their article.

    \b
    Examples:
        newscli ingest corpus/
        newscli ingest ~/saved/ --include '*.html' --exclude 'drafts/*'
    Exit status: 0 all went well, 3 some inputs failed, 1 nothing could be done,
    75 another run holds the index.
    """
    settings = dataclasses.replace(
        settings, jobs=jobs, time_budget=time_budget, memory_budget_mb=memory_budget
    )
    corpus = _open(settings, create=True, lock_wait=wait)
    with render.progress("Ingesting", enabled=not quiet) as progress:
        report = corpus.ingest(inputs, include=include, exclude=exclude, progress=progress)
    render.ingest_summary(report, command="ingest", verbose=settings.verbosity > 0, quiet=quiet)
    if not report.processed and not report.failed and not report.skipped:
        click.echo("ingest: no article files found in the given inputs", err=True)
    sys.exit(exit_code_for(report))


@cli.command()
@click.argument("query")
@click.option("-n", "--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--since", type=DayBound(end=False), help="Published on or after this day.")
@click.option("--until", type=DayBound(end=True), help="Published on or before this day.")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option(
    "--lang", "languages", multiple=True, help="Only this language, e.g. en (repeatable)."
)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Best matches first, or newest first.",
)
@format_option
@pass_settings
def search(
    settings: Settings,
    query: str,
    limit: int,
    since: date | None,
    until: date | None,
    sources: tuple[str, ...],
    languages: tuple[str, ...],
    sort: str,
    fmt: str | None,
    as_json: bool,
) -> None:
    """Search titles and bodies, best matches first.

    QUERY uses Whoosh syntax: words (all must match), AND/OR/NOT, "exact phrases",
    wildcards (rocket*), fields (title:, body:, author:, source:, language:) and dates
    (date:2024-03, "date:[2024-01-01 to 2024-03-31]").

    \b
    Examples:
        newscli search Termez
        newscli search '"rocket attack" AND Uzbekistan' --since 2022 --sort date
        newscli search 'title:ISIS' -n 5 --json
    """
    corpus = _open(settings)
    page = corpus.search(
        query,
        limit=limit,
        since=since,
        until=until,
        sources=sources,
        languages=languages,
        sort=sort,
    )
    render.hits(page, _output_format(fmt, as_json))


@cli.command()
@click.argument("article_id", metavar="ID")
@format_option
@pass_settings
def show(settings: Settings, article_id: str, fmt: str | None, as_json: bool) -> None:
    """Print one article with its metadata (ID may be a 6+ character prefix).

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
    """Summarise the index: documents, sources, languages, dates, size.

    \b
    Examples:
        newscli stats
        newscli stats --json
    """
    corpus = _open(settings)
    render.stats(corpus.stats(), _output_format(fmt, as_json))


def main() -> None:
    """Entry point of the ``newscli`` console script."""
    cli(prog_name="newscli")
