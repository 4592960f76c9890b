"""Terminal safety: untrusted text never reaches the terminal as markup or control codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli.render import sanitize, to_json
from tests.conftest import run

HOSTILE = [
    "\x1b[31mred\x1b[0m",  # ANSI colour
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",  # OSC 8 hyperlink
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52 clipboard write
    "\x9b31m",  # 8-bit CSI
    "\u202egnp.exe",  # right-to-left override
    "[link=https://evil.example]x[/link]",
    "[bold]loud[/bold]",
    "stray [/] tag",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_sanitize_removes_controls(text: str) -> None:
    cleaned = sanitize(text)
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert "\u202e" not in cleaned


def test_to_json_escapes_c1_and_bidi() -> None:
    encoded = to_json({"t": "a\x9bb\u202ec\x1bd Термез"})
    assert "\x9b" not in encoded and "\u202e" not in encoded and "\x1b" not in encoded
    assert "Термез" in encoded
    assert json.loads(encoded) == {"t": "a\x9bb\u202ec\x1bd Термез"}


@pytest.mark.parametrize("fmt", ["table", "plain", "json"])
def test_hostile_article_is_rendered_inert(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    body = " ".join(HOSTILE)
    (folder / "evil.txt").write_text(
        f"Evil {HOSTILE[0]} title [bold]x[/]\n\n"
        f"Termez report. {body} This paragraph is long enough to read as an article body.\n",
        encoding="utf-8",
    )
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(folder), index=index).exit_code == 0
    for args in (["search", "Termez"], ["stats"]):
        result = run(runner, *args, "-f", fmt, index=index)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
        assert "\u202e" not in result.stdout and "\x07" not in result.stdout
    shown = run(
        runner,
        "show",
        json.loads(run(runner, "search", "Termez", "--json", index=index).stdout)[0]["id"],
        "-f",
        fmt,
        index=index,
    )
    assert shown.exit_code == 0
    assert "\x1b" not in shown.stdout and "\x9b" not in shown.stdout
    if fmt != "json":
        assert "[bold]" in shown.stdout  # shown literally, not interpreted
