"""Language detection: stored per article, filtered by ``search --lang``, counted by ``stats``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def test_language_model_from_the_cache_classifies_as_py3langid(tmp_path: Path) -> None:
    """The cached copy gives py3langid the same model: the same scores for every text."""
    script = (
        "import sys, py3langid\n"
        "from py3langid import langid\n"
        "from newscli.language import load_model\n"
        "mode, *texts = sys.argv[1:]\n"
        "if mode == 'cached':\n"
        "    load_model()\n"
        "    assert langid.IDENTIFIER is not None\n"
        "for text in texts:\n"
        "    print(*py3langid.classify(text))\n"
    )
    english = "The border guards said the rockets fell near the river, far from the town."
    texts = [english, RUSSIAN, GERMAN, "Bu gap o'zbek tilida yozilgan, albatta."]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def scores(mode: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, mode, *texts],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return done.stdout

    reference = scores("stock")
    first = scores("cached")  # makes the copy
    assert list((tmp_path / "cache" / "newscli").glob("langid-*/ptc.npy"))
    assert first == reference
    assert len(reference.splitlines()) == len(texts)
    assert scores("cached") == reference  # read from the copy
