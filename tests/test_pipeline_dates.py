"""Publication dates through the whole pipeline: candidates, provenance, confidence, mentions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newscli import Corpus
from newscli.models import Article, DateCandidate, DocumentKind, Source
from newscli.pipeline import build_article, is_dayfirst
from newscli.sources import RawInput
from tests.conftest import CORPUS, python_ok

INGESTED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
_PARAGRAPHS = "".join(
    f"<p>Paragraph {n}: officials in Termez said the rocket fragments were examined by "
    "experts from the border service and the ministry of defence.</p>"
    for n in range(6)
)


@pytest.fixture(scope="module")
def sample_articles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Article]:
    """The five sample articles ingested at a fixed time, by file-name prefix."""
    index = tmp_path_factory.mktemp("dates") / "index"
    corpus = Corpus.open(index, create=True)
    corpus.ingest([str(CORPUS)], now=INGESTED)
    articles = {}
    for hit in corpus.search("*", limit=10).hits:
        assert hit.path is not None
        articles[Path(hit.path).name[:3]] = corpus.get(hit.id)
    return articles


def test_ingest_sample_000_header_date_is_text_header_with_low_confidence(
    sample_articles: dict[str, Article],
) -> None:
    article = sample_articles["000"]
    assert (article.date, article.date_source, article.date_confidence) == (
        "2024-03-05",
        "text-header",
        "low",
    )
    # A low-confidence date is no reference for "April 19": it is dropped, not made 2023.
    assert article.mentions == ()


def test_ingest_sample_001_mentions_2022_04_18(sample_articles: dict[str, Article]) -> None:
    assert "2022-04-18" in sample_articles["001"].mentions


def test_ingest_sample_002_mentions_2022_05_07_and_2022_04_18(
    sample_articles: dict[str, Article],
) -> None:
    assert {"2022-05-07", "2022-04-18"} <= set(sample_articles["002"].mentions)


def test_ingest_no_sample_is_published_in_2002(sample_articles: dict[str, Article]) -> None:
    assert len(sample_articles) == 5
    assert all(not (a.date or "").startswith("2002") for a in sample_articles.values())
    assert [a.date for a in sample_articles.values() if a.date] == ["2024-03-05"]


def _html(head: str, body: str = "") -> bytes:
    return (
        "<!DOCTYPE html><html lang='en'><head><title>Rockets near Termez</title>"
        f"{head}</head><body><article><h1>Rockets near Termez</h1>{body}{_PARAGRAPHS}"
        "</article></body></html>"
    ).encode()


def _build(
    data: bytes,
    *,
    kind: DocumentKind = DocumentKind.HTML,
    url: str | None = None,
    sidecar: dict[str, str] | None = None,
    date_hint: str | None = None,
) -> Article:
    source = Source(key=url or "file:///tmp/story", url=url, path=None if url else "/tmp/story")
    raw = RawInput(data=data, kind=kind, sidecar=sidecar or {}, source_hash="x")
    return build_article(source, raw, now=INGESTED, date_hint=date_hint)


def test_ingest_html_meta_and_url_are_both_kept() -> None:
    article = _build(
        _html("<meta property='article:published_time' content='2022-04-19T08:30:00+05:00'>"),
        url="https://news.example.org/2022/04/19/rockets",
    )
    assert (article.date, article.date_source, article.date_confidence) == (
        "2022-04-19",
        "html-meta",
        "medium",
    )
    assert DateCandidate("2022-04-19", "url") in article.date_candidates


def test_ingest_url_date_of_a_text_file_with_a_sidecar_url() -> None:
    text = "Rockets near Termez\n\n" + "Officials spoke about the rockets. " * 20
    article = _build(
        text.encode(),
        kind=DocumentKind.TEXT,
        sidecar={"url": "https://news.example.org/2022/04/19/rockets"},
    )
    assert (article.date, article.date_source, article.date_confidence) == (
        "2022-04-19",
        "url",
        "medium",
    )


def test_ingest_published_line_disagreeing_with_url_is_low_confidence() -> None:
    text = (
        "Rockets near Termez\n\nPublished: 5 January 2021\n\n"
        + "Officials said that the rockets had been fired from the other side of the river "
        "and that nobody was hurt in the town. " * 4
    )
    article = _build(
        text.encode(),
        kind=DocumentKind.TEXT,
        sidecar={"url": "https://news.example.org/2022/04/19/rockets"},
    )
    assert (article.date, article.date_source, article.date_confidence) == (
        "2021-01-05",
        "published-line",
        "low",
    )


def test_ingest_feed_date_hint_wins_and_others_are_kept() -> None:
    article = _build(
        _html(""),
        url="https://news.example.org/2022/04/19/rockets",
        date_hint="Wed, 20 Apr 2022 06:00:00 GMT",
    )
    assert (article.date, article.date_source) == ("2022-04-20T06:00:00+00:00", "feed")
    assert article.date_confidence == "medium"  # the URL says the 19th
    assert [c.source for c in article.date_candidates] == ["feed", "html-meta", "url"]


def test_ingest_future_feed_date_is_rejected() -> None:
    article = _build(_html(""), date_hint="2030-01-01T00:00:00Z")
    assert article.date is None


def test_ingest_published_line_in_text() -> None:
    text = (
        "Rockets near Termez\n\nОпубликовано: 19 апреля 2022\n\n"
        + "Officials said that the rockets had been fired from the other side of the river "
        "and that nobody was hurt in the town. " * 4
    )
    article = _build(text.encode(), kind=DocumentKind.TEXT)
    assert (article.date, article.date_source, article.date_confidence) == (
        "2022-04-19",
        "published-line",
        "medium",
    )


def test_ingest_dateline_in_body() -> None:
    text = (
        "Rockets near Termez\n\nTASHKENT, April 19, 2022 (Reuters) - Officials said on "
        "Tuesday that rockets fell near Termez. " + "They spoke at length. " * 20
    )
    article = _build(text.encode(), kind=DocumentKind.TEXT)
    assert (article.date, article.date_source) == ("2022-04-19", "published-line")


def test_ingest_sidecar_date_beats_everything_and_date_order(tmp_path: Path) -> None:
    article = _build(
        _html("<meta property='article:published_time' content='2022-04-19'>"),
        sidecar={"date": "04/05/2022", "date_order": "mdy"},
    )
    assert (article.date, article.date_source) == ("2022-04-05", "sidecar")
    article = _build(_html(""), sidecar={"date": "04/05/2022"})
    assert article.date == "2022-05-04"  # day first by default


def test_is_dayfirst() -> None:
    assert is_dayfirst("https://kun.uz/news/1")
    assert not is_dayfirst("https://www.state.gov/x")
    assert not is_dayfirst("https://kun.uz/news/1", "mdy")
    assert is_dayfirst("https://www.state.gov/x", "dmy")


def test_ingest_mentions_resolve_against_a_trusted_publication_date() -> None:
    article = _build(
        _html(
            "<meta property='article:published_time' content='2022-05-09'>",
            "<p>On April 18 rockets were fired, and on December 30 talks were held there.</p>",
        ),
        url="https://news.example.org/2022/05/09/rockets",
    )
    assert article.mentions == ("2021-12-30", "2022-04-18")


def test_ingest_sidecar_file_date_order(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\n\n" + "Body text here. " * 30, encoding="utf-8")
    (folder / "a.txt.json").write_text(
        json.dumps({"date": "04/05/2022", "date_order": "mdy"}), encoding="utf-8"
    )
    corpus = Corpus.open(tmp_path / "ix", create=True)
    assert corpus.ingest([str(folder)], now=INGESTED).added == 1
    (hit,) = corpus.search("body").hits
    assert (hit.date, hit.date_source) == ("2022-04-05", "sidecar")


def test_ingest_html_figures_are_not_handed_to_dateparser() -> None:
    """htmldate's extensive search sends lines like these to dateparser, 14 ms each (and 2 s
    to prepare its ~200 locales in each worker); on the devset it found no more right dates."""
    page = (
        "<html><head><title>Results</title></head><body><div class='story'>"
        "<p>Avg shrs 51.7 mln vs 43.4 mln</p><p>Dividend pay April 30, record April 16.</p>"
        + "<p>The company said its quarterly results were in line with forecasts.</p>" * 3
        + "</div></body></html>"
    )
    code = (
        "import sys\n"
        "from newscli.extract import extract_html\n"
        f"assert extract_html({page!r}) is not None\n"
        "assert 'dateparser' not in sys.modules\n"
    )
    python_ok(code)


def test_ingest_html_meta_date_before_1995_is_kept_over_a_header_date() -> None:
    """htmldate refuses dates before 1995 by default, and then took the header's "today"."""
    article = _build(
        _html(
            "<meta property='article:published_time' content='1987-03-02T00:00:00'>",
            "<div class='topbar'>Monday, 30 November 2026</div>",
        )
    )
    assert (article.date, article.date_source) == ("1987-03-02", "html-meta")
