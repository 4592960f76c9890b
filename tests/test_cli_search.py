"""``newscli search``: ranking, query syntax, filters, sorting and output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli.ids import article_id, file_key
from tests.conftest import CORPUS, SAMPLE_IDS, run

ID = {short: article_id(file_key(CORPUS / name)) for short, name in SAMPLE_IDS.items()}


def _ids(output: str) -> list[str]:
    return [line.split("\t")[0] for line in output.splitlines() if line]


def test_search_termez_returns_000_and_001(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "search", "Termez", "--format", "plain", index=sample_index)
    assert result.exit_code == 0, result.output
    assert sorted(_ids(result.stdout)) == sorted([ID["000"], ID["001"]])
    assert result.stderr == ""


def test_search_plain_line_format(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "search", "Wholey", "-f", "plain", index=sample_index)
    assert result.exit_code == 0
    assert result.stdout == (
        f"{ID['004']}\t\tTaliban expel Afghan military to Uzbekistan and Tajikistan\t"
        f"{CORPUS / SAMPLE_IDS['004']}\n"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"Khwaja Ghar"', ["002"]),
        ('"Shir Khan Bandar"', ["004"]),
        ("title:ISIS", ["002", "003"]),
        ("author:salaam", ["002"]),
        ("date:2024-03", ["000"]),
        ("Hairatan AND Balkh", ["000"]),
        ("Tashkent NOT Komilov", ["003"]),
        ("Khorasan OR Shahrtuz", ["000", "002", "003", "004"]),
        ("Kald*", ["000", "004"]),
        ("nonexistentword", []),
    ],
)
def test_search_query_language(
    runner: CliRunner, sample_index: Path, query: str, expected: list[str]
) -> None:
    result = run(runner, "search", query, "-f", "plain", index=sample_index)
    assert result.exit_code == 0, result.output
    assert sorted(_ids(result.stdout)) == sorted(ID[short] for short in expected)


def test_search_date_range_filters(runner: CliRunner, sample_index: Path) -> None:
    inside = run(
        runner,
        "search",
        "Uzbekistan",
        "--since",
        "2024-03-01",
        "--until",
        "2024-03-31",
        "-f",
        "plain",
        index=sample_index,
    )
    assert inside.exit_code == 0
    assert _ids(inside.stdout) == [ID["000"]]
    outside = run(
        runner, "search", "Uzbekistan", "--since", "2025", "-f", "plain", index=sample_index
    )
    assert outside.exit_code == 0
    assert outside.stdout == ""


def test_search_language_and_source_filters(runner: CliRunner, sample_index: Path) -> None:
    english = run(runner, "search", "Termez", "--lang", "en", "-f", "plain", index=sample_index)
    assert sorted(_ids(english.stdout)) == sorted([ID["000"], ID["001"]])
    russian = run(runner, "search", "Termez", "--lang", "ru", "-f", "plain", index=sample_index)
    assert russian.stdout == ""
    nosource = run(
        runner, "search", "Termez", "--source", "reuters", "-f", "plain", index=sample_index
    )
    assert nosource.stdout == ""


def test_search_sort_by_date_puts_dated_first(runner: CliRunner, sample_index: Path) -> None:
    result = run(
        runner, "search", "Uzbekistan", "--sort", "date", "-f", "plain", index=sample_index
    )
    assert result.exit_code == 0
    assert _ids(result.stdout)[0] == ID["000"]


def test_search_json_output(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "search", "Termez", "--json", "-n", "1", index=sample_index)
    assert result.exit_code == 0
    (hit,) = json.loads(result.stdout)
    assert set(hit) == {
        "id",
        "title",
        "date",
        "date_source",
        "source",
        "author",
        "language",
        "path",
        "url",
        "score",
        "snippet",
        "highlights",
        "lead",
    }
    assert hit["id"] in (ID["000"], ID["001"])
    assert isinstance(hit["score"], float) and hit["score"] > 0
    for start, end in hit["highlights"]:
        assert hit["snippet"][start:end].lower().startswith("termez")
    assert hit["highlights"]


def test_search_table_highlights_snippet(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "search", "Khwaja", "-f", "table", index=sample_index)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())  # rich wraps at the terminal width
    assert text.startswith("1. ISIS expands attacks on Central Asian states, targets Tajikistan")
    assert "Khwaja Ghar" in text
    assert text.endswith("1 of 1 matching articles")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "Error: the query is empty; try `newscli search 'Termez'`"),
        (["nosuchfield:x"], "Error: unknown field 'nosuchfield' in the query;"),
        (["date:notadate"], "Error: cannot read the date 'notadate' in the query;"),
        (
            ["x", "--since", "2024-05-01", "--until", "2024-04-01"],
            "Error: --since 2024-05-01 is after --until 2024-04-01",
        ),
    ],
)
def test_search_bad_query_exits_1_with_one_line(
    runner: CliRunner, sample_index: Path, args: list[str], message: str
) -> None:
    result = run(runner, "search", *args, index=sample_index)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


def test_search_bad_date_option_is_usage_error(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "search", "x", "--since", "yesterday", index=sample_index)
    assert result.exit_code == 2
    assert "'yesterday' is not a date like 2024-03-05" in result.stderr


def test_search_without_index_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "search", "Termez", index=tmp_path / "missing")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no index at {tmp_path / 'missing'}; run `newscli ingest PATH` first\n"
    )


def test_search_table_total_counts_filtered_matches(runner: CliRunner, tmp_path: Path) -> None:
    """The total of a capped search counts only articles the filters let through."""
    folder = tmp_path / "in"
    folder.mkdir()
    for number, source in enumerate(["alpha", "alpha", "beta"]):
        article = folder / f"{number}.txt"
        article.write_text(
            f"Canal report {number}\n\nThe canal near town{number} was closed for repairs "
            "after the spring floods, officials said on Monday.\n",
            encoding="utf-8",
        )
        (folder / f"{number}.txt.json").write_text(json.dumps({"source": source}), "utf-8")
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(folder), index=index).exit_code == 0
    totals = {}
    for label, extra in {
        "all": [],
        "alpha": ["--source", "alpha"],
        "beta": ["--source", "beta"],
    }.items():
        result = run(runner, "search", "canal", "-n", "1", "-f", "table", *extra, index=index)
        assert result.exit_code == 0, result.output
        totals[label] = " ".join(result.stdout.split()).rsplit(". ", 1)[-1]
    assert totals["all"].endswith("1 of 3 matching articles")
    assert totals["alpha"].endswith("1 of 2 matching articles")
    assert totals["beta"].endswith("1 of 1 matching articles")
    plain = run(runner, "search", "canal", "-f", "json", index=index)
    assert len(json.loads(plain.stdout)) == 3
