"""Language detection: stored per article, filtered by ``search --lang``, counted by ``stats``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from newscli.language import detect_language, normalize_language
from tests.conftest import run

RUSSIAN = (
    "Пограничники усилили охрану\n\n"
    "Министерство обороны сообщило, что ситуация на границе с Афганистаном остаётся "
    "стабильной, а сообщения о ракетных ударах по Термезу не подтвердились.\n"
)
GERMAN = (
    "Mehr Fernwärme für Städte\n\n"
    "Die Bundesregierung hat am Mittwoch neue Maßnahmen für die Energieversorgung beschlossen, "
    "größere Städte sollen bis Ende des Jahres mehr Fernwärme anbieten.\n"
)


def test_language_detect_and_normalize() -> None:
    assert detect_language(RUSSIAN) == "ru"
    assert detect_language(GERMAN) == "de"
    assert detect_language("42 !") is None
    assert normalize_language("en-GB") == "en"
    assert normalize_language("not a tag") is None


def test_language_search_lang_and_stats(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "ru.txt").write_bytes(RUSSIAN.encode("cp1251"))
    (folder / "de.txt").write_bytes(GERMAN.encode("latin-1"))
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(folder), index=index).exit_code == 0
    hits = run(runner, "search", "*", "--lang", "ru", "--format", "json", index=index)
    assert hits.exit_code == 0, hits.output
    assert [h["title"] for h in json.loads(hits.stdout)] == ["Пограничники усилили охрану"]
    stats = json.loads(run(runner, "stats", "--json", index=index).stdout)
    assert stats["languages"] == {"de": 1, "ru": 1}
