"""Typed events from predicates and their arguments.

A trigger is a verb or an eventive noun whose lemma has a frame in ``seeds/knowledge/frames.json``
(so every tense, mood, person and inserted adverb works). Its arguments come from the
dependency parse: the subject, the object, the agent of a passive, the prepositional
complements, and for a noun its ``de``/``par`` complements, its possessive and the subject of the
verb that governs it ("Oracle a confirmé une alliance avec ByteDance"). Each argument names the
entities it denotes (a name, a pronoun or a description resolved by :mod:`coref`, a relative
pronoun's antecedent, coordinated and listed names), and the frame maps the relation to a role.
Where the parse lost an argument, the words around the trigger stand in: the nearest name
before it that no preposition introduces is its subject, a preposition just before a name
gives its relation.

Negated triggers ("n'a pas besoin de lever") give no event; the governing verb, the mood and
the tense give the status ("envisage de racheter" is pending, a conditional is rumoured);
speech verbs give statements, with the speaker and the entities their complement is about.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

from spacy.tokens import Token

from service.ingest import syntax
from service.ingest.arguments import (
    POSSESSIVES,
    SentenceView,
    Trigger,
    arguments,
    denotes,
    event_date,
    noun_frame,
    subjects_of,
    voices,
)
from service.ingest.coref import Resolution
from service.ingest.events_types import Clause, EventDraft
from service.ingest.frames import Frame, Frames, Governor, load_frames
from service.ingest.parse import ParsedSentence
from service.ingest.statements import statements
from service.ingest.types import DateMention, EntityMention, MoneyMention

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
# Types whose past tense reports a done deal ("a racheté", "a levé").
DONE_WHEN_PAST = frozenset(
    {"acquisition", "investment", "funding_round", "founding", "product_launch", "contract", "partnership"}
)
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
# An acquisition read inside a bid names its buyer a bidder, and an accepted bid's bidder acquires.
_ROLE_AS = {
    "bid": {"acquirer": "bidder"},
    "acquisition": {"bidder": "acquirer"},
    "investment": {"acquirer": "investor"},
}
# Deals need two sides (or an amount) to say something: "l'investissement d'Amazon" alone does not.
TWO_SIDED = frozenset({"acquisition", "bid", "partnership", "joint_venture", "contract", "investment", "commitment"})


def extract_events(
    parsed: Sequence[ParsedSentence],
    resolution: Resolution,
    mentions: Sequence[EntityMention],
    money: Sequence[MoneyMention],
    dates: Sequence[DateMention],
    org_kinds: Mapping[str, str],
    text: str,
) -> list[EventDraft]:
    """Event candidates of a document, in text order."""
    frames = load_frames()
    drafts: list[EventDraft] = []
    for k, ps in enumerate(parsed):
        ctx = SentenceView.build(k, ps, resolution, mentions, org_kinds, text, money, dates)
        triggers = _triggers(ps, frames)
        absorbed = _absorptions(triggers)
        produced: dict[int, tuple[Trigger, EventDraft]] = {}
        for trigger in triggers:
            if trigger.token.i in absorbed:
                continue
            nested = [t for t in triggers if absorbed.get(t.token.i) is trigger]
            draft = _event(ctx, trigger, nested)
            if draft is not None:
                produced[trigger.token.i] = (trigger, draft)
        # "s'associer à l'offre de X": joining a deal the noun reports takes a side in it (the
        # noun's event reads the joiner); no partnership of its own
        for trigger, draft in produced.values():
            deal = _joined_deal(trigger.token, frames) if draft.type == "partnership" and trigger.verbal else None
            if deal is None or deal.i not in produced:
                drafts.append(draft)
        drafts.extend(statements(ctx, triggers))
    return drafts


# ----------------------------------------------------------------------------- triggers


def _triggers(ps: ParsedSentence, frames: Frames) -> list[Trigger]:
    found: list[Trigger] = []
    for tok in ps.doc:
        frame = noun_frame(tok, frames) or _mistagged_noun(tok, frames)
        if frame is not None:
            found.append(Trigger(tok, frame, verbal=False))
            continue
        if tok.pos_ not in ("VERB", "AUX", "NOUN", "ADJ") or (tok.pos_ == "AUX" and tok.dep_.startswith("aux")):
            continue
        if tok.pos_ in ("NOUN", "ADJ") and not _acts_as_verb(tok):
            continue
        for lemma in syntax.infinitives(tok):
            verb = frames.verbs.get(lemma)
            if verb is not None and (not verb.reflexive or syntax.reflexive(tok)):
                found.append(Trigger(tok, verb, verbal=True))
                break
            if lemma in frames.joint_action_verbs and any(syntax.preposition(c) == "avec" for c in tok.children):
                found.append(Trigger(tok, frames.joint_action, verbal=True))
                break
    return found


def _mistagged_noun(tok: Token, frames: Frames) -> Frame | None:
    """ "l'offre" tagged as a verb: a word with an article is a noun."""
    if tok.pos_ in ("VERB", "ADJ") and any(c.dep_ == "det" and c.pos_ == "DET" for c in tok.children):
        return frames.nouns.get(tok.lower_)
    return None


def _acts_as_verb(tok: Token) -> bool:
    """A word the tagger took for a noun but that has a verb's dependents ("Google mise 2 Md$")."""
    return any(c.dep_ in ("nsubj", "aux:tense", "aux:pass", "obj") for c in tok.children) or tok.dep_ == "ROOT"


# ----------------------------------------------------------------------------- one event


def _event(ctx: SentenceView, trigger: Trigger, nested: Sequence[Trigger]) -> EventDraft | None:
    """``nested``: the triggers this one absorbs (:func:`_absorptions`)."""
    frames = ctx.frames
    tok, frame = trigger.token, trigger.frame
    governor = _governor(tok, frames)
    if _is_negated(tok, frames, governor):
        return None
    if frame.type == "product_launch" and trigger.verbal and _predicative(tok, frames):
        return None
    if frame.type == "product_launch" and trigger.verbal and _launches_company(ctx, tok, frames):
        # "a lancé sa propre société, X": launching a company founds it
        trigger = Trigger(tok, frames.verbs["fonder"], verbal=True)
        frame = trigger.frame
    args = arguments(ctx, trigger)
    # A trigger nested in this one ("offre de rachat", "contre-offre pour acquérir X") lends its arguments.
    for other in nested:
        args += [(rel, m, other.frame) for rel, m, _ in arguments(ctx, other)]
    type_ = frame.type
    if type_ == "acquisition" and _buys_shares(tok, frames):
        type_ = "investment"  # "acquérir 160 millions d'actions": a stake, not the company
    if type_ == "acquisition" and _hypothetical(tok, governor, frames):
        type_ = "bid"
    if type_ == "bid" and governor is not None and governor[1].accepts:
        type_ = "acquisition"  # an offer its target accepted is an agreed acquisition
    participants = _roles(args, type_)
    if governor is not None and (governor[1].accepts or governor[1].rejects) and type_ in ("bid", "acquisition"):
        # "Le conseil de X a accepté l'offre": who accepts or rejects an offer is its target.
        for m in subjects_of(ctx, governor[0]):
            if all(m.slug != p.slug for p, _ in participants):
                participants.append((m, "target"))
    # "par la voix de son ministre X": X speaks for the actor, whatever else the words made of X.
    speakers = {m.slug: m for m in voices(ctx, tok)}
    participants = [(m, r) for m, r in participants if m.slug not in speakers] + [
        (m, "speaker") for m in speakers.values()
    ]
    participants += _counterparts(ctx, trigger, type_, participants)
    if type_ == "lawsuit":
        participants = _authority_prosecutes(ctx, participants, trigger.verbal)
    kinds = frames.role_kinds
    participants = [(m, r) for m, r in participants if kinds.get(f"{type_}.{r}", m.kind) == m.kind]
    if not participants or not _satisfied(ctx, trigger, participants, args):
        return None
    if type_ in TWO_SIDED and len({m.slug for m, _ in participants}) < 2 and not _clause_money(ctx, tok):
        return None
    if frame.title and not any(role in ("founder", "partner") for _, role in participants):
        return None
    status = _status(tok, trigger.verbal, type_, governor, ctx)
    start, end = _clause_span(tok)
    clause = Clause(ctx.start + start, ctx.start + end)
    return EventDraft(
        type=type_,
        status=status,
        sentence=ctx.parsed.sentence,
        clause=clause,
        trigger_start=ctx.start + tok.idx,
        trigger_end=ctx.start + tok.idx + len(tok.text),
        participants=participants,
        date=event_date(ctx, tok, clause),
        reported=ctx.reported,
        money=_clause_money(ctx, tok),
    )


_JOINED_TYPES = frozenset({"bid", "acquisition", "investment", "funding_round", "commitment"})


def _joined_deal(verb: Token, frames: Frames) -> Token | None:
    """The deal a verb joins: "X s'est associé à l'offre de Y", "X s'est joint au rachat"."""
    for child in verb.children:
        if child.dep_ in ("obj", "obl", "obl:arg") and syntax.preposition(child) in (None, "à"):
            frame = noun_frame(child, frames)
            if frame is not None and frame.type in _JOINED_TYPES:
                return child
    return None


def _absorptions(triggers: Sequence[Trigger]) -> dict[int, Trigger]:
    """Token of each trigger that only completes another → that other: "l'offre de rachat" (a
    noun's noun), "une offre pour racheter X" / "a soumis une contre-offre pour acquérir X" (the
    purchase a bid is for). Only the trigger's head and that head's objects can absorb it, so
    this reads a few words per trigger, never every pair."""
    by_token = {t.token.i: t for t in triggers}
    out: dict[int, Trigger] = {}
    for trigger in triggers:
        tok = trigger.token
        head = by_token.get(tok.head.i) if tok.head is not tok else None
        # a title ("du cofondateur de X") describes a person, it completes no other event
        # a collection ("une série d'engagements") is made of the events it names, not one of them
        collection = head is not None and head.token.lemma_.casefold() in load_frames().collection_heads
        if (
            head is not None
            and not trigger.verbal
            and not head.verbal
            and tok.dep_ == "nmod"
            and not trigger.frame.title
            and not collection
        ):
            out[tok.i] = head
            continue
        if trigger.frame.type != "acquisition":
            continue
        candidates = [head] if head is not None else []
        if tok.dep_ in ("advcl", "xcomp"):
            # the bid is the object of the verb the purchase depends on ("a soumis une offre pour acquérir")
            candidates += [by_token[c.i] for c in tok.head.children if c.dep_ in ("obj", "obl:arg") and c.i in by_token]
        bid = next((c for c in candidates if c.frame.type == "bid" and not c.verbal), None)
        if bid is not None:
            out[tok.i] = bid
    return out


def _introduced_by(ctx: SentenceView, start: Token, end: Token, preposition: str) -> list[EntityMention]:
    """The names between two words that a preposition introduces, read from the words."""
    frames = ctx.frames
    out: list[EntityMention] = []
    for t in start.doc[start.i + 1 : end.i]:
        for m in ctx.first_mentions(t):
            prep = syntax.linear_preposition(
                t, start.i, -1, frames.transparent_heads, frames.compound_prepositions, frames.description_heads
            )
            if prep == preposition:
                out.append(m)
    return out


def _predicative(verb: Token, frames: Frames) -> bool:
    """ "a présenté X comme un service en déclin": a description, not a launch."""
    return verb.lemma_.casefold() in frames.predicative_verbs and any(
        t.lower_ == "comme" and t.dep_ in ("case", "mark") for t in verb.subtree
    )


def _launches_company(ctx: SentenceView, tok: Token, frames: Frames) -> bool:
    objects = [c for c in tok.children if c.dep_ in ("obj", "nsubj:pass")]
    # the first noun after the verb, where the parse hung the object elsewhere, and not past another
    # verb ("a dévoilé avoir trouvé les fonds": the funds are what was found)
    following = list(itertools.takewhile(lambda t: t.pos_ not in ("VERB", "AUX"), tok.doc[tok.i + 1 : tok.i + 8]))
    objects += [t for t in following if t.pos_ == "NOUN" and t.dep_ != "obl:mod"][:1]
    return any(
        o.lemma_.casefold() in frames.company_nouns or any(m.kind == "organisation" for m in denotes(ctx, o))
        for o in objects
    )


def _buys_shares(tok: Token, frames: Frames) -> bool:
    """ "acquérir 160 millions d'actions", not "acquérir toutes les actions de X" (the whole company)."""
    objects = [c for c in tok.children if c.dep_ in ("obj", "nmod", "obl", "obl:arg", "obl:mod")]
    words = {t.lemma_.casefold() for o in objects for t in o.subtree} | {t.lower_ for o in objects for t in o.subtree}
    return bool(words & frames.share_words) and not words & frames.whole_words


def _counterparts(
    ctx: SentenceView, trigger: Trigger, type_: str, participants: Sequence[tuple[EntityMention, str]]
) -> list[tuple[EntityMention, str]]:
    """ "X a contacté Y afin d'évoquer une entrée au capital", "X a échangé avec Y au
    sujet d'une vente": whom the actor approached or talked with is the deal's other side (the
    frame says which: the target of a purchase, the buyer of a sale), when the deal names none."""
    role = trigger.frame.roles.get("counterpart") or ctx.frames.counterpart_roles.get(type_)
    role = _ROLE_AS.get(type_, {}).get(role, role) if role else None
    if role is None or any(r == role for _, r in participants):
        return []
    present = {m.slug for m, _ in participants}
    node = trigger.token
    for _ in range(4):
        if node.head == node:
            return []
        node = node.head
        if node.pos_ != "VERB":
            continue
        lemmas = set(syntax.infinitives(node))
        if lemmas & ctx.frames.contact_verbs:
            found = [m for c in node.children if c.dep_ == "obj" for m in denotes(ctx, c)]
        elif lemmas & ctx.frames.talk_verbs:
            found = [m for c in node.children if syntax.preposition(c) == "avec" for m in denotes(ctx, c)]
            found = found or _introduced_by(ctx, node, trigger.token, "avec")
        else:
            continue
        if found:
            return [(m, role) for m in found if m.slug not in present]
    return []


def _authority_prosecutes(
    ctx: SentenceView, participants: list[tuple[EntityMention, str]], verbal: bool
) -> list[tuple[EntityMention, str]]:
    """In a case between a public authority and a company, the authority is the one bringing it,
    unless a verb's grammar says the company sued the authority ("X a attaqué la Commission")."""
    kinds = [ctx.org_kind(m.slug) == "government" and m.kind == "organisation" for m, _ in participants]
    if not any(kinds) or all(kinds):
        return participants
    sued = any(gov and role == "defendant" for (_, role), gov in zip(participants, kinds, strict=True))
    suing = any(not gov and role == "plaintiff" for (_, role), gov in zip(participants, kinds, strict=True))
    if verbal and sued and suing:
        return participants
    return [
        (m, "plaintiff" if is_gov else ("defendant" if role in ("plaintiff", "defendant") else role))
        for (m, role), is_gov in zip(participants, kinds, strict=True)
    ]


def _roles(args: Iterable[tuple[str, EntityMention, Frame]], type_: str) -> list[tuple[EntityMention, str]]:
    frames = load_frames()
    recipients = frames.recipient_roles
    out: list[tuple[EntityMention, str]] = []
    seen: dict[str, int] = {}
    filled: set[str] = set()
    for relation, mention, source in sorted(args, key=_claim_order):
        if relation == "joiner":
            joined = frames.joiner_roles.get(source.type)
            role = joined if joined is not None else source.role("subj", filled)
        else:
            role = source.role(relation, filled, recipients.get(source.type))
        if role is None and relation == "agent":
            role = source.role("subj", filled)
        if role is None:
            continue
        role = _ROLE_AS.get(type_, {}).get(role, role)
        if mention.slug in seen:
            continue
        seen[mention.slug] = len(out)
        filled.add(role)
        out.append((mention, role))
    return out


# Direct arguments claim an entity before looser ones ("Google obtient une licence … de Character.AI").
_RELATION_ORDER = {"subj": 0, "agent": 0, "holder": 0, "recipient": 0, "joiner": 0, "obj": 1, "iobj": 2, "name": 3}


def _claim_order(arg: tuple[str, EntityMention, Frame]) -> tuple[bool, int]:
    """Fallback roles ("target?") come last, so that they see what the others filled."""
    relation, _, frame = arg
    return frame.roles.get(relation, "").endswith("?"), _RELATION_ORDER.get(relation, 5)


# ----------------------------------------------------------------------------- conditions


def _satisfied(
    ctx: SentenceView,
    trigger: Trigger,
    participants: Sequence[tuple[EntityMention, str]],
    args: Sequence[tuple[str, EntityMention, Frame]],
) -> bool:
    """A frame's extra condition ("needs")."""
    frames = ctx.frames
    tok, need = trigger.token, trigger.frame.needs
    if need is None:
        return True
    phrase = [*tok.subtree, tok.head] if tok.dep_ == "acl:relcl" else list(tok.subtree)
    words = {t.lower_ for t in phrase} | {t.lemma_.casefold() for t in phrase}
    near = {t.lower_ for t in tok.doc[max(0, tok.i - 3) : tok.i + 6]}
    if need == "money":
        return bool(_clause_money(ctx, tok))
    if need == "organisations":
        return all(m.kind == "organisation" for m, _ in participants) and len(participants) >= 2
    if need == "payment":
        return bool(_clause_money(ctx, tok)) or bool(words & frames.payment_words)
    if need == "object":
        return any(role not in ("subj", "agent", "holder") for role, _, _ in args) or bool(_clause_money(ctx, tok))
    if need == "organisation":
        return any(m.kind == "organisation" and role in ("obj", "de", "name") for role, m, _ in args) or any(
            c.lemma_.casefold()
            in ("société", "entreprise", "start-up", "startup", "filiale", "laboratoire", "coentreprise")
            for c in tok.children
            if c.dep_ in ("obj", "nmod")
        )
    if need == "product":
        objects = [c for c in tok.children if c.dep_ in ("obj", "nsubj:pass", "nmod", "obl:mod")]
        if syntax.qualifies_noun(tok):
            objects.append(tok.head)
        if (qualified := syntax.comma_participle_noun(tok)) is not None:
            objects.append(qualified)
        return any(
            _product_head(ctx, tok, o)
            or ((o.pos_ in ("PROPN", "X") or _capitalised_inside(o)) and not ctx.mentions_at(o))
            or (
                any(c.dep_ == "det" and c.lower_ in POSSESSIVES for c in o.children)
                and o.pos_ in ("PROPN", "NOUN")
                and noun_frame(o, frames) is None
            )
            for o in objects
        )
    if need == "bid":
        return (
            bool(_clause_money(ctx, tok))
            or any(
                noun_frame(t, frames) is not None or t.lemma_ in ("racheter", "acquérir", "acheter", "reprendre")
                for t in tok.subtree
                if t != tok
            )
            or any(role in ("pour", "sur") for role, _, _ in args)
            # the purchase it is for, absorbed from elsewhere in the clause ("une offre …, pour reprendre X")
            or any(source.type == "acquisition" for _, _, source in args)
            # an offer a board accepts or rejects ("a rejeté l'offre de X") is a bid, amount or not
            or _answered(tok, frames)
        )
    if need == "stake":
        return bool((words | near) & frames.stake_words) or any(
            role in ("dans", "au capital de") for role, _, _ in args
        )
    if need == "round":
        return bool(near & frames.round_words)
    if need == "series":
        # "une série C", "une série de financement"
        following = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
        series = following is not None and following.text in ("A", "B", "C", "D", "E", "F")
        return series or "financement" in near
    if need == "listing":
        return bool(near & frames.listing_words)
    if need == "court":
        return bool((near | words) & frames.court_words)
    if need == "legal":
        # The singular also means carrying on ("la poursuite des travaux"): a suit shows in a court
        # word, an adversary, or the plural ("des poursuites").
        return (
            bool((near | words) & frames.court_words)
            or any(role == "contre" for role, _, _ in args)
            or tok.lower_.endswith("s")
        )
    if need == "seize":
        # "mettre la main sur X", "faire main basse sur X": the noun is the verb's object, X follows "sur"
        return tok.dep_ == "obj" and any(role == "sur" for role, _, _ in args)
    if need == "appeal":
        return bool((near | words) & (frames.court_words | frames.ruling_words))
    if need == "adversary":
        return any(role == "contre" for role, _, _ in args)
    if need == "trigger":
        return any(noun_frame(t, frames) is not None for t in tok.subtree if t != tok)
    return True


def _product_head(ctx: SentenceView, trigger: Token, noun: Token) -> bool:
    """A noun naming a product. One that also names a deal ("offre") is a product only when
    described ("une offre groupée") and not a bid: no eventive complement, no amount."""
    frames = ctx.frames
    if noun.lemma_.casefold() not in frames.product_heads:
        return False
    if noun_frame(noun, frames) is None:
        return True
    return (
        any(c.dep_ == "amod" for c in noun.children)
        and not any(noun_frame(c, frames) is not None for c in noun.children)
        and not _clause_money(ctx, trigger)
    )


def _answered(tok: Token, frames: Frames) -> bool:
    governor = _governor(tok, frames)
    return governor is not None and (governor[1].accepts or governor[1].rejects)


def _capitalised_inside(tok: Token) -> bool:
    """A capital that marks a name, not the start of the sentence ("Jeudi, X a dévoilé…")."""
    return tok.text[:1].isupper() and any(not t.is_punct for t in tok.doc[tok.sent.start : tok.i])


def _clause_money(ctx: SentenceView, tok: Token) -> list[MoneyMention]:
    head = syntax.clause_head(tok)
    a, b = syntax.subtree_span(head if tok.pos_ != "VERB" else tok)
    lo, hi = ctx.start + a, ctx.start + b
    return [m for m in ctx.money if lo <= m.start and m.end <= hi]


def _governor(tok: Token, frames: Frames) -> tuple[Token, Governor] | None:
    """The verb governing a trigger and its frame: "envisage de racheter", "a accepté l'offre"."""
    node = tok
    for _ in range(3):
        if node.head == node:
            return None
        dep = node.dep_
        node = node.head
        if dep not in ("xcomp", "obj", "obl", "obl:arg", "ccomp", "advcl", "nmod", "acl"):
            return None
        if node.pos_ in ("VERB", "AUX", "NOUN"):
            for lemma in syntax.infinitives(node):
                found = frames.governors.get(lemma)
                if found is not None:
                    return node, found
    return None


def _is_negated(tok: Token, frames: Frames, governor: tuple[Token, Governor] | None) -> bool:
    def neg(t: Token) -> bool:
        return syntax.negated(t, frames.negations, frames.negative_determiners, frames.negative_marks)

    if neg(tok):
        return True
    # "n'a pas besoin de lever", "n'a pas mis sa filiale en vente": the verb above carries it.
    node = tok
    for _ in range(3):
        # "n'a pas l'intention de racheter": through the noun the trigger completes
        completes_noun = node.dep_ == "acl" and node.head.pos_ == "NOUN"
        if (node.dep_ not in ("xcomp", "obj", "obl", "obl:arg", "obl:mod", "nmod") and not completes_noun) or (
            node.head == node
        ):
            return False
        node = node.head
        if neg(node):
            return governor is None or node is not governor[0] or governor[1].status not in ("cancelled", "rejected")
        if node.pos_ in ("VERB",) and node.dep_ not in ("xcomp",):
            return False
    return False


def _hypothetical(tok: Token, governor: tuple[Token, Governor] | None, frames: Frames) -> bool:
    """An acquisition only attempted, proposed or wished is a bid."""
    if governor is not None and governor[1].bid:
        return True
    return any(c.lemma_.casefold() in ("éventuel", "potentiel", "possible", "échec") for c in tok.children) or (
        tok.dep_ == "nmod" and tok.head.lemma_.casefold() in ("échec", "tentative", "projet")
    )


def _status(tok: Token, verbal: bool, type_: str, governor: tuple[Token, Governor] | None, ctx: SentenceView) -> str:
    verb = tok if verbal else syntax.governing_verb(tok)
    if governor is not None:
        status = governor[1].status
        if syntax.conditional(governor[0]):
            return "rumoured"
        if type_ == "funding_round" and status == "announced" and syntax.past(governor[0]):
            return "completed"  # "a annoncé une levée": a round is announced once raised
        if (
            status == "cancelled"
            and governor[0].lemma_.casefold() in ("tenter", "essayer")
            and not syntax.past(governor[0])
        ):
            return "pending"
        return status
    if verb is not None and syntax.conditional(verb):
        return "rumoured"
    if verb is not None and syntax.future(verb):
        return "announced"
    if verb is not None and syntax.past(verb) and type_ in DONE_WHEN_PAST:
        return "completed"
    return DEFAULT_STATUS.get(type_, "reported")


def _clause_span(tok: Token) -> tuple[int, int]:
    return syntax.subtree_span(syntax.clause_head(tok))
