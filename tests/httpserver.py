"""A real HTTP server on 127.0.0.1 for the fetch, feed and refresh tests (stdlib only)."""

from __future__ import annotations

import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Page", "TestSite", "article_html", "atom_feed", "rss_feed", "sitemap"]

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Page:
    """A canned answer: status, body, content type, extra headers."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class TestSite:
    """Serves registered paths; counts the requests each path received."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, *, certificate: tuple[str, str] | None = None) -> None:
        self.routes: dict[str, Page | Handler] = {}
        self.hits: Counter[str] = Counter()
        self.user_agents: list[str] = []
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                site.hits[path] += 1
                site.user_agents.append(self.headers.get("User-Agent", ""))
                route = site.routes.get(path)
                if route is None:
                    self._send(Page(b"<html><body>not found</body></html>", status=404))
                elif isinstance(route, Page):
                    etag = route.headers.get("ETag")
                    if etag and self.headers.get("If-None-Match") == etag:
                        self._send(Page(status=304, headers={"ETag": etag}))
                    else:
                        self._send(route)
                else:
                    route(self)

            def _send(self, page: Page) -> None:
                try:
                    self.send_response(page.status)
                    if page.status != 304:
                        self.send_header("Content-Type", page.content_type)
                        self.send_header("Content-Length", str(len(page.body)))
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if page.status != 304:
                        self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._scheme = "http"
        if certificate is not None:  # (cert file, key file): serve https
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return self.base + path

    def add(self, path: str, body: bytes | str, **options: object) -> str:
        """Serve ``body`` at ``path`` (``content_type``, ``status``, ``headers`` options)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Page(data, **options)  # type: ignore[arg-type]
        return self.url(path)

    def start(self) -> TestSite:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    # --- special behaviours -----------------------------------------------------------------

    def add_redirect(self, path: str, target: str, status: int = 302) -> str:
        """Redirect ``path`` to ``target``."""
        self.routes[path] = Page(status=status, headers={"Location": target})
        return self.url(path)

    def add_flaky(self, path: str, body: str, failures: int = 1) -> str:
        """Answer 500 to the first ``failures`` requests, then serve ``body``."""

        def handler(request: BaseHTTPRequestHandler) -> None:
            if self.hits[path] <= failures:
                request._send(Page(b"oops", status=500))  # type: ignore[attr-defined]
            else:
                request._send(Page(body.encode("utf-8")))  # type: ignore[attr-defined]

        self.routes[path] = handler
        return self.url(path)

    def add_slow(self, path: str, body: str, delay: float) -> str:
        """Wait ``delay`` seconds before answering."""

        def handler(request: BaseHTTPRequestHandler) -> None:
            time.sleep(delay)
            request._send(Page(body.encode("utf-8")))  # type: ignore[attr-defined]

        self.routes[path] = handler
        return self.url(path)

    def add_gate(self, path: str, body: str, *, limit: float = 30) -> threading.Event:
        """Answer only once the returned event is set (or after ``limit`` seconds)."""
        gate = threading.Event()

        def handler(request: BaseHTTPRequestHandler) -> None:
            gate.wait(limit)
            request._send(Page(body.encode("utf-8")))  # type: ignore[attr-defined]

        self.routes[path] = handler
        return gate

    def add_drip(self, path: str, seconds: float) -> str:
        """Send headers at once, then one byte of body every 0.1 s for ``seconds``."""

        def handler(request: BaseHTTPRequestHandler) -> None:
            try:
                request.send_response(200)
                request.send_header("Content-Type", "text/html")
                request.end_headers()
                request.wfile.write(b"<html><body><p>")
                request.wfile.flush()
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    request.wfile.write(b"x")
                    request.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass

        self.routes[path] = handler
        return self.url(path)

    def add_raw(self, path: str, data: bytes) -> str:
        """Answer with these bytes, whatever they are, then close."""

        def handler(request: BaseHTTPRequestHandler) -> None:
            request.wfile.write(data)

        self.routes[path] = handler
        return self.url(path)

    def add_huge(self, path: str, size: int) -> str:
        """Stream ``size`` bytes of HTML without a Content-Length."""

        def handler(request: BaseHTTPRequestHandler) -> None:
            try:
                request.send_response(200)
                request.send_header("Content-Type", "text/html")
                request.end_headers()
                chunk = b"<p>" + b"word " * 2000 + b"</p>\n"
                sent = 0
                while sent < size:
                    request.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass

        self.routes[path] = handler
        return self.url(path)


_WORDS = (
    "river harbour council budget school winter market railway festival bridge election "
    "museum drought orchard vaccine stadium library factory treaty glacier"
).split()


def article_html(title: str, topic: str, *, canonical: str | None = None) -> str:
    """A news page with a title, six paragraphs about ``topic`` and boilerplate around them."""
    paragraphs = "".join(
        f"<p>{escape(topic)} report, part {n}: officials said the {_WORDS[n % len(_WORDS)]} "
        f"project in the {escape(topic)} district would be reviewed by the regional "
        f"authorities before the end of the season, according to local residents.</p>"
        for n in range(6)
    )
    link = f"<link rel='canonical' href='{escape(canonical)}'>" if canonical else ""
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{escape(title)}</title>{link}"
        f"<meta property='og:title' content='{escape(title)}'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(title)}</h1>{paragraphs}</article>"
        "<footer>Copyright Test News</footer></body></html>"
    )


def _rfc822(day: int) -> str:
    return format_datetime(datetime(2024, 3, 1, 9, 30, tzinfo=UTC) + timedelta(days=day - 1))


def rss_feed(links: list[str]) -> str:
    """An RSS 2.0 feed of ``links`` (dated 2024-03-01, -02, ...)."""
    items = "".join(
        f"<item><title>Story {n}</title><link>{escape(link)}</link>"
        f"<pubDate>{_rfc822(n + 1)}</pubDate></item>"
        for n, link in enumerate(links)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Test News</title><link>http://example.invalid/</link>{items}</channel></rss>"
    )


def atom_feed(links: list[str]) -> str:
    """An Atom feed of ``links``."""
    entries = "".join(
        f"<entry><title>Story {n}</title><link rel='alternate' href='{escape(link)}'/>"
        f"<id>urn:test:{n}</id><updated>2024-03-{n + 1:02d}T09:30:00Z</updated></entry>"
        for n, link in enumerate(links)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Test News</title><id>urn:test</id>{entries}</feed>"
    )


def sitemap(links: list[str]) -> str:
    """A sitemap of ``links``."""
    urls = "".join(
        f"<url><loc>{escape(link)}</loc><lastmod>2024-03-{n + 1:02d}</lastmod></url>"
        for n, link in enumerate(links)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
    )
