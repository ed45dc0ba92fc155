"""Hostile shapes of article text through the stages that once took time quadratic in them.

    python bench/hostile.py [--scale 1.0]

Each shape is timed once per stage, in this process, after a warm-up of the language model; the
sizes are those the tests feed the same stages (tests/unit/test_hostile_text.py,
tests/unit/test_clean.py), times ``--scale``. Prints one JSON object: stage → shape → seconds.
A stage that stays linear keeps its time proportional to ``--scale``: run at 1 and at 2 to see it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.ingest.extract import extract_text  # noqa: E402
from service.ingest.money import find_money  # noqa: E402
from service.ingest.money_kinds import classify_money_kind  # noqa: E402
from service.ingest.nlp import load_nlp  # noqa: E402
from service.ingest.sentences import split_sentences  # noqa: E402


def _seconds(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return round(time.perf_counter() - started, 3)


def _classify_all(sentence: str) -> None:
    for m in find_money(sentence):
        classify_money_kind(sentence, m.start, m.end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()

    def n(count: int) -> int:
        return max(1, int(count * args.scale))

    load_nlp()("Préchauffage du modèle.")
    dots = "Musk a levé 5 milliards" + "." * n(20_000) + "\nOpenAI répond."
    out = {
        "sentences": {
            "run of 20k dots": _seconds(lambda: split_sentences(dots, 0, len(dots))),
        },
        "money": {
            "run of 20k dots after an amount": _seconds(
                lambda: find_money("Musk a levé 5 milliards" + "." * n(20_000))
            ),
            "run of 30k tabs after an amount": _seconds(
                lambda: find_money("Musk a levé 5 milliards de dollars" + "\t" * n(30_000) + "fin")
            ),
            "8k amounts inheriting a currency": _seconds(
                lambda: find_money("Musk a levé 5 milliards de dollars. " + "Puis 3 milliards " * n(8_000))
            ),
            "500 amounts classified in one sentence": _seconds(
                lambda: _classify_all("Il a levé 3 millions de dollars, " * n(500))
            ),
        },
        "extraction": {
            "50k characters of one symbol": _seconds(lambda: extract_text("#" * n(50_000), {})),
            "5k repeated funding clauses": _seconds(lambda: extract_text("a levé 3 millions " * n(5_000), {})),
            "one sentence of 60k words": _seconds(lambda: extract_text("mot " * n(60_000), {})),
        },
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
