"""Typed events from French sentences: trigger lexicons, clause structure, participant roles, status cues.

Pure functions over one document's fact-bearing sentences and the mentions found in them.
Each clause holds at most one event; its participants are the entities of that clause (media
that only report the news are not participants), with roles read from their position around
the trigger (``X poursuit Y``: X plaintiff, Y defendant).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from service.ingest.rivalries import RIVALRY_CUES
from service.ingest.types import DateMention, EntityMention, MoneyMention, Sentence

_AP = "['’ʼ]"


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Trigger lexicons, most specific first: the first type whose trigger a clause contains wins.
TRIGGERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "lawsuit",
        _rx(
            r"action en justice",
            r"\bpoursuivi(?:e|s)?\b",
            r"\bpoursuit\b(?! (?:son|sa|ses|le|la|les) )",
            r"\bporté plainte\b",
            r"\bplainte contre\b",
            r"\bprocès\b",
            r"\bassign(?:é|e|ait)\w* en justice\b",
            r"\battaqu\w+ en justice\b",
            r"\bpoursuites judiciaires\b",
        ),
    ),
    ("bid", _rx(r"\boffre (?:de rachat|publique|d['’]achat|non sollicitée|de reprise|de \d)", r"\bsurenchère")),
    (
        "acquisition",
        _rx(
            r"\b(?:racheter|rachète|rachat|reprendre)\b",
            r"\bacqu(?:érir|iert|is|ise|isition)s?\b",
            r"\bprise de contrôle\b",
            r"\bfusion(?:ner)?\b",
        ),
    ),
    (
        "funding_round",
        _rx(
            r"\blev(?:é|ée|er|ait|ant|era|ent)\b(?! le voile)",
            r"\blevée de fonds\b",
            r"\btour de (?:table|financement)\b",
            r"\bsérie [A-F]\b",
        ),
    ),
    ("joint_venture", _rx(r"\bco-?entreprise\b", r"\bjoint[- ]venture\b")),
    (
        "founding",
        _rx(
            # Not "fondateur": a title describes a person, it does not report a founding.
            r"\bfond(?:é|ée|ées|és|er|ait|a)\b(?! par d['’]anciens)",
            r"\bcofond(?:é|ée|er)\b",
            r"\bcréation d['’]",
            r"\b(?:créé|créée|crée|créer)\b",
            r"\blancé (?:[\w’'-]+ ){0,3}(?:sa|son) propre\b",
            r"\blancé la start-?up\b",
            r"\blancé l['’]entreprise\b",
        ),
    ),
    (
        "product_launch",
        _rx(
            r"\blancé(?:e|s)? par\b",
            r"\b(?:a|ont) (?:lancé|dévoilé|présenté|publié) (?:le|la|les|son|sa|ses|un|une) (?:nouveau |nouvelle )?(?:modèle|produit|puce|service|application|fusée|satellite|version)",
            r"\blance officiellement\b",
            r"\bdévoile\b",
        ),
    ),
    (
        "commitment",
        _rx(r"\bs['’](?:est|sont) engagée?s? à\b", r"\bengagement (?:de|d['’]investir)", r"\bpromis d['’]investir"),
    ),
    (
        "investment",
        _rx(
            r"\binvesti(?:r|t|ssent|ssant|ssement|ssements|ra)?\b",
            r"\bprise de participation\b",
            r"\bune participation\b",
            r"\bparticipation majoritaire\b",
            r"\binjecter\b",
            r"\bfinanc(?:er|ement|é)\b",
        ),
    ),
    ("contract", _rx(r"\bcontrats?\b", r"\bcommande de\b")),
    (
        "partnership",
        _rx(
            r"\bpartenariat\b",
            rf"\bs{_AP}all(?:ie|ier|ient|iant)\b",
            rf"\bs{_AP}associ(?:er|e|ant|é)\b",
            r"\balliance\b",
            r"\baccord\b",
            r"\bcollaboration\b",
            r"\bcoopération\b",
            r"\brejoindre\b",
            r"\bassociation avec\b",
            r"\bavec (?=[A-Z])",
        ),
    ),
    (
        "statement",
        _rx(
            r"\ba (?:déclaré|écrit|répondu|affirmé|ajouté|estimé|expliqué|assuré|dénoncé|qualifié|réagi|tweeté|critiqué)\b",
            r"\b(?:a|avait) remis en question\b",
            r"\baffirme\b",
            r"\bdéclare\b",
        ),
    ),
)

# Status cues; later sentences may change an earlier event's status (the talks "are now paused").
STATUS_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rejected", _rx(r"n['’]est pas à vendre", r"\b(?:a|ont) (?:rejeté|refusé|décliné)\b", r"\brejet(?:é|ée)\b")),
    (
        "cancelled",
        _rx(
            r"\b(?:projet|offre|rachat|accord|opération) (?:a été |est )?(?:annulée?|abandonnée?)\b",
            r"\brenoncé à (?:son|sa|ses|l['’]) ?(?:projet|offre|rachat|acquisition|opération)",
        ),
    ),
    (
        "paused",
        _rx(r"\ben pause\b", r"\bau point mort\b", r"\ben suspens\b", r"\bsuspendu(?:e|es|s)?\b", r"\bgel(?:é|ée)s?\b"),
    ),
    (
        "rumoured",
        _rx(
            r"\baurai(?:t|ent)\b",
            r"\benvisag(?:é|ée|eait|eaient|e)\b",
            r"\bil semblerait\b",
            r"\bselon des sources\b",
            r"\brumeur",
            r"\bsérieusement envisagé\b",
            r"\bchercherait\b",
        ),
    ),
    (
        "announced",
        _rx(
            r"\b(?:a|ont|avait|avaient) (?:annoncé|évoqué|dévoilé|officialisé)\b",
            r"\bannonc(?:e|ent|é)\b",
            r"\bprévoi(?:t|ent)\b",
            r"\bva rejoindre\b",
            r"\bont conclu\b",
        ),
    ),
    ("pending", _rx(r"\ben cours\b", r"\bune audience est prévue\b", r"\ben attente\b")),
)

_ANAPHORA = _rx(
    r"\bce projet\b", r"\bles négociations\b", r"\bles discussions\b", r"\bl['’]opération\b", r"\bl['’]offre\b"
)

# A clause ends at these (a new clause may carry its own event and its own participants).
_CLAUSE_BREAK = re.compile(
    r"\s*(?:;|:\s|\?|, (?=(?:visant|qui|dont|tandis|alors|avant de|puis|mais|ce qui|selon|afin|pour|signalant|"
    r"indiquant|estimant|précisant|ajoutant|expliquant|soulignant|confirmant)\b)|, (?=\w+ étant\b)"
    r"| et (?=\w+(?:rait|raient)\b)"
    r"|\s(?=mais\s)|\((?:la |le |l['’])?|\))\s*",
    re.IGNORECASE,
)

DEFAULT_STATUS = {
    "lawsuit": "pending",
    "bid": "reported",
    "acquisition": "reported",
    "funding_round": "completed",
    "joint_venture": "announced",
    "founding": "completed",
    "product_launch": "completed",
    "commitment": "announced",
    "investment": "announced",
    "contract": "announced",
    "partnership": "announced",
    "statement": "completed",
    "other": "reported",
}

ROLES_BEFORE = {
    "lawsuit": "plaintiff",
    "bid": "bidder",
    "acquisition": "acquirer",
    "investment": "investor",
    "funding_round": "actor",
    "founding": "founder",
    "statement": "speaker",
}
ROLES_AFTER = {
    "lawsuit": "defendant",
    "bid": "target",
    "acquisition": "target",
    "investment": "target",
    "funding_round": "investor",
    "founding": "subject",
    "statement": "subject",
}
SYMMETRIC_ROLE = {"joint_venture": "partner", "partnership": "partner", "contract": "partner"}

TYPE_LABELS = {
    "investment": "Investissement",
    "acquisition": "Projet d’acquisition",
    "bid": "Offre de rachat",
    "funding_round": "Levée de fonds",
    "joint_venture": "Coentreprise",
    "partnership": "Partenariat",
    "commitment": "Engagement d’investissement",
    "contract": "Contrat",
    "lawsuit": "Action en justice",
    "product_launch": "Lancement",
    "founding": "Fondation",
    "statement": "Déclaration",
    "other": "Événement",
}

# Words after "a rapporté le / a révélé le / selon X ce": the date is when the news was reported.
_REPORTING = _rx(r"\ba (?:rapporté|révélé|indiqué|annoncé)\b", r"\bselon\b", r"\bcomme l['’]a\b")


@dataclass
class Clause:
    start: int
    end: int


@dataclass
class EventDraft:
    type: str
    status: str
    sentence: Sentence
    clause: Clause
    trigger_start: int
    trigger_end: int
    participants: list[tuple[EntityMention, str]]
    date: DateMention | None
    reported: DateMention | None
    money: list[MoneyMention] = field(default_factory=list)
    status_cue: tuple[int, int] | None = None


def clauses(sentence: Sentence) -> list[Clause]:
    """Split a sentence into clauses at punctuation and subordinating connectors (offsets absolute)."""
    out: list[Clause] = []
    pos = 0
    for m in _CLAUSE_BREAK.finditer(sentence.text):
        if m.start() > pos:
            out.append(Clause(sentence.start + pos, sentence.start + m.start()))
        pos = m.end()
    if pos < len(sentence.text):
        out.append(Clause(sentence.start + pos, sentence.end))
    return [c for c in out if c.end - c.start > 2] or [Clause(sentence.start, sentence.end)]


def find_trigger(text: str) -> tuple[str, int, int] | None:
    for type_, pattern in TRIGGERS:
        m = pattern.search(text)
        if m:
            return type_, m.start(), m.end()
    return None


def find_status(text: str) -> tuple[str, int, int] | None:
    for status, pattern in STATUS_CUES:
        m = pattern.search(text)
        if m:
            return status, m.start(), m.end()
    return None


_PASSIVE_FOUNDING = re.compile(r"fond(?:é|ée|ées|és) par\b", re.IGNORECASE)
TYPE_RANK = {type_: rank for rank, (type_, _) in enumerate(TRIGGERS)}
# Deal types that need two sides (a company and its own chief executive are one side).
TWO_SIDED = {"investment", "acquisition", "bid", "partnership", "joint_venture", "contract"}
DIRECTIONAL = {"lawsuit", "bid", "acquisition", "investment", "funding_round"}


def _roles(type_: str, mentions: Sequence[EntityMention]) -> list[tuple[EntityMention, str]]:
    """Roles from order: in "X poursuit Y", "X envisage de racheter Y", the first named acts on the others."""
    out: list[tuple[EntityMention, str]] = []
    seen: set[str] = set()
    for m in mentions:
        if m.slug in seen:
            continue
        seen.add(m.slug)
        if type_ in SYMMETRIC_ROLE:
            role = SYMMETRIC_ROLE[type_]
        elif type_ == "founding":
            role = "founder" if m.kind == "person" else "subject"
        elif type_ in ("product_launch", "commitment"):
            role = "actor"
        elif type_ == "statement":
            role = "speaker" if m.kind == "person" and not out else "subject"
        elif type_ in DIRECTIONAL:
            role = ROLES_BEFORE[type_] if not out else ROLES_AFTER[type_]
        else:
            role = "actor"
        out.append((m, role))
    return out


def _sides(mentions: Sequence[EntityMention], leaders: Mapping[str, set[str]]) -> int:
    sides: set[str] = set()
    for m in mentions:
        led = leaders.get(m.slug, set())
        sides.add(next(iter(led)) if m.kind == "person" and len(led) == 1 else m.slug)
    return len(sides)


def _founding_participants(
    actors: list[EntityMention], trigger_start: int, recent_person: EntityMention | None
) -> list[EntityMention]:
    """Founders (people) and the one organisation founded: the first named after the verb, else before it."""
    people = [e for e in actors if e.kind == "person"]
    orgs = [e for e in actors if e.kind == "organisation"]
    after = [e for e in orgs if e.start >= trigger_start]
    founded = after[:1] or orgs[-1:]
    if not people and recent_person is not None:
        people = [recent_person]
    return [*people, *founded]


def extract_events(
    sentences: Sequence[Sentence],
    entities: Sequence[EntityMention],
    money: Sequence[MoneyMention],
    dates: Sequence[DateMention],
    org_kinds: Mapping[str, str],
    text: str,
    leaders: Mapping[str, set[str]] | None = None,
) -> list[EventDraft]:
    """Event candidates of a document, in text order, statuses updated by later sentences."""
    leaders = leaders or {}
    drafts: list[EventDraft] = []
    recent_people: list[EntityMention] = []
    for sentence in sentences:
        s_entities = [
            e
            for e in entities
            if sentence.start <= e.start and e.end <= sentence.end and org_kinds.get(e.slug) != "media"
        ]
        s_money = [m for m in money if sentence.start <= m.start and m.end <= sentence.end]
        s_dates = [d for d in dates if sentence.start <= d.start and d.end <= sentence.end]
        reported = next((d for d in s_dates if _is_report_date(text, sentence, d)), None)
        subject = s_entities[0] if s_entities else None
        recent_person = recent_people[-1] if recent_people else None
        own_event = False
        carried: tuple[str, int, int] | None = None
        for clause in clauses(sentence):
            found = find_trigger(text[clause.start : clause.end])
            actors = [e for e in s_entities if clause.start <= e.start and e.end <= clause.end]
            if found is not None:
                found = (found[0], found[1] + clause.start, found[2] + clause.start)
                if carried is not None and TYPE_RANK[carried[0]] < TYPE_RANK[found[0]]:
                    found = carried
            elif carried is not None and actors:
                # "une coentreprise investissant … grâce à un partenariat formé par OpenAI…": the
                # specific word came in a clause with no names; it still types the event.
                found = carried
            if found is None:
                continue
            type_, t_start, t_end = found
            if not actors:
                carried = found
                continue
            carried = None
            if type_ == "statement":
                # A quote's speaker may stand after the verb ("», a écrit Musk").
                actors = _speaker_first(actors, t_end)
            if (
                subject is not None
                and subject.start < clause.start
                and type_ in ("founding", "statement", "lawsuit", "bid", "acquisition", "investment", "commitment")
                and all(e.start > t_start for e in actors)
                and all(e.slug != subject.slug for e in actors)
            ):
                actors = [subject, *actors]
            if type_ == "partnership" and RIVALRY_CUES.search(sentence.text):
                # "Musk s'affronte avec Altman": "avec" joins adversaries here, not partners.
                continue
            if type_ == "founding":
                if _PASSIVE_FOUNDING.match(text, t_start):
                    named = [e for e in actors if e.kind == "organisation" and 0 <= t_start - e.end <= 40]
                    if not named:
                        continue  # "la multinationale fondée par X": the founded company is not named here
                    actors = [named[-1], *[e for e in actors if e.kind == "person" and e.start > t_start]]
                actors = _founding_participants(actors, t_start, recent_person)
            clause_money = [m for m in s_money if clause.start <= m.start and m.end <= clause.end]
            if type_ in TWO_SIDED and _sides(actors, leaders) < 2 and not clause_money:
                continue
            if not actors:
                continue
            status_found = _status_for(text, sentence, clause)
            status = status_found[0] if status_found else DEFAULT_STATUS[type_]
            if type_ == "lawsuit" and status != "cancelled":
                status, status_found = "pending", None
            clause_dates = [d for d in s_dates if clause.start <= d.start and d.end <= clause.end and d is not reported]
            sentence_dates = [d for d in s_dates if d is not reported]
            event_date = clause_dates[0] if clause_dates else (sentence_dates[0] if sentence_dates else None)
            drafts.append(
                EventDraft(
                    type=type_,
                    status=status,
                    sentence=sentence,
                    clause=clause,
                    trigger_start=t_start,
                    trigger_end=t_end,
                    participants=_roles(type_, actors),
                    date=event_date,
                    reported=reported,
                    money=clause_money,
                    status_cue=(
                        (sentence.start + status_found[1], sentence.start + status_found[2]) if status_found else None
                    ),
                )
            )
            own_event = True
        if not own_event and drafts:
            _carry_status(drafts, sentence, s_entities)
        people = [e for e in s_entities if e.kind == "person"]
        if people:
            recent_people = people[:1]
    return drafts


def _status_for(text: str, sentence: Sentence, clause: Clause) -> tuple[str, int, int] | None:
    """A cue in the clause itself, else one earlier in the sentence that governs it ("Il semblerait que…")."""
    own = find_status(text[clause.start : clause.end])
    if own is not None:
        return own[0], own[1] + clause.start - sentence.start, own[2] + clause.start - sentence.start
    before = find_status(text[sentence.start : clause.start])
    return before


def _speaker_first(actors: list[EntityMention], trigger_end: int) -> list[EntityMention]:
    after = [e for e in actors if e.start >= trigger_end and e.kind == "person"]
    before_people = [e for e in actors if e.end <= trigger_end and e.kind == "person"]
    if after and not before_people:
        first = after[0]
        return [first, *[e for e in actors if e is not first]]
    return actors


def _is_report_date(text: str, sentence: Sentence, date: DateMention) -> bool:
    window = text[max(sentence.start, date.start - 60) : date.start]
    return bool(_REPORTING.search(window))


def _carry_status(drafts: list[EventDraft], sentence: Sentence, s_entities: Sequence[EntityMention]) -> None:
    """A sentence with a status cue but no event of its own updates the event it refers back to."""
    found = find_status(sentence.text)
    if found is None or found[0] not in ("paused", "rejected", "cancelled", "completed"):
        return
    status, c_start, c_end = found
    slugs = {e.slug for e in s_entities}
    for draft in reversed(drafts[-6:]):
        if draft.type in ("statement", "founding", "product_launch"):
            continue
        refers = bool(_ANAPHORA.search(sentence.text)) or bool(slugs & {p.slug for p, _ in draft.participants})
        if refers:
            draft.status = status
            draft.status_cue = (sentence.start + c_start, sentence.start + c_end)
            return
