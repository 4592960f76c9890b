"""Text files in the encodings people save them in, decoded without being told which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli.decoding import BinaryContent, UndecodableText, decode_text
from tests.conftest import run

RUSSIAN = (
    "Пограничники Узбекистана усилили охрану границы\n\n"
    "Министерство обороны сообщило, что ситуация на границе с Афганистаном остаётся "
    "стабильной, а сообщения о ракетных ударах по Термезу не подтвердились.\n\n"
    "Эксперты считают, что угроза со стороны группировки сохраняется ещё долго.\n"
)
GERMAN = (
    "Größere Städte bekommen mehr Fernwärme\n\n"
    "Die Bundesregierung hat am Mittwoch neue Maßnahmen für die Energieversorgung beschlossen. "
    "Größere Städte sollen bis Ende des Jahres mehr Fernwärme anbieten, sagte der Minister.\n\n"
    "Kritiker äußerten Zweifel, ob die Pläne für die Übergangszeit ausreichen.\n"
)
GERMAN_CP1252 = GERMAN + "„Das ist ein wichtiger Schritt“, sagte sie – die Kosten: 5 Mio. €.\n"
ROUND_TRIPS = [
    ("utf-8", RUSSIAN),
    ("utf-8", GERMAN),
    ("utf-8-sig", RUSSIAN),
    ("utf-8-sig", GERMAN),
    ("utf-16", RUSSIAN),
    ("utf-16", GERMAN),
    ("utf-16-be", RUSSIAN),
    ("cp1251", RUSSIAN),
    ("koi8-r", RUSSIAN),
    ("latin-1", GERMAN),
    ("cp1252", GERMAN),
    ("cp1252", GERMAN_CP1252),
]


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


@pytest.mark.parametrize(("encoding", "text"), ROUND_TRIPS)
def test_decoding_round_trip(encoding: str, text: str) -> None:
    assert decode_text(_encode(text, encoding)) == text


@pytest.mark.parametrize(("encoding", "text"), ROUND_TRIPS)
def test_decoding_short_line_round_trip(encoding: str, text: str) -> None:
    line = text.splitlines()[0] + "\n"
    assert decode_text(_encode(line, encoding)) == line


def test_decoding_binary_and_undecodable_are_refused() -> None:
    with pytest.raises(BinaryContent, match="control characters"):
        decode_text(b"\x01\x02\x03\x04hello" * 50)
    with pytest.raises(BinaryContent, match="PNG"):
        decode_text(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    with pytest.raises(UndecodableText):
        decode_text(bytes(range(128, 256)) * 10)


@pytest.mark.parametrize(("encoding", "text"), ROUND_TRIPS)
def test_extract_decodes_every_encoding(
    runner: CliRunner, tmp_path: Path, encoding: str, text: str
) -> None:
    path = tmp_path / f"article-{encoding}.txt"
    path.write_bytes(_encode(text, encoding))
    result = run(runner, "extract", "--json", str(path))
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["title"] == text.splitlines()[0]
    assert text.splitlines()[2] in record["text"]


def test_extract_reports_undecodable_file_and_goes_on(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GERMAN, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(128, 256)) * 10)
    result = run(runner, "extract", "--json", str(bad), str(good))
    assert result.exit_code == 3
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {"path": str(bad), "error": "not valid text in any known encoding"}
    assert records[1]["title"] == "Größere Städte bekommen mehr Fernwärme"
    assert f"failed: {bad}: not valid text in any known encoding" in result.stderr
