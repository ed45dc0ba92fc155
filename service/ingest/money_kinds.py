"""What a money amount pays for: the cue nearest to it in its sentence ("a levé", "le rachat de",
"valorisée à", "une amende de"…) gives its kind, or says it is no tech money fact at all (public
budgets, pay, taxes, consumer prices). Pure functions over one sentence's text."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

_A = r"['’ʼ]"
_S = r"\s+"
# (kind or None for "not a tech funding fact", pattern). A cue contained in a longer cue is
# dropped, so "s'est engagé à investir" is a commitment, not an investment.
_CUE_PATTERNS: Final[tuple[tuple[str | None, str], ...]] = (
    # --- not tech funding ---
    (
        None,
        rf"dettes?{_S}(?:publique|souveraine|nationale|fédérale|gouvernementale|mondiale"
        rf"|de{_S}l{_A}État|du{_S}pays|des{_S}États-Unis|américaine|française|allemande|italienne"
        rf"|grecque|japonaise|chinoise|britannique|européenne|espagnole)s?",
    ),
    (
        None,
        rf"budgets?{_S}(?:de{_S}l{_A}(?:État|Union)|du{_S}gouvernement|de{_S}la{_S}(?:défense|nation"
        rf"|Sécurité{_S}sociale|France)|des{_S}armées|militaires?|nationa(?:l|ux)|fédéra(?:l|ux)"
        rf"|publics?|européens?)",
    ),
    (None, rf"(?:projet{_S}de{_S})?loi{_S}de{_S}finances|dépenses{_S}publiques|déficit\w*|plan{_S}de{_S}relance"),
    (None, rf"réarmement|armées?|militaires?|(?:effort|dépenses|fonds){_S}de{_S}(?:la{_S})?défense"),
    (
        None,
        rf"transferts?(?!{_S}(?:de|des|d{_A}){_S}?(?:technologies?|données|fonds|compétences))"
        rf"|mercato|footballeur\w*|joueur\w*|attaquant\w*|clause{_S}libératoire",
    ),
    (None, r"salaires?|salarial\w*|rémunérations?"),
    (None, r"retraites?|(?<!fonds de )pensions?"),
    # A fine is money of the story (a regulator against a company) but no funding: served as
    # "other", which the funding totals leave out.
    ("other", rf"amendes?|pénalités?|sanctions?{_S}financières?"),
    (None, r"impôts?|taxes?|fiscal\w*"),
    (None, rf"PIB|produit{_S}intérieur{_S}brut"),
    (
        None,
        rf"co[uû]te(?:ra|rait|nt)?|prix{_S}(?:de{_S}vente|public|conseillé|de{_S}départ)|tarifs?"
        rf"|abonnements?|par{_S}mois|mensuel\w*"
        # Market prices of a share, a coin or a commodity.
        rf"|cours{_S}(?:du|de{_S}l{_A}|de{_S}la|des|de)|par{_S}action|l{_A}action{_S}\w+{_S}(?:cotait|valait|reculait)"
        rf"|(?:du|le){_S}bitcoin|l{_A}once|le{_S}baril"
        # "vendu 3 499 dollars", "proposée à 799 euros": a price tag right before the amount.
        rf"|(?:vendu|affiché|facturé|commercialisé|disponible)e?s?(?={_S}(?:à{_S}|au{_S}prix{_S}de{_S}"
        rf"|à{_S}partir{_S}de{_S}|dès{_S})?[\d$€£])"
        # "proposée à 799 euros" is a price; "a proposé 40 milliards" is an offer
        rf"|proposée?s?(?={_S}(?:à{_S}|au{_S}prix{_S}de{_S}|à{_S}partir{_S}de{_S}|dès{_S})[\d$€£])",
    ),
    # --- tech money facts ---
    (
        "commitment",
        rf"(?:(?:s{_A}\s*(?:est|était|étaient|être)|se{_S}sont){_S})?engag\w*(?:{_S}à{_S}\w+)?"
        rf"|promis\w*|promet\w*|promesses?"
        # loans granted or promised ("prêt" as "ready to" is followed by "à"/"pour")
        rf"|prêts?(?!{_S}(?:à|pour)\b)",
    ),
    (
        "funding_round",
        rf"l[eè]v[éèea]\w*|tours?{_S}de{_S}(?:table|financement)|séries?{_S}(?-i:[A-H])(?![\w])|seed"
        rf"|amorçage|collectes?{_S}de{_S}fonds|collect(?!ifs?\b|ives?\b)\w*|récolt\w*|sécuris\w*|financement\w*"
        rf"|augmentation{_S}de{_S}capital",
    ),
    ("valuation", rf"valoris\w*|valeur{_S}(?:de|d{_A})|valant|vaut|capitalisation\w*"),
    ("revenue", rf"chiffres?{_S}d{_A}affaires|CA{_S}annuel|revenus?|recettes|ventes"),
    (
        "bid",
        rf"offres?(?!{_S}(?:d{_A}emploi|cloud|commerciales?))|propos\w*{_S}(?:de{_S})?rach\w+"
        rf"|propositions?|OPA|offrir|offert\w*|surenchère\w*"
        # "avait proposé 40 milliards": offering a sum outright (a price per share is no bid)
        rf"|propos(?:é|ée|ait|aient|e|ent|era)(?={_S}(?:plus{_S}de{_S}|près{_S}de{_S}|environ{_S})?[$€£]?"
        rf"\d[\d,.]*{_S}(?:milliards?|millions?|Mds?|M)\b)",
    ),
    ("acquisition", rf"rach[eè]t\w*|rachats?|acqu[éiî]\w*|reprendre|reprise|absorb\w*|fusion\w*|s{_A}emparer"),
    (
        "contract",
        rf"contrats?|accords?{_S}commercia\w*|command[eé]\w*"
        rf"|accords?{_S}(?:de|d{_A}){_S}?(?:licence|fourniture|achat|approvisionnement)",
    ),
    (
        "investment",
        rf"invest\w*|co-?entreprises?|joint[{_S[:-1]}-]?ventures?|projets?|infrastructures?"
        rf"|centres?{_S}de{_S}données|data{_S}?cent\w+|constru\w+|budgets?|fonds{_S}(?:d{_A}"
        rf"investissement|souverains?)|programmes?|participations?|inject\w*|capex",
    ),
)
_CUES: Final = tuple(
    (kind, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])", re.IGNORECASE)) for kind, pattern in _CUE_PATTERNS
)
# Cues after the amount count a little less: French usually names what the money is before it
# ("une offre de", "a levé", "une valorisation de").
_AFTER_WEIGHT: Final = 1.5


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    kind: str | None
    rank: int  # the pattern's place in _CUES, which breaks ties between cues as far from the amount
    # Cues strictly longer than this one that contain it: it only counts when none of them does.
    containers: tuple[int, ...]


@lru_cache(maxsize=8)
def _sentence_cues(sentence: str) -> tuple[_Cue, ...]:
    """Every cue of a sentence, found once for all the amounts in it (a sentence with thousands
    of amounts was otherwise scanned once per amount, and its cues compared pairwise each time)."""
    found = sorted(
        (
            (cm.start(), cm.end(), kind, rank)
            for rank, (kind, pattern) in enumerate(_CUES)
            for cm in pattern.finditer(sentence)
        ),
        key=lambda cue: (cue[0], -cue[1], cue[3]),
    )
    containers: list[list[int]] = [[] for _ in found]
    for i, (start, end, _, _) in enumerate(found):
        # Sorted by start, then longest first: the cues this one contains follow it, before its end.
        j = i + 1
        while j < len(found) and found[j][0] < end:
            if found[j][1] <= end and end - start > found[j][1] - found[j][0]:
                containers[j].append(i)
            j += 1
    return tuple(
        _Cue(start, end, kind, rank, tuple(inside))
        for (start, end, kind, rank), inside in zip(found, containers, strict=True)
    )


@dataclass(frozen=True, slots=True)
class _CueIndex:
    ends: list[int]  # the cues' ends, ascending
    by_end: list[int]  # cue positions in that order
    starts: list[int]
    by_start: list[int]


def _down(stop: int) -> range:
    return range(stop - 1, -1, -1)


@lru_cache(maxsize=8)
def _cue_index(sentence: str) -> _CueIndex:
    cues = _sentence_cues(sentence)
    by_end = sorted(range(len(cues)), key=lambda i: cues[i].end)
    by_start = sorted(range(len(cues)), key=lambda i: cues[i].start)
    return _CueIndex([cues[i].end for i in by_end], by_end, [cues[i].start for i in by_start], by_start)


def classify_money_kind(sentence: str, mention_start_in_sentence: int, mention_end_in_sentence: int) -> str | None:
    """What the amount at ``sentence[start:end]`` is for, or ``None`` when it is not a tech
    funding fact (public debt, State budgets, defence, football, pay, pensions, fines, taxes,
    GDP, consumer prices). The cue nearest to the amount wins; ``other`` when there is none."""
    ms, me = mention_start_in_sentence, mention_end_in_sentence
    cues = _sentence_cues(sentence)
    index = _cue_index(sentence)

    def counts(i: int) -> bool:
        # A cue inside the amount's own quote does not count, and then neither hides the cues it contains.
        cue = cues[i]
        return not (cue.start < me and cue.end > ms)

    # The nearest cues first, on each side, until they are farther than the best one found: a
    # sentence of thousands of amounts would otherwise compare every amount with every cue.
    before: Iterator[tuple[float, int]] = (
        (ms - cues[index.by_end[j]].end, index.by_end[j]) for j in _down(bisect_right(index.ends, ms))
    )
    after: Iterator[tuple[float, int]] = (
        ((cues[index.by_start[j]].start - me) * _AFTER_WEIGHT, index.by_start[j])
        for j in range(bisect_left(index.starts, me), len(cues))
    )
    best: tuple[float, int, int, str | None] | None = None
    for side in (before, after):
        for distance, i in side:
            if best is not None and distance > best[0]:
                break
            cue = cues[i]
            if not counts(i) or any(counts(k) for k in cue.containers):
                continue
            candidate = (distance, cue.rank, cue.start, cue.kind)
            if best is None or candidate[:3] < best[:3]:
                best = candidate
    if best is None:
        return "other"
    return best[3]
