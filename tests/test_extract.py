"""HTML extraction: newscli's metadata step and parser settings change nothing trafilatura finds."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml.html import FormElement, HtmlElement, HtmlElementClassLookup
from trafilatura import utils
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from bench import eval_extract
from newscli.extract import DATE_PARAMS, extract_html, page_metadata, use_c_element_lookup

DEVSET = Path(os.environ.get("NEWSCLI_DEVSET") or eval_extract.DEFAULT_DEVSET)
FIELDS = ("title", "author", "url", "hostname", "date", "sitename")

PAGE = """<!doctype html><html lang="en"><head>
<title>Rockets fired at Termez | Border Times</title>
<meta property="og:site_name" content="@bordertimes">
<link rel="canonical" href="https://www.bordertimes.example/2022/07/05/rockets-termez">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2022-07-05T09:30:00+05:00">
<meta property="article:tag" content="Uzbekistan">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rockets fired at Termez",
 "author": {"@type": "Person", "name": "Jane Doe"}, "articleSection": "Asia"}</script>
</head><body><nav><a href="/">Home</a> <a href="/asia">Asia</a></nav>
<article><h1>Rockets fired at Termez</h1>
<p>Several rockets were fired from Afghan territory towards the Uzbek city of Termez on Tuesday,
officials said, in what militants later claimed as their attack.</p>
<p>The Uzbek defence ministry denied that any rocket had landed on its territory and said the
reports were a provocation aimed at the border region.</p>
<p>A licence: <a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY</a></p>
</article></body></html>"""


def _both(data: bytes | str) -> tuple[object, object]:
    ours = page_metadata(load_html(data))
    theirs = extract_metadata(load_html(data), None, DATE_PARAMS)
    return ours, theirs


def test_page_metadata_gives_trafilaturas_fields() -> None:
    ours, theirs = _both(PAGE)
    assert {f: getattr(ours, f) for f in FIELDS} == {f: getattr(theirs, f) for f in FIELDS}
    assert ours.title == "Rockets fired at Termez"
    assert ours.author == "Jane Doe"
    assert ours.date == "2022-07-05"
    assert ours.sitename == "Bordertimes"  # "@" dropped, capitalised as trafilatura does
    assert ours.hostname == "bordertimes.example"


def test_page_metadata_leaves_out_fields_newscli_does_not_keep() -> None:
    ours, theirs = _both(PAGE)
    assert theirs.license == "CC BY 4.0"  # trafilatura searches the page for it...
    assert ours.license is None  # ...newscli does not (nor for category and tag links)


def test_extract_html_takes_text_and_metadata_from_one_parse() -> None:
    page = extract_html(PAGE.encode(), url="https://www.bordertimes.example/x")
    assert page is not None
    assert "Several rockets were fired" in page.text
    assert "Home" not in page.text
    assert (page.title, page.author) == ("Rockets fired at Termez", "Jane Doe")
    assert page.date == "2022-07-05"
    assert page.url == "https://www.bordertimes.example/2022/07/05/rockets-termez"


def test_extract_html_gives_none_for_pages_without_text() -> None:
    assert extract_html(b"") is None
    assert extract_html(b"<html><body><div><img src='x.png'></div></body></html>") is None


@pytest.fixture
def lxml_lookup() -> Iterator[None]:
    """Give trafilatura's parser lxml.html's own element class lookup back, for one test."""
    use_c_element_lookup()  # done once: extract_html does not install it again
    utils.HTML_PARSER.set_element_class_lookup(HtmlElementClassLookup())
    yield
    use_c_element_lookup.cache_clear()
    use_c_element_lookup()


def _real_pages() -> dict[str, bytes]:
    """Every 20th development-set page by file name, or none when the set is not there."""
    if not (DEVSET / "cases.json").is_file():
        return {}
    paths = sorted((DEVSET / "html").glob("*.html.gz"))[::20]
    return {path.name: gzip.decompress(path.read_bytes()) for path in paths}


FORM_PAGE = PAGE.replace("</article>", "<form><input name='q'><label>Go</label></form></article>")


def _form_class() -> type:
    return type(load_html(FORM_PAGE).find(".//form"))


def test_extraction_makes_trafilaturas_parser_pick_classes_in_c(lxml_lookup: None) -> None:
    assert issubclass(_form_class(), FormElement)  # lxml.html's lookup, asked in Python
    use_c_element_lookup.cache_clear()  # as in a new process
    assert extract_html(FORM_PAGE) is not None
    assert _form_class() is HtmlElement  # one class for every element: the C lookup


def test_c_element_lookup_extracts_what_lxmls_lookup_does(lxml_lookup: None) -> None:
    pages = [PAGE, FORM_PAGE, *_real_pages().values()]
    with_lxml = [extract_html(page) for page in pages]
    assert issubclass(_form_class(), FormElement)
    use_c_element_lookup.cache_clear()
    assert use_c_element_lookup()
    assert _form_class() is HtmlElement
    with_c = [extract_html(page) for page in pages]
    assert with_c == with_lxml
    assert sum(page is not None for page in with_c) >= len(pages) * 0.9


@pytest.mark.skipif(not (DEVSET / "cases.json").is_file(), reason=f"no development set at {DEVSET}")
def test_page_metadata_matches_trafilatura_on_real_pages() -> None:
    pages = _real_pages()
    assert len(pages) >= 40
    for name, data in pages.items():
        ours, theirs = _both(data)
        for field in FIELDS:
            assert getattr(ours, field) == getattr(theirs, field), f"{name}: {field}"
