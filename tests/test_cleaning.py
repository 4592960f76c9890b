"""Plain-text cleaning signals, each on small hand-made inputs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from newscli.cleaning import (
    _by_first_character,
    detect_wrap_width,
    is_dateline,
    is_form_residue,
    is_navigation,
    learn_template,
    main_region,
    normalize_text,
    paragraph_signals,
    reads_as_sentence,
    reflow,
    resolve_short,
    stoplist,
    stopword_density,
)
from newscli.plaintext import parse_text_article

NOW = datetime(2024, 6, 1, tzinfo=UTC)
EN = stoplist("en")
DE = stoplist("de")
PROSE_EN = (
    "The minister said on Tuesday that the new rules would come into force at the end of the "
    "year, and that the government was confident they would be accepted by the parliament."
)
PROSE_DE = (
    "Die Ministerin sagte am Dienstag, dass die neuen Regeln zum Ende des Jahres in Kraft treten "
    "sollen und die Regierung mit einer breiten Zustimmung im Parlament rechne."
)


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current]


def test_cleaning_reflow_joins_hard_wrapped_paragraphs() -> None:
    paragraphs = [PROSE_EN * 2, PROSE_DE * 2, PROSE_EN + " " + PROSE_DE]
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += [*_wrap(paragraph, 80), ""]
    text = "\n".join(["Headline of the story", "", *lines, "• Home", "• Contact"])
    assert detect_wrap_width(text.split("\n")) in range(70, 82)
    assert reflow(text) == ["Headline of the story", *paragraphs, "• Home", "• Contact"]


def test_cleaning_reflow_keeps_one_paragraph_per_line_texts() -> None:
    text = "\n".join([PROSE_EN + " " + PROSE_EN, "Short line", PROSE_DE + " " + PROSE_DE] * 3)
    assert detect_wrap_width(text.split("\n")) is None
    assert len(reflow(text)) == 9


def test_cleaning_reflow_treats_rule_lines_as_breaks() -> None:
    wrapped = _wrap(PROSE_EN * 3, 80)
    text = "\n".join([*wrapped, "━" * 80, "Contact us", *wrapped])
    assert "Contact us" in reflow(text)


@pytest.mark.parametrize(
    "line",
    [
        "Home",
        "Impressum & Datenschutz",
        "Feed Facebook Twitter WhatsApp",
        "Weiterempfehlen Drucken",
        "Share | Tweet | E-Mail",
        "Главная Контакты",
        "Accueil | Contact | Mentions légales",
    ],
)
def test_cleaning_navigation_vocabulary(line: str) -> None:
    assert is_navigation(line)


@pytest.mark.parametrize("line", ["Home sweet home in Berlin", PROSE_EN, "Kontakt mit Aliens"])
def test_cleaning_navigation_spares_text(line: str) -> None:
    assert not is_navigation(line)


@pytest.mark.parametrize(
    "line",
    ["[                    ][SUBMIT]", "[ ] Daten merken?", "(*)All( )Engineering", "[logo-main]"],
)
def test_cleaning_form_residue(line: str) -> None:
    assert is_form_residue(line)


def test_cleaning_form_residue_spares_bracketed_credit_in_text() -> None:
    assert not is_form_residue("Tajik forces seen during an event. [Tajik Press Service/Flickr]")


@pytest.mark.parametrize(
    "line",
    ["Donnerstag, 31. Mai 2012", "17.7.11", "Posted: March 5, 2024", "19. Juni 2019 / 6:16"],
)
def test_cleaning_datelines(line: str) -> None:
    assert is_dateline(line)


def test_cleaning_dateline_spares_sentences() -> None:
    assert not is_dateline("On 5 March 2024 the border was closed for three days.")


@pytest.mark.parametrize(
    ("paragraph", "rule"),
    [
        ("• Startseite", "navigation or sharing links"),
        ("• Politik & Wirtschaft", "link list"),
        ("Schreibe einen Kommentar", "page furniture wording"),
        ("Teilen Sie dies mit:", "page furniture wording"),
        ("Читайте также: новые правила", "page furniture wording"),
        ("Tags: Wahl, Bundestag, Berlin", "page furniture wording"),
        ("Home > Politik > Inland", "page furniture wording"),
        ("Foto: dpa/Kay Nietfeld", "page furniture wording"),
        ("Steuerdarling – Die PARTEI als Ehestifter →", "page furniture wording"),
        ("Max Mustermann sagt: 12. Mai 2014 um 10:15", "comment header"),
        (
            "Bleiben Sie auf dem Laufenden mit unserem kostenlosen Newsletter – fünf Mal die "
            "Woche von Dienstag bis Samstag, mit den wichtigsten Nachrichten des Tages und den "
            "Analysen unserer Redaktion, direkt in Ihr Postfach!",
            "promotion or notice",
        ),
    ],
)
def test_cleaning_boilerplate_rules(paragraph: str, rule: str) -> None:
    assert paragraph_signals(paragraph, DE).rule == rule


@pytest.mark.parametrize(
    "paragraph",
    [
        "A spokesman declined to comment.",
        "Officials did not respond to a request for comment.",
        "The bank said its privacy rules would not change before the end of the year.",
        "The publisher filed a copyright lawsuit against the company on Monday.",
        "The charity asked residents to donate blood at the town hall this weekend.",
        "Le ministre a déclaré que les discussions allaient reprendre « dès lundi ».",
        "Der Datenschutzbeauftragte des Landes kritisierte die neuen Regeln scharf.",
        "Shareholders can subscribe for one new share for every ten shares they hold.",
    ],
)
def test_cleaning_sentences_keep_generic_furniture_words(paragraph: str) -> None:
    stopwords = stoplist(None)
    assert reads_as_sentence(paragraph, stopwords)
    assert paragraph_signals(paragraph, stopwords).rule is None


@pytest.mark.parametrize(
    "paragraph",
    [
        "Comments (3)",
        "Privacy policy",
        "Subscribe to our newsletter to get the best stories of the week.",
        "© 2024 Example News. All rights reserved.",
        "Your email address will not be published.",
        "Share this article with your friends.",
        "Read more »",
        "Leave us your comment below, we read every one of them.",
        "Möchten Sie den Artikel teilen?",
        "Diese Website verwendet Cookies, um Ihnen den bestmöglichen Service zu bieten.",
    ],
)
def test_cleaning_call_shaped_furniture_still_goes(paragraph: str) -> None:
    assert paragraph_signals(paragraph, stoplist(None)).rule is not None


def test_cleaning_reader_address_is_not_a_report() -> None:
    stopwords = stoplist(None)
    assert not reads_as_sentence("If you liked this story, please leave a comment.", stopwords)
    assert not reads_as_sentence("Wenn Ihnen der Beitrag gefallen hat, teilen Sie ihn.", DE)
    assert reads_as_sentence("Sie sagte, dass die Regierung die Kommentare prüfen werde.", DE)


def test_cleaning_text_article_keeps_prose_with_generic_words() -> None:
    text = (
        "CIIT PLANS RIGHTS OFFERING\n1987-03-01\n\n"
        "<CIIT Inc> said it filed a final prospectus for a 15 mln dlr rights offering to "
        "subscribe for 1.1 mln common shares at 13.85 dlrs each.\n\n"
        "Under the terms of the offering, each common share holder will receive 1-1/2 rights "
        "for each common share held on March 13 and each right will entitle the holder to "
        "subscribe for one common share at 13.85 dlrs each by April 13, the company said.\n"
    )
    article = parse_text_article(text, now=NOW)
    assert article.title == "CIIT PLANS RIGHTS OFFERING"
    assert len(article.body.paragraphs) == 2
    assert article.body.paragraphs[0].startswith("<CIIT Inc> said it filed")
    assert article.body.paragraphs[1].endswith("by April 13, the company said.")


def test_cleaning_text_article_keeps_declined_to_comment_and_drops_furniture() -> None:
    closing = "A spokesman for the ministry declined to comment on the report."
    text = "\n\n".join(
        [
            "Border talks resume",
            PROSE_EN,
            closing,
            "Share this article",
            "Subscribe to our newsletter",
            "© 2024 Example Times. All rights reserved.",
        ]
    )
    article = parse_text_article(text, now=NOW)
    assert article.body.paragraphs == (PROSE_EN, closing)


@pytest.mark.parametrize(
    "paragraph",
    ["3. Backofen auf 200 °C vorheizen.", "• 200 g Zucker", "• Die Edition heißt „Belle“."],
)
def test_cleaning_list_items_with_content_are_not_link_lists(paragraph: str) -> None:
    assert paragraph_signals(paragraph, DE).rule is None


def test_cleaning_stopword_density_tells_prose_from_lists() -> None:
    assert stopword_density(PROSE_DE, DE) > 0.3
    assert stopword_density("Politik Wirtschaft Sport Kultur Wissen Reisen Auto", DE) == 0
    assert paragraph_signals(PROSE_EN, EN).good


def test_cleaning_chinese_sentences_read_as_prose() -> None:
    sentence = "国家统计局今天发布数据显示，今年前三季度国内生产总值同比增长百分之五。"
    menu = "首页 新闻 体育 财经 娱乐 科技 汽车 房产 教育 旅游"
    assert paragraph_signals(sentence, stoplist("zh")).good
    assert not paragraph_signals(menu, stoplist("zh")).good


def test_cleaning_main_region_skips_menu_and_stops_at_comments() -> None:
    paragraphs = [
        "• Home",
        "• World",
        "• Sport",
        "Border talks resume",
        PROSE_EN,
        "A second section",
        PROSE_EN.replace("minister", "spokesman"),
        "Comments (2)",
        PROSE_EN.replace("minister", "reader") * 3,
        PROSE_EN.replace("minister", "other reader") * 3,
    ]
    start, end, _signals = main_region(paragraphs, EN)
    assert (start, end) == (4, 7)


def test_cleaning_main_region_prefers_the_article_over_longer_teasers() -> None:
    article = [PROSE_EN, "Subheading", PROSE_EN * 2]
    teasers = [PROSE_EN.replace("minister", f"author {n}") for n in range(8)]
    start, end, _signals = main_region([*article, "You may also like", *teasers], EN)
    assert (start, end) == (0, 3)


def test_cleaning_main_region_continues_after_a_link_list_or_related_box() -> None:
    menu = ["• Home", "• About", "• Blog", "• Shop", "• Contact", "• Login"]
    paragraphs = [PROSE_EN, *menu, PROSE_EN, "Read more:", "Other story", PROSE_EN]
    assert main_region(paragraphs, EN)[:2] == (0, 11)


def test_cleaning_main_region_continues_when_long_prose_follows_a_heading() -> None:
    long_prose = PROSE_EN + " " + PROSE_EN.replace("minister", "spokesman")
    paragraphs = [PROSE_EN, PROSE_EN, "Most read", long_prose, PROSE_EN]
    assert main_region(paragraphs, EN)[:2] == (0, 5)
    teasers = [PROSE_EN, PROSE_EN, "Most read", "Story one", "Story two", "Story three", PROSE_EN]
    assert main_region(teasers, EN)[:2] == (0, 2)


def test_cleaning_main_region_continues_when_more_text_follows_an_inline_box() -> None:
    long_prose = PROSE_EN + " " + PROSE_EN.replace("minister", "spokesman")
    paragraphs = [PROSE_EN, "Most read", "Story one", "Story two", PROSE_EN, long_prose]
    assert main_region(paragraphs, EN)[:2] == (0, 6)


def test_cleaning_main_region_reads_a_header_comment_count_as_metadata() -> None:
    sidebar = " ".join([PROSE_EN] * 3)
    menu = ["• Home", "• About", "• Blog", "• Shop", "• Contact", "• Login"]
    header = ["Border talks resume", "6 October 2022", "0 Comments"]
    article = [" ".join([PROSE_EN] * 4)] * 3
    paragraphs = [sidebar, *menu, *header, *article]
    assert main_region(paragraphs, EN)[1] == 13  # the article is not cut off as comments


def test_cleaning_main_region_does_not_take_a_described_menu_for_the_article() -> None:
    menu = ["• Nachrichten und Hintergründe aus der Welt der Politik und der Wirtschaft"] * 10
    article = [PROSE_DE, PROSE_DE.replace("Ministerin", "Sprecherin"), PROSE_DE]
    paragraphs = [*menu, "Weitere Nachrichten:", "Das Ministerium informiert", *article]
    assert main_region(paragraphs, DE)[:2] == (12, 15)


def test_cleaning_text_page_keeps_article_after_an_inline_box() -> None:
    text = "\n\n".join(
        ["Border talks resume", PROSE_EN, "Related stories", PROSE_EN + " " + PROSE_EN]
    )
    body = parse_text_article(text, now=NOW).body.text
    assert body.count("The minister said") == 3


def test_cleaning_resolve_short_keeps_headings_and_drops_stray_lines() -> None:
    paragraphs = ["Read this", PROSE_EN, "Subheading", PROSE_EN, "• Home", "Lonely", "• About"]
    decisions = resolve_short([paragraph_signals(p, EN) for p in paragraphs])
    kept = [p for p, rule in zip(paragraphs, decisions, strict=True) if rule is None]
    assert kept == ["Read this", PROSE_EN, "Subheading", PROSE_EN]


def test_cleaning_template_lines_are_learnt_from_recurring_lines() -> None:
    pages = [
        f"Example Times\nHome | World\nStory {n}\n{PROSE_EN} {n}\n© Example Times" for n in range(5)
    ]
    template = learn_template(pages)
    assert template == {"Example Times", "Home | World", "© Example Times"}
    assert learn_template(pages[:2]) == frozenset()  # two pages prove nothing


def test_cleaning_text_page_keeps_article_and_drops_page() -> None:
    page = "\n".join(
        [
            "Die PARTEI Lübeck",
            "[                    ][SUBMIT]",
            "  • Startseite",
            "  • Impressum",
            "",
            "Donnerstag, 31. Mai 2012",
            "",
            "Das Ministerium informiert",
            "",
            PROSE_DE,
            "",
            "Zwischenüberschrift",
            "",
            PROSE_DE.replace("Ministerin", "Sprecherin"),
            "",
            "Kommentar schreiben",
            "",
            "Name",
            "[              ]",
        ]
    )
    article = parse_text_article(normalize_text(page), now=NOW)
    assert article.title == "Das Ministerium informiert"
    assert article.body.paragraphs == (
        PROSE_DE,
        "Zwischenüberschrift",
        PROSE_DE.replace("Ministerin", "Sprecherin"),
    )
    rules = {removal.rule for removal in article.body.removed}
    assert "page text before the article" in rules
    assert "page text after the article" in rules


def test_cleaning_template_hook_drops_learnt_lines() -> None:
    text = f"Example Times\nStory one\n{PROSE_EN}\nSubscribe to the Example Times daily\n"
    plain = parse_text_article(text, now=NOW)
    templated = parse_text_article(
        text, now=NOW, template=frozenset({"Example Times", "Subscribe to the Example Times daily"})
    )
    assert (plain.title, plain.body.paragraphs[0]) == ("Story one", "Example Times")
    assert templated.title == "Story one"
    assert templated.body.paragraphs == (PROSE_EN,)


def test_learn_template_keeps_long_article_paragraphs_shared_by_files() -> None:
    from newscli.cleaning import learn_template

    paragraph = (
        "The council met on Tuesday to discuss the harvest and the new bridge over the river. "
        "Officials said the repairs would finish before winter and that traffic would resume."
    )
    footer = "© Example News. All rights reserved."
    texts = [f"Title {n}\n\n{paragraph}\n\n{footer}\n" for n in range(4)]
    assert learn_template(texts) == frozenset({footer})


def test_cleaning_phrase_regrouping_matches_what_the_plain_alternation_matches() -> None:
    phrases = r"read more|read also|\d+ min read|folge?n? uns|(?:our|the) newsletter|©|r|\(c\)"
    regrouped = re.compile(_by_first_character(phrases))
    plain = re.compile(phrases)
    texts = [
        "please read more here",
        "5 min read",
        "folgen uns",
        "folge uns",
        "the newsletter",
        "© 2024",
        "(c) 2024",
        "nothing",
        "",
    ]
    for text in texts:
        assert bool(regrouped.search(text)) == bool(plain.search(text)), text
    assert regrouped.pattern.startswith("r(?:")
