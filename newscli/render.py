"""Everything newscli shows: table (rich), json and plain renderers, progress and summaries.

Article text, titles, URLs and file names are untrusted: every string passes through
:func:`sanitize` before it reaches a terminal (control characters and bidi overrides removed),
is rendered as ``rich.text.Text`` (never as markup), and JSON output escapes the same
characters as ``\\uXXXX``. rich is imported only when a terminal rendering is asked for.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import IO, TYPE_CHECKING, Any

import click

from newscli.models import SearchHit, SearchPage

if TYPE_CHECKING:
    from rich.console import Console

    from newscli.models import (
        Article,
        Failure,
        IndexCheck,
        IngestReport,
        RebuildReport,
        RefreshReport,
        Stats,
        Timeline,
    )

__all__ = [
    "FORMATS",
    "article",
    "extracted",
    "hits",
    "index_check",
    "ingest_summary",
    "progress",
    "rebuild_summary",
    "refresh_summary",
    "registered_sources",
    "resolve_format",
    "sanitize",
    "stats",
    "timeline",
    "to_json",
]

FORMATS = ("table", "json", "plain")

# C0 controls except tab and newline, DEL, C1 controls (U+0080-U+009F, including the 8-bit CSI
# U+009B), bidi embeddings/overrides/isolates and marks, line/paragraph separators.
_BIDI_AND_C1 = (
    *range(0x7F, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
)
# Translation tables rather than regex character classes: compiling the two classes was 1 %
# of a cold search.
_UNSAFE = dict.fromkeys((*range(0x00, 0x09), *range(0x0B, 0x20), *_BIDI_AND_C1))
_UNSAFE_IN_JSON = {code: f"\\u{code:04x}" for code in _BIDI_AND_C1}
_LINE_BREAKS = re.compile(r"[\t\n]+")


def sanitize(text: str | None, *, single_line: bool = False) -> str:
    """Remove terminal control characters and bidi overrides (keeping tab and newline)."""
    if not text:
        return ""
    cleaned = str(text).translate(_UNSAFE)
    if single_line:
        cleaned = _LINE_BREAKS.sub(" ", cleaned)
    return cleaned


def to_json(value: Any) -> str:
    """Serialise to JSON, keeping non-ASCII text readable but escaping every control char."""
    encoded = json.dumps(value, ensure_ascii=False, indent=2)
    return encoded.translate(_UNSAFE_IN_JSON)


def to_json_line(value: Any) -> str:
    """Serialise to one line of JSON (for JSON Lines output)."""
    encoded = json.dumps(value, ensure_ascii=False)
    return encoded.translate(_UNSAFE_IN_JSON)


def resolve_format(fmt: str | None, *, stream: IO[str] | None = None) -> str:
    """Return the chosen format, or ``table`` on a terminal and ``plain`` when piped."""
    if fmt:
        return fmt
    stream = stream or sys.stdout
    return "table" if _isatty(stream) else "plain"


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, markup=False, emoji=False, soft_wrap=False)


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    data = asdict(hit)
    data["highlights"] = [list(span) for span in hit.highlights]
    return data


def hits(page: SearchPage, fmt: str) -> None:
    """Print search hits: a JSON array, tab-separated lines, or highlighted snippets."""
    if fmt == "json":
        click.echo(to_json([_hit_json(hit) for hit in page.hits]))
        return
    if fmt == "plain":
        for hit in page.hits:
            fields = (hit.id, hit.date or "", hit.title or "", hit.url or hit.path or "")
            click.echo("\t".join(sanitize(field, single_line=True) for field in fields))
        return
    from rich.padding import Padding
    from rich.text import Text

    console = _console()
    if not page.hits:
        console.print(Text("No matches.", style="dim"))
        return
    for rank, hit in enumerate(page.hits, start=1):
        heading = Text(f"{rank:>2}. ", style="bold")
        if hit.title:
            heading.append(_title_of(hit.title), style="bold")
        else:
            heading.append(f"(untitled) {sanitize(hit.lead, single_line=True)}", style="italic")
        console.print(heading)
        meta = Text(style="dim")
        meta.append(
            " · ".join(
                part
                for part in (
                    hit.date or "undated",
                    sanitize(hit.source, single_line=True),
                    hit.id,
                    sanitize(hit.url or hit.path, single_line=True),
                )
                if part
            ),
            style="dim",
        )
        console.print(Padding(meta, (0, 0, 0, 4)))
        snippet = Text(sanitize(hit.snippet, single_line=True))
        for start, end in hit.highlights:
            snippet.stylize("bold yellow", start, end)
        console.print(Padding(snippet, (0, 0, 1, 4)))
    shown = f"{len(page.hits)} of {page.total}" if page.total is not None else str(len(page.hits))
    console.print(Text(f"{shown} matching articles", style="dim"))


def _title_of(title: str | None) -> str:
    return sanitize(title, single_line=True) if title else "(untitled)"


def _article_json(item: Article) -> dict[str, Any]:
    data = asdict(item)
    data.pop("removed", None)
    data["credits"] = list(item.credits)
    data["mentions"] = list(item.mentions)
    return data


def _date_line(item: Article) -> str:
    if not item.date:
        return "unknown"
    details = ", ".join(
        part
        for part in (
            item.date_source,
            f"{item.date_confidence} confidence" if item.date_confidence else "",
        )
        if part
    )
    return f"{item.date} ({details})" if details else item.date


def article(item: Article, fmt: str) -> None:
    """Print one article with its metadata."""
    if fmt == "json":
        click.echo(to_json(_article_json(item)))
        return
    header = [
        ("id", item.id),
        ("title", item.title or ""),
        ("date", _date_line(item)),
        ("source", item.source or ""),
        ("author", item.author or ""),
        ("language", item.language or ""),
        ("url", item.url or ""),
        ("path", item.path or ""),
        ("ingested", item.ingested),
        (
            "also dated",
            ", ".join(
                f"{candidate.date} ({candidate.source})"
                for candidate in item.date_candidates
                if (candidate.date, candidate.source) != (item.date, item.date_source)
            ),
        ),
        ("mentions", ", ".join(item.mentions)),
    ]
    header += [("credit", credit) for credit in item.credits]
    if fmt == "plain":
        for name, value in header:
            if value:
                click.echo(f"{name}: {sanitize(value, single_line=True)}")
        click.echo("")
        click.echo(sanitize(item.body))
        return
    from rich.text import Text

    console = _console()
    console.print(Text(_title_of(item.title), style="bold"))
    for name, value in header:
        if value and name != "title":
            line = Text(f"{name:>10}: ", style="dim")
            line.append(sanitize(value, single_line=True))
            console.print(line)
    console.print()
    console.print(Text(sanitize(item.body)))


def stats(summary: Stats, fmt: str) -> None:
    """Print index statistics."""
    data = {
        "index": summary.index,
        "documents": summary.documents,
        "sources": {name: count for name, count in summary.sources},
        "languages": {code: count for code, count in summary.languages},
        "earliest": summary.earliest,
        "latest": summary.latest,
        "undated": summary.undated,
        "size_bytes": summary.size_bytes,
    }
    if fmt == "json":
        click.echo(to_json(data))
        return
    lines = [
        ("index", summary.index),
        ("documents", str(summary.documents)),
        ("date range", f"{summary.earliest or '-'} to {summary.latest or '-'}"),
        ("undated", str(summary.undated)),
        ("size", _size(summary.size_bytes)),
    ]
    lines += [("source", f"{name}: {count}") for name, count in summary.sources]
    lines += [("language", f"{code}: {count}") for code, count in summary.languages]
    _name_values(lines, fmt)


def _name_values(
    lines: Sequence[tuple[str, str]], fmt: str, styles: dict[str, str] | None = None
) -> None:
    """Print ``name<TAB>value`` lines (plain) or a two-column table; ``styles`` by value."""
    if fmt == "plain":
        for name, value in lines:
            click.echo(f"{name}\t{sanitize(value, single_line=True)}")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim", justify="right")
    table.add_column()
    for name, value in lines:
        style = (styles or {}).get(name, "") or (styles or {}).get(value, "")
        table.add_row(Text(name), Text(sanitize(value, single_line=True), style=style))
    _console().print(table)


def timeline(result: Timeline, fmt: str) -> None:
    """Print article counts per period: a bar chart, ``period<TAB>count`` lines, or JSON."""
    if fmt == "json":
        click.echo(
            to_json(
                {
                    "query": result.query,
                    "field": result.field,
                    "by": result.by,
                    "matched": result.matched,
                    "without": result.without,
                    "periods": [
                        {"period": period, "count": count} for period, count in result.periods
                    ],
                }
            )
        )
        return
    if fmt == "plain":
        for period, count in result.periods:
            click.echo(f"{period}\t{count}")
        return
    from rich.table import Table
    from rich.text import Text

    console = _console()
    if not result.periods:
        console.print(
            Text(f"No matching articles with a {_field_name(result.field)}.", style="dim")
        )
        return
    label_width = max(len(period) for period, _ in result.periods)
    peak = max(count for _, count in result.periods) or 1
    width = max(10, min(60, console.width - label_width - 12))
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column()
    table.add_column(justify="right")
    gaps = result.gaps or (0,) * len(result.periods)
    for (period, count), gap in zip(result.periods, gaps, strict=True):
        if gap:
            table.add_row(
                Text("\u22ee", style="dim"),
                Text(f"{gap} empty {result.by}(s)", style="dim"),
                Text(""),
            )
        length = max(1, round(count / peak * width))
        table.add_row(Text(period), Text("\u2588" * length, style="cyan"), Text(str(count)))
    console.print(table)
    counted = result.matched - result.without
    note = f"{counted} of {result.matched} matching articles by {_field_name(result.field)}"
    console.print(Text(note, style="dim"))


def _field_name(field: str) -> str:
    return "mentioned day" if field == "mentions" else "publication date"


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _failure_lines(label: str, failures: Sequence[Failure]) -> Iterator[str]:
    for failure in failures:
        source = sanitize(failure.source, single_line=True)
        reason = sanitize(failure.reason, single_line=True)
        yield f"{label}: {source}: {reason}"


def ingest_summary(report: IngestReport, *, command: str, verbose: bool, quiet: bool) -> None:
    """Print the run's summary and its failures to stderr (quiet: failures only)."""
    if not quiet or report.failed:
        click.echo(f"{command}: {report.summary()}", err=True)
    for line in _failure_lines("failed", report.failed):
        click.echo(line, err=True)
    if verbose and not quiet:
        for line in _failure_lines("skipped", report.skipped):
            click.echo(line, err=True)


def refresh_summary(report: RefreshReport, *, verbose: bool, quiet: bool) -> None:
    """Print a refresh's summary and failures to stderr; quiet: one line per problem only."""
    if not quiet:
        click.echo(f"refresh: {report.summary()}", err=True)
    for line in _failure_lines("failed", report.ingest.failed):
        click.echo(line, err=True)
    if verbose and not quiet:
        for line in _failure_lines("skipped", report.ingest.skipped):
            click.echo(line, err=True)


def registered_sources(items: Sequence[Any], fmt: str) -> None:
    """Print registered sources (``name``, ``kind``, ``location``, ``added`` attributes)."""
    rows = [
        {"name": item.name, "kind": item.kind, "location": item.location, "added": item.added}
        for item in items
    ]
    if fmt == "json":
        click.echo(to_json(rows))
        return
    if fmt == "plain":
        for row in rows:
            fields = (row["name"], row["kind"], row["location"])
            click.echo("\t".join(sanitize(value, single_line=True) for value in fields))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False)
    for column in ("name", "kind", "location", "added"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(Text(sanitize(row[key], single_line=True)) for key in row))
    _console().print(table)


@contextlib.contextmanager
def progress(description: str, *, enabled: bool) -> Iterator[Any]:
    """Yield a ``progress(done, total, current)`` callback; a rich bar on a terminal only."""
    if not enabled or not _isatty(sys.stderr):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=_console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None, current="")

        def update(done: int, total: int, current: str) -> None:
            name = sanitize(current, single_line=True)[-60:]
            bar.update(task, completed=done, total=total, current=name)

        yield update


_EXPLAIN_CHARS = 160


def _extracted_json(item: Article, *, explain: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": item.path or item.url,
        "title": item.title,
        "text": item.body,
        "date": item.date,
        "date_source": item.date_source,
        "author": item.author,
        "source": item.source,
        "url": item.url,
        "language": item.language,
        "credits": list(item.credits),
        "kind": item.kind,
        "id": item.id,
    }
    if explain:
        data["removed"] = [{"rule": r.rule, "text": r.text} for r in item.removed]
    return data


def _removed_by_rule(item: Article) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for removal in item.removed:
        groups.setdefault(removal.rule, []).append(removal.text)
    return groups


def _excerpt(text: str) -> str:
    line = sanitize(" ".join(text.split()), single_line=True)
    lines = text.count("\n") + 1
    more = f"  ({lines} lines)" if lines > 1 else ""
    if len(line) > _EXPLAIN_CHARS:
        line = line[: _EXPLAIN_CHARS - 1] + "…"
    return line + more


def extracted(item: Article | Failure, *, as_json: bool, explain: bool, first: bool) -> None:
    """Print one ``extract`` result: a JSON line, or header lines, the text and removals.

    A failure prints ``{"path": ..., "error": ...}`` with --json and always goes to stderr.
    """
    from newscli.models import Failure

    if isinstance(item, Failure):
        if as_json:
            click.echo(to_json_line({"path": item.source, "error": item.reason}))
        for line in _failure_lines("failed", [item]):
            click.echo(line, err=True)
        return
    if as_json:
        click.echo(to_json_line(_extracted_json(item, explain=explain)))
        return
    if not first:
        click.echo("")
    header = [
        ("path", item.path or item.url or ""),
        ("title", item.title or ""),
        ("date", f"{item.date} ({item.date_source})" if item.date else "unknown"),
        ("author", item.author or ""),
        ("source", item.source or ""),
        ("language", item.language or ""),
    ]
    header += [("credit", credit) for credit in item.credits]
    for name, value in header:
        if value:
            click.echo(f"{name}: {sanitize(value, single_line=True)}")
    click.echo("")
    click.echo(sanitize(item.body))
    if explain:
        groups = _removed_by_rule(item)
        click.echo("")
        click.echo(f"removed: {len(item.removed)} blocks" if groups else "removed: nothing")
        for rule, texts in groups.items():
            click.echo(f"  {sanitize(rule, single_line=True)} ({len(texts)}):")
            for text in texts:
                click.echo(f"    - {_excerpt(text)}")


def index_check(check: IndexCheck, fmt: str) -> None:
    """Print what ``index check`` found: status, document count, one line per problem."""
    data = {
        "index": check.index,
        "ok": check.ok,
        "documents": check.documents,
        "schema_version": check.schema_version,
        "problems": list(check.problems),
    }
    if fmt == "json":
        click.echo(to_json(data))
        return
    lines = [
        ("index", check.index),
        ("status", "ok" if check.ok else f"{len(check.problems)} problems"),
        ("documents", "unknown" if check.documents is None else str(check.documents)),
        ("schema", "unknown" if check.schema_version is None else str(check.schema_version)),
    ]
    lines += [("problem", problem) for problem in check.problems]
    _name_values(lines, fmt, styles={"problem": "red", "ok": "green"})


def rebuild_summary(report: RebuildReport, *, quiet: bool) -> None:
    """Print what ``index rebuild`` did to stderr (quiet: only when documents were lost)."""
    if not quiet or report.unreadable:
        click.echo(
            f"index rebuild: {report.documents} documents rebuilt, "
            f"{report.unreadable} unreadable, in {sanitize(report.index, single_line=True)}",
            err=True,
        )
    for problem in report.problems:
        click.echo(f"problem: {sanitize(problem, single_line=True)}", err=True)
