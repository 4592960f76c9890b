"""``newscli search`` across languages and scripts on the tests/multilingual.py corpus."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newscli import Corpus
from newscli.cli import cli
from newscli.errors import BadQuery
from newscli.ids import article_id, file_key
from tests.conftest import run
from tests.multilingual import QUERIES, write_corpus


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The fixture corpus ingested once per module: (index folder, article id -> name)."""
    base = tmp_path_factory.mktemp("multilingual")
    paths = write_corpus(base / "corpus")
    index = base / "index"
    result = CliRunner().invoke(cli, ["--index", str(index), "ingest", str(base / "corpus")])
    assert result.exit_code == 0, result.output
    yield index, {article_id(file_key(path)): name for name, path in paths.items()}


def _search(runner: CliRunner, multilingual: tuple[Path, dict[str, str]], *args: str) -> list[str]:
    index, names = multilingual
    result = run(runner, "search", *args, "-f", "plain", "-n", "50", index=index)
    assert result.exit_code == 0, result.output
    return [names[line.split("\t")[0]] for line in result.stdout.splitlines()]


def test_search_termez_finds_russian_uzbek_and_english(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    found = _search(runner, multilingual, "Termez")
    assert "ru_termez_obstrel" in found  # Термеза, Термезе
    assert "ru_termez_most" in found  # Термезом
    assert "uz_termiz_savdo" in found  # Termiz (alias)
    assert "en_termez_rockets" in found
    assert "en_terme" not in found


def test_search_cyrillic_termez_finds_latin(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    found = _search(runner, multilingual, "Термез", "--no-aliases")
    assert {"en_termez_rockets", "en_termez_airport", "ru_termez_obstrel"} <= set(found)


def test_search_iskp_finds_isis_k(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    found = _search(runner, multilingual, "ISKP")
    assert {"en_isisk", "en_isk", "en_iskp_long", "ru_igil", "ru_vilayat"} <= set(found)
    assert "en_isis_syria" not in found
    assert "en_khorasan_razavi" not in found


def test_search_mazar_i_finds_mazar_e(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    found = _search(runner, multilingual, "Mazar-i-Sharif")
    assert {"en_mazar_i", "en_mazar_e", "ru_mazar"} <= set(found)
    assert "en_sharif_university" not in found


def test_search_unrelated_word_finds_nothing(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    assert _search(runner, multilingual, "Pyongyang") == []
    assert _search(runner, multilingual, "Пхеньян") == []


def test_search_exact_matches_rank_first(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    latin = _search(runner, multilingual, "Termez")
    assert set(latin[:2]) == {"en_termez_rockets", "en_termez_airport"}
    cyrillic = _search(runner, multilingual, "Термезе")
    assert cyrillic[0] == "ru_termez_obstrel"  # the only article with the exact form


def test_search_no_aliases_keeps_folding_only(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    assert _search(runner, multilingual, "ISKP", "--no-aliases") == ["en_iskp"]
    found = _search(runner, multilingual, "Termez", "--no-aliases")
    assert "uz_termiz_savdo" not in found
    assert "ru_termez_obstrel" in found


def test_search_mislabelled_uzbek_cyrillic_is_stemmed_as_uzbek(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    # "Термиздаги" in an article labelled ru: only the Uzbek stemmer makes it "termiz".
    found = _search(runner, multilingual, "Termiz", "--no-aliases")
    assert "uz_termiz_kirill" in found


def test_search_tajik_inflection_is_stemmed(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    found = _search(runner, multilingual, "Dushanbe", "--no-aliases")
    assert {"en_dushanbe", "ru_dushanbe", "tg_dushanbe", "tg_tirmiz"} == set(found)


def test_search_uzbek_apostrophe_variants_match(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    for spelling in ("Oʻzbekiston", "O'zbekiston", "O‘zbekiston", "Ўзбекистон"):
        found = set(_search(runner, multilingual, spelling, "--no-aliases"))
        assert {"uz_oz_apostrophe", "uz_oz_turned", "uz_oz_kirill", "uz_mazar"} <= found


def test_search_phrases_still_work(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    assert _search(runner, multilingual, '"мост Дружбы"') == ["ru_termez_most"]
    assert _search(runner, multilingual, '"Вилаят Хорасан"', "--no-aliases") == ["ru_vilayat"]
    assert _search(runner, multilingual, '"Khorasan Razavi"') == ["en_khorasan_razavi"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["Termez lang:ru"],
            {"ru_termez_obstrel", "ru_termez_most", "ru_mazar", "uz_termiz_kirill"},
        ),
        (["Termez language:uz"], {"uz_termiz_savdo"}),
        (["Termez", "--lang", "en"], {"en_termez_rockets", "en_termez_airport"}),
    ],
)
def test_search_lang_in_query_and_option(
    runner: CliRunner,
    multilingual: tuple[Path, dict[str, str]],
    args: list[str],
    expected: set[str],
) -> None:
    assert set(_search(runner, multilingual, *args)) == expected


def test_search_explain_prints_the_query_run(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    index, _ = multilingual
    result = run(runner, "search", "ISKP", "--explain", "--lang", "en", "-f", "plain", index=index)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[0].startswith("aliases: ISKP -> ISIS-K | IS-K |")
    stems = "text_ru:iskp^0.5 OR text_uz:iskp^0.5 OR text_tg:iskp^0.5"
    assert lines[1].startswith(f"query: (title:iskp OR body:iskp OR {stems} OR folded:iskp^0.4 OR")
    assert "folded:isisk^0.12" in lines[1]
    assert lines[2] == "filter: language:en"
    plain = run(runner, "search", "ISKP", "--explain", "--no-aliases", "-f", "plain", index=index)
    assert plain.stderr == f"query: (title:iskp OR body:iskp OR {stems} OR folded:iskp^0.4)\n"


def test_search_highlights_folded_and_aliased_matches_in_original_text(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    index, names = multilingual
    result = run(runner, "search", "Termez", "--lang", "ru", "--json", index=index)
    assert result.exit_code == 0
    marked = {
        names[hit["id"]]: [hit["snippet"][start:end] for start, end in hit["highlights"]]
        for hit in json.loads(result.stdout)
    }
    assert marked["ru_termez_obstrel"] == ["Термеза", "Термезе"]
    assert marked["ru_termez_most"] == ["Термезом"]
    assert marked["uz_termiz_kirill"] == ["Термиз"]  # aliased (Термиз) and labelled ru


def test_search_user_alias_file_in_config_dir(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    config = tmp_path / "xdg-config" / "newscli"  # XDG_CONFIG_HOME is tmp_path/xdg-config
    config.mkdir(parents=True)
    (config / "aliases.toml").write_text('[groups]\nPakhtakor = ["Пахтакор", "Nasaf"]\n', "utf-8")
    assert _search(runner, multilingual, "Пахтакор") == ["en_football"]
    (config / "aliases.toml").write_text("[groups\n", "utf-8")
    index, _ = multilingual
    result = run(runner, "search", "Пахтакор", index=index)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot read alias file {config / 'aliases.toml'}:")


def test_search_eval_meets_recall_and_precision_targets(
    multilingual: tuple[Path, dict[str, str]],
) -> None:
    index, names = multilingual
    corpus = Corpus.open(index)

    def scores(**options: bool) -> tuple[float, float]:
        recalls, precisions = [], []
        for judged in QUERIES:
            found = [names[hit.id] for hit in corpus.search(judged.query, **options).hits]
            good = judged.relevant.intersection(found)
            recalls.append(len(good) / len(judged.relevant))
            if found:
                precisions.append(len(good) / len(found))
        return sum(recalls) / len(recalls), sum(precisions) / len(precisions)

    recall, precision = scores()
    _, precision_exact = scores(folding=False, aliases=False)
    assert len(QUERIES) >= 30
    assert recall >= 0.95
    assert precision >= precision_exact - 0.05


def test_search_derived_fields_regenerate_from_stored_documents(
    multilingual: tuple[Path, dict[str, str]],
) -> None:
    """A rebuild from stored documents (no original files) gets the same derived fields."""
    from newscli.store import FOLDED_FIELD, STEM_FIELDS, Store, _to_document, article_from_fields

    index, names = multilingual
    by_name = {name: article_id for article_id, name in names.items()}
    store = Store.open(index)
    with store.searcher() as searcher:
        stored = dict(searcher.document(id=by_name["uz_termiz_kirill"]))
    document = _to_document(article_from_fields(stored))
    assert document[FOLDED_FIELD].startswith("Термиздаги кўприк таъмирланди\n")
    assert document[STEM_FIELDS["uz"]] == document[FOLDED_FIELD]  # labelled ru, analysed as uz
    assert not any(document.get(STEM_FIELDS[code]) for code in ("ru", "tg"))


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("TermzISKPМазриШфТрмзеʻ'‘-\" ():*?^~[]ANDORNOTlag")),
        max_size=40,
    )
)
def test_search_any_query_parses_or_raises_bad_query(
    multilingual: tuple[Path, dict[str, str]], text: str
) -> None:
    index, _ = multilingual
    corpus = Corpus.open(index)
    with contextlib.suppress(BadQuery):
        corpus.search(text, limit=3)


def test_search_wildcards_and_fielded_terms(
    runner: CliRunner, multilingual: tuple[Path, dict[str, str]]
) -> None:
    # A Cyrillic prefix is folded too, so it reaches the Russian inflections and Latin names
    # that folding changed; a fielded term stays exact.
    found = set(_search(runner, multilingual, "Термез*", "--no-aliases"))
    assert {"ru_termez_obstrel", "ru_termez_most", "ru_mazar"} <= found
    assert _search(runner, multilingual, "title:Термеза") == ["ru_termez_obstrel"]
    assert _search(runner, multilingual, "title:Termez", "--lang", "ru") == []
