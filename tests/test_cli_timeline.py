"""``newscli timeline``, and the date options of ``search`` and ``show``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.errors import BadQuery
from newscli.ids import article_id, file_key
from newscli.query import relative_day
from tests.conftest import CORPUS, SAMPLE_IDS, run

ID = {short: article_id(file_key(CORPUS / name)) for short, name in SAMPLE_IDS.items()}


def _ids(output: str) -> list[str]:
    return sorted(line.split("\t")[0] for line in output.splitlines() if line)


def test_timeline_json_counts_by_month(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "timeline", "*", "--json", index=sample_index)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "query": "*",
        "field": "date",
        "by": "month",
        "matched": 5,
        "without": 4,
        "periods": [{"period": "2024-03", "count": 1}],
    }


def test_timeline_mentions_by_month_plain(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "timeline", "*", "--field", "mentions", "-f", "plain", index=sample_index)
    assert result.exit_code == 0, result.output
    # 2022-04: 001 and 002 (an article counts once per period); 2022-05: 002.
    assert result.stdout == "2001-09\t1\n2021-08\t1\n2022-04\t2\n2022-05\t1\n"


def test_timeline_mentions_by_day_and_week(runner: CliRunner, sample_index: Path) -> None:
    args = ["timeline", "ISIS AND Tajik*", "--field", "mentions", "-f", "plain"]
    by_day = run(runner, *args, "--by", "day", index=sample_index)
    assert by_day.exit_code == 0, by_day.output
    assert by_day.stdout == "2022-04-17\t1\n2022-04-18\t1\n2022-05-01\t1\n2022-05-07\t1\n"
    by_week = run(runner, *args, "--by", "week", index=sample_index)
    assert by_week.stdout == "2022-W15\t1\n2022-W16\t1\n2022-W17\t1\n2022-W18\t1\n"


def test_timeline_mentions_range_limits_counted_days(runner: CliRunner, sample_index: Path) -> None:
    result = run(
        runner,
        "timeline",
        "*",
        "--field",
        "mentions",
        "--mentions-since",
        "2022-05",
        "--by",
        "day",
        "--json",
        index=sample_index,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["matched"], data["periods"]) == (
        1,
        [{"period": "2022-05-01", "count": 1}, {"period": "2022-05-07", "count": 1}],
    )


def test_timeline_table_draws_bars(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "timeline", "*", "--field", "mentions", "-f", "table", index=sample_index)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2001-09") and "\u2588" in lines[0]
    assert "238 empty month(s)" in lines[1]
    assert lines[-1] == "4 of 5 matching articles by mentioned day"


def test_timeline_no_match_is_not_an_error(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "timeline", "zzzznothing", "-f", "table", index=sample_index)
    assert result.exit_code == 0, result.output
    assert result.stdout == "No matching articles with a publication date.\n"


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["timeline", "*", "--by", "year"], 2, "Invalid value for '--by'"),
        (["timeline", "*", "--field", "title"], 2, "Invalid value for '--field'"),
        (["timeline", "*", "--since", "soon"], 2, "is not a date like"),
        (["timeline", "nosuchfield:x"], 1, "unknown field 'nosuchfield'"),
        (["timeline", "*", "--since", "2024", "--until", "2023"], 1, "is after --until"),
    ],
)
def test_timeline_errors(
    runner: CliRunner, sample_index: Path, args: list[str], exit_code: int, message: str
) -> None:
    result = run(runner, *args, index=sample_index)
    assert result.exit_code == exit_code, result.output
    assert message in result.stderr


def test_timeline_without_index_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "timeline", "*", index=tmp_path / "none")
    assert result.exit_code == 1
    assert "no index at" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["mentions:2022-04"], ["001", "002"]),
        (["mentions:2022-04-18"], ["001", "002"]),
        (["mentions:2022-05-07"], ["002"]),
        (["mentions:[2022-05-01 to 2022-05-31] OR mentions:2001"], ["002", "004"]),
        (["*", "--mentions-since", "2022-05"], ["002"]),
        (["*", "--mentions-until", "2021-12-31"], ["003", "004"]),
        (["*", "--mentions-since", "2022-04-18", "--mentions-until", "2022-04-18"], ["001", "002"]),
        (["date:2024-03"], ["000"]),
        (["date_confidence:low"], ["000"]),
        (["*", "--since", "2024-03-05", "--until", "2024-03-05"], ["000"]),
    ],
)
def test_search_by_mentioned_and_publication_dates(
    runner: CliRunner, sample_index: Path, args: list[str], expected: list[str]
) -> None:
    result = run(runner, "search", *args, "-f", "plain", index=sample_index)
    assert result.exit_code == 0, result.output
    assert _ids(result.stdout) == sorted(ID[short] for short in expected)


def test_search_relative_since(tmp_path: Path) -> None:
    corpus = Corpus.open(tmp_path / "ix", create=True)
    corpus.ingest([str(CORPUS)], now=datetime(2024, 3, 20, tzinfo=UTC))
    near = corpus.search("*", since="2w", now=datetime(2024, 3, 15, tzinfo=UTC))
    far = corpus.search("*", since="7d", now=datetime(2024, 3, 15, tzinfo=UTC))
    assert [hit.date for hit in near.hits] == ["2024-03-05"]
    assert far.hits == ()


def test_search_relative_dates_in_the_query_language(tmp_path: Path) -> None:
    corpus = Corpus.open(tmp_path / "ix", create=True)
    corpus.ingest([str(CORPUS)], now=datetime(2024, 3, 20, tzinfo=UTC))
    asked = datetime(2024, 3, 15, tzinfo=UTC)
    assert [h.date for h in corpus.search("date:>2w", now=asked).hits] == ["2024-03-05"]
    assert corpus.search("date:>7d", now=asked).hits == ()
    found = corpus.search("mentions:[2y to 1y]", now=asked).hits
    assert sorted(h.id for h in found) == sorted([ID["001"], ID["002"]])
    timeline = corpus.timeline("*", field="mentions", since=None, now=asked)
    assert timeline.matched == 5


def test_search_relative_since_on_the_command_line(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "search", "*", "--since", "100y", "-f", "plain", index=sample_index)
    assert result.exit_code == 0, result.output
    assert _ids(result.stdout) == [ID["000"]]
    bad = run(runner, "search", "*", "--since", "7x", index=sample_index)
    assert bad.exit_code == 2
    assert "relative day like 7d, 2w, 3m" in bad.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7d", date(2024, 5, 24)),
        ("2w", date(2024, 5, 17)),
        ("3m", date(2024, 2, 29)),
        ("1y", date(2023, 5, 31)),
        ("0d", date(2024, 5, 31)),
        (date(2020, 1, 1), date(2020, 1, 1)),
        (None, None),
    ],
)
def test_search_relative_day(value: str | date | None, expected: date | None) -> None:
    assert relative_day(value, today=date(2024, 5, 31)) == expected


def test_search_relative_day_rejects_nonsense() -> None:
    with pytest.raises(BadQuery):
        relative_day("soon", today=date(2024, 5, 31))


def test_show_plain_date_provenance_and_mentions(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "show", ID["000"], "-f", "plain", index=sample_index)
    assert result.exit_code == 0, result.output
    assert "date: 2024-03-05 (text-header, low confidence)\n" in result.stdout
    result = run(runner, "show", ID["002"], "-f", "plain", index=sample_index)
    assert "date: unknown\n" in result.stdout
    assert "mentions: 2022-04-17, 2022-04-18, 2022-05-01, 2022-05-07\n" in result.stdout


def test_show_json_date_keys(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "show", ID["000"], "--json", index=sample_index)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == "2024-03-05"
    assert data["date_source"] == "text-header"
    assert data["date_confidence"] == "low"
    assert data["date_candidates"] == [{"date": "2024-03-05", "source": "text-header"}]
    assert data["mentions"] == []


def test_show_table_lists_other_candidates(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Title of it\n\nPublished: 5 January 2021\n\n" + "Body text about rockets. " * 30,
        encoding="utf-8",
    )
    (folder / "a.txt.json").write_text(
        '{"url": "https://news.example.org/2022/04/19/rockets"}', encoding="utf-8"
    )
    assert run(runner, "ingest", str(folder), index=tmp_path / "ix").exit_code == 0
    (hit,) = Corpus.open(tmp_path / "ix").search("rockets").hits
    result = run(runner, "show", hit.id, "-f", "table", index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert "date: 2021-01-05 (published-line, low confidence)" in result.stdout
    assert "also dated: 2022-04-19 (url)" in result.stdout


def test_search_sort_date_when_dated_hits_fill_the_page(
    runner: CliRunner, sample_index: Path
) -> None:
    result = run(
        runner, "search", "Termez", "--sort", "date", "-n", "1", "-f", "plain", index=sample_index
    )
    assert result.exit_code == 0, result.output
    assert _ids(result.stdout) == [ID["000"]]


def test_search_star_matches_every_article(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "search", "*", "-f", "plain", index=sample_index)
    assert result.exit_code == 0, result.output
    assert _ids(result.stdout) == sorted(ID.values())


def test_timeline_matches_across_scripts_and_aliases(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    texts = {
        "ru.txt": "Обстрел у Термеза\n\n5 марта 2024\n\nВчера вечером в Термезе слышали взрывы, "
        "сообщили местные жители и представители пограничной службы.\n",
        "uz.txt": "Termizda portlash\n\n2024-yil 6-mart\n\nKecha kechqurun Termiz shahrida "
        "portlashlar eshitildi, deb xabar berdi mahalliy aholi va chegara xizmati vakillari.\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(folder), index=index).exit_code == 0
    result = run(runner, "timeline", "Termez", "--by", "day", "--json", index=index)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["matched"], data["without"]) == (2, 0)
    assert data["periods"] == [
        {"period": "2024-03-05", "count": 1},
        {"period": "2024-03-06", "count": 1},
    ]
    # Термеза matches by folding alone; Termiz needs the alias list.
    assert Corpus.open(index).timeline("Termez", aliases=False).matched == 1
