"""Score publication dates: newscli's pipeline against htmldate's find_date, on real pages.

Gold: the devset pages (``../shared/devset``) whose URL path carries a full date
(``/2019/04/19/``). Each page goes through ``pipeline.build_article`` exactly as ``ingest``
would take it, and through ``htmldate.find_date`` on the same HTML. Because the gold comes from
the URL, each system is scored twice: given the page's URL, and blind to it (the URL removed
from the HTML and not passed in; newscli also ignores any ``url`` candidate); the blind figures
are the fair comparison. htmldate runs with its defaults and, blind, also with
``original_date=True`` (as trafilatura runs it inside newscli, which also turns its extensive
search off). A wrong date counts against a system more than a missing one.

Run: ``make eval-dates`` (``NEWSCLI_SHARED`` overrides where ``shared/`` is).
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from newscli.dates import URL, date_from_url
from newscli.models import DocumentKind, Source
from newscli.pipeline import build_article
from newscli.sources import InputError, RawInput

SHARED = Path(
    os.environ.get("NEWSCLI_SHARED") or Path(__file__).resolve().parents[1].parent / "shared"
)


@dataclass
class Score:
    """Counts for one system."""

    name: str
    correct: int = 0
    wrong: int = 0
    missing: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, case: str, found: str | None, gold: str) -> None:
        if found is None:
            self.missing += 1
        elif found[:10] == gold:
            self.correct += 1
        else:
            self.wrong += 1
            self.examples.append(f"{case}: {found[:10]} (gold {gold})")

    def row(self, total: int) -> str:
        dated = self.correct + self.wrong
        precision = self.correct / dated if dated else 0.0
        return (
            f"| {self.name} | {self.correct / total:.3f} | {dated / total:.3f} | "
            f"{precision:.3f} | {self.correct} | {self.wrong} | {self.missing} |"
        )


def _newscli(url: str | None, html: bytes, now: datetime) -> str | None:
    """Return the date newscli's pipeline gives the page (with ``url=None``: no URL candidate)."""
    source = Source(key=url or "file:///eval", url=url, given=url or "page")
    raw = RawInput(data=html, kind=DocumentKind.HTML, sidecar={}, source_hash="")
    try:
        article = build_article(source, raw, now=now)
    except InputError:
        return None
    if url is None:
        return next((c.date for c in article.date_candidates if c.source != URL), None)
    return article.date


def main() -> int:
    """Print the table; exit 1 when the devset is missing."""
    from htmldate import find_date

    cases_path = SHARED / "devset" / "cases.json"
    if not cases_path.is_file():
        print(f"no devset at {cases_path}; set NEWSCLI_SHARED", file=sys.stderr)
        return 1
    cases = json.loads(cases_path.read_text(encoding="utf-8"))
    now = datetime.now(UTC)
    scores = {
        name: Score(name)
        for name in (
            "newscli (with URL)",
            "htmldate find_date (with URL)",
            "newscli (blind to URL)",
            "htmldate find_date (blind to URL)",
            "htmldate find_date original_date=True (blind to URL)",
        )
    }
    total = 0
    started = time.monotonic()
    for case, meta in sorted(cases.items()):
        url = meta.get("url") or ""
        gold_date = date_from_url(url, now=now)
        path = SHARED / "devset" / "html" / f"{case}.html.gz"
        if gold_date is None or not path.is_file():
            continue
        gold = gold_date.day().isoformat()
        html = gzip.decompress(path.read_bytes())
        total += 1
        text = html.decode("utf-8", errors="replace")
        blind_text = _without_url(text, url)
        runs: list[tuple[str, Callable[[], str | None]]] = [
            ("newscli (with URL)", partial(_newscli, url, html, now)),
            ("htmldate find_date (with URL)", partial(find_date, text, url=url)),
            ("newscli (blind to URL)", partial(_newscli, None, blind_text.encode(), now)),
            ("htmldate find_date (blind to URL)", partial(find_date, blind_text)),
            (
                "htmldate find_date original_date=True (blind to URL)",
                partial(find_date, blind_text, original_date=True),
            ),
        ]
        for name, run in runs:
            try:
                found = run()
            except Exception:  # htmldate on odd pages: count as no date
                found = None
            scores[name].add(case, found, gold)
    elapsed = time.monotonic() - started
    print(f"{total} devset pages with a date in the URL ({elapsed:.0f} s)\n")
    print("| system | accuracy | coverage | precision | correct | wrong | missing |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for score in scores.values():
        print(score.row(total))
    for score in scores.values():
        if score.examples:
            print(f"\nwrong dates, {score.name}:")
            for example in score.examples:
                print(f"  {example}")
    return 0


def _without_url(text: str, url: str) -> str:
    """Remove the page's own URL (any scheme) from its HTML, so no system can read its date."""
    bare = url.split("://", 1)[-1]
    return text.replace(url, "").replace(bare, "") if bare else text


if __name__ == "__main__":
    sys.exit(main())
