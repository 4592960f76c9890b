"""Terminal safety: untrusted text never reaches the terminal as markup or control codes."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import render
from newscli.cli import cli
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


# Every command, every output mode: hostile title, body, URL, source, author and file name.

BIDI_AND_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
SGR = re.compile("\x1b\\[[0-9;]*m")  # rich's own styling, present only with FORCE_COLOR
EVIL = "".join(HOSTILE)
EVIL_NAME = "evil\x1b[2J\u202e\x9b31m[bold]"


def assert_inert(output: str, *, styled: bool = False) -> None:
    """No control character, C1 code or bidi override survives (rich's SGR styles aside)."""
    if styled:
        output = SGR.sub("", output)
    found = sorted({f"U+{ord(ch):04X}" for ch in BIDI_AND_CONTROLS.findall(output)})
    assert not found, f"unsafe characters in output: {found}"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An index holding one article whose every field is hostile, and its id."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "in"
    folder.mkdir()
    article = folder / f"{EVIL_NAME}.txt"
    article.write_text(
        f"Title {EVIL} Termez\n\nTermez report {EVIL} and a body long enough to be an article "
        f"about the border.\n\nSecond paragraph {EVIL} with more words about Termez.\n",
        encoding="utf-8",
    )
    Path(f"{article}.json").write_text(
        json.dumps(
            {
                "url": f"https://evil.example/{EVIL}",
                "source": f"Evil {EVIL} News",
                "author": f"Mallory {EVIL}",
            }
        ),
        encoding="utf-8",
    )
    (folder / f"{EVIL_NAME}.png.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    index = root / "ix"
    result = CliRunner().invoke(cli, ["--index", str(index), "ingest", str(folder)])
    assert result.exit_code == 3, result.output
    assert_inert(result.stderr)
    assert "failed: " in result.stderr and "not an article: PNG image" in result.stderr
    found = json.loads(
        CliRunner().invoke(cli, ["--index", str(index), "search", "--json", "Termez"]).stdout
    )
    return index, found[0]["id"]


COMMANDS = [
    ["search", "Termez"],
    ["search", "Termez", "--sort", "date"],
    ["show", "{id}"],
    ["stats"],
    ["index", "check"],
]


@pytest.mark.parametrize("fmt", ["table", "plain", "json"])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("force_color", [False, True])
def test_every_command_output_is_inert(
    hostile_index: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    fmt: str,
    force_color: bool,
) -> None:
    index, article = hostile_index
    if force_color:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setenv("TERM", "xterm-256color")
    else:
        monkeypatch.delenv("FORCE_COLOR", raising=False)
    argv = [part.format(id=article) for part in args]
    result = CliRunner().invoke(cli, ["--index", str(index), *argv, "-f", fmt])
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout, styled=force_color)
    assert_inert(result.stderr, styled=force_color)
    if fmt == "json":
        json.loads(result.stdout)  # escaped, still valid JSON
    elif args[0] in ("search", "show"):
        # markup-looking text is printed literally, never interpreted
        assert "[bold]loud[/bold]" in SGR.sub("", result.stdout).replace("\n", "")


def test_show_json_round_trips_hostile_text(hostile_index: tuple[Path, str]) -> None:
    index, article = hostile_index
    result = CliRunner().invoke(cli, ["--index", str(index), "show", article, "--json"])
    data = json.loads(result.stdout)
    assert "\u202e" in data["body"]  # kept in the data, escaped in the output
    assert "\\u202e" in result.stdout
    assert "[link=https://evil.example]x[/link]" in data["body"]
    assert EVIL_NAME in data["path"]


@pytest.mark.parametrize(
    "args",
    [
        ["show", "\x1b]52;c;ZXZpbA==\x07abcdef"],
        ["search", "date:\x1b[2J\u202e"],
        ["search", "\x9b31m[/] nosuchfield:x"],
    ],
)
def test_error_messages_are_inert(hostile_index: tuple[Path, str], args: list[str]) -> None:
    index, _ = hostile_index
    result = CliRunner().invoke(cli, ["--index", str(index), *args])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert_inert(result.stderr)


def test_index_rebuild_output_is_inert(tmp_path: Path, hostile_index: tuple[Path, str]) -> None:
    import shutil

    index = tmp_path / f"ix{EVIL_NAME}"
    shutil.copytree(hostile_index[0], index)
    result = CliRunner().invoke(cli, ["--index", str(index), "index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert_inert(result.stderr)
    assert result.stderr.startswith("index rebuild: 1 documents rebuilt, 0 unreadable")


def test_ingest_progress_bar_on_terminal_is_inert(tmp_path: Path) -> None:
    """A real ingest on a pseudo-terminal: the progress bar shows file names, defused."""
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(30):
        (folder / f"{EVIL_NAME}{number}.txt").write_text(
            f"Story {number}\n\nA story about the river and the bridge, number {number}.\n"
        )
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "newscli", "--index", str(tmp_path / "ix"), "ingest", str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "200"},
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = output.decode("utf-8", errors="replace")
    assert "30 added" in text
    for sequence in ("\x1b[2J", "\x1b]52", "\x1b]8;", "\x9b", "\u202e", "\x07"):
        assert sequence not in text, repr(sequence)


def test_render_sanitize_and_json_escape_the_same_characters_as_before() -> None:
    # The character classes the translation tables replaced (render.py before 2026-11-30).
    unsafe = re.compile(
        "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
    )
    in_json = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
    text = "".join(map(chr, (*range(0x0, 0x700), *range(0x1FF0, 0x2100), 0xFEFF, 0x1F600)))
    assert render.sanitize(text) == unsafe.sub("", text)
    assert render.sanitize(text, single_line=True) == re.sub(r"[\t\n]+", " ", unsafe.sub("", text))
    expected = in_json.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False)
    )
    assert render.to_json_line(text) == expected
