"""Stable identifiers: article ids from canonical keys, and content hashes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["ID_LENGTH", "MIN_PREFIX", "article_id", "canonical_url", "content_hash", "file_key"]

ID_LENGTH = 12
MIN_PREFIX = 6
"""``show`` accepts an id prefix this long or longer."""

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_")
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "yclid", "igshid", "ref", "ref_src", "cmpid"})


def canonical_url(url: str) -> str:
    """Normalise a URL: lower-case scheme and host, no fragment, no default port or tracking."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = urlencode(
        [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if not name.lower().startswith(_TRACKING_PREFIXES)
            and name.lower() not in _TRACKING_NAMES
        ]
    )
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def file_key(path: Path) -> str:
    """Return the identity of a local file: its absolute path as a ``file://`` URI."""
    return path.absolute().as_uri()


def article_id(key: str) -> str:
    """Return the 12-hex-digit id of the article whose identity is ``key``."""
    import hashlib  # here: it loads OpenSSL, which searches do not need

    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_LENGTH]


def content_hash(*parts: str | bytes | None) -> str:
    """Return a hex digest over ``parts`` (None and empty parts are told apart)."""
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = (
            b"\x00" if part is None else (part.encode("utf-8") if isinstance(part, str) else part)
        )
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()
