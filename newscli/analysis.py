"""Language- and script-aware text analysis: folding, light stemmers and the Whoosh analyzers.

Three kinds of index-time analysis back multilingual search (``store.py`` holds the fields):

* ``folded`` (every article, whatever its language): Cyrillic is transliterated to Latin,
  diacritics, apostrophe variants (Uzbek ``oʻ``/``o'``/``o‘``) and case are folded, and a few
  spellings that differ only by romanisation habit are merged (``kh``/``x``, ``zh``/``j``,
  ``q``/``k``, ``gh``/``g``), so ``Termez`` and ``Термез`` give the same term. Cyrillic words are
  run through Whoosh's Russian Snowball stemmer before transliteration (by script, not by the
  article's language, which language detection often gets wrong for Uzbek or Tajik Cyrillic),
  so ``Термезе`` and ``Термезом`` fold to ``termez`` too. Hyphenated names are indexed as their
  parts and as one joined word (``Mazar-i-Sharif`` -> ``mazarisharif``); a hyphenated query word
  looks up the joined form only, so ``ISIS-K`` does not match every ``ISIS``.
* ``text_<lang>`` (only the article's own language): Snowball stemmers for German, French,
  Spanish, Italian, Portuguese, Dutch, Turkish and Arabic from ``whoosh.lang``, and light
  suffix strippers of our own for Uzbek and Tajik (no stemmer exists for them), both applied
  to folded text so Latin and Cyrillic spellings meet. English keeps the ``title``/``body``
  analyzer (Porter stemming); Russian stemming lives in ``folded``.
* The exact ``title``/``body`` fields are unchanged; queries run against all of them and exact
  matches score higher.

This module and ``store.py``/``query.py`` are the only ones that import Whoosh.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import Any

from whoosh.analysis import Token, Tokenizer

__all__ = [
    "STEM_LANGUAGES",
    "FoldingAnalyzer",
    "fold",
    "fold_key",
    "fold_word",
    "stem_language",
    "stem_tajik",
    "stem_uzbek",
    "stemmed_analyzer",
]

# Snowball (and ISRI for Arabic) stemmers used for ``text_<lang>`` fields, plus our own two.
_SNOWBALL_LANGUAGES = ("ru", "de", "fr", "es", "it", "pt", "nl", "tr", "ar")
STEM_LANGUAGES = (*_SNOWBALL_LANGUAGES, "uz", "tg")
"""Languages with their own ``text_<code>`` field."""

_APOSTROPHES = "'\u2019\u2018\u02bb\u02bc\u0060\u00b4\u02b9\u2032"
_HYPHENS = "-\u2010\u2011"
# A word: letters/digits, possibly joined by apostrophes or hyphens (Oʻzbekiston, ISIS-K).
_JOINERS = re.escape(_APOSTROPHES + _HYPHENS)
_HYPHEN = re.compile(f"[{re.escape(_HYPHENS)}]")
_QUOTES = re.escape(_APOSTROPHES)
_WORD = re.compile(rf"[^\W_]+(?:[{_JOINERS}][^\W_]+)*")
_PART = re.compile(rf"[^\W_]+(?:[{_QUOTES}][^\W_]+)*")
_POSSESSIVE = re.compile(rf"(?<![oOgG])[{_QUOTES}][sS]$")
_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")
_MIN_STEM = 4

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Uzbek and Tajik
    "ў": "o", "қ": "q", "ғ": "g", "ҳ": "h", "ӣ": "i", "ӯ": "u", "ҷ": "j",
    # Kazakh, Kyrgyz, Ukrainian, Belarusian, Serbian/Macedonian
    "ә": "a", "ө": "o", "ү": "u", "ң": "ng", "ұ": "u", "һ": "h", "і": "i", "ї": "yi",
    "є": "ye", "ґ": "g", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "d",
    "џ": "dzh", "ѓ": "g", "ќ": "k", "ѕ": "dz",
}  # fmt: skip
_TRANSLITERATE = str.maketrans(
    {key: value for key, value in _CYRILLIC.items() if len(key) == 1}
    | {"ı": "i", "ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
    | dict.fromkeys(_APOSTROPHES, None)
)
# Spellings that differ by romanisation habit only: Khorasan/Хорасан/Xuroson, Jizzakh/Жиззах,
# Qashqadaryo/Кашкадарья, Afghanistan/Афганистан. "gh" before "t" stays (night, fight).
_MERGES = (
    (re.compile("dzh"), "j"),
    (re.compile("zh"), "j"),
    (re.compile("kh"), "x"),
    (re.compile("q"), "k"),
    (re.compile("gh(?!t)"), "g"),
)


def _strip_marks(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Fold case, script, diacritics and apostrophes: ``Ўзбекистон`` -> ``ozbekiston``."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    result = _strip_marks(lowered.translate(_TRANSLITERATE))
    for pattern, replacement in _MERGES:
        result = pattern.sub(replacement, result)
    return result


@cache
def _snowball(language: str) -> Callable[[str], str]:
    """Return Whoosh's stemmer for a language (imported on first use: it is slow to load)."""
    from whoosh.lang import stemmer_for_language

    stem: Callable[[str], str] = stemmer_for_language(language)
    return stem


# Russian case endings as they look once folded, longest first. Stripped from every folded word
# (whatever its script) so that Термезе, Термезом, Термеза and Termez all give ``termez`` while
# nominatives such as Хорасан/Khorasan stay whole (Snowball would cut them to ``xorasa``).
_CASE_ENDINGS = tuple(
    sorted(
        "ogo ego omu emu ami yami yax iyx yx ix oy ey om em ov ev ax yu ya iy a e i u y o".split(),
        key=len,
        reverse=True,
    )
)


def _strip_case(word: str) -> str:
    for ending in _CASE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    """Fold one word and strip a Russian-style case ending (language-independent)."""
    return _strip_case(fold(_POSSESSIVE.sub("", word)))


@lru_cache(maxsize=200_000)
def _fold_plain(word: str) -> str:
    """Fold one word without touching its ending."""
    return fold(_POSSESSIVE.sub("", word))


@lru_cache(maxsize=100_000)
def _russian_word(word: str) -> str:
    """Russian Snowball stem of a Cyrillic word, then folded (the ``text_ru`` field)."""
    word = _POSSESSIVE.sub("", word)
    lowered = unicodedata.normalize("NFC", word).casefold().replace("ё", "е")
    if _CYRILLIC_LETTER.search(lowered) and lowered.isalpha():
        lowered = _snowball("ru")(lowered)
    return fold(lowered)


def fold_word(word: str) -> str:
    """Return the folded-field form of one word (``Термезе`` -> ``termez``)."""
    return _fold_word(word)


def fold_key(text: str) -> str:
    """Return the lookup key of a name: its words joined, then folded (Mazari Sharif -> ...)."""
    return _fold_word("".join(part.group() for part in _PART.finditer(text)))


# --- Light suffix strippers for Uzbek and Tajik (on folded text) --------------------------------

# Uzbek: case, then plural, then possessive endings (folded: q -> k, apostrophes dropped).
_UZBEK_SUFFIXES = (
    ("ning", "dagi", "dan", "da", "ga", "ka", "ni", "ta"),
    ("lar",),
    ("imiz", "ingiz", "lari", "miz", "ngiz", "si", "im", "ing"),
)
# Tajik: object/ezafe markers, then plural, then possessive endings.
_TAJIK_SUFFIXES = (
    ("ro", "i"),
    ("hoi", "ho", "yon", "on"),
    ("ash", "am", "at", "ton", "mon", "yash"),
)


def _strip(word: str, groups: tuple[tuple[str, ...], ...]) -> str:
    for suffixes in groups:
        for suffix in suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                word = word[: -len(suffix)]
                break
    return word


def stem_uzbek(word: str) -> str:
    """Strip common Uzbek endings from a folded word (``termizdagi`` -> ``termiz``)."""
    return _strip(word, _UZBEK_SUFFIXES)


def stem_tajik(word: str) -> str:
    """Strip common Tajik endings from a folded word (``dushanbero`` -> ``dushanbe``)."""
    return _strip(word, _TAJIK_SUFFIXES)


_TAJIK_WORDS = frozenset("аз дар ба бо ки барои мебошад шуд мекунад карда буд".split())
_UZBEK_WORDS = frozenset("билан учун бу эди деб ҳам эса бўйича".split())


@cache
def _script_patterns() -> tuple[re.Pattern[str], ...]:
    """Uzbek, Tajik, Uzbek-or-Tajik and Kazakh/Kyrgyz Cyrillic letters, Uzbek Latin oʻ/gʻ.

    Neither an English possessive nor an Irish name is an Uzbek oʻ/gʻ (which a lower-case
    letter follows): "Beijing's" and "Mexico's", or O'Driscoll and O'Sullivan, twice in an
    English article had it stemmed as Uzbek too (134 of 10,000 benchmark articles; now 5).
    Compiled on first use: only ingest needs them (compiling was part of a cold search).
    """
    return (
        re.compile("[ўЎ]"),
        re.compile("[ӣӯҷӢӮҶ]"),
        re.compile("[қғҳҚҒҲ]"),
        re.compile("[әөүңұһіӘӨҮҢҰҺІ]"),
        re.compile(rf"[oOgG][{_QUOTES}](?!s\b)[a-z]"),
    )


def stem_language(language: str | None, text: str) -> str | None:
    """Choose the ``text_<lang>`` field for an article, correcting common mislabels.

    py3langid labels Uzbek Cyrillic and Tajik as ``ru``, ``ky``, ``kk``, ``mn`` or ``bg`` now and
    then; letters only those alphabets have decide instead. Returns None when no field applies
    (English, Russian and languages without a stemmer: ``title``/``body``/``folded`` serve them).
    """
    code = (language or "").lower()
    sample = text[:4000]
    uzbek_cyrillic, tajik_cyrillic, uz_tg_cyrillic, kazakh_kyrgyz, uzbek_latin = _script_patterns()
    if code in ("uz", "tg"):
        return code
    if _CYRILLIC_LETTER.search(sample):
        if tajik_cyrillic.search(sample):
            return "tg"
        if uzbek_cyrillic.search(sample):
            return "uz"
        if uz_tg_cyrillic.search(sample) and not kazakh_kyrgyz.search(sample):
            words = sample.lower().split()
            tajik = sum(word in _TAJIK_WORDS for word in words)
            uzbek = sum(word in _UZBEK_WORDS for word in words)
            return "tg" if tajik > uzbek or code == "tg" else "uz"
        if code not in _SNOWBALL_LANGUAGES:
            return "ru"  # Cyrillic labelled ky, kk, bg, mn, ...: Russian stemming fits best
    elif code not in _SNOWBALL_LANGUAGES and len(uzbek_latin.findall(sample)) >= 2:
        return "uz"
    return code if code in _SNOWBALL_LANGUAGES else None


# --- Whoosh analyzers ------------------------------------------------------------------------


class FoldingAnalyzer(Tokenizer):  # type: ignore[misc] # Whoosh is untyped
    """Tokenize and fold words; hyphenated words also yield their joined form.

    At index time ``Mazar-i-Sharif`` yields ``mazar``, ``i``, ``sharif`` and ``mazarisharif``
    (the joined form at the last part's position, so phrases that follow it still match); at
    query time only ``mazarisharif``. With a ``language`` (``uz``, ``tg`` or a Snowball code)
    the folded words are stemmed too, for the ``text_<lang>`` fields. Character offsets are
    those of the original text, so highlighting marks the original words. The analyzer is
    pickled into the index's schema, so it holds only plain values.
    """

    language: str | None = None
    sparse: bool = False
    # Class-level defaults: the analyzer is pickled into each index's schema, and an index
    # pickled before an attribute existed must still load.

    def __init__(self, language: str | None = None, *, sparse: bool = False) -> None:
        self.language = language
        self.sparse = sparse
        """Index only words whose folded form differs from their lower-case form: plain
        words already match through the exact fields, so storing them again would double
        the index for English text. Queries always yield every word."""

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FoldingAnalyzer)
            and other.language == self.language
            and other.sparse == self.sparse
        )

    def __hash__(self) -> int:
        return hash((FoldingAnalyzer, self.language, self.sparse))

    def term(self, word: str, *, query: bool = True) -> str:
        """Return the indexed form of one word (no hyphens).

        In the sparse folded field, a lower-case Latin word keeps its ending at index time
        (``party`` stays ``party`` and is not stored; names are capitalised), while query words
        always lose theirs (``bukhara`` -> ``buxar`` finds ``Bukhara`` and ``Бухаре``).
        """
        if self.language is None:
            if query or not self.sparse or word[:1].isupper() or _CYRILLIC_LETTER.search(word):
                return _fold_word(word)
            return _fold_plain(word)
        if self.language == "ru":
            return _russian_word(word)
        return _stemmer(self.language)(fold(_POSSESSIVE.sub("", word)))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        sparse = self.sparse and mode != "query"
        position = start_pos
        for match in _WORD.finditer(value):
            word = match.group()
            offset = match.start()
            if _HYPHEN.search(word) is None:
                # The common case, kept lean: one cached lookup per word.
                text = _sparse_term(word) if sparse else self.term(word)
                if text:
                    token.text = text
                    token.boost = 1.0
                    token.stopped = False
                    if keeporiginal:
                        token.original = word
                    if positions:
                        token.pos = position
                    if chars:
                        token.startchar = start_char + offset
                        token.endchar = start_char + match.end()
                    yield token
                position += 1
                continue
            pieces: list[tuple[str, int, int, bool]] = []
            if mode != "query":
                pieces = [
                    (part.group(), offset + part.start(), offset + part.end(), False)
                    for part in _PART.finditer(word)
                ]
            joined = _HYPHEN.sub("", word)
            pieces.append((joined, offset, match.end(), bool(pieces)))
            for piece, start, end, shares_position in pieces:
                if shares_position:  # a joined form is never plain
                    text = self.term(piece, query=False)
                else:
                    text = _sparse_term(piece) if sparse else self.term(piece)
                if not text:
                    if not shares_position:
                        position += 1
                    continue
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = piece
                if positions:
                    if shares_position:
                        token.pos = position - 1
                    else:
                        token.pos = position
                        position += 1
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token

    def index_spans(self, value: str) -> Iterator[tuple[int, int, str]]:
        """Yield ``(startchar, endchar, text)`` of each token ``self(value, chars=True)`` yields
        at index time, with each word's term cached (highlighting re-reads whole bodies)."""
        term = _cached_terms(self.language, self.sparse)
        for match in _WORD.finditer(value):
            word = match.group()
            if _HYPHEN.search(word) is None:
                text = term(word)
                if text:
                    yield match.start(), match.end(), text
            else:  # the word alone tokenizes as it does in place
                for token in self(word, chars=True, mode="index", start_char=match.start()):
                    yield token.startchar, token.endchar, token.text


@lru_cache(maxsize=200_000)
def _sparse_term(word: str) -> str:
    """The folded field's index-time form of a word, or "" when folding leaves it as it is."""
    if word[:1].isupper() or _CYRILLIC_LETTER.search(word):
        text = _fold_word(word)
    else:
        text = _fold_plain(word)
    return "" if text == word.casefold() else text


@cache
def _stemmer(language: str) -> Callable[[str], str]:
    """Return a cached ``folded word -> stem`` function for a ``text_<lang>`` field."""
    if language == "uz":
        return lru_cache(maxsize=100_000)(stem_uzbek)
    if language == "tg":
        return lru_cache(maxsize=100_000)(stem_tajik)
    snowball = _snowball(language)

    @lru_cache(maxsize=100_000)
    def stem(folded: str) -> str:
        return fold(snowball(folded))

    return stem


@cache
def _cached_terms(language: str | None, sparse: bool) -> Callable[[str], str]:
    """The index-time ``word -> term`` function of a FoldingAnalyzer (no hyphens), cached."""
    if sparse:
        return _sparse_term
    return lru_cache(maxsize=1 << 16)(FoldingAnalyzer(language).term)


def stemmed_analyzer(language: str) -> FoldingAnalyzer:
    """Return the analyzer of the ``text_<language>`` field."""
    return FoldingAnalyzer(language)
