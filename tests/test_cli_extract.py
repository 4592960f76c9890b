"""``newscli extract``: what ingest would index, printed, without touching any index."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner

from newscli import Corpus
from tests.conftest import CORPUS, SAMPLE_IDS, run
from tests.httpserver import TestSite, article_html

PROSE = (
    "The minister said on Tuesday that the new rules would come into force at the end of the "
    "year, and that the government was confident they would be accepted by the parliament."
)
JSON_KEYS = {"path", "title", "text", "date", "date_source", "language", "author", "source"}


def _story(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_extract_prints_header_and_text(runner: CliRunner, tmp_path: Path) -> None:
    path = _story(tmp_path, "a.txt", f"Border reopens\n\n2024-03-05\n\nBy Jane Doe\n\n{PROSE}\n")
    result = run(runner, "extract", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"path: {path}\ntitle: Border reopens\ndate: 2024-03-05 (text-header)\n"
        f"author: Jane Doe\nlanguage: en\n\n{PROSE}\n"
    )
    assert not (tmp_path / "default-index").exists()


def test_extract_json_one_line_per_input_in_order(runner: CliRunner) -> None:
    files = [str(CORPUS / SAMPLE_IDS[short]) for short in ("000", "002")]
    result = run(runner, "extract", "--json", *files, str(CORPUS / SAMPLE_IDS["004"]))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == [*files, str(CORPUS / SAMPLE_IDS["004"])]
    assert all(set(r) >= JSON_KEYS for r in records)
    assert (records[0]["date"], records[0]["date_source"]) == ("2024-03-05", "text-header")
    assert records[1]["author"] == "Salaam Times"
    assert {r["language"] for r in records} == {"en"}
    assert "removed" not in records[0]


def test_extract_matches_what_ingest_indexes(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    extracted = run(runner, "extract", "--json", str(CORPUS))
    assert extracted.exit_code == 0
    corpus = Corpus.open(index)
    for line in extracted.stdout.splitlines():
        record = json.loads(line)
        article = corpus.get(record["id"])
        assert (article.title, article.body, article.date) == (
            record["title"],
            record["text"],
            record["date"],
        )


def test_extract_explain_groups_removed_blocks_by_rule(runner: CliRunner) -> None:
    path = str(CORPUS / SAMPLE_IDS["003"])
    result = run(runner, "extract", "--explain", path)
    assert result.exit_code == 0, result.output
    explained = result.stdout.split("\nremoved: ", 1)[1].splitlines()
    assert explained[0].endswith(" blocks")
    rules = [line for line in explained if line.startswith("  ") and not line.startswith("    ")]
    assert rules == ["  page text after the article (1):"]
    assert explained[2].startswith("    - Related News 09:18 / 16.11.2024")
    assert explained[2].endswith("lines)")
    as_json = json.loads(run(runner, "extract", "--json", "--explain", path).stdout)
    assert as_json["removed"][0]["rule"] == "page text after the article"
    assert as_json["removed"][0]["text"].startswith("Related News\n09:18 / 16.11.2024")


def test_extract_reads_html_gz(runner: CliRunner, tmp_path: Path) -> None:
    page = (
        "<html lang='de'><head><title>Grenze wieder offen</title></head><body>"
        "<nav><a href='/'>Startseite</a></nav><article><h1>Grenze wieder offen</h1>"
        + "".join(
            f"<p>Absatz {n}: Die Ministerin sagte am Dienstag, dass die neuen Regeln zum Ende "
            "des Jahres in Kraft treten sollen und die Regierung mit Zustimmung rechne.</p>"
            for n in range(5)
        )
        + "</article><footer>Impressum</footer></body></html>"
    )
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(page.encode("utf-8")))
    result = run(runner, "extract", "--json", str(path))
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["title"] == "Grenze wieder offen"
    assert record["language"] == "de"
    assert "Absatz 4" in record["text"] and "Impressum" not in record["text"]


def test_extract_failures_are_json_errors_with_exit_codes(
    runner: CliRunner, tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.txt")
    url = "http://127.0.0.1/story"  # loopback: refused without NEWSCLI_ALLOW_PRIVATE_HOSTS
    only_bad = run(runner, "extract", "--json", missing, url)
    assert only_bad.exit_code == 1
    records = [json.loads(line) for line in only_bad.stdout.splitlines()]
    assert records[0] == {"path": missing, "error": "no such file or directory"}
    assert records[1] == {
        "path": url,
        "error": "refused: 127.0.0.1 resolves to the non-public address 127.0.0.1 "
        "(set NEWSCLI_ALLOW_PRIVATE_HOSTS=1 to allow)",
    }
    assert f"failed: {missing}: no such file or directory" in only_bad.stderr.splitlines()
    partial = run(runner, "extract", missing, str(CORPUS / SAMPLE_IDS["001"]))
    assert partial.exit_code == 3
    assert partial.stdout.startswith(f"path: {CORPUS / SAMPLE_IDS['001']}\n")


def test_extract_nothing_found_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run(runner, "extract", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert result.stderr == "extract: no article files found in the given inputs\n"


def test_extract_output_is_sanitised(runner: CliRunner, tmp_path: Path) -> None:
    path = _story(tmp_path, "evil.txt", f"Evil \x1b[31mtitle\u202e [bold]x[/bold]\n\n{PROSE}\n")
    result = run(runner, "extract", str(path))
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "title: Evil [31mtitle [bold]x[/bold]\n" in result.stdout


def test_extract_learns_a_folder_template(runner: CliRunner, tmp_path: Path) -> None:
    site = tmp_path / "site"
    header = "Example Times\nHome | World | Sport\nThe newspaper of record since 1851"
    footer = "Subscribe to our daily briefing for the best of Example Times\n© Example Times"
    for n in range(4):
        body = PROSE.replace("minister", f"minister of department {n}")
        _story(site, f"story{n}.txt", f"{header}\nStory number {n}\n{body}\n{body}\n{footer}\n")
    result = run(runner, "extract", "--json", "--explain", str(site))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"] for r in records] == [f"Story number {n}" for n in range(4)]
    for record in records:
        assert "Example Times" not in record["text"] and "1851" not in record["text"]
        rules = {removal["rule"] for removal in record["removed"]}
        assert "line repeated across the folder's files (template)" in rules
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(site), index=index).exit_code == 0
    article = Corpus.open(index).get(records[0]["id"])
    assert (article.title, article.body) == (records[0]["title"], records[0]["text"])


def test_extract_fetches_urls_like_ingest(runner: CliRunner, site: TestSite) -> None:
    page = site.add("/news/termez", article_html("Rockets near Termez", "Termez"))
    gone = site.url("/news/gone")
    result = run(runner, "extract", "--json", page, gone)
    assert result.exit_code == 3, result.output
    good, bad = (json.loads(line) for line in result.stdout.splitlines())
    assert (good["path"], good["title"], good["url"]) == (page, "Rockets near Termez", page)
    assert "Termez report, part 5" in good["text"] and "Copyright" not in good["text"]
    assert bad == {"path": gone, "error": "HTTP 404 Not Found"}


def test_extract_has_the_ingest_time_budget(runner: CliRunner, tmp_path: Path) -> None:
    slow = tmp_path / "flat.html"
    slow.write_text(
        "<html><body>" + "<span>word</span>" * 400_000 + "</body></html>", encoding="utf-8"
    )
    good = CORPUS / SAMPLE_IDS["004"]
    result = run(runner, "extract", "--json", "--time-budget", "0.5", str(slow), str(good))
    assert result.exit_code == 3, result.output
    failed, ok = (json.loads(line) for line in result.stdout.splitlines())
    assert failed == {"path": str(slow), "error": "extraction took longer than 0.5 s"}
    assert ok["title"] == "Taliban expel Afghan military to Uzbekistan and Tajikistan"
