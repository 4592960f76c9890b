"""Snippet tokens: the cached word-by-word path gives exactly the analyzers' own tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscli.query import _index_tokens, _word_terms
from newscli.store import STEM_FIELDS, build_schema
from tests.conftest import CORPUS

TRICKY = (
    "U.S. officials said it's NATO's call; ISIS-K claimed 3.5% of the rockets. "
    "Naïve café owners in Ташкент and Termiz don't agree: the the THE running runs ran."
)


@pytest.mark.parametrize("fieldname", ["title", "body", "author", "folded", STEM_FIELDS["ru"]])
def test_snippet_tokens_equal_the_analyzer(fieldname: str) -> None:
    analyzer = build_schema()[fieldname].analyzer
    texts = [TRICKY, *(path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt")))]
    for text in texts:
        expected = [
            (token.startchar, token.endchar, token.text)
            for token in analyzer(text, chars=True, mode="index", removestops=False)
        ]
        assert list(_index_tokens(analyzer, text)) == expected


def test_snippet_tokens_fast_path_only_for_the_common_chain() -> None:
    schema = build_schema()
    assert _word_terms(schema["body"].analyzer) is not None
    assert _word_terms(schema["folded"].analyzer) is None  # its own tokenizer: the analyzer runs


def test_highlights_follow_the_query_terms(tmp_path: Path) -> None:
    """Words are marked for plain, prefix and stemmed matches, in every hit of the page."""
    from newscli import Corpus

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Bridge reopened\n\nThe Termez bridge reopened to trucks; two bridges further east "
        "stay closed, customs officials in Termez said.\n",
        encoding="utf-8",
    )
    corpus = Corpus.open(tmp_path / "ix", create=True)
    corpus.ingest([str(folder)])

    def marked(query: str) -> set[str]:
        (hit,) = corpus.search(query).hits
        return {hit.snippet[start:end] for start, end in hit.highlights}

    assert marked("Termez") == {"Termez"}
    assert marked("Term*") == {"Termez"}
    assert marked("bridge") == {"bridge", "bridges"}  # stemmed field
    assert marked("trucks OR closed") == {"trucks", "closed"}
    assert marked('"customs officials"') == {"customs", "officials"}
    assert corpus.search("Termez NOT trucks").hits == ()
