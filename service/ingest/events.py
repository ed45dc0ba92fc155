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


# What one sues, after "poursuit le/la …".
_SUED = (
    r"(?:start-?up|société|entreprise|groupe|firme|éditeur|fabricant|constructeur|laboratoire|géant|quotidien|"
    r"journal|réseau social|plateforme|organisation|association|ONG|fonds|média|site|application|gouvernement|"
    r"État|ministère|département|agence|autorité|régulateur|concurrent|rival)"
)

# Trigger lexicons, most specific first: the first type whose trigger a clause contains wins.
TRIGGERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "lawsuit",
        _rx(
            r"action en justice",
            r"\bpoursuivi(?:e|s)?\b",
            r"\bpoursuit\b(?! (?:son|sa|ses|le|la|les) )",
            # "poursuit la start-up Perplexity" (sues), not "poursuit la croissance" (continues).
            rf"\bpoursui(?:t|vent|vait) (?:en justice )?(?:le|la|les|l{_AP}) ?{_SUED}\b",
            r"\bporté plainte\b",
            r"\bpoursuites\b",
            r"\bprocédures? (?:\w+ ){0,2}contre\b",
            r"\bactions? en justice\b",
            r"\bplaintes?\b",
            r"\bprocès\b",
            r"\bassign(?:é|e|ait)\w* en justice\b",
            r"\battaqu\w+ en justice\b",
            r"\bpoursuites judiciaires\b",
            r"\b(?:action|bataille|procédure|offensive|guérilla) (?:collective|judiciaire)s?\b",
            r"\brecours collectif\b",
            r"\bclass action\b",
            r"\blitiges?\b",
        ),
    ),
    ("bid", _rx(r"\boffre (?:de rachat|publique|d['’]achat|non sollicitée|de reprise|de \d)", r"\bsurenchère")),
    (
        "acquisition",
        _rx(
            r"\b(?:racheter|rachète|rachat|reprendre)\b",
            r"\brachet(?:é|ée|és|ées|ait|aient|ant|era|eront|erait)\b",
            rf"\bs{_AP}off(?:re|rent|rir|rait|raient)\b",
            # "vendue à CMA CGM": the buyer follows "à".
            r"\b(?:vendue?s?|cédée?s?|revendue?s?) à (?=(?:l['’]|la |le |les )?[A-ZÀ-Ý])",
            r"\bmet(?:tre|tent|tra)? la main sur\b",
            r"\bacqu(?:érir|iert|is|ise|isition)s?\b",
            r"\bprise de contrôle\b",
            r"\bfusion(?:ner)?\b",
        ),
    ),
    (
        "funding_round",
        _rx(
            r"\blev(?:é|ée|er|ait|ant|era|ent)\b(?! le voile)",
            r"\blèvent?\b(?! le voile)",
            r"\blevée de fonds\b",
            r"\btour de (?:table|financement)\b",
            rf"\btour d{_AP}amorçage\b",
            r"\bréuni(?:r|t|s|e|ssent)? (?=\d|plus de|près de|environ|jusqu)",
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
            r"\b(?:a|ont) (?:lancé|dévoilé|présenté|publié) (?:le|la|les|son|sa|ses|un|une) (?:nouveau |nouvelle )?"
            r"(?:modèle|produit|puce|service|application|fusée|satellite|version)",
            # "Apple a lancé en février 2024 son casque", "Mistral a lancé Le Chat": a release, unless
            # what is launched is a procedure or a campaign.
            r"\b(?:a|ont|avait|avaient|vient de|viennent de) (?:officiellement )?(?:lancé|dévoilé|présenté|"
            r"commercialisé|introduit|sorti|inauguré|mis sur le marché)\b(?! (?:en justice|une enquête|un appel|"
            r"une procédure|une offensive|une campagne|un avertissement|un ultimatum|ses résultats|des poursuites))",
            r"\blance (?:officiellement|son|sa|ses|un|une|le|la|les)\b",
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
            r"\binject(?:er|é|ée|e|ent|ait|era)\b",
            r"\bfinanc(?:er|ement|é)\b",
            # "consacrerait jusqu'à 65 milliards à…", "mise 1,3 milliard sur…", a stake "détiendra 11 %".
            r"\bconsacr(?:er|e|ent|era|eront|erait|eraient|ait|é|ée)\b",
            r"\bmis(?:e|ent|é) (?=\d|plus de|près de|environ|jusqu)",
            r"\bdétien(?:t|nent|dra|dront|drait|draient)\b(?=[^.;]{0,60}%)",
            r"\b(?:entr|mont)(?:er|e|ent|é|ée|era|eront) au capital\b",
        ),
    ),
    (
        "contract",
        _rx(
            r"\bcontrats?\b",
            r"\bcommandes? (?:de|d['’]|auprès d)",
            r"\baccords? (?:\w+ ){0,3}(?:portant sur|pour) la (?:fourniture|livraison)\b",
            r"\baccords? (?:de|d['’]) ?(?:fourniture|approvisionnement|licence)\b",
        ),
    ),
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
            r"\b(?:principal|premier|nouveau|grand) partenaire\b",
            r"\bpartenaire (?:d['’]entraînement|privilégié|stratégique|technologique|exclusif|de référence)\b",
            r"\bavec (?-i:(?=[A-ZÀ-Ý]))",
        ),
    ),
    (
        "statement",
        _rx(
            r"\ba (?:déclaré|écrit|répondu|affirmé|ajouté|estimé|expliqué|assuré|dénoncé|qualifié|réagi|tweeté"
            r"|critiqué)\b",
            r"\b(?:a|avait) remis en question\b",
            r"\ba (?:accusé|reproché|fustigé|taclé|salué|reconnu|averti|prévenu|martelé|insisté|raillé)\b",
            r"\ba-t-(?:il|elle) \w+é\b",
            # "», a justifié Roland Lescure": any past participle right after a quotation.
            r"[»”],? (?:a|ont|a-t-il|a-t-elle) (?:[\w’']+ )?\w+(?:é|i|u|it|is)\b",
            # Present-tense speech right after a quotation: "», explique Claire Fontanel".
            r"[»”],? (?:explique|estime|précise|assure|souligne|ajoute|indique|confie|raconte|affirme|insiste|"
            r"reconnaît|prévient|martèle|juge|résume|tranche|commente|observe|note|avertit|déclare)\b",
            r"\baffirme\b",
            r"\bdéclare\b",
            r"\baccuse\b",
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
            # A suit dropped: "a renoncé à ses poursuites", "a abandonné la procédure".
            r"\b(?:renonc|abandonn)\w*(?: [\w’']+)? (?:à |aux )?(?:ses|les|la|sa|leur|leurs|cette) ?"
            r"(?:poursuites|plainte|procédure|"
            r"action|actions)\b",
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
        # Done deals in the past tense ("a investi", "avoir bouclé", "rachetée par Microsoft en 2015");
        # before "announced", as "a annoncé avoir levé" reports a round already raised.
        "completed",
        _rx(
            r"\b(?:a|ont|avait|avaient) (?:déjà |finalement |notamment )?(?:investi|injecté|bouclé|finalisé|signé|"
            r"racheté|acquis|levé|réuni|absorbé|versé|apporté)\b",
            r"\bavoir (?:investi|injecté|bouclé|finalisé|signé|racheté|acquis|levé|réuni)\b",
            r"\b(?:rachetée?s?|acquise?s?|absorbée?s?) (?:par [^,.;]{1,40} )?en (?:19|20)\d\d\b",
        ),
    ),
    (
        "announced",
        _rx(
            r"\b(?:a|ont|avait|avaient) (?:annoncé|évoqué|dévoilé|officialisé)\b",
            r"\bannonc(?:e|ent|é)\b",
            r"\bprévoi(?:t|ent)\b",
            r"\bva rejoindre\b",
            r"\b(?:va|vont|devrait|devraient) (?:lever|investir|racheter|acquérir|injecter|reprendre|signer)\b",
            r"\bont conclu\b",
        ),
    ),
    (
        "pending",
        _rx(
            r"\ben cours\b",
            r"\bune audience est prévue\b",
            r"\ben attente\b",
            r"\bfinalise\b",
            r"\bdoit encore (?:obtenir|être)\b",
            r"\bsous réserve\b",
        ),
    ),
)

_REVIEWS = _rx(
    r"\b(?:examin|autoris|valid|approuv|bloqu|enquêt|interdi|sanctionn|scrut)\w*",
    r"\bfeu vert\b",
    r"\bfeu rouge\b",
)
_SUIT_OBJECT = _rx(r"\b(?:la|cette|leur|sa) (?:plainte|action|requête|poursuite|procédure)\b")
_ANAPHORA = _rx(
    r"\bce projet\b", r"\bles négociations\b", r"\bles discussions\b", r"\bl['’]opération\b", r"\bl['’]offre\b"
)

# A clause ends at these (a new clause may carry its own event and its own participants).
_CLAUSE_BREAK = re.compile(
    r"\s*(?:;|:\s|\?|, (?=(?:visant|qui|dont|tandis|alors|avant de|puis|mais|ce qui|selon|afin|pour|signalant|"
    r"indiquant|estimant|précisant|ajoutant|expliquant|soulignant|confirmant)\b)|, (?=\w+ étant\b)"
    r"| et (?=\w+(?:rait|raient)\b)"
    # ", et Siemens finalise…": after a comma, "et" and a capitalised subject start a new clause.
    r"|, et (?=(?:(?:la|le|les) |l['’])?[A-ZÀ-Ý][^,.;:]{0,60}?\s(?:a|ont|avait|avaient|est|sont|va|vont|doit|peut|"
    r"[a-zéèêàç]{3,}(?:e|ent|it|ait))\s)"
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
# ("a annoncé mardi" is not among them: a company announcing a deal dates the deal itself.)
_REPORTING = _rx(r"\ba (?:rapporté|révélé|indiqué)\b", r"\bselon\b", r"\bcomme l['’]a\b")


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


def clauses(sentence: Sentence, keep: Sequence[tuple[int, int]] = ()) -> list[Clause]:
    """Split a sentence into clauses at punctuation and subordinating connectors (offsets absolute).

    ``keep``: spans not to split inside (an amount with its conversion in parentheses).
    """
    out: list[Clause] = []
    pos = 0
    for m in _CLAUSE_BREAK.finditer(sentence.text):
        at = sentence.start + m.start()
        if any(a < at < b for a, b in keep):
            continue
        if m.start() > pos:
            out.append(Clause(sentence.start + pos, sentence.start + m.start()))
        pos = m.end()
    if pos < len(sentence.text):
        out.append(Clause(sentence.start + pos, sentence.end))
    return [c for c in out if c.end - c.start > 2] or [Clause(sentence.start, sentence.end)]


def find_trigger(text: str, masked: str | None = None) -> tuple[str, int, int] | None:
    """The first type whose trigger the text holds; ``masked`` is the text with quotations blanked,
    where every type but statements is looked for (words quoted are someone's speech)."""
    for type_, pattern in TRIGGERS:
        m = pattern.search(text if masked is None or type_ == "statement" else masked)
        if m:
            if type_ == "acquisition" and _SHARES_AFTER.match(text, m.end()):
                type_ = "investment"  # "acquérir jusqu'à 160 millions d'actions" buys a stake, not the company
            return type_, m.start(), m.end()
    return None


_SHARES_AFTER = re.compile(
    r"[^.;:]{0,40}?\b(?:actions|titres|parts|participations?|% du capital|pour ?cent du capital)\b", re.IGNORECASE
)


_QUOTATION = re.compile(r"«[^»]{0,600}»|“[^”]{0,600}”")
# Quoted words shorter than this are a phrase the article borrows ("son « principal partenaire »"),
# not someone's speech.
QUOTATION_MIN_WORDS = 6


def _mask_quotes(text: str) -> str:
    return _QUOTATION.sub(
        lambda m: " " * len(m.group()) if len(m.group().split()) >= QUOTATION_MIN_WORDS else m.group(), text
    )


# A clause with no verb of its own that continues the deal of the clause before it:
# "…une série C de 1,7 milliard d’euros, dont 1,3 milliard apporté par ASML".
_CONTINUATION = re.compile(
    r"^\s*(?:dont|auprès d|aux côtés d|avec la participation d|avec le soutien d|en partenariat avec|"
    r"menée? par|emmenée? par|pilotée? par|conduite? par)",
    re.IGNORECASE,
)


def find_status(text: str) -> tuple[str, int, int] | None:
    for status, pattern in STATUS_CUES:
        m = pattern.search(text)
        if m:
            return status, m.start(), m.end()
    return None


TYPE_RANK = {type_: rank for rank, (type_, _) in enumerate(TRIGGERS)}
# Deal types that need two sides (a company and its own chief executive are one side).
TWO_SIDED = {"investment", "acquisition", "bid", "partnership", "joint_venture", "contract"}
DIRECTIONAL = {"lawsuit", "bid", "acquisition", "investment", "funding_round"}
# Deals whose other parties may come in a clause of their own ("…, dont 1,3 milliard apporté par ASML").
CONTINUED = TWO_SIDED | {"funding_round", "commitment"}

# "rachetée par Microsoft", "poursuivi par le Times": the one after "par" acts.
_PASSIVE_AGENT = re.compile(r"(?:e|é|ée|és|ées|s)?\s+par\s+(?:(?:la|le|les)\s+|l['’]\s?)?$|\s+par\s+$", re.IGNORECASE)
# "l'offre de 17 milliards d'euros déposée par Bouygues Telecom": the bidder follows "par".
_FILED_BY = re.compile(
    r"\b(?:déposée?s?|formulée?s?|présentée?s?|soumise?s?|lancée?s?|faite?s?) par\s+(?:la |le |les |l['’])?$"
)
# "X a reçu un investissement de 2 milliards de dollars du fonds Y": the money comes from Y.
_RECEIVES = re.compile(r"\b(?:reçu|reçoit|obtenu|obtient|bénéficié|bénéficie|accueilli|accueille)\b[^.;]*$")
# "une offre de 23 milliards de dollars de Google": the bidder is introduced by "de".
_OFFERED_BY = re.compile(r"(?:\bde|\bdu|\bd['’])\s?(?:(?:la|le|l['’])\s?)?$", re.IGNORECASE)
# Money received "du fonds émirati MGX": a company noun and its adjectives may stand before the name.
_GIVEN_BY = re.compile(
    r"(?:\bde|\bdu|\bd['’])\s?(?:(?:la|le|l['’])\s?)?"
    r"(?:(?:fonds|groupe|géant|société|entreprise|investisseur|fabricant|constructeur|éditeur|opérateur)"
    r"(?:\s+[a-zàâçéèêëîïôûùüÿœ'’-]+){0,2}\s+)?$",
    re.IGNORECASE,
)
# A name introduced by a preposition is a complement ("ancien chercheur de Google DeepMind",
# "passés par Meta"), not the subject of the sentence.
_COMPLEMENT_BEFORE = re.compile(
    r"(?:\b(?:de|du|des|chez|par|pour|avec|à|au|aux|contre|dans|sur|entre|auprès)\s+|\bd['’]\s?)"
    r"(?:(?:la|le|les)\s+|l['’]\s?)?$",
    re.IGNORECASE,
)
_AUX_BEFORE = re.compile(
    r"\b(?:a|ont|avait|avaient|aura|auront|vient de|viennent de|venait de)\s+(?:[\w’']+\s+)?$", re.IGNORECASE
)


def _is_complement(text: str, floor: int, m: EntityMention) -> bool:
    return _COMPLEMENT_BEFORE.search(text, max(floor, m.start - 30), m.start) is not None


def _roles(
    type_: str, mentions: Sequence[EntityMention], text: str = "", trigger: tuple[int, int] | None = None
) -> list[tuple[EntityMention, str]]:
    """Roles from positions around the trigger: in "X poursuit Y", "X envisage de racheter Y" those
    before act on those after; "Y, rachetée par X" and "une offre de … de X" turn it round."""
    unique: list[EntityMention] = []
    seen: set[str] = set()
    for m in mentions:
        if m.slug not in seen:
            seen.add(m.slug)
            unique.append(m)
    agent: EntityMention | None = None
    if type_ in DIRECTIONAL and trigger is not None:
        t_start, t_end = trigger
        after = [m for m in unique if m.start >= t_end]
        for m in after:
            gap = text[t_end : m.start]
            between = [n for n in after if n.start < m.start]
            if (len(gap) <= 12 and (_PASSIVE_AGENT.search(gap) or text[t_start:t_end].endswith("à "))) or (
                type_ == "bid" and not between and len(gap) <= 60 and _FILED_BY.search(gap)
            ):
                agent = m
                break
        receiving = type_ in ("investment", "funding_round") and _RECEIVES.search(text, max(0, t_start - 60), t_start)
        if agent is None and (type_ in ("bid", "lawsuit") or receiving):
            # "une offre de … de Google", "une plainte du New York Times", "reçu … du fonds émirati MGX"
            by = _GIVEN_BY if receiving else _OFFERED_BY
            agent = next(
                (m for m in after if m.start - t_end <= 60 and by.search(text, max(t_end, m.start - 40), m.start)),
                None,
            )
            if agent is not None and any(n.start < agent.start and n.start >= t_end for n in after):
                agent = None  # another name stands between: "contre OpenAI … de X" is not the plaintiff
    out: list[tuple[EntityMention, str]] = []
    for m in unique:
        if type_ in SYMMETRIC_ROLE:
            role = SYMMETRIC_ROLE[type_]
        elif type_ == "founding":
            role = "founder" if m.kind == "person" else "subject"
        elif type_ in ("product_launch", "commitment"):
            role = "actor"
        elif type_ == "statement":
            role = "speaker" if m.kind == "person" and not out else "subject"
        elif type_ in DIRECTIONAL:
            if agent is not None:
                # The agent and whatever is listed after it ("par Bouygues Telecom, Iliad… et Orange").
                acts = m.start >= agent.start
            elif trigger is not None:
                acts = m.start < trigger[0] or (not out and all(n.start >= trigger[0] for n in unique))
            else:
                acts = not out
            role = ROLES_BEFORE[type_] if acts else ROLES_AFTER[type_]
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
    text: str,
    sentence: Sentence,
    trigger: tuple[int, int],
    named: Sequence[EntityMention],
    recent_person: EntityMention | None,
) -> list[EntityMention]:
    """Founders (people) and the one organisation founded, or [] when the founded one is not named.

    * "création d'X": X. Active "P a fondé X" / "a lancé sa propre société, X": the first
      organisation after the verb that is not a complement; founders before the verb (else the
      person the text was last about).
    * Passive "X, fondée en 2020 par P" / "Fondée en 2023 par P, ancien de Y, X a…": the
      organisation just before the participle, else the subject after the "par" phrase; names
      introduced by a preposition ("ancien chercheur de Google DeepMind") are never the one founded.
    """
    t_start, t_end = trigger
    orgs = [e for e in named if e.kind == "organisation"]
    people = [e for e in named if e.kind == "person"]
    founded: EntityMention | None = None
    verb = text[t_start:t_end].casefold().split()[0] if text[t_start:t_end].split() else ""
    if verb.startswith("création"):
        founded = next((e for e in orgs if e.start >= t_end), None)
        founders = people
    elif verb.endswith("er") or (
        _AUX_BEFORE.search(text, max(sentence.start, t_start - 30), t_start)
        and "été" not in text[max(sentence.start, t_start - 12) : t_start]
    ):
        # Active: "a fondé X", "puis de fonder sa propre société, X".
        founded = next((e for e in orgs if e.start >= t_end and not _is_complement(text, t_end, e)), None)
        founders = [e for e in people if e.end <= t_start] or ([recent_person] if recent_person is not None else [])
    else:
        before = [
            e
            for e in orgs
            if 0 <= t_start - e.end <= 40
            and not _is_complement(text, sentence.start, e)
            and not any(o.start > e.end and o.end <= t_start for o in named)
        ]
        if before:
            founded = before[-1]
            founders = [e for e in people if e.start >= t_end]
        else:
            founded = next((e for e in orgs if e.start >= t_end and not _is_complement(text, t_end, e)), None)
            founders = [e for e in people if t_end <= e.start and (founded is None or e.end <= founded.start)]
    if founded is None:
        return []
    return [*founders, founded]


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
            if sentence.start <= e.start
            and e.end <= sentence.end
            and (org_kinds.get(e.slug) != "media" or not reports(text, sentence, e))
        ]
        s_money = [m for m in money if sentence.start <= m.start and m.end <= sentence.end]
        s_dates = [d for d in dates if sentence.start <= d.start and d.end <= sentence.end]
        reported = next((d for d in s_dates if _is_report_date(text, sentence, d)), None)
        subject = s_entities[0] if s_entities else None
        recent_person = recent_people[-1] if recent_people else None
        own_event = False
        carried: tuple[str, int, int] | None = None
        masked = _mask_quotes(text[sentence.start : sentence.end])
        previous: EventDraft | None = None
        # "Fondée en 2023 par P, X a levé…": the opening participle is an event of its own.
        opening = _OPENING_FOUNDING.match(sentence.text)
        if opening is not None:
            founding = _participial_founding(text, sentence, opening, s_entities, s_dates, reported)
            if founding is not None:
                drafts.append(founding)
                own_event = True
        for clause in clauses(sentence, [(m.start, m.end) for m in s_money]):
            raw = text[clause.start : clause.end]
            found = find_trigger(raw, masked[clause.start - sentence.start : clause.end - sentence.start])
            actors = [e for e in s_entities if clause.start <= e.start and e.end <= clause.end]
            if (
                found is None
                and previous is not None
                and previous.type in CONTINUED
                and actors
                and _CONTINUATION.match(raw)
            ):
                _extend(previous, actors, [m for m in s_money if clause.start <= m.start and m.end <= clause.end])
                continue
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
                and not (type_ == "statement" and any(e.kind == "person" for e in actors))
                and not _quoted_at(masked, subject.start - sentence.start)
                and type_ in ("founding", "statement", "lawsuit", "bid", "acquisition", "investment", "commitment")
                and all(e.start > t_start for e in actors)
                and all(e.slug != subject.slug for e in actors)
            ):
                actors = [subject, *actors]
            if type_ == "partnership" and RIVALRY_CUES.search(sentence.text):
                # "Musk s'affronte avec Altman": "avec" joins adversaries here, not partners.
                continue
            if type_ == "founding" and opening is not None:
                continue  # already read as the sentence's opening participle
            if type_ == "founding":
                # A participial phrase spans clauses ("Fondée en 2021 par P, dont Q, X a…"): read the sentence.
                actors = _founding_participants(text, sentence, (t_start, t_end), s_entities, recent_person)
            clause_money = [m for m in s_money if clause.start <= m.start and m.end <= clause.end]
            if type_ in TWO_SIDED and _REVIEWS.search(raw):
                # "l'autorité a examiné l'investissement d'Amazon": a regulator reviews the deal, it is no party to it.
                actors = [e for e in actors if org_kinds.get(e.slug) != "government"]
            if type_ in TWO_SIDED and _sides(actors, leaders) < 2 and not clause_money:
                continue
            if not actors:
                continue
            status_found = _status_for(text, sentence, clause)
            status = status_found[0] if status_found else DEFAULT_STATUS[type_]
            if type_ == "lawsuit" and status != "cancelled":
                status, status_found = "pending", None
            if (
                type_ == "funding_round"
                and status == "announced"
                and status_found
                and _ANNOUNCING.search(status_found_text(text, sentence, status_found))
            ):
                status = "completed"  # "a annoncé une levée": a round is announced once raised
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
                    participants=_roles(type_, actors, text, (t_start, t_end)),
                    date=event_date,
                    reported=reported,
                    money=clause_money,
                    status_cue=(
                        (sentence.start + status_found[1], sentence.start + status_found[2]) if status_found else None
                    ),
                )
            )
            own_event = True
            previous = drafts[-1]
        if not own_event and drafts:
            _carry_status(drafts, sentence, s_entities)
        people = [e for e in s_entities if e.kind == "person"]
        if people:
            recent_people = people[:1]
    return drafts


# A newsroom only reports: "selon le Wall Street Journal", "a rapporté Bloomberg", "le Times a révélé".
_REPORTS_BEFORE = re.compile(
    r"(?:\bselon|\bd['’]après|\brapporte|\ba rapporté|\brévèle|\ba révélé|\bindique|\ba indiqué|\bcité par|"
    r"\binterrogée? par|\binterview(?:ée?)? (?:au|à|par)|\bau micro d[ue]|\bà l['’]antenne d[ue]|\bcolonnes d[ue]|"
    r"\ba appris|\bconfi(?:é|e) (?:au|à)|\ba (?:déclaré|dit|expliqué|assuré|affirmé) (?:au|à)|\bauprès d[ue]s?|"
    r"\brévélée? par|\brapportée? par)\s*(?:(?:le|la|les)\s+|l['’]\s?)?$",
    re.IGNORECASE,
)
_REPORTS_AFTER = re.compile(
    r"^\s*(?:,[^,]{0,60},\s*)?(?:qui\s+)?(?:a|avait|aurait|ont)?\s*(?:rapporté|révélé|indiqué|appris|publié|écrit|cité|"
    r"affirmé|précisé|détaillé|dévoilé|annoncé|confirmé)\b|^\s*(?:rapporte|révèle|indique|écrit|affirme|précise|"
    r"détaille|note|souligne|assure)\b",
    re.IGNORECASE,
)


def reports(text: str, sentence: Sentence, mention: EntityMention) -> bool:
    """Whether a media organisation is only the source of the news in this sentence."""
    if _REPORTS_BEFORE.search(text, max(sentence.start, mention.start - 40), mention.start):
        return True
    return _REPORTS_AFTER.match(text[mention.end : min(sentence.end, mention.end + 90)]) is not None


_OPENING_FOUNDING = re.compile(r"(?:Co-?f|C|F)(?:ondée?s?|réée?s?|ofondée?s?)\b")


def _participial_founding(
    text: str,
    sentence: Sentence,
    opening: re.Match[str],
    s_entities: Sequence[EntityMention],
    s_dates: Sequence[DateMention],
    reported: DateMention | None,
) -> EventDraft | None:
    t_start, t_end = sentence.start + opening.start(), sentence.start + opening.end()
    actors = _founding_participants(text, sentence, (t_start, t_end), s_entities, None)
    if not actors:
        return None
    # The date of the founding is the one inside the participial phrase, before the founded company.
    founded = actors[-1]
    dates = [d for d in s_dates if d is not reported and d.end <= founded.start]
    clause = Clause(sentence.start, founded.end)
    return EventDraft(
        type="founding",
        status=DEFAULT_STATUS["founding"],
        sentence=sentence,
        clause=clause,
        trigger_start=t_start,
        trigger_end=t_end,
        participants=_roles("founding", actors, text, (t_start, t_end)),
        date=dates[0] if dates else None,
        reported=reported,
    )


# "a annoncé", "annonce": an announcement, as opposed to a round still to come ("va lever").
_ANNOUNCING = re.compile(r"annon[cç]", re.IGNORECASE)


def status_found_text(text: str, sentence: Sentence, found: tuple[str, int, int]) -> str:
    return text[sentence.start + found[1] : sentence.start + found[2]]


def _quoted_at(masked: str, pos: int) -> bool:
    return 0 <= pos < len(masked) and masked[pos] == " "


def _extend(draft: EventDraft, actors: Sequence[EntityMention], money: Sequence[MoneyMention]) -> None:
    """Add the names and amounts of a continuing clause to the event it continues."""
    present = {m.slug for m, _ in draft.participants}
    role = ROLES_AFTER.get(draft.type, SYMMETRIC_ROLE.get(draft.type, "actor"))
    if draft.type == "funding_round":
        role = "investor"
    for a in actors:
        if a.slug not in present:
            draft.participants.append((a, role))
            present.add(a.slug)
    draft.money.extend(money)


def _status_for(text: str, sentence: Sentence, clause: Clause) -> tuple[str, int, int] | None:
    """A cue in the clause itself, else one earlier in the sentence that governs it ("Il semblerait que…")."""
    own = find_status(text[clause.start : clause.end])
    if own is not None:
        return own[0], own[1] + clause.start - sentence.start, own[2] + clause.start - sentence.start
    return find_status(text[sentence.start : clause.start])


def _speaker_first(actors: list[EntityMention], trigger_end: int) -> list[EntityMention]:
    """The speaker first: the person just before the verb ("le patron de Meta a accusé"), else the
    one after it ("», a écrit Musk")."""
    after = [e for e in actors if e.start >= trigger_end and e.kind == "person"]
    before_people = [e for e in actors if e.end <= trigger_end and e.kind == "person"]
    first = before_people[-1] if before_people else (after[0] if after else None)
    if first is None:
        return actors
    return [first, *[e for e in actors if e is not first]]


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
        if draft.type == "lawsuit" and (status != "cancelled" and not _SUIT_OBJECT.search(sentence.text)):
            continue  # "le juge a rejeté la demande d'OpenAI" rejects a motion, not the suit
        refers = bool(_ANAPHORA.search(sentence.text)) or bool(slugs & {p.slug for p, _ in draft.participants})
        if refers:
            draft.status = status
            draft.status_cue = (sentence.start + c_start, sentence.start + c_end)
            return
