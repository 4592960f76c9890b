"""Text normalisation and boilerplate removal for article bodies.

The rules are general: they look at a paragraph's wording (a short line that is a section heading
such as "Related articles"), its position (trailing blocks), its shape (runs of short link-like
lines, timestamps) and repetition. Each removal is recorded with the rule that made it, so that
``newscli extract --explain`` can show why a paragraph vanished.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newscli.models import Removal
from newscli.templates import MIN_TEMPLATE_FILES

__all__ = [
    "CleanText",
    "clean_body",
    "is_boilerplate_heading",
    "normalize_text",
    "split_paragraphs",
]


def _by_first_character(pattern: str) -> str:
    """Return an alternation of phrases regrouped by their first character ("abc|abd|xy" ->
    "a(?:bc|bd)|x(?:y)"): it matches the same text, but the regex engine tries only the
    phrases that can start at a position instead of all of them, three times faster here.
    Phrases that start with a group, a class, an anchor or a repeated character are kept
    together unfactored."""
    groups: dict[str, list[str]] = {}
    for phrase in _top_level_alternatives(pattern):
        first = 2 if phrase[:1] == "\\" else 1
        if phrase[:1] in ("(", "[", "^", "$", ".") or phrase[first : first + 1] in _QUANTIFIERS:
            first = 0
        groups.setdefault(phrase[:first], []).append(phrase[first:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


def _top_level_alternatives(pattern: str) -> list[str]:
    """Split a regex at the ``|`` that are outside groups and character classes."""
    parts = [""]
    depth = 0
    for token in _REGEX_TOKEN.findall(pattern):
        if token == "|" and depth == 0:
            parts.append("")
            continue
        depth += (token == "(") - (token == ")")
        parts[-1] += token
    return parts


_QUANTIFIERS = ("*", "+", "?", "{")
_REGEX_TOKEN = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|.", re.DOTALL)
"""An escape, a character class or one character of a regular expression."""


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
    # More section headings seen on news and blog pages, in the languages of the sites above.
    r"(?:ähnliche|verwandte|passende|weitere|neueste|letzte|aktuelle|beliebte|beliebteste)"
    r" (?:artikel|beiträge|themen|nachrichten|meldungen|news|posts|einträge|links)",
    r"(?:meistgelesene?|meistdiskutierte?|meistkommentierte?)(?: artikel| beiträge)?",
    r"auch interessant",
    r"(?:das )?(?:könnte|dürfte) (?:sie|dich) (?:auch )?interessieren",
    r"(?:dir|ihnen) könnte auch gefallen",
    r"sie könnten auch an folgenden artikeln interessiert sein",
    r"(?:leser)?kommentare?(?: \(\d+\))?",
    r"\d+ (?:kommentare?|antworten|reaktionen|komentarz[ey]?|commentaires?|comentarios?|"
    r"commenti|комментари[йяев]+)",
    r"(?:noch )?keine kommentare(?: vorhanden)?",
    r"kommentare sind geschlossen",
    r"comments are closed",
    r"(?:einen )?kommentar (?:schreiben|verfassen|hinzufügen|abgeben|posten)",
    r"(?:schreibe|hinterlasse|hinterlassen sie) (?:einen kommentar|eine antwort)",
    r"(?:antwort|kommentar) (?:hinterlassen|schreiben)",
    r"diskussion(?:en)?",
    r"(?:like|gefällt mir) this",
    r"like this",
    r"(?:fanden sie|finden sie) diesen artikel (?:nützlich|hilfreich)",
    r"(?:wie )?(?:bewerten|gefällt) (?:sie|ihnen) (?:diesen|dieser|unser[e]?) (?:artikel|beitrag)",
    r"(?:gefällt ihnen|hat ihnen) dieser (?:artikel|beitrag)(?: gefallen)?",
    r"was this (?:article|page|story) helpful",
    r"kunden kauften auch",
    r"(?:schlagwörter|schlagworte|stichwörter|stichworte|keywords)",
    r"mehr (?:aus|von|zu|über|im) .{1,40}",
    r"weiterlesen",
    r"zum (?:thema|weiterlesen)",
    r"(?:you (?:may|might) )?also (?:like|read)",
    r"related posts?",
    r"(?:previous|next) (?:post|article|story)",
    r"(?:vorheriger|nächster|voriger) (?:beitrag|artikel)",
    r"zobacz (?:także|też|również)",
    r"przeczytaj (?:także|też|również)",
    r"(?:podobne|powiązane|najnowsze|polecane) (?:artykuły|wpisy|wiadomości|tematy)",
    r"(?:dodaj |napisz )?komentarz(?:e)?",
    r"(?:comentarios|deja (?:un comentario|una respuesta)|te puede interesar|"
    r"también te puede interesar|noticias relacionadas|artículos relacionados)",
    r"(?:commentaires?|laisser un commentaire|vous aimerez aussi|articles similaires|"
    r"sur le même thème|à lire également|lire aussi)",
    r"(?:commenti|lascia un commento|potrebbe interessarti|articoli correlati)",
    r"(?:похожие (?:статьи|записи|материалы)|оставить комментарий|добавить комментарий|"
    r"читайте также|другие материалы|смотрите также|комментарии)",
    r"(?:reacties?|laat een reactie achter|lees ook|gerelateerd)",
    r"further reading",
    r"(?:temas|notícias|not[ií]cias|notas|art[ií]culos|v[ií]deos) relacionad[oa]s",
    r"(?:veja|leia) (?:também|mais)|saiba mais|mais lidas",
    r"más sobre .{1,40}|lo más (?:visto|leído)|(?:las )?más (?:leídas|vistas)|"
    r"(?:últimas|otras) noticias",
    r"weiterführende (?:links|informationen|artikel|inhalte)",
    r"themenrelevante (?:nachrichten|artikel|beiträge)",
    r"beliebte beiträge(?: zum thema)?|meist-?(?:diskutiert|gelesen|kommentiert)e?",
    r"per saperne di più|ultime notizie|(?:i )?più lett[ie]",
    r"pour approfondir|les plus lus|dans la même rubrique",
    r"najnowsze(?: (?:artykuły|wiadomości|wpisy))?|najczęściej czytane|czytaj więcej|polecamy",
]
_TRAILING_HEADING = re.compile(  # matched in lower-cased text
    r"(?:" + _by_first_character("|".join(_TRAILING_HEADINGS)) + r")\s*[:.!?…»]*$"
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
_SENTENCE_END = re.compile(r"[.!?…\"'“”‘’»)\]]$")
_MIN_PROSE_CHARS = 80
"""A paragraph at least this long with a sentence ending reads as article text."""


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
    return frozenset(
        line
        for line, count in counts.items()
        if count >= needed and not (len(line) >= _MIN_TEMPLATE_PROSE and is_prose(line))
    )


_MIN_TEMPLATE_PROSE = 150
"""A sentence-ending line this long is article text even when several files share it: the
same article saved twice is a duplicate (caught later), and must not lose its body here."""


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
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def split_paragraphs(text: str) -> list[str]:
    """Split normalised text into paragraphs: one per non-empty line."""
    return [line for line in text.split("\n") if line]


def is_prose(paragraph: str) -> bool:
    """Return whether a paragraph reads as article text (long, ends like a sentence)."""
    return len(paragraph) >= _MIN_PROSE_CHARS and bool(_SENTENCE_END.search(paragraph))


@functools.lru_cache(maxsize=1 << 14)
def is_boilerplate_heading(paragraph: str) -> bool:
    """Return whether a paragraph is a heading that opens a non-article section."""
    if len(paragraph) > _MAX_HEADING_CHARS * 3:
        return False
    if _TRAILING_PREFIX.match(paragraph):
        return True
    return len(paragraph) <= _MAX_HEADING_CHARS and bool(_TRAILING_HEADING.match(paragraph.lower()))


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
    if end - short_run >= 3 and short_run > 0:  # a text of short lines is not a link list
        end = short_run
    if paragraphs[end:]:
        removed.append(Removal("trailing link list or timestamps", "\n".join(paragraphs[end:])))
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


def clean_body(paragraphs: Sequence[str], *, cut_sections: bool = True) -> CleanText:
    """Remove trailing sections, trailing debris, repeated paragraphs and credit lines.

    ``cut_sections=False`` keeps text after a section heading: for a region
    :func:`main_region` chose, which already ends at the headings that end the article.
    """
    removed: list[Removal] = []
    credits: list[str] = []
    kept = list(paragraphs)
    if cut_sections:
        kept = _cut_trailing_sections(kept, removed)
    kept = _cut_trailing_debris(kept, removed)
    kept = _drop_repeats(kept, removed)
    kept = _take_credits(kept, credits, removed)
    return CleanText(paragraphs=tuple(kept), credits=tuple(credits), removed=tuple(removed))


# --- Plain-text pages: reflow, per-paragraph signals, main-text region -----------------------


_BULLET = re.compile(r"^(?:[•◦▪▫●○■□·‣⁃*+–—-]|\d{1,3}[.)])\s+")
_BULLET_START = frozenset("•◦▪▫●○■□·‣⁃*+–—-0123456789")
# Form residue a text-mode browser leaves: "[          ]", "[SUBMIT]", "[ ] Daten merken?", "( )".
_FORM_FIELD = re.compile(r"\[[ _]{2,}\]|\[ ?[xX*]? ?\]|\((?:\*| )\)|\[[A-Z][A-Z ]{1,15}\]")
_MAX_FORM_CHARS = 200
_BRACKETED_ONLY = re.compile(r"^(?:\[[^\]\"',]{0,80}\]\s*)+$")
_ALNUM = re.compile(r"[^\W_]")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_DATE_IN_LINE = re.compile(
    r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|"
    r"\b\d{1,2}\.?\s+(?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec|"
    r"janv|févr|avr|juil|déc|ene|abr|ago|dic|sty|lut|kwi|maj|cze|lip|sie|wrz|paź|lis|gru|"
    r"янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)\w*\.?(?:\s+\d{2,4})?|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"(?:\s+\d{4})?|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
_MAX_DATE_LINE = 70
# Words that make up navigation, sharing, account and legal links, in many languages. A short
# paragraph made only of these (and punctuation) is a menu or a button row.
_NAV_WORDS = frozenset(
    """
    home startseite start homepage impressum imprint datenschutz datenschutzerklärung
    datenschutzhinweise privacy policy cookie cookies cookie-einstellungen kontakt contact
    kontaktformular login log logout anmelden abmelden einloggen registrieren register sign
    signin in up out suche search suchen menu menü navigation sitemap share teilen tweet twitter
    facebook instagram youtube linkedin xing whatsapp pinterest telegram tiktok reddit flipboard
    rss feed email e-mail mail drucken print printen weiterempfehlen empfehlen versenden
    weiterleiten newsletter top nach oben zurück back weiter next previous vorherige nächste
    agb nutzungsbedingungen terms conditions of use about über uns us mediadaten jobs karriere
    abo abonnieren subscribe archiv archive kommentare comments kommentieren comment reply
    antworten shop warenkorb cart hilfe help faq skip to content zum inhalt hauptinhalt springe
    accessibility barrierefreiheit leichte sprache gebärdensprache english deutsch français
    accueil partager imprimer mentions légales rechercher connexion inicio compartir imprimir
    buscar contacto aviso legal privacidad condividi stampa cerca udostępnij zaloguj szukaj
    regulamin polityka prywatności главная поиск контакты поделиться войти регистрация печать
    подписаться delen zoeken mehr more lesen read and und & | / - – · • > » « ‹ › ← → ↑
    facebook-seite x messenger copy link url kopieren pdf rss-feed podcast podcasts
    """.split()
)
_COMMENT_META = re.compile(
    r"^.{1,60}\s(?:sagt|says|schreibt|wrote|écrit|dice|pisze|пишет|написал[аи]?)\s?:"
    r"(?:\s.{0,60})?$|^(?:antworten|reply|odpowiedz|répondre|responder|ответить)$|"
    r"^.{1,60}\s(?:sagte|said|schrieb|commented|kommentierte)\s(?:am|on)\s.{4,40}$|"
    r"^.{0,80}\d{1,2}[:.]\d{2}.{0,20}\s(?:antworten|reply|répondre|responder|odpowiedz|"
    r"ответить)$",
    re.IGNORECASE,
)
_COMMENT_VERB = re.compile(  # searched in lower-cased text
    _by_first_character(
        r"sagt|says|schreibt|wrote|écrit|dice|pisze|пишет|написал|antworten|reply|odpowiedz|"
        r"répondre|responder|ответить|sagte|said|schrieb|commented|kommentierte"
    )
)
"""The words every comment header holds: a cheap test before the full pattern."""


# Wording that marks a short paragraph as page furniture (calls to share, subscribe, comment or
# read on, labels of tag lists and cross-links, picture credits, legal lines; many languages).
# Call-shaped phrases count wherever they stand: an article does not say "subscribe to our
# newsletter" or "all rights reserved". Single generic words (comment, subscribe, privacy,
# copyright, ...) count only in a paragraph that does not read as a sentence (see
# :func:`reads_as_sentence`): "A spokesman declined to comment." is news, "Comments (3)" is not.
# The searched patterns are lists of phrases regrouped by :func:`_by_first_character`.
_PITCH = (  # in lower-cased text; newsletter and subscription pitches, comment-form fine print
    r"subscribe (?:to|for) (?:our|my|the) (?:\w+ )?newsletters?|"
    r"sign up (?:to|for) (?:our|my|the) (?:\w+ )?newsletters?|"
    r"register (?:to|for) (?:our|my|the) (?:\w+ )?newsletters?|"
    r"our (?:\w+ ){0,2}newsletters?|unser(?:en?|em)? (?:\w+ ){0,2}newsletters?|"
    r"notre (?:\w+ ){0,2}newsletters?|nuestr[oa] (?:\w+ ){0,2}newsletters?|"
    r"nasz\w* (?:\w+ ){0,2}newsletters?|"
    r"to your inbox|in your inbox|in ihr (?:e-mail-)?postfach|in dein (?:e-mail-)?postfach|"
    r"all rights reserved|alle rechte vorbehalten|"
    r"e-mail-adresse wird nicht veröffentlicht|email address will not be published|"
    r"unterstützen sie (?:uns|unsere)|support (?:our|independent) journalism"
)
_FURNITURE_CALL = re.compile(  # searched in lower-cased text
    _by_first_character(
        _PITCH + r"|"
        # newsletters, subscriptions, memberships, donations
        r"newsletter (?:abonnieren|bestellen|anmeldung)|zum newsletter|"
        r"subscribe (?:now|today|here|for free)|jetzt (?:abonnieren|abonnent|mitglied|spenden)|"
        r"abonnieren sie|abonniere (?:jetzt|unseren|meinen|den)|abonnez-vous|s'abonner|"
        r"suscr[ií]bete|подпишитесь|become a (?:member|subscriber|patron)|"
        r"spenden sie|support us|donate (?:now|today|here)|wesprzyj nas|"
        # sharing, following, shopping
        r"share (?:this|the) (?:article|story|post|page|video)|share on (?:facebook|twitter)|"
        r"share via|teile diesen|diesen (?:artikel|beitrag) teilen|sharen|jetzt teilen|"
        r"artikel (?:teilen|empfehlen)|beitrag (?:teilen|empfehlen)|"
        r"folge?n? (?:sie )?uns|follow us|síguenos|suivez-nous|obserwuj nas|"
        r"buch (?:bestellen|kaufen)|jetzt (?:bestellen|kaufen)|in den warenkorb|add to cart|"
        # comment forms
        r"antwort(?:en)? abbrechen|cancel reply|leave a (?:reply|comment)|post a comment|"
        r"schreibe(?:n sie)? (?:einen|den ersten) kommentar|"
        r"hinterlasse (?:einen|den ersten) kommentar|"
        r"kommentar (?:schreiben|verfassen|abschicken|absenden)|"
        r"comments are closed|kommentare sind geschlossen|join the (?:discussion|conversation)|"
        r"no comments yet|noch keine kommentare|be the first to comment|ersten kommentar|"
        r"pflichtfelder|required fields|champs obligatoires|ne sera pas publiée|"
        r"diskussion zu diesem|"
        # moving around the site
        r"previous (?:post|article|entry|story)|next (?:post|article|entry|story)|"
        r"older (?:post|article|entry|story)|newer (?:post|article|entry|story)|"
        r"vorherige (?:beitrag|artikel|eintrag)|nächste (?:beitrag|artikel|eintrag)|"
        r"voriger (?:beitrag|artikel|eintrag)|nächster (?:beitrag|artikel|eintrag)|"
        r"älterer (?:beitrag|artikel|eintrag)|neuerer (?:beitrag|artikel|eintrag)|"
        r"back to top|zurück zu(?:m| den)? (?:übersicht|startseite|anfang|seitenanfang|archiv)|"
        r"zur startseite|zur übersicht|zum archiv|page \d+ of \d+|seite \d+ von \d+|"
        r"lesen sie (?:auch|mehr|weiter)|weiterlesen|читайте (?:также|ещё|еще)|read also|"
        r"leggi anche|lire aussi|lee también|lea también|czytaj (?:też|także|również|więcej)|"
        r"lies (?:auch|mehr|weiter)|informate más|"
        r"mehr zum thema|artikel zum thema|noticia relacionada|explore further|lire la suite|"
        r"leer más|leggi (?:tutto|di più)|читать далее|czytaj dalej|"
        r"weitere (?:aktuelle )?themen|mehr themen|top-?themen|mehr von uns|"
        r"kommende (?:events|termine)|nächste (?:events|termine)|kontaktieren sie uns|contact us|"
        r"alle anzeigen|mehr anzeigen|mehr laden|load more|hier klicken|klicken sie hier|"
        r"click here|"
        r"this (?:web)?(?:site|seite) (?:uses|verwendet|nutzt)|"
        r"diese (?:web)?(?:site|seite) (?:uses|verwendet|nutzt)|"
        r"unsere (?:web)?(?:site|seite) (?:uses|verwendet|nutzt)|"
        r"your e-?mail address|ihre e-?mail-adresse|deine e-?mail-adresse|"
        # legal lines, reading time
        r"some rights reserved|creative commons|©|"
        r"tous droits réservés|todos los derechos reservados|wszelkie prawa zastrzeżone|"
        r"\(cr[ée]dito?s?:|lesezeit|reading time|copyright (?:©|\(c\)|\d{4})|"
        r"\d+ (?:minutes?|min\.?) (?:read|lesezeit|-)"
    )
)
_FURNITURE_EDGE = (
    r"read (?:more|mehr|weiter|on)|learn more|erfahre mehr|mehr erfahren|mehr infos|"
    r"más información|en savoir plus|dowiedz się więcej|"
    r"(?:see|view|show) (?:all|more)|infórmate|more (?:stories|news)"
)
_FURNITURE_AT_START = re.compile(rf"(?:{_FURNITURE_EDGE})\b")  # matched in lower-cased text
_FURNITURE_AT_END = re.compile(rf"\b(?:{_FURNITURE_EDGE})\s*(?:\.\.\.|…|[»›→>:]+)?\s*$")
"""Calls to read on that open or close a paragraph ("Read more »"); a sentence that ends
"... to learn more." is not one."""
_EDGE_REACH = 80
"""How far from a paragraph's end a call to read on or a picture credit may begin."""
_FURNITURE_WORD = re.compile(  # searched in lower-cased text
    _by_first_character(
        r"newsletter|abonnier|abonnement|subscri|suscr|abonnez|подпис|mitglied werden|"
        r"unterstützen sie|donate|wesprzyj|share this|share on|share via|share to|"
        r"teile diesen|teile den|teile dies|"
        r"compartir|partager|udostępnij|podziel się|condividi|поделиться|"
        r"kommentar|comment|dyskusj|komentarz|коммент|"
        r"zurück zu|back to home|nach oben|"
        r"empfohlen|empfehlungen|recommended|polecane|recomendad|"
        r"meistgelesen|meist gelesen|most read|most popular|most viewed|beliebteste|"
        r"entdecken sie|copyright|datenschutz|privacy|impressum|"
        r"registrier|anmelden|einloggen|einzuloggen|sign up|sign in|zaloguj|"
        r"alle artikel |alle beiträge |alle meldungen |alle news |"
        r"bild anzeigen|bild vergrößern|bild schließen|\d+ reviews?\b|\d+ bewertungen\b|"
        r"\bteilen\b|\bcookies?\b|\blog ?in\b"
    )
)
"""Generic words of page furniture, which running prose uses too (lower case)."""
_FURNITURE_LABEL = re.compile(
    r"(?:tags?|etiquetas|schlagw\w*|stichw\w*|tagged(?: with)?|kategorien?|categories|"
    r"category|rubriken?|tematy|themen|mots-clés|temas|quellenangaben)\s*:|"
    r"(?:czytaj (?:też|także)|zobacz (?:też|także)|lesen sie auch|read also|"
    r"see also|lire aussi|voir aussi|auch interessant|siehe auch)\b|"
    r"(?:mire|lea|lee|mira)(?: (?:también|más))?\s*:|"
    r"(?:fot|foto|bild|photo|zdjęcie|kuva|image|grafik)\s*[.:]|"
    r"(?:article|artículo|articolo|artykuł) (?:suivant|précédent|siguiente|anterior|"
    r"successivo|precedente|następny|poprzedni)|"
    r"(?:abbildung|abb\.|figure|fig\.|grafik|tabelle|table)\s*\d+\s*:|"
    r"[☆★○●◆◇▶►]\s"
)
"""Labels that open a tag list, a cross-link, a picture credit or a figure (lower case)."""
_FURNITURE_START_WORD = re.compile(
    r"(?:werbung|anzeige|advertisement|reklama|publicidad|publicité|sponsored|"
    r"posted|published|eingestellt|veröffentlicht|geschrieben|publié|publicado|"
    r"opublikowano|aktualisiert|updated|zuletzt (?:aktualisiert|geändert)|"
    r"der beitrag wurde)\b"
)
"""Words that open an advert or a meta line, and also many sentences (lower case)."""
_FURNITURE_END = re.compile(
    r"(?:foto|bild|photo|fot|zdjęcie|kuva|credit|quelle)\s*[.:][^.!?:]{2,60}\)?$"
)
"""A picture credit closing a caption: "... (Foto: dpa)"."""
# A breadcrumb trail: "Home > Blog > Politics" (or with › » / |).
_BREADCRUMB = re.compile(r"[>›»/|](?<!\S[>›»/|])(?:\s.{1,40}?\s[>›»/|]){1,}\s")
# A horizontal rule drawn by a text-mode browser.
_RULE_LINE = re.compile(r"^[━─—_=*~\-·•.]{5,}$")
_MAX_FURNITURE_CHARS = 160
# Promotions and notices that stand as whole paragraphs of prose: newsletter and subscription
# pitches, cookie and affiliate notices, comment-form fine print. Generic words again count
# only outside sentences.
_NOTICE_CALL = re.compile(  # searched in lower-cased text
    _by_first_character(
        _PITCH + r"|"
        r"provision vom händler|affiliate link|"
        r"we may receive a commission|we may earn a commission|we may receive commission|"
        r"we may earn commission|we may receive compensation|we may earn compensation|"
        r"um einen kommentar zu schreiben|um einen kommentar zu verfassen|um zu kommentieren|"
        r"to comment\b.{0,20}(?:log ?in|sign in|register)|"
        r"to post a comment\b.{0,20}(?:log ?in|sign in|register)|"
        r"login to (?:post a )?comment|log in to (?:post a )?comment|"
        r"sign in to (?:post a )?comment|"
        r"register to (?:post a )?comment|logged in to (?:post a )?comment|"
        r"registered to (?:post a )?comment|"
        r"use\w* (?:\w+ ){0,3}cookies|verwende\w* (?:\w+ ){0,3}cookies|"
        r"nutze\w* (?:\w+ ){0,3}cookies|setze\w* (?:\w+ ){0,3}cookies|"
        r"utilis\w* (?:\w+ ){0,3}cookies|utiliz\w* (?:\w+ ){0,3}cookies|"
        r"używa\w* (?:\w+ ){0,3}cookies|korzysta\w* (?:\w+ ){0,3}cookies|"
        r"cookie policy|cookies policy|cookie-richtlinie|cookie richtlinie|cookie settings|"
        r"cookie-einstellungen|cookies akzeptieren|accept cookies|accept all cookies|"
        r"our privacy|our cookie|unsere datenschutz|unserer datenschutz|unseren datenschutz|"
        r"notre politique|nuestra política"
    )
)
_NOTICE_WORD = re.compile(  # searched in lower-cased text
    r"newsletter|subscribe|subscription|abonnieren|abonniere|abonnent|\bcookies?\b"
)
_MAX_NOTICE_CHARS = 400
_SENTENCE_STOP = re.compile(r"[.!?…][\"'“”‘’»«)\]]*$")
_SENTENCE_WORDS = 5
_SENTENCE_STOPWORDS = 0.2
"""A paragraph with this many words, this share of stop words and a sentence ending reads as
a sentence: generic furniture words in it are the article's own ..."""
_READER_WORDS = frozenset(
    """
    you your yours yourself dich dir dein deine deinem deinen deiner deines euch eure eurem
    euren eurer eures vous votre vos usted ustedes вы вас вам ваш ваша ваше ваши вашего вашей
    вашу вашим ты тебя тебе твой твоя твоё твои please bitte
    """.split()
)
_READER_PHRASE = re.compile(  # searched in lower-cased text holding "du", "ich" or "i"
    r"wenn du\b|kannst du\b|hast du\b|bist du\b|willst du\b|musst du\b|möchtest du\b|"
    r"darfst du\b|solltest du\b|wirst du\b|"
    r"du (?:kannst|hast|bist|willst|musst|möchtest|darfst|solltest|wirst)\b|"
    r"ich stimme|stimme ich|i agree|i accept|i consent"
)
_READER_OPENING = re.compile(
    r"(?:sign up|subscribe|log ?in|sign in|donate|abonniere|registriere|melde dich)\b"
)
_READER_FORMAL = re.compile(r"(?:Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer)\b")
"""... unless it speaks to the reader: a second-person pronoun (German "Sie" and "Ihr" in
capitals after a word), an imperative opening or an exclamation. Reports speak of others."""
_WRAP_MIN, _WRAP_MAX = 60, 140
_WRAP_MIN_LINES = 4
_WRAP_SLACK = 15
_WRAP_MIN_NEAR = 2
"""Line widths a hard-wrapped text dump (w3m, lynx, email) may have."""
_GOOD_CHARS = 120
_GOOD_STOPWORDS = 0.22
_GOOD_SHORT_CHARS = 60
_GOOD_SHORT_STOPWORDS = 0.32
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_PUNCTUATION = re.compile(r"[。，、！？；：]")
_CJK_MIN_CHARS = 20
_CJK_SHARE = 0.5
"""A paragraph this long, this much Chinese or Japanese, with their punctuation is prose."""
_BOX_HEADING = re.compile(
    r"^(?:related|read (?:more|also)|"
    r"see also|more on .{1,60}|lesen sie (?:auch|mehr)|mehr zum thema|(?:das )?könnte sie "
    r"auch interessieren|auch interessant|leggi anche|(?:à|a) lire aussi|lire aussi|"
    r"czytaj (?:też|także|również)|zobacz (?:też|także)|читайте (?:также|ещё|еще)|"
    r"te puede interesar|lea también|lee también)\s*[:.!?…»]*$",
    re.IGNORECASE,
)
_COMMENT_COUNT = re.compile(r"^(?:\d+|no|keine) (?:comments?|kommentare?)$", re.IGNORECASE)
_HEADER_REACH = 2
"""How close after a date line a comment count is part of the article's header."""
_BOX_REACH = 8
_COMMENTS_HEADING = re.compile(
    r"comment|kommentar|komentarz|коммент|reac(?:tie|ción)|repl(?:y|ies)|antwort|respuesta|"
    r"réponse|diskussion|discussion|dyskusj"
)
"""Wording of headings that open a comment thread (searched in lower-cased text)."""
_CONTINUATION_REACH = 3
_CONTINUATION_CHARS = 300
"""A long sentence paragraph this close after a section heading continues the article (the
heading was an inline box: "Mehr zum Thema", "Related stories")."""
"""Prose resuming within this many paragraphs of a related-links heading continues the text."""
_MAIN_RUN_SHARE = 0.3
"""The first run with this share of the longest run's prose is the article (sidebars,
comment threads and teaser lists come after it and can be longer)."""
_GAP_UNITS = 10
"""This many boilerplate paragraphs between two prose paragraphs separate two runs of text."""
_GAP_IN_ROW = 5
"""... and so do this many boilerplate paragraphs in a row."""
_SUBSTANTIAL_CHARS = 400
"""A run with this much prose before a section heading is the article, not a teaser."""


def stoplist(language: str | None) -> frozenset[str]:
    """Return the jusText stop words of a language (ISO 639-1), or of the common ones."""
    # Pages mix languages (an English menu, a German article): the detected language's stop
    # words plus those of the most common languages of the web. Languages with the same list
    # share one set, so cached classifications keyed by it are found without comparing sets.
    language = language or ""
    codes = {language, *_COMMON_LANGUAGES} if language in _JUSTEXT_NAMES else _COMMON_LANGUAGES
    return _load_stoplist(tuple(sorted(codes)))


_JUSTEXT_NAMES = {
    "de": "German", "en": "English", "fr": "French", "es": "Spanish", "it": "Italian",
    "pl": "Polish", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian", "uk": "Ukrainian",
    "cs": "Czech", "sk": "Slovak", "sv": "Swedish", "da": "Danish", "no": "Norwegian_Bokmal",
    "nb": "Norwegian_Bokmal", "fi": "Finnish", "hu": "Hungarian", "ro": "Romanian",
    "tr": "Turkish", "el": "Greek", "bg": "Bulgarian", "hr": "Croatian", "sr": "Serbian",
    "sl": "Slovenian", "et": "Estonian", "lv": "Latvian", "lt": "Lithuanian", "uz": "Uzbek",
    "kk": "Kazakh", "ca": "Catalan", "id": "Indonesian", "vi": "Vietnamese",
    "ar": "Arabic", "fa": "Persian", "he": "Hebrew", "hi": "Hindi", "ko": "Korean",
    "be": "Belarusian", "mk": "Macedonian", "sq": "Albanian",
}  # fmt: skip
_COMMON_LANGUAGES = ("de", "en", "fr", "es")


@functools.lru_cache(maxsize=16)
def _load_stoplist(codes: tuple[str, ...]) -> frozenset[str]:
    import justext  # its stop lists cover 100 languages; only text cleaning loads them

    words: set[str] = set()
    for code in codes:
        words |= {word.lower() for word in justext.get_stoplist(_JUSTEXT_NAMES[code])}
    return frozenset(words)


def detect_wrap_width(lines: Sequence[str]) -> int | None:
    """Return the width a text was hard-wrapped at, or None when its lines are paragraphs.

    A wrapped text has a longest line of 60-140 characters that several lines come close to,
    and hardly any line beyond it (an unbreakable URL).
    """
    lengths = sorted(len(line) for line in lines if line)
    fitting = [length for length in lengths if length <= _WRAP_MAX]
    if len(lengths) < _WRAP_MIN_LINES or not fitting:
        return None
    width = fitting[-1]
    if width < _WRAP_MIN or len(lengths) - len(fitting) > len(lengths) // 50:
        return None
    near = sum(1 for length in fitting if length >= width - _WRAP_SLACK)
    return width if near >= _WRAP_MIN_NEAR else None


def reflow(text: str) -> list[str]:
    """Split normalised text into paragraphs, joining the lines of a hard-wrapped paragraph.

    A line is joined to the next one when the next line's first word would not have fitted
    after it at the text's wrap width; bullets always start a new paragraph.
    """
    lines = text.split("\n")
    width = detect_wrap_width(lines)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line or _RULE_LINE.match(line):
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current and width and not _BULLET.match(line):
            first_word = line.split(" ", 1)[0]
            last_line = current.rsplit("\n", 1)[-1]
            if len(last_line) + 1 + len(first_word) > width - 1:
                current += "\n" + line
                continue
        if current:
            paragraphs.append(current)
        current = line
    if current:
        paragraphs.append(current)
    return [p.replace("\n", " ") for p in paragraphs]


def stopword_density(paragraph: str, stopwords: frozenset[str]) -> float:
    """Return the share of a paragraph's words that are stop words of its language."""
    words = _WORD.findall(paragraph.lower())
    return _count_stopwords(words, stopwords) / len(words) if words else 0.0


def _count_stopwords(words: Sequence[str], stopwords: frozenset[str]) -> int:
    return sum(map(stopwords.__contains__, words))


def reads_as_sentence(paragraph: str, stopwords: frozenset[str]) -> bool:
    """Return whether a paragraph reads as a sentence of the article: a sentence ending, enough
    words, the stop words of prose, and not spoken to the reader ("A spokesman declined to
    comment.", not "Comments (3)" or "Leave us your comment!")."""
    return _is_sentence(paragraph, paragraph.lower(), stopwords)


def _is_sentence(paragraph: str, lowered: str, stopwords: frozenset[str]) -> bool:
    if not _SENTENCE_STOP.search(paragraph):
        return False
    words = _WORD.findall(lowered)
    return (
        len(words) >= _SENTENCE_WORDS
        and _count_stopwords(words, stopwords) >= len(words) * _SENTENCE_STOPWORDS
        and not _speaks_to_reader(paragraph, lowered, words)
    )


def _speaks_to_reader(paragraph: str, lowered: str, words: Sequence[str]) -> bool:
    """Return whether a paragraph addresses the reader (you, Sie, du, "Sign up", "... now!")."""
    tokens = set(words)
    if not _READER_WORDS.isdisjoint(tokens) or paragraph.endswith("!"):
        return True
    if not tokens.isdisjoint(("du", "ich", "i")) and _READER_PHRASE.search(lowered):
        return True
    if _READER_OPENING.match(lowered):
        return True
    return any(  # "Sie" and "Ihr" in capitals after a word, not at the start of a sentence
        match.start() >= 2
        and paragraph[match.start() - 1].isspace()
        and (paragraph[match.start() - 2].isalnum() or paragraph[match.start() - 2] == ",")
        for match in _READER_FORMAL.finditer(paragraph)
    )


def is_cjk_prose(paragraph: str) -> bool:
    """Return whether a paragraph is a Chinese or Japanese sentence (no spaces, so no stop
    word counts): mostly CJK characters, long enough, with sentence punctuation."""
    if len(paragraph) < _CJK_MIN_CHARS or not _CJK_PUNCTUATION.search(paragraph):
        return False
    return len(_CJK_CHAR.findall(paragraph)) >= len(paragraph) * _CJK_SHARE


def is_navigation(paragraph: str) -> bool:
    """Return whether a short paragraph is made only of navigation or sharing words."""
    if len(paragraph) > 100:
        return False
    tokens = paragraph.lower().replace("|", " ").split()
    for token in tokens:
        if token.strip(".,:;!?()[]\"'") not in _NAV_WORDS and _ALNUM.search(token):
            return False
    return bool(tokens)


def _furniture_rule(paragraph: str, lowered: str, stopwords: frozenset[str]) -> str | None:
    """Return the rule that marks a paragraph as page furniture, a promotion or a notice.

    Call-shaped phrases and labels always count; generic words (comment, privacy, cookies,
    ...) only in a paragraph that does not read as a sentence of the article.
    """
    if len(paragraph) > _MAX_NOTICE_CHARS:
        return None
    if len(paragraph) <= _MAX_FURNITURE_CHARS:
        if (
            _FURNITURE_CALL.search(lowered)
            or _FURNITURE_LABEL.match(lowered)
            or _FURNITURE_AT_START.match(lowered)
            or _FURNITURE_AT_END.search(lowered, max(0, len(lowered) - _EDGE_REACH))
            or _FURNITURE_END.search(lowered, max(0, len(lowered) - _EDGE_REACH))
            or _BREADCRUMB.search(paragraph)
            or _is_arrow_link(paragraph)
        ):
            return _FURNITURE
        if (
            _FURNITURE_WORD.search(lowered) or _FURNITURE_START_WORD.match(lowered)
        ) and not _is_sentence(paragraph, lowered, stopwords):
            return _FURNITURE
    if _NOTICE_CALL.search(lowered):
        return _NOTICE
    if _NOTICE_WORD.search(lowered) and not _is_sentence(paragraph, lowered, stopwords):
        return _NOTICE
    return None


_FURNITURE = "page furniture wording"
_NOTICE = "promotion or notice"


def _is_arrow_link(paragraph: str) -> bool:
    """Return whether a paragraph starts or ends with a link arrow ("Next story →"); French
    guillemets around a quotation are not arrows."""
    if paragraph[:1] in _BULLET_START:
        paragraph = _BULLET.sub("", paragraph, count=1)
    return (
        paragraph.endswith(("→", "›"))
        or paragraph.startswith(("←", "‹"))
        or (paragraph.endswith("»") and "«" not in paragraph)
        or (paragraph.startswith("«") and "»" not in paragraph)
    )


@functools.lru_cache(maxsize=1 << 14)
def _is_comment_meta(paragraph: str) -> bool:
    """Return whether a paragraph is a comment's header ("Anna says:", "Reply")."""
    return bool(_COMMENT_VERB.search(paragraph.lower()) and _COMMENT_META.match(paragraph))


def is_form_residue(paragraph: str) -> bool:
    """Return whether a paragraph is what a text browser shows for form fields or images."""
    return (bool(_FORM_FIELD.search(paragraph)) and len(paragraph) < _MAX_FORM_CHARS) or bool(
        _BRACKETED_ONLY.match(paragraph)
    )


def is_dateline(paragraph: str) -> bool:
    """Return whether a short paragraph is a date or time line (with a weekday, an author)."""
    return (
        len(paragraph) <= _MAX_DATE_LINE
        and bool(_DATE_IN_LINE.search(paragraph))
        and (not _SENTENCE_END.search(paragraph) or paragraph.endswith(")"))
    )


_SIGNAL_CACHE = 1 << 16
"""Paragraph classifications kept for reuse (a few megabytes at most)."""


@dataclass(frozen=True, slots=True)
class Signals:
    """What one paragraph of a plain-text page looks like."""

    good: bool
    """Reads as article text: long enough, with the stop words of running prose."""
    rule: str | None
    """The boilerplate rule it matches, if any."""


@functools.lru_cache(maxsize=_SIGNAL_CACHE)
def paragraph_signals(paragraph: str, stopwords: frozenset[str]) -> Signals:
    """Classify one paragraph: article prose, boilerplate (with the rule), or undecided.

    Cached: a site's menus, buttons and footers recur on every page (and within a page).
    """
    if is_form_residue(paragraph):
        return Signals(False, "form field or image placeholder")
    if is_navigation(paragraph):
        return Signals(False, "navigation or sharing links")
    if _is_comment_meta(paragraph):
        return Signals(False, "comment header")
    lowered = paragraph.lower()
    rule = _furniture_rule(paragraph, lowered, stopwords)
    if rule is not None:
        return Signals(False, rule)
    bullet = bool(_BULLET.match(paragraph))
    if len(paragraph) < _GOOD_SHORT_CHARS and not bullet:
        return Signals(is_cjk_prose(paragraph), None)  # too short to be told by its stop words
    density = stopword_density(paragraph, stopwords)
    if bullet and len(paragraph) < _GOOD_CHARS and density < _GOOD_STOPWORDS:
        item = _BULLET.sub("", paragraph, count=1)
        if not _SENTENCE_END.search(item) and not any(ch.isdigit() for ch in item):
            return Signals(False, "link list")
    good = (
        (len(paragraph) >= _GOOD_CHARS and density >= _GOOD_STOPWORDS)
        or (len(paragraph) >= _GOOD_SHORT_CHARS and density >= _GOOD_SHORT_STOPWORDS)
        or is_cjk_prose(paragraph)
    )
    return Signals(good, None)


def main_region(
    paragraphs: Sequence[str], stopwords: frozenset[str]
) -> tuple[int, int, list[Signals]]:
    """Return ``(start, end)`` of the main run of article text and every paragraph's signals.

    Runs of prose paragraphs are separated by section headings ("Related articles",
    "Kommentare", ...) or by several boilerplate paragraphs in a row; the run with the most
    prose wins. ``start`` is its first prose paragraph, ``end`` one past its last.
    """
    signals = [paragraph_signals(p, stopwords) for p in paragraphs]
    runs: list[_Run] = []
    current: _Run | None = None
    bad_since_prose = bad_in_row = 0
    for index, (paragraph, signal) in enumerate(zip(paragraphs, signals, strict=True)):
        if signal.good:
            if current is None:
                current = _Run(index, opening=is_prose(paragraph) and len(paragraph))
                runs.append(current)
            current.longest = max(current.longest, len(paragraph))
            current.end, current.chars = index + 1, current.chars + _weight(paragraph)
            bad_since_prose = bad_in_row = 0
            continue
        bad = signal.rule is not None
        bad_since_prose += bad
        bad_in_row = bad_in_row + 1 if bad else 0
        heading = (
            is_boilerplate_heading(paragraph) or _is_comment_meta(paragraph)
        ) and not _is_header_count(paragraphs, index)
        if heading and runs and runs[-1].heading is None:
            box = bool(_BOX_HEADING.match(paragraph)) and current is not None
            comments = bool(_COMMENTS_HEADING.search(paragraph.lower()))
            runs[-1].heading = "box" if box else "comments" if comments else "end"
            runs[-1].heading_at = index
        if heading or bad_in_row >= _GAP_IN_ROW or bad_since_prose >= _GAP_UNITS:
            current = None
    if not runs:
        return 0, len(paragraphs), signals
    # Runs form sections: a gap of boilerplate (an embedded link list, a code listing) does not
    # end the article, nor does a box of related links ("Read more:", "Lesen Sie auch") when
    # the prose resumes right after it. Other section headings do.
    sections: list[_Run] = []
    for run in runs:
        last = sections[-1] if sections else None
        if last is not None and (
            last.heading is None
            or (last.heading == "box" and run.start - last.heading_at <= _BOX_REACH)
            or (
                last.heading == "end"
                and run.start - last.heading_at <= _CONTINUATION_REACH
                and (
                    run.opening >= _CONTINUATION_CHARS
                    or (run.chars >= last.chars and run.longest >= _CONTINUATION_CHARS)
                )
            )
        ):
            last.end, last.chars, last.heading = run.end, last.chars + run.chars, run.heading
            last.heading_at = run.heading_at
        else:
            sections.append(run)
    for number, section in enumerate(sections):
        if section.heading is not None and section.chars >= _SUBSTANTIAL_CHARS:
            sections = sections[: number + 1]
            break
    most = max(section.chars for section in sections)
    best = next(section for section in sections if section.chars >= most * _MAIN_RUN_SHARE)
    return best.start, best.end, signals


def _weight(paragraph: str) -> int:
    """Return how much a prose paragraph tells that its run is the article: its length, but
    nothing for a short list item that is no sentence (a menu entry with a description)."""
    if (
        len(paragraph) < _GOOD_CHARS
        and _BULLET.match(paragraph)
        and not _SENTENCE_END.search(paragraph)
    ):
        return 0
    return len(paragraph)


def _is_header_count(paragraphs: Sequence[str], index: int) -> bool:
    """Return whether a comment count ("0 Comments") stands among an article's header lines,
    next to its date, where it counts comments instead of opening them."""
    return bool(_COMMENT_COUNT.match(paragraphs[index])) and any(
        is_dateline(paragraph) for paragraph in paragraphs[max(0, index - _HEADER_REACH) : index]
    )


@dataclass(slots=True)
class _Run:
    """Consecutive prose paragraphs (with what lies between them) and how the run ended."""

    start: int
    end: int = 0
    chars: int = 0
    heading: str | None = None
    """``box`` (related links that the text may follow), ``comments``, ``end`` (other
    sections, which long prose may still follow) or None."""
    heading_at: int = 0
    opening: int = 0
    """Length of the run's first paragraph when it ends like a sentence (else 0)."""
    longest: int = 0
    """Length of the run's longest paragraph."""


def _neighbour(signals: Sequence[Signals], index: int, step: int) -> str:
    """Return the class of the nearest decided paragraph in one direction (or ``edge``)."""
    position = index + step
    while 0 <= position < len(signals):
        signal = signals[position]
        if signal.good:
            return "good"
        if signal.rule is not None:
            return "bad"
        position += step
    return "edge"


def resolve_short(signals: Sequence[Signals]) -> list[str | None]:
    """Decide the undecided paragraphs of an article region by their neighbours.

    Returns, per paragraph, the rule that removes it or None to keep it. Prose is kept,
    boilerplate goes; a short paragraph (a heading, a list item, a closing line) stays unless
    the nearest decided paragraphs on both sides are boilerplate.
    """
    decided: list[str | None] = []
    for index, signal in enumerate(signals):
        if signal.good:
            decided.append(None)
            continue
        if signal.rule is not None:
            decided.append(signal.rule)
            continue
        before = _neighbour(signals, index, -1)
        after = _neighbour(signals, index, 1)
        keep = not (before == "bad" and after in ("bad", "edge"))
        decided.append(None if keep else "short paragraph among boilerplate")
    return decided


_EXTRACTED_RULES = frozenset(
    {
        "page furniture wording",
        "promotion or notice",
        "form field or image placeholder",
        "navigation or sharing links",
        "comment header",
    }
)
"""The signals that also hold inside trafilatura's main text (its own pass did the rest)."""


def clean_extracted(paragraphs: Sequence[str], stopwords: frozenset[str]) -> CleanText:
    """Clean the main text an HTML extractor found: furniture lines, repeats and credits.

    Position rules (trailing sections, link lists) are left to the extractor, which sees the
    page's structure; cutting again here lost more article text than boilerplate.
    """
    removed: list[Removal] = []
    credits: list[str] = []
    kept: list[str] = []
    for paragraph in paragraphs:
        rule = paragraph_signals(paragraph, stopwords).rule
        if rule in _EXTRACTED_RULES:
            removed.append(Removal(rule, paragraph))
        else:
            kept.append(paragraph)
    kept = _drop_repeats(kept, removed)
    kept = _take_credits(kept, credits, removed)
    return CleanText(paragraphs=tuple(kept), credits=tuple(credits), removed=tuple(removed))
