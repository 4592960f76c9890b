"""The refresh log beside the index: one line per run, for cron users to look back on."""

from __future__ import annotations

import os
from pathlib import Path

from newscli.models import RefreshReport

__all__ = ["RUN_LOG", "append_run", "format_run"]

RUN_LOG = "refresh.log"


def format_run(report: RefreshReport) -> str:
    """Return the log line of one run (no newline)."""
    ingest = report.ingest
    return (
        f"{report.started} refresh sources={report.sources} added={ingest.added} "
        f"updated={ingest.updated} unchanged={ingest.unchanged} "
        f"duplicates={ingest.duplicates} failed={len(ingest.failed)} "
        f"failed_sources={report.sources_failed} duration={report.duration:.2f}s"
    )


def append_run(folder: Path, report: RefreshReport) -> Path:
    """Append the run's line to ``refresh.log`` in ``folder`` with one write, and fsync it."""
    path = folder / RUN_LOG
    line = (format_run(report) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return path
