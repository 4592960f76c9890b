"""Folding, light stemmers, language routing and alias files (no index needed)."""

from __future__ import annotations

import pickle
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from newscli import _starter_aliases, aliases
from newscli.aliases import alias_files, load_aliases
from newscli.analysis import (
    FoldingAnalyzer,
    fold,
    fold_key,
    stem_language,
    stem_tajik,
    stem_uzbek,
    stemmed_analyzer,
)
from newscli.errors import BadAliases
from tests.conftest import python_ok


def _terms(text: str, *, language: str | None = None, mode: str = "index") -> list[str]:
    analyzer = FoldingAnalyzer(language)
    return [token.text for token in analyzer(text, mode=mode)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Термез", "termez"),
        ("TERMEZ", "termez"),
        ("Ўзбекистон", "ozbekiston"),
        ("Oʻzbekiston", "ozbekiston"),
        ("O'zbekiston", "ozbekiston"),
        ("O‘zbekiston", "ozbekiston"),
        ("O’zbekiston", "ozbekiston"),
        ("Тоҷикистон", "tojikiston"),
        ("Хорасан", "xorasan"),
        ("Khorasan", "xorasan"),
        ("Xuroson", "xuroson"),
        ("Qashqadaryo", "kashkadaryo"),
        ("Afghanistan", "afganistan"),
        ("night", "night"),
        ("Zürich", "zurich"),
        ("Душанбе", "dushanbe"),
    ],
)
def test_fold_maps_scripts_diacritics_apostrophes_and_case(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_analysis_russian_inflections_fold_to_the_latin_name() -> None:
    assert _terms("Термез Термеза Термезе Термезом Термезу Termez Termez's") == ["termez"] * 7


def test_analysis_nominatives_are_not_cut() -> None:
    assert _terms("Хорасан Khorasan ИГИЛ Афганистан") == [
        "xorasan",
        "xorasan",
        "igil",
        "afganistan",
    ]


def test_analysis_hyphenated_names_index_parts_and_joined_form() -> None:
    analyzer = FoldingAnalyzer()
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer("in Mazar-i-Sharif airport", positions=True, chars=True)
    ]
    assert tokens == [
        ("in", 0, 0, 2),
        ("mazar", 1, 3, 8),
        ("i", 2, 9, 10),
        ("sharif", 3, 11, 17),
        ("mazarisharif", 3, 3, 17),
        ("airport", 4, 18, 25),
    ]
    assert _terms("Mazar-i-Sharif", mode="query") == ["mazarisharif"]
    assert _terms("Мазари-Шарифе", mode="query") == ["mazarisharif"]
    assert _terms("ISIS-K", mode="query") == ["isisk"]


def test_analysis_uzbek_and_tajik_light_stemmers() -> None:
    assert stem_uzbek("termizdagi") == "termiz"
    assert stem_uzbek("toshkentning") == "toshkent"
    assert stem_uzbek("shaharlarda") == "shahar"
    assert stem_uzbek("non") == "non"  # too short to strip
    assert stem_tajik("dushanbero") == "dushanbe"
    assert stem_tajik("kitobhoi") == "kitob"
    assert _terms("Термиздаги Termizda", language="uz") == ["termiz", "termiz"]
    assert _terms("Душанберо", language="tg") == ["dushanbe"]


def test_analysis_snowball_fields_stem_then_fold() -> None:
    assert _terms("Обстрелы обстрел Khorasan", language="ru") == ["obstrel", "obstrel", "xorasan"]
    assert _terms("Häuser Haus", language="de") == ["haus", "haus"]


@pytest.mark.parametrize(
    ("label", "text", "expected"),
    [
        ("uz", "Toshkent", "uz"),
        ("ru", "Термиздаги кўприк таъмирланди", "uz"),  # Uzbek Cyrillic mislabelled
        ("ky", "Қатора аз Душанбе ба Тирмиз роҳ ёфт", "tg"),  # Tajik mislabelled
        ("ru", "Обстрел в районе Термеза", "ru"),
        ("bg", "Обстрел в районе Термеза", "ru"),
        ("en", "Rockets fired towards Termez", None),
        ("en", "Beijing's loans and Mexico’s oil; Hong Kong's port", None),  # possessives
        ("en", "Brian O'Driscoll passed to Ronan O'Gara", None),  # Irish names
        ("en", "So‘nggi xabarlar: Oʻzbekiston va Afgʻoniston savdosi", "uz"),  # mislabelled
        (None, "Oʻzbekiston va Afgʻoniston savdosi", "uz"),
        ("de", "Raketen auf Termes", "de"),
        ("ja", "テルメズ", None),
    ],
)
def test_analysis_stem_language_corrects_mislabels(
    label: str | None, text: str, expected: str | None
) -> None:
    assert stem_language(label, text) == expected


def test_analysis_analyzers_pickle_into_the_schema() -> None:
    analyzer = stemmed_analyzer("uz")
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer
    assert [t.text for t in copy("Termizda")] == ["termiz"]


@pytest.mark.parametrize(
    "analyzer",
    [
        FoldingAnalyzer(),
        FoldingAnalyzer(sparse=True),
        *map(stemmed_analyzer, ("uz", "tg", "ru", "de")),
    ],
    ids=repr,
)
def test_analysis_index_spans_equal_the_index_tokens(analyzer: FoldingAnalyzer) -> None:
    text = (
        "Rockets hit Termez's depot in Mazar-i-Sharif, Oʻzbekiston — Термиздаги кўприк; "
        "ISIS-K ‘claimed’ it. Häuser O'zbekiston's Душанберо Обстрелы a-b-c -x- __ 2024-03-05"
    )
    expected = [(t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True, mode="index")]
    assert list(analyzer.index_spans(text)) == expected
    assert list(analyzer.index_spans(text)) == expected  # and again, from the cache


def test_analysis_fold_key_ignores_script_hyphens_and_spaces() -> None:
    keys = {
        fold_key(s) for s in ("Mazar-i-Sharif", "Mazari Sharif", "Мазари-Шариф", "MAZARI-SHARIF")
    }
    assert keys == {"mazarisharif"}


def test_aliases_starter_list_expands_names() -> None:
    table = load_aliases()
    assert "Termiz" in table.variants("Termez")
    assert "Термез" not in table.variants("termez")  # same folded word: folding finds it
    assert "Термиз" in table.variants("termez")
    assert "ISIS-K" in table.variants("ISKP")
    assert "Islamic State Khorasan Province" in table.variants("ISKP")
    assert "Mazar-e-Sharif" in table.variants("Mazar-i-Sharif")
    assert "Termiz" in table.variants("Термезе")  # looked up by folded key
    assert table.variants("rocket") == ()
    assert table.max_words >= 4


def test_aliases_user_files_add_and_replace_groups(tmp_path: Path) -> None:
    config = tmp_path / "config"
    index = tmp_path / "index"
    config.mkdir()
    index.mkdir()
    (config / "aliases.toml").write_text(
        '[groups]\nTermez = ["Termez", "Tarmita"]\nNasaf = ["Nasaf", "Насаф"]\n', encoding="utf-8"
    )
    (index / "aliases.toml").write_text('[groups]\nNasaf = ["Nasaf", "Qarshi"]\n', "utf-8")
    files = alias_files(index, config)
    assert files == [config / "aliases.toml", index / "aliases.toml"]
    table = load_aliases(files)
    assert table.variants("Termez") == ("Tarmita",)
    assert table.variants("Nasaf") == ("Qarshi",)  # the index's file is read last and wins
    assert "ISIS-K" in table.variants("ISKP")  # starter groups stay


STARTER_MODULE = Path(_starter_aliases.__file__)
STARTER_HEADER = '''"""The starter alias list (``newscli/data/aliases.toml``) as tomllib reads it.

A search that finds no user alias file reads the starter list's text and, when it is
``TEXT``, takes ``DATA`` instead of importing tomllib (about 5 % of a cold search's
instructions). Made by ``python tests/test_analysis.py`` from the TOML file, which stays the
one to edit; ``tests/test_analysis.py`` checks that the two agree.
"""

from typing import Any

'''


def write_starter_module() -> None:
    """Write newscli/_starter_aliases.py from newscli/data/aliases.toml (formatted by ruff)."""
    text = aliases._STARTER.read_text(encoding="utf-8")
    lines = "".join(f"    {line!r}\n" for line in text.splitlines(keepends=True))
    source = (
        f"{STARTER_HEADER}TEXT = (\n{lines})\n\nDATA: dict[str, Any] = {tomllib.loads(text)!r}\n"
    )
    STARTER_MODULE.write_text(source, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(STARTER_MODULE)], check=True)


def test_starter_aliases_module_is_the_toml_file_read() -> None:
    text = aliases._STARTER.read_text(encoding="utf-8")
    assert text == _starter_aliases.TEXT, "run `python tests/test_analysis.py` to remake it"
    assert tomllib.loads(text) == _starter_aliases.DATA


def test_aliases_starter_list_read_without_tomllib() -> None:
    code = (
        "import sys\n"
        "from newscli.aliases import load_aliases\n"
        "table = load_aliases([])\n"
        "assert 'tomllib' not in sys.modules\n"
        "assert 'Termiz' in table.variants('Termez')\n"
    )
    python_ok(code)


def test_aliases_user_file_like_the_starter_list(tmp_path: Path) -> None:
    """A user file with the starter list's text, or one character more, reads as tomllib does."""
    text = aliases._STARTER.read_text(encoding="utf-8")
    same = tmp_path / "same" / "aliases.toml"
    more = tmp_path / "more" / "aliases.toml"
    for path, content in ((same, text), (more, text + 'Nasaf = ["Qarshi"]\n')):
        path.parent.mkdir()
        path.write_text(content, encoding="utf-8")
    assert load_aliases([same]).groups == load_aliases([]).groups
    assert load_aliases([more]).variants("Nasaf") == ("Qarshi",)


def test_aliases_starter_false_drops_the_starter_list(tmp_path: Path) -> None:
    path = tmp_path / "aliases.toml"
    path.write_text('starter = false\n[groups]\nNasaf = ["Qarshi"]\n', encoding="utf-8")
    table = load_aliases([path])
    assert table.variants("ISKP") == ()
    assert table.variants("Qarshi") == ("Nasaf",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[groups\n", "cannot read alias file"),
        ('[groups]\nTermez = "Termiz"\n', "group 'Termez' must be a list of strings"),
        ("starter = 3\n", "expected `starter = true|false`"),
    ],
)
def test_aliases_bad_file_raises_one_line_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "aliases.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadAliases, match=message) as info:
        load_aliases([path])
    assert str(path) in str(info.value)


def test_aliases_kept_until_a_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "aliases.toml"
    path.write_text('[groups]\nNasaf = ["Qarshi"]\n', encoding="utf-8")
    first = load_aliases([path])
    assert load_aliases([path]) is first
    assert first.variants("Nasaf") == ("Qarshi",)
    path.write_text('[groups]\nNasaf = ["Karshi", "Qarshi"]\n', encoding="utf-8")
    changed = load_aliases([path])
    assert changed.variants("Nasaf") == ("Karshi", "Qarshi")
    assert load_aliases() is not changed  # other files, another table
    path.unlink()
    with pytest.raises(BadAliases, match="cannot read alias file"):
        load_aliases([path])


if __name__ == "__main__":
    write_starter_module()
