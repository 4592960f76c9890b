"""``newscli sources add|list|remove``: the registry of sources refresh revisits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import run


def test_sources_add_list_and_remove(runner: CliRunner, tmp_path: Path, corpus_copy: Path) -> None:
    index = tmp_path / "ix"
    added = run(runner, "sources", "add", str(corpus_copy), index=index)
    assert added.exit_code == 0, added.output
    assert added.stderr == f"added folder corpus: {corpus_copy}\n"
    feed = run(runner, "sources", "add", "https://www.example.org/", "--feed", index=index)
    assert feed.stderr == "added feed example.org: https://www.example.org/\n"
    page = run(
        runner, "sources", "add", "https://example.org/story", "--name", "story", index=index
    )
    assert page.exit_code == 0
    listed = run(runner, "sources", "list", "--format", "plain", index=index)
    assert listed.exit_code == 0
    assert listed.stdout == (
        f"corpus\tfolder\t{corpus_copy}\n"
        "example.org\tfeed\thttps://www.example.org/\n"
        "story\tpage\thttps://example.org/story\n"
    )
    removed = run(runner, "sources", "remove", "example.org", index=index)
    assert (removed.exit_code, removed.stderr) == (0, "removed example.org\n")
    as_json = json.loads(run(runner, "sources", "list", "--json", index=index).stdout)
    assert [(item["name"], item["kind"]) for item in as_json] == [
        ("corpus", "folder"),
        ("story", "page"),
    ]
    assert set(as_json[0]) == {"name", "kind", "location", "added"}
    assert (index / "sources.json").is_file()


def test_sources_add_default_names_stay_unique(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    for url in ("https://example.org/feed", "https://example.org/sitemap.xml"):
        assert run(runner, "sources", "add", url, "--feed", index=index).exit_code == 0
    listed = run(runner, "sources", "list", "-f", "plain", index=index).stdout
    assert [line.split("\t")[0] for line in listed.splitlines()] == ["example.org", "example.org-2"]


def test_sources_add_then_refresh_registered_file(
    runner: CliRunner, tmp_path: Path, corpus_copy: Path
) -> None:
    index = tmp_path / "ix"
    one = corpus_copy / sorted(p.name for p in corpus_copy.iterdir())[0]
    assert run(runner, "sources", "add", str(one), index=index).exit_code == 0
    result = run(runner, "refresh", index=index)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "refresh: 1 sources, 1 added, 0 updated, 0 unchanged, 0 duplicates, 0 failed\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "{tmp}/nowhere"], "no such file or folder: {tmp}/nowhere"),
        (["add", "{tmp}", "--feed"], "--feed needs an http(s) URL, not '{tmp}'"),
        (["add", "https://example.org/", "--name", " "], "a source name cannot be empty"),
        (["add", "https://a.example/", "--name", "taken"], "a source named 'taken' exists"),
        (["add", "https://t.example/"], "https://t.example/ is already registered as 'taken'"),
        (["remove", "nothing"], "no registered source named 'nothing'"),
    ],
)
def test_sources_errors_exit_1(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    index = tmp_path / "ix"
    assert run(runner, "sources", "add", "https://t.example/", "--name", "taken", index=index)
    filled = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    result = run(runner, "sources", *filled, index=index)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: " + message.replace("{tmp}", str(tmp_path)))


def test_sources_list_without_index_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "sources", "list", index=tmp_path / "none")
    assert result.exit_code == 1
    assert "no index at" in result.stderr
