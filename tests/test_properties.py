"""Properties that must hold for any input (Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from newscli.cleaning import clean_body, normalize_text, split_paragraphs
from newscli.dates import parse_date, parse_date_line
from newscli.ids import article_id, canonical_url
from newscli.query import _CLOSE, _OPEN, _split_markers
from newscli.render import sanitize

NOW = datetime(2026, 11, 22, tzinfo=UTC)


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_parse_date_never_raises_and_stays_plausible(raw: str) -> None:
    for parsed in (parse_date(raw, now=NOW), parse_date_line(raw, now=NOW)):
        if parsed is not None:
            assert 1900 <= parsed.day().year <= NOW.year


@given(st.text(alphabet="0123456789./-: ", max_size=5000))
@settings(max_examples=100, deadline=None)
def test_parse_date_survives_digit_runs(raw: str) -> None:
    parse_date(raw, now=NOW)


@given(st.text(max_size=80))
def test_ids_are_deterministic_and_short(key: str) -> None:
    assert article_id(key) == article_id(key)
    assert len(article_id(key)) == 12
    assert all(ch in "0123456789abcdef" for ch in article_id(key))


@given(st.sampled_from(["utm_source=x", "fbclid=1", "gclid=2"]))
def test_canonical_url_drops_tracking_and_fragment(tracking: str) -> None:
    url = f"HTTPS://WWW.Example.org:443/a/b?id=7&{tracking}#comments"
    assert canonical_url(url) == "https://www.example.org/a/b?id=7"


@given(st.text(max_size=500))
@settings(max_examples=200)
def test_cleaning_never_invents_text(raw: str) -> None:
    normalized = normalize_text(raw)
    cleaned = clean_body(split_paragraphs(normalized))
    for paragraph in cleaned.paragraphs:
        assert paragraph in normalized


@given(st.text(max_size=200))
def test_sanitize_output_has_no_controls(raw: str) -> None:
    out = sanitize(raw)
    assert not any((ord(ch) < 32 and ch not in "\t\n") or 0x7F <= ord(ch) <= 0x9F for ch in out)


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"),
        min_size=1,
    ).filter(lambda name: name not in (".", ".."))
)
@settings(max_examples=300, deadline=None)
def test_file_uri_equals_pathlib(name: str) -> None:
    """The file key's URI, built without pathlib for speed, is pathlib's own."""
    from pathlib import Path

    from newscli.sources import _file_uri

    absolute = "/data/" + name + "/x.txt"
    assert _file_uri(absolute) == Path(absolute).as_uri()


def _split_markers_char_by_char(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    start = -1
    for char in marked:
        if char == _OPEN:
            start = len(plain)
        elif char == _CLOSE:
            if start >= 0:
                spans.append((start, len(plain)))
            start = -1
        else:
            plain.append(char)
    return "".join(plain), tuple(spans)


@given(st.text(alphabet=st.sampled_from(["a", " ", "é", _OPEN, _CLOSE]), max_size=40))
@settings(max_examples=500, deadline=None)
def test_snippet_markers_split_as_read_char_by_char(marked: str) -> None:
    assert _split_markers(marked) == _split_markers_char_by_char(marked)
