"""newscli benchmark: ingest, search and rescan figures at 10,000 and 100,000 articles.

Builds (or reuses) corpora of real news under bench/data/ (half plain text, half HTML pages built
like real news pages, see bench/pages.py; made from ../shared/bench/news-20k.jsonl.gz), then
prints, as medians over repeated runs, the figures the README quotes. Every speed is also given
as a ratio to a baseline measured in the same run (raw Whoosh, single-core trafilatura, ripgrep),
because the machine may be busy. Run it with ``make bench`` (``make bench ARGS=--quick`` for a
two-minute run).

    python bench/bench.py --quick
    python bench/bench.py --sizes 10000,100000 --repeats 3
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import Teaser, news_page  # noqa: E402  (beside this script, however it is run)

DATA = REPO / "bench" / "data"


def _shared() -> Path:
    """``$NEWSCLI_SHARED``, else the nearest ``shared/`` folder beside the repo or above it."""
    if os.environ.get("NEWSCLI_SHARED"):
        return Path(os.environ["NEWSCLI_SHARED"])
    for parent in REPO.parents:
        if (parent / "shared" / "bench").is_dir():
            return parent / "shared"
    return REPO.parent / "shared"


SOURCE_FILE = _shared() / "bench" / "news-20k.jsonl.gz"
NEWSCLI = [str(Path(sys.executable).with_name("newscli"))]
# As users run it: with bytecode caching (some sandboxes set PYTHONDONTWRITEBYTECODE).
CLI_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
BUILDER_VERSION = 4
FILES_PER_FOLDER = 1000

SITES = {"reuters": ("Reuters", "www.reuters.com"), "bbc": ("BBC News", "www.bbc.co.uk")}

RAW_WHOOSH_LIMIT_MB = 256
"""The raw-Whoosh baseline's writer memory, as in the issue's reference figures (newscli's own
writer uses less, to bound its memory)."""
RARE_COUNT = 10
COMMON_QUERIES = ["said", "government", "market", "year", "company", "prices", "shares", "bank"]
PHRASE_QUERIES = ['"oil prices"', '"interest rates"', '"prime minister"', '"stock exchange"']
FIELD_QUERIES = ["title:oil", "title:election", "title:bank", "title:trade"]
DATE_QUERIES = [
    "oil date:[1987-03-01 to 1987-03-31]",
    "bank date:[1987-04-01 to 1987-04-30]",
    "trade date:[1987-03-15 to 1987-04-15]",
    "prices date:1987-03",
]
TARGETS = {
    "text_vs_raw_whoosh": ">= 0.80",
    "html_vs_trafilatura": ">= 1.7",
    "cold_search_ms": "<= 250 (at 100k)",
    "cold_search_vs_rg": ">= 2 (at 100k)",
    "inproc_p50_ms": "<= 40 (at 100k)",
    "inproc_p95_ms": "<= 200 (at 100k)",
    "date_range_p50_ms": "<= 100 (at 100k)",
    "no_change_s": "<= 3 (at 100k)",
    "one_changed_s": "<= 3 (at 100k)",
    "peak_rss_mb": "<= 500 (at 100k)",
    "index_vs_text": "<= 2.5",
}


# ---------------------------------------------------------------------------- corpus building


@dataclass(frozen=True, slots=True)
class Item:
    """One benchmark article."""

    source: str
    title: str
    date: str | None
    paragraphs: tuple[str, ...]


def _load_articles() -> list[Item]:
    if not SOURCE_FILE.is_file():
        sys.exit(f"bench: {SOURCE_FILE} not found; set NEWSCLI_SHARED to the shared folder")
    items = []
    with gzip.open(SOURCE_FILE, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            paragraphs = tuple(p for p in row["paragraphs"] if p.strip())
            # Tables of figures ("Shr 45 cts vs 58 cts") are no article: cleaning drops them.
            if row["title"] and sum(len(p) for p in paragraphs if len(p) >= 80) >= 200:
                items.append(Item(row["source"], row["title"], row["date"], paragraphs))
    return items


def _articles(count: int) -> Iterator[Item]:
    """The real articles first, then recombinations of same-source paragraphs, all unique."""
    real = _load_articles()
    by_source: dict[str, list[Item]] = {}
    for item in real:
        by_source.setdefault(item.source, []).append(item)
    seen: set[str] = set()
    for number in range(count):
        if number < len(real):
            item = real[number]
        else:
            rng = random.Random(number)
            base = real[number % len(real)]
            pool = by_source[base.source]
            while True:
                donors = [rng.choice(pool) for _ in range(2)]
                paragraphs = list(base.paragraphs[:2])
                for donor in donors:
                    paragraphs.extend(donor.paragraphs[: rng.randint(1, 3)])
                item = Item(base.source, base.title, base.date, tuple(paragraphs))
                if _digest(item) not in seen:
                    break
        digest = _digest(item)
        if digest in seen:
            continue
        seen.add(digest)
        yield item


def _digest(item: Item) -> str:
    return hashlib.blake2b("\n".join(item.paragraphs).encode(), digest_size=12).hexdigest()


def _text_file(item: Item) -> str:
    head = [item.title]
    if item.date:
        head.append(item.date[:10])
    return "\n".join(head) + "\n\n" + "\n\n".join(item.paragraphs) + "\n"


def _html_file(item: Item, number: int, others: Sequence[Item]) -> str:
    site, host = SITES.get(item.source, ("News", "news.example"))
    return news_page(
        number=number,
        title=item.title,
        paragraphs=item.paragraphs,
        date=item.date,
        site=site,
        host=host,
        others=[Teaser(o.title, _teaser_line(o.paragraphs[0])) for o in others],
    )


def _teaser_line(paragraph: str, limit: int = 90) -> str:
    """A teaser's line: the paragraph's first words, cut at a word (as sites print them)."""
    if len(paragraph) <= limit:
        return paragraph
    return paragraph[:limit].rsplit(" ", 1)[0] + "\u2026"


def build_corpus(size: int) -> Path:
    """Write ``size`` articles under bench/data/corpus-SIZE/{text,html}/ unless already there."""
    root = DATA / f"corpus-{size}"
    marker = root / "BUILT.json"
    if marker.is_file() and json.loads(marker.read_text()).get("version") == BUILDER_VERSION:
        return root
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    recent: list[Item] = []
    for number, item in enumerate(_articles(size)):
        kind = "text" if number % 2 == 0 else "html"
        folder = root / kind / f"{number // (2 * FILES_PER_FOLDER):04d}"
        if number % (2 * FILES_PER_FOLDER) < 2:
            folder.mkdir(parents=True, exist_ok=True)
        if kind == "text":
            (folder / f"{number:06d}.txt").write_text(_text_file(item), encoding="utf-8")
        else:
            page = _html_file(item, number, recent)
            (folder / f"{number:06d}.html").write_text(page, encoding="utf-8")
        recent.append(item)
        del recent[:-40]
    marker.write_text(json.dumps({"version": BUILDER_VERSION, "size": size}))
    print(f"  built {root} in {time.perf_counter() - started:.0f} s", flush=True)
    return root


# ------------------------------------------------------------------------------ measuring


def _tree_memory_kb(root_pid: int) -> int:
    """Sum the proportional set size (PSS) of ``root_pid`` and its descendants, from /proc.

    PSS splits pages shared between processes (the forked workers share most of theirs) among
    them, so the sum is the memory the process tree really uses; VmRSS would count them twice.
    """
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    total = 0
    for pid in parents:
        walk = pid
        while walk and walk != root_pid:
            walk = parents.get(walk, 0)
        if walk != root_pid:
            continue
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
                break
    return total


@dataclass(slots=True)
class RunResult:
    """Wall time, peak RSS of the process tree, and the command's stderr."""

    seconds: float
    peak_rss_mb: float
    stderr: str
    returncode: int
    busy_cpu_seconds: float | None = None
    """CPU time the whole machine spent meanwhile (Linux ``/proc/stat``; None elsewhere)."""


def machine_busy_seconds() -> float | None:
    """CPU seconds the machine has been busy since boot, all CPUs together (None off Linux).

    Counts every process (the ingest's workers and fork server too, which ``getrusage`` of
    its children misses) and nothing the hypervisor took (steal) or idle time.
    """
    try:
        with open("/proc/stat", encoding="ascii") as handle:  # noqa: PTH123
            fields = [int(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def run_cli(args: Sequence[str], *, sample_rss: bool = False) -> RunResult:
    """Run ``newscli ARGS`` as a cold process; optionally sample its tree's memory."""
    busy_before = machine_busy_seconds()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*NEWSCLI, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=CLI_ENV,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_memory_kb(proc.pid))
            stop.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True) if sample_rss else None
    if sampler:
        sampler.start()
    _out, err = proc.communicate()
    seconds = time.perf_counter() - started
    busy_after = machine_busy_seconds()
    stop.set()
    if sampler:
        sampler.join()
    busy = None if busy_before is None or busy_after is None else busy_after - busy_before
    return RunResult(seconds, peak / 1024, err, proc.returncode, busy)


def files_of(folder: Path, suffix: str) -> list[Path]:
    return sorted(folder.rglob(f"*{suffix}"))


def megabytes(paths: Sequence[Path]) -> float:
    return sum(p.stat().st_size for p in paths) / 1e6


def raw_whoosh_rate(paths: Sequence[Path], workdir: Path) -> float:
    """Index the text files' articles with newscli's schema: one writer, one commit, no checks.

    Documents carry the same fields an ingested text article has (title, body, path, dates,
    hashes, ...), so the ratio to it is newscli's own overhead.
    """
    from whoosh import index as whoosh_index

    from newscli.ids import article_id, content_hash, file_key
    from newscli.models import Article
    from newscli.store import _to_document, build_schema

    documents = []
    for path in paths:
        data = path.read_text(encoding="utf-8")
        title, _sep, rest = data.partition("\n")
        day, _sep, body = rest.partition("\n")
        article = Article(
            id=article_id(file_key(path)),
            title=title,
            body=body.strip(),
            path=str(path),
            language="en",
            date=day if day[:2] in ("19", "20") else None,
            date_source="text-header",
            content_hash=content_hash(title, body),
            source_hash=content_hash(data),
            ingested="2026-01-01T00:00:00Z",
        )
        documents.append(_to_document(article))
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    ix = whoosh_index.create_in(str(workdir), build_schema())
    started = time.perf_counter()
    writer = ix.writer(limitmb=RAW_WHOOSH_LIMIT_MB, procs=1)
    for document in documents:
        writer.update_document(**document)
    writer.commit()
    seconds = time.perf_counter() - started
    shutil.rmtree(workdir, ignore_errors=True)
    return len(documents) / seconds


def _extraction_seconds(
    paths: Sequence[Path],
    warm: Sequence[Path],
    ready: Callable[[], object] = lambda: None,
    *,
    stock: bool = False,
) -> float:
    """Seconds trafilatura as newscli calls it takes over ``paths``, in steady state.

    As in a worker, what trafilatura builds on first use is built first (the fork server's
    warm-up, then the ``warm`` pages); callers give each timing pages of its own, since
    trafilatura and htmldate cache results by the strings they have seen. ``ready`` is called
    just before the clock starts. With ``stock``, plain ``trafilatura.extract`` instead, warmed
    alike (justext's stoplists, the ``warm`` pages), for a process with nothing of newscli's.
    """
    extract: Callable[[bytes], object]
    if stock:
        import trafilatura
        from trafilatura import external

        if getattr(external, "JT_STOPLIST", None) is None:
            external.jt_stoplist_init()
        extract = trafilatura.extract
    else:
        from newscli.extract import extract_html
        from newscli.warmup import warm_up

        warm_up(html=True)
        extract = extract_html
    for path in warm:
        extract(path.read_bytes())
    pages = [path.read_bytes() for path in paths]
    ready()
    started = time.perf_counter()
    for page in pages:
        extract(page)
    seconds = time.perf_counter() - started
    if stock and "newscli.extract" in sys.modules:
        raise RuntimeError("stock trafilatura was timed with newscli's extraction loaded")
    return seconds


def trafilatura_rate(paths: Sequence[Path], warm: Sequence[Path]) -> float:
    """Pages per second of trafilatura's extraction (as newscli calls it), on this one core."""
    return len(paths) / _extraction_seconds(paths, warm)


def trafilatura_extract_rate(paths: Sequence[Path], warm: Sequence[Path]) -> float:
    """Pages per second of stock ``trafilatura.extract(page)`` (its defaults), on this one core.

    The yardstick the issue quotes (~43 pages/s). It looks for no metadata, where newscli's
    call finds title, author, date and site name, but it extracts reader comments, which
    newscli's call leaves out. Timed in a new process that never runs newscli's extraction, so
    that trafilatura's parser keeps lxml.html's own element class lookup
    (``newscli.extract.use_c_element_lookup`` replaces it wherever newscli extracts).
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        seconds = pool.apply(_extraction_seconds, (list(paths), list(warm)), {"stock": True})
    return len(paths) / seconds


def _timed_extraction(paths: Sequence[Path], warm: Sequence[Path], start: Any, out: Any) -> None:
    """In a child process: extract ``paths`` once ``start`` lets it, report the seconds."""
    out.put(_extraction_seconds(paths, warm, start.wait))


def two_process_scaling(paths: Sequence[Path], warm: Sequence[Path], rounds: int = 3) -> float:
    """How many times one process's trafilatura work two processes get done at once, here.

    The ceiling for HTML ingest on this machine: 2.0 on two idle cores; less where the two
    virtual CPUs share a physical core, its caches or memory bandwidth with each other or with
    other tenants. Each process extracts the same pages from a fresh start; the median of
    ``rounds`` pairs of measurements.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")

    def timed(count: int) -> float:
        start, out = context.Barrier(count), context.Queue()
        workers = [
            context.Process(target=_timed_extraction, args=(paths, warm, start, out))
            for _ in range(count)
        ]
        for worker in workers:
            worker.start()
        seconds = max(out.get() for _ in workers)
        for worker in workers:
            worker.join()
        return seconds

    # One then two, one then two, ...: the machine's speed drifts within minutes.
    return median([2 * timed(1) / timed(2) for _ in range(rounds)])


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def rare_terms(index: Path, count: int) -> list[str]:
    """Body terms found in 2-5 documents, spread over the lexicon (deterministic)."""
    from newscli.store import Store

    store = Store.open(index)
    found = []
    with store.searcher() as searcher:
        reader = searcher.reader()
        for term in reader.lexicon("body"):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            if len(text) >= 6 and text.isalpha() and 2 <= reader.doc_frequency("body", term) <= 5:
                found.append(text)
    step = max(1, len(found) // count)
    return found[::step][:count]


def time_inprocess(index: Path, queries: Sequence[str], rounds: int) -> list[float]:
    """Milliseconds per Corpus.search (top 10 with highlighted snippets), warm process."""
    from newscli import Corpus

    corpus = Corpus.open(index)
    corpus.search(queries[0])
    times = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            corpus.search(query, limit=10)
            times.append((time.perf_counter() - started) * 1000)
    return times


def time_cold(index: Path, queries: Sequence[str], rounds: int) -> list[float]:
    """Milliseconds per ``newscli search`` process (plain output)."""
    run_cli(["--index", str(index), "search", queries[0], "--format", "plain"])  # writes .pyc
    times = []
    for _ in range(rounds):
        for query in queries:
            result = run_cli(["--index", str(index), "search", query, "--format", "plain"])
            times.append(result.seconds * 1000)
    return times


def find_rg() -> str | None:
    """Return ripgrep: the one installed beside this Python (the dev extra's), else on PATH."""
    beside = Path(sys.executable).parent / "rg"
    return str(beside) if beside.is_file() else shutil.which("rg")


def time_rg(folder: Path, terms: Sequence[str], rounds: int) -> list[float] | None:
    rg = find_rg()
    if rg is None:
        return None
    times = []
    for _ in range(rounds):
        for term in terms:
            started = time.perf_counter()
            subprocess.run([rg, "-l", "-i", "-w", term, str(folder)], stdout=subprocess.DEVNULL)
            times.append((time.perf_counter() - started) * 1000)
    return times


# ------------------------------------------------------------------------------ the run


@dataclass(slots=True)
class Figures:
    size: int
    values: dict[str, Any] = field(default_factory=dict)

    def put(self, name: str, value: Any, note: str = "") -> None:
        self.values[name] = value
        shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
        print(f"  {name:<28} {shown:>12}  {note}", flush=True)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def ingest(index: Path, folder: Path, jobs: int | None) -> RunResult:
    args = ["--index", str(index), "ingest", str(folder)]
    if jobs:
        args[3:3] = ["--jobs", str(jobs)]
    result = run_cli(args, sample_rss=True)
    summary = result.stderr.strip().splitlines()[0] if result.stderr.strip() else ""
    print(
        f"  . ingest {folder.name}: {result.seconds:.1f} s, {result.peak_rss_mb:.0f} MB; "
        f"{summary} (exit {result.returncode})",
        flush=True,
    )
    return result


def bench_size(
    size: int,
    *,
    repeats: int,
    html_repeats: int,
    jobs: int | None,
    quick: bool,
    text_only: bool = False,
) -> Figures:
    print(f"\n== {size:,} articles ==", flush=True)
    root = build_corpus(size)
    texts = files_of(root / "text", ".txt")
    pages = files_of(root / "html", ".html")
    figures = Figures(size)
    work = DATA / f"work-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    sample_size = 100 if quick else 400
    warm_pages = pages[-30:]
    raw_rates, trafilatura_rates, text_runs, html_runs = [], [], [], []
    extract_rates: list[float] = []
    scalings: list[float] = []
    index = work / "index"
    loops = max(repeats, html_repeats)
    # Baselines beside the ingests they are compared with, so that a busy spell of the
    # machine (its speed has changed 2x within minutes) hits both: trafilatura's rate is the
    # geometric mean of one sample just before the HTML ingest and another just after it.
    for attempt in range(loops):  # the last run leaves the full index for the search figures
        if attempt < repeats:
            raw_rates.append(raw_whoosh_rate(texts, work / "raw"))
            print(f"  . raw Whoosh {raw_rates[-1]:.0f} docs/s", flush=True)
        shutil.rmtree(index, ignore_errors=True)
        text_runs.append(ingest(index, root / "text", jobs))
        if not text_only and attempt >= loops - html_repeats:
            # Four interleaved samples of one stretch of the corpus (its pages differ along
            # it: real articles first, recombined ones after), so that the two yardsticks
            # extract alike pages; each sample is timed once, as caches remember pages.
            stretch = pages[4 * attempt * sample_size :][: 4 * sample_size]
            first, plain_first, second, plain_second = (stretch[i::4] for i in range(4))
            before = trafilatura_rate(first, warm_pages)
            plain = trafilatura_extract_rate(plain_first, warm_pages)
            html_runs.append(ingest(index, root / "html", jobs))
            after = trafilatura_rate(second, warm_pages)
            plain = (plain * trafilatura_extract_rate(plain_second, warm_pages)) ** 0.5
            trafilatura_rates.append((before * after) ** 0.5)
            extract_rates.append(plain)
            scalings.append(two_process_scaling(second[: sample_size // 4], warm_pages))
            print(
                f"  . trafilatura {before:.1f} pages/s before, {after:.1f} after "
                f"(plain extract {extract_rates[-1]:.1f}); "
                f"two processes x{scalings[-1]:.2f}",
                flush=True,
            )

    text_mb, html_mb = megabytes(texts), megabytes(pages)
    text_rate = len(texts) / median([r.seconds for r in text_runs])
    figures.put("text_files", len(texts), f"{text_mb:.1f} MB")
    figures.put("html_files", len(pages), f"{html_mb:.1f} MB")
    figures.put("raw_whoosh_docs_s", median(raw_rates), f"runs: {_fmt(raw_rates)}")
    figures.put(
        "text_ingest_docs_s",
        text_rate,
        f"runs: {_fmt([len(texts) / r.seconds for r in text_runs])}",
    )
    figures.put("text_ingest_mb_s", text_mb / median([r.seconds for r in text_runs]))
    figures.put("text_vs_raw_whoosh", text_rate / median(raw_rates), "target >= 0.80")
    if text_only:
        figures.put("peak_rss_mb", max(r.peak_rss_mb for r in text_runs), "text ingest only")
        shutil.rmtree(work / "raw", ignore_errors=True)
        return figures
    html_rate = len(pages) / median([r.seconds for r in html_runs])
    figures.put(
        "trafilatura_pages_s", median(trafilatura_rates), f"1 core, {sample_size} pages a run"
    )
    figures.put(
        "html_ingest_docs_s",
        html_rate,
        f"runs: {_fmt([len(pages) / r.seconds for r in html_runs])}",
    )
    figures.put("html_ingest_mb_s", html_mb / median([r.seconds for r in html_runs]))
    figures.put("html_vs_trafilatura", html_rate / median(trafilatura_rates), "target >= 1.7")
    figures.put(
        "trafilatura_extract_pages_s",
        median(extract_rates),
        "trafilatura.extract(page) with its defaults, 1 core",
    )
    figures.put(
        "html_vs_trafilatura_extract",
        html_rate / median(extract_rates),
        "the same ingest against plain trafilatura.extract",
    )
    figures.put(
        "two_process_scaling",
        median(scalings),
        f"runs: {', '.join(f'{v:.2f}' for v in scalings)}; "
        "trafilatura in 2 processes at once vs 1 (2.0 = two free cores)",
    )
    figures.put(
        "html_vs_scaling",
        html_rate / median(trafilatura_rates) / median(scalings),
        "HTML ingest's share of what two processes of bare trafilatura reach here",
    )
    put_machine_use(figures, html_runs[-1], len(pages), median(trafilatura_rates))
    figures.put(
        "peak_rss_mb",
        max(r.peak_rss_mb for r in [*text_runs, *html_runs]),
        "PSS of ingest + fork server + workers, sampled every 0.25 s",
    )
    failed = [r.stderr.strip().splitlines()[0] for r in html_runs + text_runs if r.stderr.strip()]
    if failed:
        print(f"  note: ingest reported: {failed[0]}", flush=True)

    measure_index(figures, index, root, texts, repeats=repeats, jobs=jobs, quick=quick)
    shutil.rmtree(work / "raw", ignore_errors=True)
    return figures


def put_machine_use(figures: Figures, run: RunResult, pages: int, single_rate: float) -> None:
    """Split the HTML ratio into how busy the CPUs were and the CPU time spent per page.

    For ``run`` (with one HTML run, the one ``html_vs_trafilatura`` is measured on), that ratio
    = CPUs x ``html_cpus_busy`` / ``html_cpu_vs_trafilatura``: the latter is all the machine's
    CPU time during the ingest (workers, fork server, the indexing process, and what two
    processes lose by slowing each other) per page, against trafilatura's time per page alone
    on one core.
    """
    if run.busy_cpu_seconds is None:
        return
    cpus = os.cpu_count() or 1
    per_page = run.busy_cpu_seconds / pages
    figures.put(
        "html_cpus_busy",
        run.busy_cpu_seconds / (cpus * run.seconds),
        f"share of the {cpus} CPUs' time busy during the HTML ingest (last run)",
    )
    figures.put(
        "html_cpu_ms_per_page",
        per_page * 1000,
        f"machine CPU time per page; trafilatura alone {1000 / single_rate:.1f} ms on one core",
    )
    figures.put("html_cpu_vs_trafilatura", per_page * single_rate)


def measure_index(
    figures: Figures,
    index: Path,
    root: Path,
    texts: Sequence[Path],
    *,
    repeats: int,
    jobs: int | None,
    quick: bool,
) -> None:
    """Index size, search latencies, ripgrep, no-change and one-changed rescans of ``root``."""
    cleaned = cleaned_bytes(index)
    index_size = sum(p.stat().st_size for p in index.iterdir() if p.is_file())
    figures.put("index_mb", index_size / 1e6)
    figures.put("cleaned_text_mb", cleaned / 1e6)
    figures.put("index_vs_text", index_size / cleaned, "target <= 2.5")

    rounds = 2 if quick else 5
    rare = rare_terms(index, RARE_COUNT)
    classes = {
        "rare": rare,
        "common": COMMON_QUERIES,
        "phrase": PHRASE_QUERIES,
        "field": FIELD_QUERIES,
        "date_range": DATE_QUERIES,
    }
    everything: list[float] = []
    for name, queries in classes.items():
        times = time_inprocess(index, queries, rounds)
        everything.extend(times)
        figures.put(
            f"inproc_{name}_p50_ms", percentile(times, 0.5), f"p95 {percentile(times, 0.95):.1f} ms"
        )
    figures.put("inproc_p50_ms", percentile(everything, 0.5), "all classes, top 10 with snippets")
    figures.put("inproc_p95_ms", percentile(everything, 0.95))
    figures.values["date_range_p50_ms"] = figures.values["inproc_date_range_p50_ms"]

    cold_all: list[float] = []
    cold_rounds = 1 if quick else 2
    for name, queries in classes.items():
        times = time_cold(index, queries[:3], cold_rounds)
        cold_all.extend(times)
        figures.put(f"cold_{name}_ms", median(times))
    cold = median(cold_all)
    figures.put("cold_search_ms", cold, "median over all classes, new process each")
    terms = [*rare[:3], *COMMON_QUERIES[:3]]
    rg_times = time_rg(root, terms, cold_rounds)
    if rg_times is None:
        print("  rg (ripgrep) not installed: ripgrep ratio skipped", flush=True)
    else:
        figures.put(
            "rg_ms",
            median(rg_times),
            f"rg -l -i -w, {len(files_of(root, '.txt')) + len(files_of(root, '.html')):,} files",
        )
        figures.put(
            "cold_search_vs_rg", median(rg_times) / cold, "target >= 2 (rg time / search time)"
        )

    no_change = [ingest(index, root, jobs) for _ in range(repeats)]
    figures.put("no_change_s", median([r.seconds for r in no_change]), _summary(no_change[-1]))
    changed_runs = []
    for attempt in range(repeats):
        target = texts[(attempt * 7919) % len(texts)]
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nCorrection {time.time_ns()}: a figure in this story was wrong.\n")
        changed_runs.append(ingest(index, root, jobs))
    figures.put(
        "one_changed_s", median([r.seconds for r in changed_runs]), _summary(changed_runs[-1])
    )


def _summary(result: RunResult) -> str:
    return result.stderr.strip().splitlines()[0] if result.stderr.strip() else ""


def _fmt(values: Sequence[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def cleaned_bytes(index: Path) -> int:
    from newscli.store import Store

    store = Store.open(index)
    total = 0
    with store.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            total += len((fields.get("title") or "").encode()) + len(
                fields.get("body", "").encode()
            )
    return total


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{cpu}, {os.cpu_count()} CPUs{memory}{load}; Python {platform.python_version()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small corpus, < 2 minutes")
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--html-repeats", type=int, default=None, help="HTML ingest runs")
    parser.add_argument("--jobs", type=int, default=None, help="ingest --jobs (default: CPUs)")
    parser.add_argument(
        "--text-only",
        action="store_true",
        help="only raw Whoosh and the text ingest (no HTML, no search or rescan figures)",
    )
    parser.add_argument(
        "--existing-index",
        nargs=2,
        metavar=("INDEX", "FOLDER"),
        help="only the search and rescan figures, on an index already built from FOLDER",
    )
    args = parser.parse_args(argv)
    if args.quick:
        sizes, repeats, html_repeats = [2000], 1, 1
    else:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        repeats = max(1, args.repeats)
        html_repeats = args.html_repeats or repeats
    import importlib.metadata

    from newscli import __version__

    print(f"newscli {__version__} benchmark on {machine()}")
    print(
        f"Whoosh {importlib.metadata.version('whoosh-reloaded')} (whoosh-reloaded); "
        f"jobs: {args.jobs or os.cpu_count()}"
    )
    started = time.perf_counter()
    results = []
    if args.existing_index:
        index, folder = (Path(p) for p in args.existing_index)
        figures = Figures(0)
        print(f"\n== existing index {index} of {folder} ==", flush=True)
        texts = files_of(folder, ".txt")
        measure_index(figures, index, folder, texts, repeats=repeats, jobs=args.jobs, quick=False)
        sizes = []
    for size in sizes:
        figures = bench_size(
            size,
            repeats=repeats,
            html_repeats=1 if size >= 50_000 else html_repeats,
            jobs=args.jobs,
            quick=args.quick,
            text_only=args.text_only,
        )
        results.append({"size": size, **figures.values})
    out = DATA / "results.json"
    out.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    print(f"\nfinished in {time.perf_counter() - started:.0f} s; figures in {out}")
    print("targets: " + "; ".join(f"{k} {v}" for k, v in TARGETS.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
