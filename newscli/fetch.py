"""HTTP fetching for newscli: the only module that talks to the network.

Built on urllib3 connections (one per request) so that every rule is enforced here:

* http and https only; the host is resolved once, every address checked, and the connection
  made to the checked address (no DNS rebinding); loopback, private, link-local and reserved
  addresses are refused unless ``allow_private_hosts`` is set;
* a total deadline per URL, covering redirects, retries and slow-drip bodies: a watchdog shuts
  the socket down when it passes (urllib3's timeouts, like trafilatura's, are per read);
* bounded retries with exponential backoff on 5xx answers and connection errors;
* redirects followed up to a limit, each hop checked like the first URL;
* a maximum response size (counted after decompression) and a content-type filter;
* a User-Agent naming newscli and a delay between two requests to the same host;
* conditional requests (ETag / Last-Modified) for feeds.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.parse import quote, urljoin, urlsplit

from newscli import __version__
from newscli.logs import get_logger

__all__ = [
    "FEED_TYPES",
    "HTML_TYPES",
    "FetchError",
    "FetchPolicy",
    "Fetcher",
    "Response",
]

log = get_logger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
"""Content types of article pages: trafilatura would happily return a PDF's bytes as text."""
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/xml",
        "text/xml",
        "application/rdf+xml",
        "application/x-gzip",
        "application/octet-stream",  # gzipped sitemaps are often served as this
        "application/x-rss+xml",
        "application/gzip",
        "text/plain",
        *HTML_TYPES,  # a site's home page, to discover its feed
    }
)
"""Content types accepted for feeds and sitemaps."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_CHUNK = 64 * 1024
_SAFE_PATH = "/%?=&;:@!$'()*+,~-._[]"
"""Characters left as they are in a request target; others (spaces, non-ASCII) are escaped."""


class FetchError(Exception):
    """A URL could not be fetched; the message says why, in a few words."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How politely and how defensively to fetch."""

    timeout: float = 30.0
    """Total seconds per URL, redirects and retries included."""
    connect_timeout: float = 10.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2
    """Extra attempts after a 5xx answer or a connection error."""
    backoff: float = 0.5
    """Seconds before the first retry; doubled for each further one."""
    host_delay: float = 1.0
    """Seconds between the starts of two requests to the same host."""
    user_agent: str = f"newscli/{__version__} (offline news corpus tool)"
    allow_private_hosts: bool = False
    """Allow loopback and private addresses (tests, intranets); refused by default."""


@dataclass(frozen=True, slots=True)
class Response:
    """A fetched resource; ``url`` is where it was found after redirects."""

    url: str
    status: int
    data: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """Whether a conditional request found the resource unchanged (HTTP 304)."""
        return self.status == 304


class _Retryable(FetchError):
    """A failure worth another attempt (5xx, connection trouble)."""


@dataclass(slots=True)
class Fetcher:
    """Fetches URLs under a :class:`FetchPolicy`; remembers when each host was last asked."""

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next_allowed: dict[str, float] = field(default_factory=dict)

    def get(
        self,
        url: str,
        *,
        accept: Collection[str] = HTML_TYPES,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """Fetch ``url`` within the policy's deadline; raise FetchError with the reason."""
        deadline = self.clock() + self.policy.timeout
        headers = {
            "User-Agent": self.policy.user_agent,
            "Accept": ", ".join(sorted(accept)) + ", */*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            response, location = self._attempts(current, headers, deadline, accept)
            if location is None:
                assert response is not None
                if response.not_modified and not (etag or last_modified):
                    raise FetchError("HTTP 304 Not Modified, but nothing was asked conditionally")
                return response
            current = urljoin(current, location)
        raise FetchError(f"more than {self.policy.max_redirects} redirects")

    def _attempts(
        self, url: str, headers: dict[str, str], deadline: float, accept: Collection[str]
    ) -> tuple[Response | None, str | None]:
        delay = self.policy.backoff
        for attempt in range(self.policy.retries + 1):
            try:
                return self._once(url, headers, deadline, accept)
            except _Retryable as exc:
                if attempt == self.policy.retries or self.clock() + delay >= deadline:
                    raise FetchError(str(exc)) from None
                log.info("retrying %s in %.1f s: %s", url, delay, exc)
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_for_host(self, host: str, deadline: float) -> None:
        now = self.clock()
        ready = self._next_allowed.get(host, now)
        if ready > now:
            if ready >= deadline:
                raise FetchError(f"timed out after {self.policy.timeout:g} s")
            self.sleep(ready - now)
        self._next_allowed[host] = max(ready, now) + self.policy.host_delay

    def _once(
        self, url: str, headers: dict[str, str], deadline: float, accept: Collection[str]
    ) -> tuple[Response | None, str | None]:
        from urllib3.connection import HTTPConnection, HTTPSConnection
        from urllib3.exceptions import HTTPError as Urllib3Error

        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"refused: only http and https URLs are fetched, not {scheme or '?'}:")
        host = parts.hostname
        if not host:
            raise FetchError("no host name in the URL")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise FetchError("bad port number in the URL") from None
        self._wait_for_host(host, deadline)
        addresses = self._checked_addresses(host, port)
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise FetchError(f"bad host name {host!r}") from None
        default_port = port == (443 if scheme == "https" else 80)
        host_header = ascii_host if ":" not in ascii_host else f"[{ascii_host}]"
        request_headers = {
            "Host": host_header if default_port else f"{host_header}:{port}",
            **headers,
        }
        target = quote(parts.path or "/", safe=_SAFE_PATH)
        if parts.query:
            target += "?" + quote(parts.query, safe=_SAFE_PATH)
        watchdog: threading.Timer | None = None
        connection: HTTPConnection | None = None
        try:
            for number, address in enumerate(addresses, 1):
                remaining = deadline - self.clock()
                if remaining <= 0:
                    raise FetchError(f"timed out after {self.policy.timeout:g} s")
                timeout = min(self.policy.connect_timeout, remaining)
                if scheme == "https":
                    connection = HTTPSConnection(
                        address, port, timeout=timeout, server_hostname=ascii_host
                    )
                else:
                    connection = HTTPConnection(address, port, timeout=timeout)
                try:
                    connection.connect()
                    break
                except (OSError, Urllib3Error) as exc:
                    connection.close()
                    if number == len(addresses) or _is_tls_error(exc):
                        raise
            assert connection is not None
            remaining = deadline - self.clock()
            connection.sock.settimeout(max(remaining, 0.001))
            connection.timeout = max(remaining, 0.001)
            watchdog = threading.Timer(max(remaining, 0.0), _shutdown, (connection,))
            watchdog.daemon = True
            watchdog.start()
            connection.request("GET", target, headers=request_headers, preload_content=False)
            answer = connection.getresponse()
            return self._read(url, answer, deadline, accept)
        except FetchError:
            raise
        except (OSError, Urllib3Error) as exc:
            if _is_tls_error(exc):
                raise FetchError(f"TLS error: {_describe(exc)}") from None
            if self.clock() >= deadline - 0.001 or isinstance(exc, TimeoutError | socket.timeout):
                raise FetchError(f"timed out after {self.policy.timeout:g} s") from None
            raise _Retryable(f"connection failed: {_describe(exc)}") from None
        except (HTTPException, ValueError) as exc:  # garbled answer, or a URL http refuses
            raise FetchError(f"bad HTTP exchange: {_describe(exc)}") from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
            if connection is not None:
                connection.close()

    def _read(
        self, url: str, answer: object, deadline: float, accept: Collection[str]
    ) -> tuple[Response | None, str | None]:
        from urllib3.response import HTTPResponse

        assert isinstance(answer, HTTPResponse)
        status = answer.status
        if status in _REDIRECTS:
            location = answer.headers.get("Location")
            if not location:
                raise FetchError(f"HTTP {status} redirect without a Location")
            return None, location
        if status in _RETRY_STATUSES:
            raise _Retryable(f"HTTP {status} {answer.reason or ''}".rstrip())
        etag = answer.headers.get("ETag")
        last_modified = answer.headers.get("Last-Modified")
        if status == 304:
            return Response(url, status, b"", "", etag, last_modified), None
        if status != 200:
            raise FetchError(f"HTTP {status} {answer.reason or ''}".rstrip())
        content_type = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type and content_type not in accept:
            wanted = "an HTML page" if set(accept) <= HTML_TYPES else "a feed or sitemap"
            raise FetchError(f"not {wanted} (content type {content_type})")
        limit = self.policy.max_bytes
        declared = answer.headers.get("Content-Length", "")
        if (
            declared.isdigit()
            and int(declared) > limit
            and "Content-Encoding" not in answer.headers
        ):
            raise FetchError(f"response is larger than the {_megabytes(limit)} limit")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = answer.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise FetchError(f"response is larger than the {_megabytes(limit)} limit")
            chunks.append(chunk)
            if self.clock() >= deadline:
                raise FetchError(f"timed out after {self.policy.timeout:g} s")
        if self.clock() >= deadline:
            raise FetchError(f"timed out after {self.policy.timeout:g} s")
        return Response(url, status, b"".join(chunks), content_type, etag, last_modified), None

    def _checked_addresses(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` and return the addresses it may be fetched from, in order."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise _Retryable(f"cannot resolve host {host}: {_describe(exc)}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise FetchError(f"cannot resolve host {host}")
        if not self.policy.allow_private_hosts:
            for address in addresses:
                if not _is_public(address):
                    raise FetchError(
                        f"refused: {host} resolves to the non-public address {address} "
                        "(set NEWSCLI_ALLOW_PRIVATE_HOSTS=1 to allow)"
                    )
        return addresses


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _is_tls_error(exc: BaseException) -> bool:
    """Certificate and handshake failures: not worth a retry."""
    from urllib3.exceptions import SSLError

    return isinstance(exc, ssl.SSLError | SSLError)


def _shutdown(connection: object) -> None:
    """Watchdog: cut the connection at the deadline, whatever read is blocked on it."""
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return text[:1].lower() + text[1:]


def _megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size} bytes"
