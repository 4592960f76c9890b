"""Bytes to text: recognise binary content and decode text in whatever encoding it came in."""

from __future__ import annotations

import codecs
import re

__all__ = ["BinaryContent", "UndecodableText", "binary_kind", "decode_text", "looks_like_html"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable"),
    (b"RIFF", "RIFF media"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00\x18ftyp", "MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "MP4 video"),
    (b"\xd0\xcf\x11\xe0", "Office document"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_SNIFF_BYTES = 4096
_PREFERRED = (
    "cp1252", "cp1251", "koi8_r", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "koi8_u",
    "iso8859_5", "cp866", "mac_cyrillic", "cp1253", "cp1254", "iso8859_9", "cp1257",
    "iso8859_13",
)  # fmt: skip
"""Single-byte encodings tried first, best-liked first when several fit equally well."""
_MAX_CHAOS = 0.3
"""charset-normalizer's "mess" above which a decoding is not believed."""
_TIE = 0.01
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")
_MAX_CONTROL_SHARE = 0.05


class BinaryContent(ValueError):
    """The bytes are not text."""


class UndecodableText(ValueError):
    """The bytes look like text but no encoding decodes them."""


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def binary_kind(data: bytes) -> str | None:
    """Return what kind of binary file ``data`` is (e.g. "PNG image"), or None for text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if _bom_encoding(data) in ("utf-16", "utf-32"):
        return None
    head = data[:_SNIFF_BYTES]
    if head.count(b"\x00") > max(1, len(head) // 100):
        return "binary data (NUL bytes)"
    if len(_CONTROL_BYTES.findall(head)) > max(2, len(head) * _MAX_CONTROL_SHARE):
        return "binary data (control characters)"
    return None


def looks_like_html(data: bytes) -> bool:
    """Return whether ``data`` starts like an HTML document (in an ASCII-compatible encoding)."""
    head = data[:_SNIFF_BYTES]
    encoding = _bom_encoding(head)
    if encoding in ("utf-16", "utf-32"):
        head = head.decode(encoding, errors="ignore").encode("ascii", errors="ignore")
    elif encoding == "utf-8-sig":
        head = head[len(codecs.BOM_UTF8) :]
    return bool(_HTML_START.match(head))


def decode_text(data: bytes) -> str:
    """Decode text: by its BOM, as UTF-8, or in the encoding charset-normalizer finds.

    Raises BinaryContent for binary data and UndecodableText when no encoding fits.
    """
    kind = binary_kind(data)
    if kind is not None:
        raise BinaryContent(kind)
    encoding = _bom_encoding(data)
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise UndecodableText(f"invalid {encoding} text at byte {exc.start}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 file

    # The single-byte encodings of European text first: on short texts an unrestricted guess
    # takes KOI8-R for Shift JIS. Candidates that fit equally well go by _PREFERRED (Latin-1
    # text also decodes as cp1250, with different letters).
    matches = list(from_bytes(data, cp_isolation=list(_PREFERRED)))
    if matches and matches[0].chaos <= _MAX_CHAOS:
        first = matches[0]
        tied = [
            match
            for match in matches
            if abs(match.chaos - first.chaos) < _TIE
            and abs(match.coherence - first.coherence) < _TIE
        ]
        return str(min(tied, key=lambda match: _PREFERRED.index(match.encoding)))
    best = from_bytes(data).best()
    if best is None or best.chaos > _MAX_CHAOS:
        raise UndecodableText("not valid text in any known encoding")
    return str(best)
