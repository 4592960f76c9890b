"""``newscli show`` and ``newscli stats``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli.ids import article_id, file_key
from tests.conftest import CORPUS, SAMPLE_IDS, run

ID_002 = article_id(file_key(CORPUS / SAMPLE_IDS["002"]))


def test_show_plain_prints_header_then_text(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "show", ID_002, "-f", "plain", index=sample_index)
    assert result.exit_code == 0, result.output
    header, _, body = result.stdout.partition("\n\n")
    assert header.splitlines()[:5] == [
        f"id: {ID_002}",
        "title: ISIS expands attacks on Central Asian states, targets Tajikistan with rockets",
        "date: unknown",
        "author: Salaam Times",
        "language: en",
    ]
    assert body.startswith("Tajik security forces seen during a December 2021 event.")
    assert body.rstrip().endswith("killed at least 12 worshippers and wounded scores more.")


def test_show_accepts_unique_prefix_and_json(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "show", ID_002[:6], "--json", index=sample_index)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["id"] == ID_002
    assert data["author"] == "Salaam Times"
    assert data["ingested"].endswith("Z")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("ffffffffffff", "Error: no article with id 'ffffffffffff'\n"),
        ("abc", "Error: id 'abc' is too short; give at least 6 characters\n"),
    ],
)
def test_show_unknown_id_exits_1(
    runner: CliRunner, sample_index: Path, given: str, message: str
) -> None:
    result = run(runner, "show", given, index=sample_index)
    assert result.exit_code == 1
    assert result.stderr == message


def test_stats_json(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "stats", "--json", index=sample_index)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["documents"] == 5
    assert data["undated"] == 4
    assert (data["earliest"], data["latest"]) == ("2024-03-05", "2024-03-05")
    assert data["languages"] == {"en": 5}
    assert data["sources"] == {}
    assert data["size_bytes"] > 0


def test_stats_plain(runner: CliRunner, sample_index: Path) -> None:
    result = run(runner, "stats", "-f", "plain", index=sample_index)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "documents\t5" in lines
    assert "date range\t2024-03-05 to 2024-03-05" in lines


def test_stats_default_index_location_from_xdg(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSCLI_INDEX")
    assert runner.invoke(__import__("newscli.cli").cli.cli, ["ingest", str(CORPUS)]).exit_code == 0
    expected = tmp_path / "xdg-data" / "newscli" / "index"
    result = run(runner, "stats", "--json")
    assert json.loads(result.stdout)["index"] == str(expected)


def test_help_works_without_index(runner: CliRunner, tmp_path: Path) -> None:
    for command in ([], ["ingest"], ["search"], ["show"], ["stats"]):
        result = run(runner, *command, "--help", index=tmp_path / "never")
        assert result.exit_code == 0
        assert "Usage:" in result.stdout
    assert not (tmp_path / "never").exists()
