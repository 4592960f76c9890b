"""Exact phrases matched on position sets: the same articles and scores as Whoosh's spans."""

from __future__ import annotations

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.qparser import QueryParser

from newscli.codec import NewsCodec
from newscli.phrases import ExactPhrase, exact_phrases
from newscli.store import AnalyzedText, build_schema

WORDS = "oil prices rose oil prices fell as the bank said rates would stay high for a year".split()


@pytest.fixture(scope="module")
def phrase_index(tmp_path_factory: pytest.TempPathFactory) -> object:
    chooser = random.Random(11)
    folder = tmp_path_factory.mktemp("phrases")
    ix = whoosh_index.create_in(
        str(folder), Schema(body=AnalyzedText(analyzer=build_schema()["body"].analyzer))
    )
    for _segment in range(5):
        writer = ix.writer(codec=NewsCodec())
        for _ in range(60):
            words = [chooser.choice(WORDS) for _ in range(chooser.randint(3, 300))]
            writer.add_document(body=" ".join(words))
        writer.commit()
    return ix


@pytest.mark.parametrize(
    "text",
    [
        '"oil prices"',
        '"oil prices rose"',
        '"prices oil"',
        '"bank said rates would"',
        '"oil oil"',
        '"the bank"',  # a stop word: the phrase is "bank" alone after analysis
        '"year oil prices fell"',
        '"absent words"',
        'rates "oil prices"',
        '"oil prices"^3',
        '"oil prices"~3',  # with a slop: Whoosh's own matcher
    ],
)
def test_exact_phrase_same_hits_and_scores(phrase_index: object, text: str) -> None:
    with phrase_index.searcher() as searcher:  # type: ignore[attr-defined]
        whoosh_query = QueryParser("body", searcher.schema).parse(text)
        ours = whoosh_query.accept(exact_phrases)
        assert ours != whoosh_query or "~" in text or '"' not in text or "the bank" in text
        for limit in (None, 5):
            expected = [
                (hit.docnum, hit.score) for hit in searcher.search(whoosh_query, limit=limit)
            ]
            found = [(hit.docnum, hit.score) for hit in searcher.search(ours, limit=limit)]
            assert found == expected
        assert sorted(searcher.docs_for_query(ours)) == sorted(
            searcher.docs_for_query(whoosh_query)
        )


def test_exact_phrase_positions_must_follow(phrase_index: object) -> None:
    """Matched: "oil" right before "price"; articles with both words apart are not."""
    with phrase_index.searcher() as searcher:  # type: ignore[attr-defined]
        reader = searcher.reader()

        def positions(word: str) -> dict[int, set[int]]:
            postings, found = reader.postings("body", word), {}
            while postings.is_active():
                found[postings.id()] = set(postings.value_as("positions"))
                postings.next()
            return found

        oil, price = positions("oil"), positions("price")
        adjacent = {d for d in oil.keys() & price.keys() if any(p + 1 in price[d] for p in oil[d])}
        apart = (oil.keys() & price.keys()) - adjacent
        matched = set(searcher.docs_for_query(ExactPhrase("body", ["oil", "price"])))
        assert matched == adjacent
        assert adjacent and apart
