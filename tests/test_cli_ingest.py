"""``newscli ingest``: cleaning of the sample corpus, re-ingestion, errors and exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.ids import article_id, file_key
from tests.conftest import CORPUS, SAMPLE_IDS, run

BOILERPLATE = [
    "Related articles",
    "Editor's choice",
    "Latest in National",
    "Related News",
    "Leave A Reply",
    "About Author",
    "Do you like this article?",
    "Comment Policy",
    "Popular",
    # reader comments under 002
    "Surprisingly, there was a time when you were writing reports",
    "But the Taliban have good news about this incident",
    # related-news list of 003
    "16.11.2024",
]
LAST_REAL_PARAGRAPH = {
    "000": "The Afghan media received confirmation of this from a senior Afghan soldier.",
    "001": "Instability in Afghanistan continues to be a pressing issue for the wider region.",
    "002": "A bomb at a Shia mosque in Mazar-e-Sharif a week earlier killed at least 12 "
    "worshippers and wounded scores more.",
    "003": 'which in turn would threaten regional security," said Lieutenant General '
    "Abdusalom Azizov.",
    "004": "the military opposition, the Taliban and others,” he told Wholey.",
}


def _articles(index: Path) -> dict[str, dict[str, object]]:
    corpus = Corpus.open(index)
    found = {}
    for short, name in SAMPLE_IDS.items():
        article = corpus.get(article_id(file_key(CORPUS / name)))
        found[short] = {
            "title": article.title,
            "body": article.body,
            "author": article.author,
            "date": article.date,
            "date_source": article.date_source,
            "credits": article.credits,
        }
    return found


def test_ingest_sample_corpus_reports_five_added(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "ingest", str(CORPUS), index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "ingest: 5 added, 0 updated, 0 unchanged, 0 duplicates, 0 skipped, 0 failed\n"
    )


@pytest.mark.parametrize("short", sorted(SAMPLE_IDS))
def test_ingest_removes_boilerplate_and_keeps_last_paragraph(
    sample_index: Path, short: str
) -> None:
    body = str(_articles(sample_index)[short]["body"])
    for phrase in BOILERPLATE:
        assert phrase not in body, f"{short} still contains {phrase!r}"
    assert body.rstrip().endswith(LAST_REAL_PARAGRAPH[short])


def test_ingest_titles_are_first_lines(sample_index: Path) -> None:
    articles = _articles(sample_index)
    for short in ("001", "002", "003", "004"):
        first_line = (CORPUS / SAMPLE_IDS[short]).read_text(encoding="utf-8").splitlines()[0]
        assert articles[short]["title"] == first_line.strip()
    assert articles["000"]["title"] is None  # its first line is a date, its second a paragraph


def test_ingest_header_date_and_byline(sample_index: Path) -> None:
    articles = _articles(sample_index)
    assert (articles["000"]["date"], articles["000"]["date_source"]) == (
        "2024-03-05",
        "text-header",
    )
    assert articles["002"]["author"] == "Salaam Times"
    assert "By Salaam Times" not in str(articles["002"]["body"])
    for short in ("001", "002", "003", "004"):
        assert articles[short]["date"] is None, f"{short} got a date it does not state"


def test_ingest_repeated_caption_kept_once_and_credits_moved(sample_index: Path) -> None:
    articles = _articles(sample_index)
    caption = "Tajik security forces seen during a December 2021 event."
    assert str(articles["002"]["body"]).count(caption) == 1
    credits = articles["001"]["credits"]
    assert credits == (
        "Sources: CommonSpace.eu with Eurasianet (New York), VOA (Washington D.C.), "
        "and other media agencies",
        "Picture: Border Fence between Afghanistan and Uzbekistan near Termez (AFP)",
    )
    assert "Sources:" not in str(articles["001"]["body"])


def test_ingest_twice_reports_unchanged(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    second = run(runner, "ingest", str(CORPUS), index=index)
    assert second.exit_code == 0
    assert second.stderr == (
        "ingest: 0 added, 0 updated, 5 unchanged, 0 duplicates, 0 skipped, 0 failed\n"
    )


def test_ingest_edited_file_is_updated(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(corpus_copy), index=index).exit_code == 0
    edited = corpus_copy / SAMPLE_IDS["004"]
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("Wholey.", "Wholey in Tashkent."),
        encoding="utf-8",
    )
    result = run(runner, "ingest", str(corpus_copy), index=index)
    assert result.exit_code == 0
    assert result.stderr == (
        "ingest: 0 added, 1 updated, 4 unchanged, 0 duplicates, 0 skipped, 0 failed\n"
    )
    corpus = Corpus.open(index)
    assert corpus.stats().documents == 5
    assert [hit.path for hit in corpus.search('"Wholey in Tashkent"').hits] == [str(edited)]


def test_ingest_same_text_elsewhere_is_a_duplicate(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    (corpus_copy / "copy-of-003.txt").write_bytes((CORPUS / SAMPLE_IDS["003"]).read_bytes())
    result = run(runner, "ingest", str(corpus_copy), index=tmp_path / "ix")
    assert result.exit_code == 0
    assert result.stderr.startswith("ingest: 5 added, 0 updated, 0 unchanged, 1 duplicates")
    assert Corpus.open(tmp_path / "ix").stats().documents == 5


def test_ingest_html_file_uses_trafilatura_metadata(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    paragraphs = "".join(
        f"<p>Paragraph {n}: officials in Termez said the rocket fragments were examined by "
        f"experts from the border service and the ministry of defence.</p>"
        for n in range(6)
    )
    (folder / "story.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><title>Rockets near Termez | Example News</title>"
        "<meta property='og:title' content='Rockets near Termez'>"
        "<meta property='og:site_name' content='Example News'>"
        "<meta name='author' content='Jane Doe'>"
        "<meta property='article:published_time' content='2022-04-19T08:30:00+05:00'>"
        "<link rel='canonical' href='https://news.example.org/2022/04/19/rockets'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Rockets near Termez</h1>{paragraphs}</article>"
        "<footer>Copyright Example News</footer></body></html>",
        encoding="utf-8",
    )
    result = run(runner, "ingest", str(folder), index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    (hit,) = Corpus.open(tmp_path / "ix").search("Termez").hits
    article = Corpus.open(tmp_path / "ix").get(hit.id)
    assert article.title == "Rockets near Termez"
    assert article.author == "Jane Doe"
    assert article.source == "Example News"
    assert article.url == "https://news.example.org/2022/04/19/rockets"
    assert article.language == "en"
    assert (article.date, article.date_source) == ("2022-04-19", "html-meta")
    assert "Home" not in article.body and "Copyright" not in article.body


def test_ingest_sidecar_overrides_metadata(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.txt").write_bytes((CORPUS / SAMPLE_IDS["001"]).read_bytes())
    (folder / "a.txt.json").write_text(
        json.dumps(
            {
                "title": "Sidecar title",
                "date": "2022-04-19",
                "url": "https://commonspace.eu/news/uzbekistan-denies",
                "source": "CommonSpace.eu",
                "author": "Editorial team",
            }
        ),
        encoding="utf-8",
    )
    assert run(runner, "ingest", str(folder), index=tmp_path / "ix").exit_code == 0
    corpus = Corpus.open(tmp_path / "ix")
    (hit,) = corpus.search("Eurasianet").hits
    article = corpus.get(hit.id)
    assert (article.title, article.date, article.date_source) == (
        "Sidecar title",
        "2022-04-19",
        "sidecar",
    )
    assert (article.url, article.source, article.author) == (
        "https://commonspace.eu/news/uzbekistan-denies",
        "CommonSpace.eu",
        "Editorial team",
    )
    assert corpus.stats().sources == (("CommonSpace.eu", 1),)


def test_ingest_include_and_exclude(runner: CliRunner, tmp_path: Path, corpus_copy: Path) -> None:
    result = run(
        runner,
        "ingest",
        str(corpus_copy),
        "--include",
        "00[0-2]_*",
        "--exclude",
        "001_*",
        index=tmp_path / "ix",
    )
    assert result.exit_code == 0
    assert result.stderr.startswith("ingest: 2 added,")


def test_ingest_skips_unknown_types_and_fails_binary(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    (corpus_copy / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(64))
    (corpus_copy / "fake.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    result = run(runner, "-v", "ingest", str(corpus_copy), index=tmp_path / "ix")
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert "ingest: 5 added, 0 updated, 0 unchanged, 0 duplicates, 1 skipped, 1 failed" in lines
    assert f"failed: {corpus_copy / 'fake.txt'}: not an article: PNG image" in lines
    assert f"skipped: {corpus_copy / 'photo.jpg'}: skipped: unsupported file type '.jpg'" in lines


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"\x00\x01\x02" * 100, "not an article: binary data (NUL bytes)")],
)
def test_ingest_only_bad_inputs_exits_1(
    runner: CliRunner, tmp_path: Path, content: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run(runner, "ingest", str(bad), index=tmp_path / "ix")
    assert result.exit_code == 1
    assert f"failed: {bad}: {reason}" in result.stderr.splitlines()


def test_ingest_missing_path_is_reported_and_rest_lands(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = run(runner, "ingest", str(missing), str(CORPUS), index=tmp_path / "ix")
    assert result.exit_code == 3
    assert f"failed: {missing}: no such file or directory" in result.stderr.splitlines()
    assert Corpus.open(tmp_path / "ix").stats().documents == 5


def test_ingest_busy_index_exits_75(runner: CliRunner, tmp_path: Path) -> None:
    from newscli.store import RunLock

    index = tmp_path / "ix"
    assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    with RunLock(index, wait=0):
        result = run(runner, "ingest", str(CORPUS), "--wait", "0.3", index=index)
    assert result.exit_code == 75
    assert "busy" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_ingest_creates_index_folder_private(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "deep" / "ix"
    assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    assert (index.stat().st_mode & 0o777) == 0o700
    assert json.loads((index / "newscli.json").read_text())["schema_version"] >= 1


def test_ingest_gzipped_html_and_html_saved_as_txt(runner: CliRunner, tmp_path: Path) -> None:
    import gzip

    folder = tmp_path / "pages"
    folder.mkdir()
    page = (
        "<html><head><title>Border report</title></head><body><article>"
        + "".join(
            f"<p>Paragraph {n} about the Hairatan crossing and the Amu Darya bridge near "
            "Termez, where traffic resumed after inspections by the border service.</p>"
            for n in range(5)
        )
        + "</article></body></html>"
    )
    (folder / "a.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
    (folder / "b.txt").write_text(page.replace("Border report", "Saved as text"), "utf-8")
    result = run(runner, "ingest", str(folder), index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    corpus = Corpus.open(tmp_path / "ix")
    titles = sorted(corpus.get(hit.id).title or "" for hit in corpus.search("Hairatan").hits)
    assert titles == ["Border report", "Saved as text"]
    assert all(corpus.get(h.id).kind == "html" for h in corpus.search("Hairatan").hits)
