"""Text normalisation and boilerplate removal for article bodies.

The rules are general: they look at a paragraph's wording (a short line that is a section heading
such as "Related articles"), its position (trailing blocks), its shape (runs of short link-like
lines, timestamps) and repetition. Each removal is recorded with the rule that made it, so that
``newscli extract --explain`` can show why a paragraph vanished.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newscli.models import Removal

__all__ = [
    "CleanText",
    "clean_body",
    "is_boilerplate_heading",
    "normalize_text",
    "split_paragraphs",
]

# Section headings after which a news page carries no more article text. A heading is a short
# paragraph that matches one of these in full (case-insensitive, trailing punctuation ignored).
_TRAILING_HEADINGS = [
    r"related(?: articles?| news| posts?| stories| content| coverage| topics| reading)?",
    r"more (?:related )?(?:articles|news|stories)(?: (?:from|in|on|about) .{1,40})?",
    r"more (?:from|in|on) .{1,40}",
    r"editor'?s? ?(?:choice|picks?)",
    r"(?:most )?popular(?: (?:news|posts|stories|articles|now|today))?",
    r"most (?:read|viewed|shared|commented|recent)(?: (?:news|stories|articles))?",
    r"(?:the )?latest(?: (?:news|stories|articles|posts|updates))?(?: (?:in|from|on) .{1,40})?",
    r"(?:top|trending) (?:news|stories|articles)",
    r"read (?:more|also|next)(?: on .{1,40})?",
    r"see also",
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)",
    r"recommended(?: for you| articles| stories)?",
    r"(?:also )?(?:on|in) (?:this|the same) (?:topic|subject)",
    r"about (?:the )?authors?",
    r"leave a (?:reply|comment)",
    r"post a comment",
    r"add (?:a )?comment",
    r"(?:reader )?comments?(?: \(\d+\))?",
    r"\d+ (?:comments?|responses?|replies|reactions)",
    r"do you like this (?:article|story|post)\??",
    r"did you (?:like|enjoy) this (?:article|story)\??",
    r"comment policy",
    r"share (?:this|the) (?:article|story|post|page)",
    r"(?:sign up|subscribe) (?:to|for) (?:our|the) newsletters?",
    r"tags?",
    # Russian, Ukrainian, Uzbek, Tajik, German, French, Spanish, Italian, Polish, Dutch
    r"читайте (?:также|еще|ещё)",
    r"(?:похожие|последние|другие|главные) (?:новости|статьи|материалы)",
    r"(?:ещё|еще) (?:по теме|новости)",
    r"по теме",
    r"комментарии(?: \(\d+\))?",
    r"читайте також",
    r"o'?xshash (?:yangiliklar|maqolalar)",
    r"so'?nggi yangiliklar",
    r"мақолаҳои марбут",
    r"mehr zum thema",
    r"das könnte sie auch interessieren",
    r"lesen sie auch",
    r"weitere (?:artikel|nachrichten|meldungen)",
    r"(?:à|a) lire aussi",
    r"sur le même sujet",
    r"(?:noticias|artículos) relacionad[oa]s",
    r"leer más",
    r"articoli correlati",
    r"leggi anche",
    r"powiązane(?: artykuły)?",
    r"czytaj (?:też|także|również)",
    r"gerelateerde artikelen",
]
_TRAILING_HEADING = re.compile(
    r"^(?:" + "|".join(_TRAILING_HEADINGS) + r")\s*[:.!?…»]*$", re.IGNORECASE
)
# Headings that open a comment form or section and may carry form residue on the same line
# ("Comment Policy * Denotes required field 1500 / 1500").
_TRAILING_PREFIX = re.compile(
    r"^(?:comment policy|leave a reply|leave a comment|\d+ comments?\b|add (?:a )?comment)",
    re.IGNORECASE,
)
_MAX_HEADING_CHARS = 80
_CREDIT_LINE = re.compile(
    r"^(?:sources?|picture|pictures|photo|photos|image|images|photo credits?|credits?|"
    r"cover photo|top photo|main photo|video|фото|источник|источники|manba|surat|foto|"
    r"bildquelle|quelle)\s*[:\uff1a]\s*\S",
    re.IGNORECASE,
)
_MAX_CREDIT_CHARS = 300
_TIMESTAMP_LINE = re.compile(
    r"^(?:\d{1,2}:\d{2}(?:\s*[/|,·-]\s*)?)?\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
    r"(?:\s*[/|,·-]?\s*\d{1,2}:\d{2})?$"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SENTENCE_END = re.compile(r"[.!?…\"'”»)\]]$")
_MIN_PROSE_CHARS = 80
"""A paragraph at least this long with a sentence ending reads as article text."""


MIN_TEMPLATE_FILES = 3
"""A line must recur in at least this many files of a folder to count as template."""
_TEMPLATE_SHARE = 0.2
"""... and in at least this share of the folder's files."""


def learn_template(texts: Iterable[str]) -> frozenset[str]:
    """Return the lines that recur across many of ``texts`` (one site's pages): its template."""
    counts: Counter[str] = Counter()
    files = 0
    for text in texts:
        files += 1
        counts.update(set(split_paragraphs(normalize_text(text))))
    if files < MIN_TEMPLATE_FILES:
        return frozenset()
    needed = max(MIN_TEMPLATE_FILES, math.ceil(files * _TEMPLATE_SHARE))
    return frozenset(line for line, count in counts.items() if count >= needed)


@dataclass(frozen=True, slots=True)
class CleanText:
    """A cleaned body: its paragraphs, the credit lines taken out, and what was removed."""

    paragraphs: tuple[str, ...]
    credits: tuple[str, ...]
    removed: tuple[Removal, ...]

    @property
    def text(self) -> str:
        """Return the paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)


def normalize_text(text: str) -> str:
    """Return NFC text with Unix newlines, no control characters and single spaces in lines."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines)


def split_paragraphs(text: str) -> list[str]:
    """Split normalised text into paragraphs: one per non-empty line."""
    return [line for line in text.split("\n") if line]


def is_prose(paragraph: str) -> bool:
    """Return whether a paragraph reads as article text (long, ends like a sentence)."""
    return len(paragraph) >= _MIN_PROSE_CHARS and bool(_SENTENCE_END.search(paragraph))


def is_boilerplate_heading(paragraph: str) -> bool:
    """Return whether a paragraph is a heading that opens a non-article section."""
    if len(paragraph) > _MAX_HEADING_CHARS * 3:
        return False
    if _TRAILING_PREFIX.match(paragraph):
        return True
    return len(paragraph) <= _MAX_HEADING_CHARS and bool(_TRAILING_HEADING.match(paragraph))


def _cut_trailing_sections(paragraphs: list[str], removed: list[Removal]) -> list[str]:
    """Cut everything from the first boilerplate heading that follows article text."""
    seen_prose = False
    for index, paragraph in enumerate(paragraphs):
        if seen_prose and is_boilerplate_heading(paragraph):
            rule = f"section heading '{paragraph[:40]}'"
            removed.extend(Removal(rule, p) for p in paragraphs[index:])
            return paragraphs[:index]
        seen_prose = seen_prose or is_prose(paragraph)
    return paragraphs


def _cut_trailing_debris(paragraphs: list[str], removed: list[Removal]) -> list[str]:
    """Drop trailing timestamps and runs of short link-like lines after the last sentence."""
    end = len(paragraphs)
    while end > 0:
        paragraph = paragraphs[end - 1]
        if _TIMESTAMP_LINE.match(paragraph):
            end -= 1
            continue
        break
    short_run = end
    while short_run > 0 and _is_link_like(paragraphs[short_run - 1]):
        short_run -= 1
    if end - short_run >= 3:
        end = short_run
    removed.extend(Removal("trailing link list or timestamps", p) for p in paragraphs[end:])
    return paragraphs[:end]


def _is_link_like(paragraph: str) -> bool:
    return len(paragraph) < _MIN_PROSE_CHARS and not _SENTENCE_END.search(paragraph)


def _drop_repeats(paragraphs: list[str], removed: list[Removal]) -> list[str]:
    """Keep a paragraph repeated right after itself (photo captions) once."""
    kept: list[str] = []
    for paragraph in paragraphs:
        if kept and paragraph == kept[-1]:
            removed.append(Removal("repeated paragraph", paragraph))
            continue
        kept.append(paragraph)
    return kept


def _take_credits(paragraphs: list[str], credits: list[str], removed: list[Removal]) -> list[str]:
    kept: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= _MAX_CREDIT_CHARS and _CREDIT_LINE.match(paragraph):
            credits.append(paragraph)
            removed.append(Removal("credit line (kept as metadata)", paragraph))
            continue
        kept.append(paragraph)
    return kept


def clean_body(paragraphs: Sequence[str]) -> CleanText:
    """Remove trailing sections, trailing debris, repeated paragraphs and credit lines."""
    removed: list[Removal] = []
    credits: list[str] = []
    kept = _cut_trailing_sections(list(paragraphs), removed)
    kept = _cut_trailing_debris(kept, removed)
    kept = _drop_repeats(kept, removed)
    kept = _take_credits(kept, credits, removed)
    return CleanText(paragraphs=tuple(kept), credits=tuple(credits), removed=tuple(removed))
