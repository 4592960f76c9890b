"""Exact phrase queries matched on position sets instead of Whoosh's span objects.

Whoosh turns ``"oil prices"`` into a ``SpanNear2`` over the words' postings and, for every
article holding all the words, builds a ``Span`` object per position and pairs them up in
Python. An exact phrase (slop 1) only needs the positions ``p, p+1, p+2 ...``: intersecting the
sets ``{p - k}`` of each k-th word finds the same articles with the same scores (the score is
the words' intersection score, as in Whoosh) at a fraction of the cost. Phrases with a slop
keep Whoosh's matcher.
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh.matching.binary import IntersectionMatcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.query import Phrase, Query, Term
from whoosh.query.spans import Span
from whoosh.util import make_binary_tree

__all__ = ["ExactPhrase", "exact_phrases"]


class ExactPhrase(Phrase):  # type: ignore[misc] # Whoosh has no type hints
    """A ``Phrase`` whose slop-1 matcher compares position sets (see the module docstring)."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if self.slop != 1 or len(self.words) < 2:
            return super().matcher(searcher, context)
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # Whoosh's error for this case
        reader = searcher.reader()
        words = []
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, word) not in reader:
                return matching.NullMatcher()
            words.append(word)
        matchers = [Term(fieldname, word).matcher(searcher, context) for word in words]
        found: Any = _PositionsMatcher(matchers)
        if self.boost != 1.0:
            found = WrappingMatcher(found, boost=self.boost)
        return found


class _PositionsMatcher(WrappingMatcher):  # type: ignore[misc] # Whoosh has no type hints
    """The words' intersection, keeping only articles where they stand one after another."""

    def __init__(self, words: list[Any]) -> None:
        super().__init__(make_binary_tree(IntersectionMatcher, words))
        self._words = words
        self._starts: list[int] = []
        self._find_next()

    def _phrase_starts(self) -> list[int]:
        first, *rest = self._words
        starts = set(first.value_as("positions"))
        for offset, word in enumerate(rest, 1):
            if not starts:
                break
            starts.intersection_update(position - offset for position in word.value_as("positions"))
        return sorted(starts)

    def _find_next(self) -> bool:
        moved = False
        child = self.child
        while child.is_active():
            self._starts = self._phrase_starts()
            if self._starts:
                return moved
            moved = child.next() or moved
        self._starts = []
        return moved

    def copy(self) -> _PositionsMatcher:
        return _PositionsMatcher([word.copy() for word in self._words])

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else matching.NullMatcher()

    def next(self) -> bool:
        moved = bool(self.child.next())
        return self._find_next() or moved

    def skip_to(self, docnum: int) -> bool:
        moved = bool(self.child.skip_to(docnum))
        return self._find_next() or moved

    def skip_to_quality(self, minquality: float) -> int:
        # The intersection's quality bounds the phrase's (its articles are a subset): skip
        # its blocks, then move on to an article that holds the phrase.
        skipped = int(self.child.skip_to_quality(minquality))
        self._find_next()
        return skipped

    def spans(self) -> list[Span]:
        length = len(self._words)
        return [Span(start, start + length - 1) for start in self._starts]

    def all_ids(self) -> Any:
        while self.is_active():
            yield self.id()
            self.next()


def exact_phrases(query: Query) -> Query:
    """``Query.accept`` callback: make Whoosh's ``Phrase`` nodes :class:`ExactPhrase`."""
    if type(query) is not Phrase:
        return query
    return ExactPhrase(
        query.fieldname,
        query.words,
        slop=query.slop,
        boost=query.boost,
        char_ranges=query.char_ranges,
    )
