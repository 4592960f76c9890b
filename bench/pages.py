"""Benchmark HTML pages built like real news pages, around a real article.

The devset's 990 real pages (``../shared/devset``) have a median of 94 KB, 720 elements, 119 links
and 23 scripts (11 KB of script); the article is a small part of each. A page here wraps its
article in what such a page carries: metadata and JSON-LD in the head, scripts and styles, a
cookie banner, a header with today's date, a menu of sections, share buttons, a figure with its
caption, an author box, tags, "Related articles", "Popular", "Latest in ..." and "Editor's choice"
lists, a comment section with its "Leave A Reply" form, a newsletter box and a footer of links.
How much of each varies from page to page (seeded by the page's number), so that sizes spread
like the devset's (quartiles 59 and 182 KB). ``python bench/pages.py`` prints the comparison.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Teaser", "news_page"]

SECTIONS = (
    "World", "Business", "Markets", "Politics", "Technology", "Science", "Health", "Sport",
    "Culture", "Opinion", "Travel", "Climate", "Energy", "Education", "Media", "Lifestyle",
)  # fmt: skip
SUBSECTIONS = (
    "Asia", "Europe", "Americas", "Africa", "Middle East", "Economy", "Companies", "Stocks",
    "Commodities", "Currencies", "Elections", "Defence", "Analysis", "Interviews", "Video",
    "Podcasts", "Live", "Explainers", "Data", "Features", "Letters", "Obituaries",
)  # fmt: skip
NAMES = (
    "Anna Berg", "Tom Okafor", "Lena Petrova", "David Chen", "Maria Lopez", "Sam Idris",
    "Julia Novak", "Omar Haddad", "Grace Kim", "Piotr Zielinski", "Nadia Rahimova",
)  # fmt: skip
COMMENTS = (
    "Great reporting, thank you for following this story so closely.",
    "I do not agree with the conclusions here; the figures tell a different story.",
    "Does anyone know when the full report will be published?",
    "This is exactly what people were warning about last year.",
    "Interesting piece. Would like to see more coverage of the regional angle.",
    "The headline is misleading, the article itself is more careful.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Teaser:
    """Another article as the page links to it."""

    title: str
    summary: str


def news_page(
    *,
    number: int,
    title: str,
    paragraphs: Sequence[str],
    date: str | None,
    site: str,
    host: str,
    others: Sequence[Teaser],
) -> str:
    """Return page ``number`` of ``site`` around one article; ``others`` fill its link lists."""
    rng = random.Random(number)
    scale = min(5.0, rng.lognormvariate(0.0, 0.75))  # how much chrome this page carries
    page = _Page(rng, number, site, host, others)
    esc_title = html.escape(title)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en" class="no-js"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc_title} | {site}</title>",
        page.head_meta(esc_title, date),
        page.scripts(round(9 * scale), inline_share=0.7),
        page.state_blob(round(36_000 * scale**1.6)),
        page.style(round(2 * scale)),
        "</head>",
        f'<body class="article-page template-story section-{page.section.lower()}">',
        page.cookie_banner(),
        page.header(round(4 + 3 * scale)),
        '<main id="main-content" class="main"><div class="layout layout--article">',
        page.breadcrumbs(),
        '<article class="story" itemscope itemtype="https://schema.org/NewsArticle">',
        f'<header class="story__header"><h1 class="story__title" itemprop="headline">'
        f"{esc_title}</h1>",
        page.byline(date),
        page.share_buttons(),
        "</header>",
        page.figure(title),
        '<div class="story__body" itemprop="articleBody">',
        page.body(paragraphs),
        "</div>",
        page.tags(round(3 + 3 * scale)),
        page.author_box(),
        "</article>",
        page.teaser_list("related", "Related articles", round(3 + 2 * scale), images=True),
        page.comments(rng.randint(0, round(2 + 3 * scale))),
        page.teaser_list("more", f"More from {site}", round(5 * scale)),
        "</div>",
        '<aside class="sidebar" role="complementary">',
        page.ad_slot(),
        page.teaser_list("popular", "Popular", round(4 + 3 * scale), ordered=True),
        page.teaser_list("latest", f"Latest in {page.section}", round(4 + 3 * scale)),
        page.ad_slot(),
        page.teaser_list("editors-choice", "Editor's choice", round(2 + 2 * scale), images=True),
        page.newsletter(),
        "</aside></main>",
        page.footer(round(3 + 2 * scale)),
        page.scripts(round(8 * scale), inline_share=0.4),
        "</body></html>",
        "",
    ]
    return "\n".join(part for part in parts if part)


class _Page:
    """The blocks of one page, drawn from one seeded random generator."""

    def __init__(
        self, rng: random.Random, number: int, site: str, host: str, others: Sequence[Teaser]
    ) -> None:
        self.rng = rng
        self.number = number
        self.site = html.escape(site)
        self.host = host
        self.others = list(others) or [Teaser("More news", "More news from our newsroom.")]
        self.section = rng.choice(SECTIONS)
        self.author = rng.choice(NAMES)
        self.teasers_used = 0

    # -------------------------------------------------------------------- head and chrome

    def head_meta(self, title: str, date: str | None) -> str:
        url = f"https://{self.host}/{self.section.lower()}/story-{self.number}"
        lines = [
            f'<meta name="description" content="{self._teaser().summary}">',
            f'<meta property="og:site_name" content="{self.site}">',
            f'<meta property="og:title" content="{title}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="og:image" content="https://img.{self.host}/{self.number}/w1200.jpg">',
            '<meta name="twitter:card" content="summary_large_image">',
            f'<meta name="twitter:site" content="@{self.site.replace(" ", "")}">',
            f'<meta name="author" content="{self.author}">',
            f'<link rel="canonical" href="{url}">',
            f'<link rel="preconnect" href="https://cdn.{self.host}">',
            f'<link rel="stylesheet" href="https://cdn.{self.host}/css/main.{self._hex(8)}.css">',
            f'<link rel="icon" href="https://cdn.{self.host}/favicon.ico">',
        ]
        if date:
            lines.append(f'<meta property="article:published_time" content="{date}">')
        lines.append(f'<meta property="article:section" content="{self.section}">')
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": html.unescape(title),
            "author": {"@type": "Person", "name": self.author},
            "publisher": {"@type": "Organization", "name": html.unescape(self.site)},
        }
        if date:
            data["datePublished"] = date
        ld = json.dumps(data).replace("</", "<\\/")
        lines.append(f'<script type="application/ld+json">{ld}</script>')
        return "\n".join(lines)

    def scripts(self, count: int, *, inline_share: float) -> str:
        out = []
        for k in range(count):
            if self.rng.random() < inline_share:
                out.append(f"<script>{self._javascript(self.rng.randint(300, 3000))}</script>")
            else:
                src = f"https://cdn.{self.host}/js/chunk-{k}.{self._hex(10)}.js"
                out.append(f'<script async src="{src}"></script>')
        return "\n".join(out)

    def state_blob(self, size: int) -> str:
        """The page's data for the site's script framework, as many news sites embed it."""
        items: list[str] = []
        length = 0
        while length < size:
            headline = self._teaser().title.replace('"', "'")
            items.append(
                f'{{"id":"{self._hex(12)}","headline":"{headline}",'
                f'"url":"/news/{self._hex(6)}","section":"{self.rng.choice(SECTIONS)}",'
                f'"image":{{"src":"https://img.{self.host}/{self._hex(10)}.jpg","w":640}}}}'
            )
            length += len(items[-1])
        return (
            '<script id="__APP_STATE__" type="application/json">{"items":['
            + ",".join(items)
            + "]}</script>"
        )

    def style(self, blocks: int) -> str:
        if not blocks:
            return ""
        rules = []
        for k in range(blocks * 25):
            name = f"c-{self.rng.choice(SECTIONS).lower()}-{k}"
            rules.append(
                f".{name}{{margin:{k % 7}px {k % 5}px;color:#{self._hex(6)};"
                f"font-size:{12 + k % 9}px;line-height:1.{k % 9}}}"
            )
        return "<style>" + "".join(rules) + "</style>"

    def cookie_banner(self) -> str:
        return (
            '<div id="cookie-consent" class="consent-banner" role="dialog" aria-live="polite">'
            "<p>We use cookies and similar technologies to personalise content and ads, to "
            "provide social media features and to analyse our traffic. We also share "
            "information about your use of our site with our partners.</p>"
            '<button class="btn btn--primary" data-consent="accept">Accept all</button>'
            '<button class="btn" data-consent="settings">Manage settings</button></div>'
        )

    def header(self, sections: int) -> str:
        day = self.rng.randint(1, 28)
        today = f"{self.rng.choice(WEEKDAYS)}, {day} {self.rng.choice(MONTHS)} 2026"
        menu = []
        for section in self.rng.sample(SECTIONS, min(sections, len(SECTIONS))):
            slug = section.lower()
            subs = self.rng.sample(SUBSECTIONS, self.rng.randint(2, 6))
            links = "".join(
                f'<li class="menu__item menu__item--sub"><a class="menu__link" '
                f'href="/{slug}/{sub.lower().replace(" ", "-")}" '
                f'data-track="nav|{slug}|{sub.lower()}">{sub}</a></li>'
                for sub in subs
            )
            menu.append(
                f'<li class="menu__item menu__item--has-children"><a class="menu__link" '
                f'href="/{slug}" data-track="nav|{slug}">{section}</a>'
                f'<ul class="menu__submenu">{links}</ul></li>'
            )
        return (
            '<header class="site-header"><div class="topbar">'
            f'<span class="topbar__date">{today}</span>'
            '<a class="topbar__link" href="/subscribe">Subscribe</a>'
            '<a class="topbar__link" href="/login">Sign in</a></div>'
            f'<a class="site-header__logo" href="/" aria-label="{self.site}">'
            f"{self._svg()}<span>{self.site}</span></a>"
            '<nav class="menu" aria-label="Sections"><ul class="menu__list">'
            + "".join(menu)
            + '</ul></nav><form class="search" action="/search" role="search">'
            '<input type="search" name="q" placeholder="Search" aria-label="Search">'
            '<button type="submit">Search</button></form></header>'
        )

    def breadcrumbs(self) -> str:
        return (
            '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>'
            '<li><a href="/">Home</a></li>'
            f'<li><a href="/{self.section.lower()}">{self.section}</a></li></ol></nav>'
        )

    def byline(self, date: str | None) -> str:
        slug = self.author.lower().replace(" ", "-")
        stamp = (
            f'<time class="byline__date" datetime="{date}" itemprop="datePublished">'
            f"{date[:10]}</time>"
            if date
            else ""
        )
        return (
            '<div class="byline"><span class="byline__by">By</span> '
            f'<a class="byline__author" rel="author" href="/authors/{slug}" itemprop="author">'
            f"{self.author}</a>{stamp}"
            f'<span class="byline__read">{self.rng.randint(2, 9)} min read</span></div>'
        )

    def share_buttons(self) -> str:
        networks = ("facebook", "x", "linkedin", "whatsapp", "telegram", "email")
        return (
            '<ul class="share">'
            + "".join(
                f'<li class="share__item"><a class="share__link share__link--{n}" '
                f'href="https://share.example/{n}?u=story-{self.number}" rel="noopener" '
                f'aria-label="Share on {n}">{self._svg()}</a></li>'
                for n in networks
            )
            + "</ul>"
        )

    def figure(self, title: str) -> str:
        credit = f"Photo: {self.rng.choice(NAMES)} / {self.site}"
        return (
            '<figure class="story__figure"><picture>'
            f'<source srcset="https://img.{self.host}/{self.number}/w800.webp 800w, '
            f'https://img.{self.host}/{self.number}/w1600.webp 1600w" type="image/webp">'
            f'<img src="https://img.{self.host}/{self.number}/w800.jpg" alt="" '
            'loading="lazy" width="800" height="450"></picture>'
            f'<figcaption class="story__caption">{html.escape(title[:80])}. {credit}'
            "</figcaption></figure>"
        )

    def body(self, paragraphs: Sequence[str]) -> str:
        out = [f"<p>{html.escape(p)}</p>" for p in paragraphs]
        if len(out) > 3:  # a "read more" box inside the article, as many sites add
            teaser = self._teaser()
            out.insert(
                2,
                '<div class="inline-related"><span>Read more:</span> '
                f'<a href="/news/r{self.number}-inline">{html.escape(teaser.title)}</a></div>',
            )
        return "\n".join(out)

    def tags(self, count: int) -> str:
        picked = self.rng.sample(SUBSECTIONS, min(count, len(SUBSECTIONS)))
        return (
            '<ul class="tags">'
            + "".join(
                f'<li><a class="tag" href="/tags/{t.lower().replace(" ", "-")}">{t}</a></li>'
                for t in picked
            )
            + "</ul>"
        )

    def author_box(self) -> str:
        return (
            '<section class="author-box"><h2 class="author-box__name">About '
            f"{self.author}</h2><p>{self.author} covers {self.section.lower()} for "
            f"{self.site}. Before joining in {self.rng.randint(2005, 2022)}, they reported "
            "from several regional bureaus.</p>"
            f'<a href="/authors/{self.author.lower().replace(" ", "-")}">More by this author'
            "</a></section>"
        )

    # ---------------------------------------------------------------------- link lists

    def teaser_list(
        self, kind: str, heading: str, count: int, *, images: bool = False, ordered: bool = False
    ) -> str:
        items = []
        for k in range(count):
            teaser = self._teaser()
            href = f"/news/{kind}-{self.number}-{k}"
            image = (
                f'<a class="teaser__media" href="{href}" tabindex="-1"><img '
                f'src="https://img.{self.host}/t/{self.number}-{k}.jpg" alt="" '
                'loading="lazy" width="320" height="180"></a>'
                if images
                else ""
            )
            summary = (
                f'<p class="teaser__summary">{html.escape(teaser.summary)}</p>' if images else ""
            )
            meta = (
                f'<div class="teaser__meta"><span class="teaser__section">{self.section}</span>'
                f'<span class="teaser__time">{self.rng.randint(1, 23)}h ago</span></div>'
            )
            items.append(
                f'<li class="teaser"><div class="teaser__inner">{image}<div class="teaser__body">'
                f'<h3 class="teaser__title"><a href="{href}">{html.escape(teaser.title)}</a>'
                f"</h3>{summary}{meta}</div></div></li>"
            )
        tag = "ol" if ordered else "ul"
        return (
            f'<section class="rail rail--{kind}"><h2 class="rail__title">{html.escape(heading)}'
            f'</h2><{tag} class="rail__list">{"".join(items)}</{tag}></section>'
        )

    def comments(self, count: int) -> str:
        items = []
        for k in range(count):
            items.append(
                f'<li class="comment" id="comment-{self.number}-{k}"><div class="comment__meta">'
                f'<span class="comment__author">{self.rng.choice(NAMES)}</span> '
                f'<time class="comment__date">{self.rng.randint(1, 28)} '
                f"{self.rng.choice(MONTHS)} 2026</time></div>"
                f'<p class="comment__text">{self.rng.choice(COMMENTS)}</p>'
                '<a class="comment__reply" href="#respond">Reply</a></li>'
            )
        return (
            '<section id="comments" class="comments-area">'
            f'<h2 class="comments-title">{count} comments</h2>'
            f'<ol class="comment-list">{"".join(items)}</ol>'
            '<div id="respond" class="comment-respond"><h3>Leave A Reply</h3>'
            '<form class="comment-form" action="/comments" method="post">'
            "<p>Your email address will not be published.</p>"
            '<textarea name="comment" rows="6"></textarea>'
            '<input name="author" placeholder="Name"><input name="email" placeholder="Email">'
            '<button type="submit">Post comment</button></form></div></section>'
        )

    def ad_slot(self) -> str:
        slot = self._hex(8)
        return (
            f'<div class="ad ad--rail" id="ad-{slot}" data-slot="/{self.number % 97}/{slot}" '
            'data-sizes="300x250,300x600"><span class="ad__label">Advertisement</span>'
            f"<script>{self._javascript(200)}</script></div>"
        )

    def newsletter(self) -> str:
        return (
            '<section class="newsletter"><h2>The Morning Briefing</h2><p>Sign up for our '
            "daily briefing. Get the top stories in your inbox every morning.</p>"
            '<form action="/newsletter"><input type="email" name="email" placeholder="Email">'
            '<button type="submit">Sign up</button></form></section>'
        )

    def footer(self, columns: int) -> str:
        cols = []
        for section in self.rng.sample(SECTIONS, min(columns, len(SECTIONS))):
            links = "".join(
                f'<li><a href="/{section.lower()}/{sub.lower().replace(" ", "-")}">{sub}</a></li>'
                for sub in self.rng.sample(SUBSECTIONS, self.rng.randint(4, 8))
            )
            cols.append(f'<div class="footer__col"><h3>{section}</h3><ul>{links}</ul></div>')
        legal = "".join(
            f'<li><a href="/{slug}">{label}</a></li>'
            for slug, label in (
                ("about", "About us"), ("contact", "Contact"), ("privacy", "Privacy policy"),
                ("cookies", "Cookie settings"), ("terms", "Terms of use"),
                ("advertise", "Advertise"), ("careers", "Careers"),
            )
        )  # fmt: skip
        return (
            '<footer class="site-footer"><div class="footer__cols">'
            + "".join(cols)
            + f'</div><ul class="footer__legal">{legal}</ul>'
            f"<p>&copy; 2026 {self.site}. All rights reserved.</p></footer>"
        )

    # -------------------------------------------------------------------------- helpers

    def _teaser(self) -> Teaser:
        teaser = self.others[(self.number + self.teasers_used) % len(self.others)]
        self.teasers_used += 1
        return teaser

    def _hex(self, digits: int) -> str:
        return self.rng.randbytes((digits + 1) // 2).hex()[:digits]

    def _svg(self) -> str:
        return (
            '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M'
            + " ".join(f"{self.rng.randint(0, 24)} {self.rng.randint(0, 24)}" for _ in range(8))
            + 'z"/></svg>'
        )

    def _javascript(self, size: int) -> str:
        out = ["window.dataLayer=window.dataLayer||[];"]
        length = len(out[0])
        while length < size:
            key = self._hex(6)
            out.append(
                f'dataLayer.push({{"event":"e_{key}","section":"{self.section.lower()}",'
                f'"id":{self.rng.randint(1, 10**9)},"ab":"{self._hex(4)}"}});'
            )
            length += len(out[-1])
        return "".join(out)


if __name__ == "__main__":  # compare generated pages with the devset's real ones
    import gzip
    import statistics
    import sys
    from pathlib import Path

    import lxml.html

    def _shape(data: bytes | str) -> tuple[int, int, int, int]:
        tree = lxml.html.fromstring(data)
        return (
            len(data),
            sum(1 for _ in tree.iter()),
            len(tree.findall(".//a")),
            len(tree.findall(".//script")),
        )

    def _show(name: str, shapes: list[tuple[int, int, int, int]]) -> None:
        columns = list(zip(*shapes, strict=True))
        labels = ("bytes", "elements", "links", "scripts")
        print(
            f"{name:8}",
            "; ".join(
                f"{label} {statistics.median(c):,.0f} (quartiles {sorted(c)[len(c) // 4]:,}, "
                f"{sorted(c)[3 * len(c) // 4]:,})"
                for label, c in zip(labels, columns, strict=True)
            ),
        )

    devset = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/devset") / "html"
    _show("devset", [_shape(gzip.decompress(p.read_bytes())) for p in sorted(devset.glob("*.gz"))])
    others = [Teaser(f"Story {k} about markets", f"Summary {k} of the story.") for k in range(9)]
    paragraphs = ["A paragraph of the article, long enough to look like news prose. " * 4] * 6
    _show(
        "bench",
        [
            _shape(
                news_page(
                    number=n, title="A title", paragraphs=paragraphs, date="1987-03-02",
                    site="Reuters", host="www.reuters.com", others=others,
                )
            )
            for n in range(500)
        ],
    )  # fmt: skip
