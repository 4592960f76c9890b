"""The benchmark's HTML pages: shaped like real news pages, and their article still extracts."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

from bench.pages import Teaser, news_page
from newscli.models import DocumentKind, Source
from newscli.pipeline import build_article
from newscli.sources import RawInput

PARAGRAPHS = (
    "Militants claimed on Monday that they had fired rockets across the river towards Termez.",
    "Officials in Tashkent said no rockets had landed and called the claim propaganda.",
    "The border crossing at Hairatan stayed open and trade continued as usual, traders said.",
    "Analysts said such claims are meant to show reach rather than to report actual attacks.",
)
OTHERS = [
    Teaser(f"Other story {k} on the grain harvest", f"Farmers expect a record crop {k}\u2026")
    for k in range(12)
]


def _page(number: int, date: str | None = "2022-04-18T09:30:00+05:00") -> str:
    return news_page(
        number=number,
        title="Militants claim rocket fire at Termez",
        paragraphs=PARAGRAPHS,
        date=date,
        site="Border News",
        host="news.example",
        others=OTHERS,
    )


def test_bench_pages_are_the_size_of_real_pages_and_vary() -> None:
    sizes = [len(_page(n)) for n in range(200)]
    assert 50_000 <= statistics.median(sizes) <= 150_000  # devset median 94 KB
    assert min(sizes) < 0.7 * statistics.median(sizes) < max(sizes) * 0.5


def test_bench_page_yields_its_article_without_boilerplate() -> None:
    article = build_article(
        Source("file:///bench/p.html", path="/bench/p.html", given="p.html"),
        RawInput(_page(7).encode(), DocumentKind.HTML, {}, "h"),
        now=datetime(2026, 11, 30, tzinfo=UTC),
    )
    assert article.title == "Militants claim rocket fire at Termez"
    assert article.date == "2022-04-18"
    for paragraph in PARAGRAPHS:
        assert paragraph in article.body
    for boilerplate in ("Related articles", "Popular", "Leave A Reply", "cookies", "grain"):
        assert boilerplate not in article.body


def test_bench_pages_are_deterministic() -> None:
    assert _page(3) == _page(3) != _page(4)
