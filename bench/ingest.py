"""Ingestion benchmark: `rivalry seed` over a generated corpus against bare spaCy on the same texts.

    python bench/ingest.py [--articles 2000] [--small 200] [--rounds 3]

Each round runs the three measurements below one after the other, each in a fresh process (so
they share the machine's state of the moment); rates are medians over the rounds, and each ratio
is the median of the ratios measured within one round, with its min and max. Prints one JSON
object last:
- articles/s of the full `rivalry seed` (read, clean, NER, rules, load into PostgreSQL, one
  transaction per article) and its ratio to bare `nlp.pipe` with the same components over the
  same texts;
- articles/s of the extraction alone (everything but the database) and its ratio to bare spaCy;
- the seed process's peak memory at --small and at --articles articles.
Uses DATABASE_URL when set (a scratch database is created and dropped on that server), else the
embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import generate  # noqa: E402
from service.ingest.nlp import NLP_COMPONENTS  # noqa: E402

SEED_CHILD = """
import asyncio, json, resource, sys, time
from pathlib import Path
from service.ingest.pipeline import run_seed
from service import migrate
url, corpus = sys.argv[1], Path(sys.argv[2])
migrate.upgrade(url)
started = time.perf_counter()
report = asyncio.run(run_seed(url, corpus, reset=True, interactive=False))
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "documents": len(report.new) + len(report.updated),
                  "failed": len(report.failed), "peak_rss_mb": peak, "worker_peak_rss_mb": worker}))
"""

EXTRACT_CHILD = """
import json, resource, sys, time
from pathlib import Path
from service.ingest.extract import extract_batch
from service.ingest.nlp import load_nlp
from service.ingest.source import article_paths, read_source
sources = [read_source(p) for p in article_paths(Path(sys.argv[1]))]
load_nlp()
extract_batch(sources[:8])  # warm up
started = time.perf_counter()
for i in range(0, len(sources), 32):
    extract_batch(sources[i : i + 32])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "documents": len(sources),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BARE_CHILD = """
import json, resource, sys, time
from pathlib import Path
from service.ingest.nlp import load_nlp
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
nlp = load_nlp()
list(nlp.pipe(texts[:8]))  # warm up
started = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=64):
    pass
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "documents": len(texts),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "RIVALRY_LOG_LEVEL": "WARNING"},
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _database() -> tuple[str, object]:
    from tests.database import fresh_database, server_url

    server = server_url()
    url, _origin = server.__enter__()
    scratch = fresh_database(url, "bench")
    return scratch.__enter__(), (scratch, server)


def _spread(values: list[float], digits: int) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url, handles = _database()
    rounds: list[dict[str, float]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            small = generate(args.small, Path(tmp) / "small")
            large = generate(args.articles, Path(tmp) / "large")
            # The small corpus first: the seed process's peak memory there is the baseline.
            seed_small = _child(SEED_CHILD, url, str(small))
            for _ in range(args.rounds):
                seed = _child(SEED_CHILD, url, str(large))
                bare = _child(BARE_CHILD, str(large))
                extract = _child(EXTRACT_CHILD, str(large))
                rounds.append(
                    {
                        "pipeline": seed["documents"] / seed["seconds"],
                        "bare": bare["documents"] / bare["seconds"],
                        "extract": extract["documents"] / extract["seconds"],
                        "peak_rss_mb": seed["peak_rss_mb"],
                        "failed": seed["failed"],
                    }
                )
                print(json.dumps({"round": len(rounds), **{k: round(v, 1) for k, v in rounds[-1].items()}}))
    finally:
        scratch, server = handles
        scratch.__exit__(None, None, None)  # type: ignore[attr-defined]
        server.__exit__(None, None, None)  # type: ignore[attr-defined]
    peak_large = max(r["peak_rss_mb"] for r in rounds)
    result = {
        "articles": args.articles,
        "rounds": args.rounds,
        "pipeline_articles_per_s": round(statistics.median(r["pipeline"] for r in rounds), 1),
        "bare_spacy_articles_per_s": round(statistics.median(r["bare"] for r in rounds), 1),
        "ratio_to_bare_spacy": _spread([r["pipeline"] / r["bare"] for r in rounds], 3),
        "extraction_articles_per_s": round(statistics.median(r["extract"] for r in rounds), 1),
        "extraction_ratio_to_bare_spacy": _spread([r["extract"] / r["bare"] for r in rounds], 3),
        "spacy_components": list(NLP_COMPONENTS),
        "peak_rss_mb": {str(args.small): round(seed_small["peak_rss_mb"], 1), str(args.articles): round(peak_large, 1)},
        "peak_rss_growth": round(peak_large / seed_small["peak_rss_mb"] - 1, 3),
        "failed": int(max(r["failed"] for r in rounds)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
