"""What the dependency parse says about a token: the preposition that introduces it, its
clause, voice, negation and mood, and the verb a conjugated form belongs to.

Pure helpers over spaCy tokens (Universal Dependencies labels, as ``fr_core_news_md`` gives
them); nothing here knows about events or entities.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

# How elided and contracted prepositions are written in a frame ("d'" is "de", "au" is "à").
_PREPOSITIONS = {"d'": "de", "d’": "de", "du": "de", "des": "de", "au": "à", "aux": "à", "l'": "", "l’": ""}
# Adverbs that head a prepositional phrase in the parse ("auprès d'investisseurs").
_ADVERBIAL_PREPOSITIONS = {"auprès": "auprès de", "face": "face à", "lors": "lors de", "loin": "loin de"}
# Dependents that start a clause of their own: what is inside is another predicate's business.
CLAUSE_DEPS = frozenset({"acl:relcl", "advcl", "ccomp", "csubj", "parataxis"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubj:pass", "csubj", "expl:subj"})
# Conjugated endings → infinitive endings, for forms the lemmatizer leaves alone ("fonde", "injecte").
_ENDINGS = (
    ("eraient", "er"),
    ("erait", "er"),
    ("eront", "er"),
    ("era", "er"),
    ("issent", "ir"),
    ("issait", "ir"),
    ("aient", "er"),
    ("ait", "er"),
    ("ées", "er"),
    ("és", "er"),
    ("ée", "er"),
    ("é", "er"),
    ("ent", "er"),
    ("es", "er"),
    ("ant", "er"),
    ("e", "er"),
    ("it", "ir"),
    ("is", "ir"),
    ("i", "ir"),
)


def feats(token: Token, name: str) -> list[str]:
    """The values of one morphological feature ("Mood", "Tense", "VerbForm"…)."""
    return list(token.morph.get(name, []))


def fold_preposition(word: str) -> str:
    lowered = word.casefold()
    return _PREPOSITIONS.get(lowered, lowered)


def preposition(token: Token) -> str | None:
    """The preposition introducing ``token`` ("dans", "auprès de", "au capital de"…), or None."""
    for child in token.children:
        if child.dep_ == "case" or (child.dep_ == "mark" and child.pos_ == "ADP"):
            words = [
                fold_preposition(child.text),
                *(fold_preposition(f.text) for f in child.children if f.dep_ == "fixed"),
            ]
            return " ".join(w for w in words if w) or None
    head = token.head
    if token.dep_ == "obl:arg" and head.pos_ == "ADV" and head.lower_ in _ADVERBIAL_PREPOSITIONS:
        return _ADVERBIAL_PREPOSITIONS[head.lower_]
    return None


def linear_preposition(
    token: Token,
    floor: int,
    trigger: int,
    transparent: frozenset[str],
    compounds: dict[str, str] | None = None,
    descriptions: frozenset[str] = frozenset(),
) -> str | None:
    """The preposition that introduces a name, read from the words (for arguments the parse lost).

    Determiners, adjectives and numbers may stand between. After a noun that stands for its
    owner ("dans les activités de X", ``transparent``), the chain is followed back to the
    preposition before that noun; a "de" right after the trigger is the trigger's own. Returns ""
    for a name that completes some other noun ("le patron de X").
    """
    doc = token.doc
    i = _description_start(doc, token.i, floor, descriptions) - 1
    found: str | None = None
    for _ in range(4):
        start = i
        while i >= floor and i >= start - 4 and doc[i].pos_ in ("DET", "ADJ", "NUM"):
            i -= 1
        if i < floor:
            return found
        word = doc[i]
        if word.pos_ != "ADP" and word.lower_ not in _PREPOSITIONS:
            return "" if found == "de" else found
        before = doc[i - 1] if i - 1 >= floor else None
        if before is not None and before.lower_ in _ADVERBIAL_PREPOSITIONS:
            return _ADVERBIAL_PREPOSITIONS[before.lower_]
        prep = fold_preposition(word.text)
        if prep != "de":
            return prep or None
        found = "de"
        if before is not None and before.i == trigger:
            return "de"
        if before is not None and compounds and before.lower_ in compounds:
            return compounds[before.lower_]  # "aux côtés de X"
        owner_behind = before is not None and (before.lemma_.casefold() in transparent or before.lower_ in transparent)
        if before is None or before.pos_ not in ("NOUN", "PROPN", "X") or not owner_behind:
            return ""
        i = before.i - 1
    return ""


def _description_start(doc: Doc, name: int, floor: int, heads: frozenset[str]) -> int:
    """Where the description a name follows starts ("le fonds émirati X", "la start-up de
    cybersécurité Y", "le milliardaire Z"): the name itself when no such description stands before."""
    i = name - 1
    start = name
    while i >= floor and name - i <= 7:
        word = doc[i]
        lower = word.lower_
        if (word.is_lower and lower in heads) or (lower == "up" and i >= 2 and doc[i - 2].lower_ == "start"):
            start = i if lower != "up" else i - 2
            i = start - 1
            continue
        if (word.is_lower and word.pos_ in ("ADJ", "NOUN", "PROPN", "X")) or lower in ("de", "d'", "d’", "-"):
            i -= 1
            continue
        break
    return start


def is_passive(verb: Token) -> bool:
    """ "X a été racheté par Y", "X, rachetée par Y", "vendu à Z": the subject is the patient.
    A participle with "avoir" and no "être" is active whatever the subject's label: an adverb
    between them ("a ensuite racheté") leads the parser to a passive subject."""
    if any(c.dep_ == "aux:pass" for c in verb.children):
        return True
    if active_compound(verb):
        return False
    if any(c.dep_ in ("nsubj:pass", "obl:agent") for c in verb.children):
        return True
    past_participle = "Part" in feats(verb, "VerbForm") and "Past" in feats(verb, "Tense")
    has_aux = any(c.dep_ == "aux:tense" for c in verb.children)
    return past_participle and not has_aux and verb.dep_ in ("acl", "advcl", "amod", "ROOT", "conj", "appos")


def active_compound(verb: Token) -> bool:
    """A past participle conjugated with "avoir" alone ("a racheté", "avait investi")."""
    auxiliaries = [c for c in verb.children if c.dep_.startswith("aux") and c.pos_ == "AUX"]
    return bool(auxiliaries) and all(c.lemma_.casefold() == "avoir" for c in auxiliaries)


def qualifies_noun(verb: Token) -> bool:
    """A participle set on a noun ("le modèle lancé par X", "une société rachetée par Y"); one
    conjugated with "avoir" is a relative clause's verb ("X, que Y a rachetée"), not set on it."""
    return (
        verb.dep_ in ("acl", "amod", "nmod", "appos")
        and verb.head.pos_ in ("NOUN", "PROPN", "X")
        and not active_compound(verb)
    )


def comma_participle_noun(verb: Token) -> Token | None:
    """ "… et son modèle X, présenté lundi": a bare past participle set after a noun phrase by a
    comma qualifies that noun, though the parse often hangs it on the main verb."""
    doc = verb.doc
    if "Part" not in feats(verb, "VerbForm") or any(c.dep_.startswith("aux") for c in verb.children):
        return None
    left = min(t.i for t in verb.subtree)
    if left < 2 or doc[left - 1].text != "," or verb.dep_ not in ("advcl", "acl", "conj", "appos"):
        return None
    noun = doc[left - 2]
    while noun.dep_ in ("nmod", "nummod", "amod", "flat:name", "appos") and noun.head.i < noun.i:
        noun = noun.head
    return noun if noun.pos_ in ("NOUN", "PROPN", "X") and noun.sent == verb.sent else None


def governing_verb(token: Token) -> Token | None:
    """The verb a nominal argument depends on ("a annoncé un investissement" → annoncé)."""
    seen = 0
    head = token
    while head.dep_ not in ("ROOT",) and seen < 6:
        head = head.head
        seen += 1
        if head.pos_ in ("VERB", "AUX"):
            return head
        if head.dep_ in CLAUSE_DEPS:
            break
    return head if head.pos_ in ("VERB", "AUX") and head != token else None


def subject_of(verb: Token) -> list[Token]:
    """The verb's own subject tokens."""
    return [c for c in verb.children if c.dep_ in ("nsubj", "nsubj:pass", "csubj")]


def negated(token: Token, negations: frozenset[str], determiners: frozenset[str], marks: frozenset[str]) -> bool:
    """ "ne … pas/jamais/plus", "sans", "aucun" on the token or its auxiliaries."""
    for child in token.children:
        lower = child.lower_
        if child.dep_ in ("advmod", "advmod:neg") and lower in negations:
            return True
        if child.dep_ == "det" and lower in determiners:
            return True
        if child.dep_ in ("mark", "case") and lower in marks:
            return True
        if child.dep_.startswith("aux") and any(g.lower_ in negations for g in child.children):
            return True
    return False


# Conditional endings, and the irregular future stems they follow ("pourr-ait", "viendr-aient").
_CONDITIONAL_ENDINGS = ("aient", "ait", "ais", "ions", "iez")
_IRREGULAR_STEMS = frozenset({
    "aur", "ser", "pourr", "devr", "fer", "voudr", "ir", "faudr", "verr", "enverr", "saur", "vaudr",
    "courr", "mourr", "acquerr",
})  # fmt: skip


def _fold_accents(word: str) -> str:
    return word.replace("è", "e").replace("é", "e").replace("ê", "e")


def conditional_form(token: Token) -> bool:
    """Whether the word is a conditional by its form: the future stem (the infinitive, less the
    "e" of "-re") and an imperfect ending. The tagger takes "investirait" for an imperfect; the
    imperfect "déclarait" keeps no "-er" before its ending and is not matched."""
    form = _fold_accents(token.lower_)
    lemma = _fold_accents(token.lemma_.casefold())
    for ending in _CONDITIONAL_ENDINGS:
        if not form.endswith("r" + ending):
            continue
        stem = form[: -len(ending)]
        if stem in (lemma, lemma[:-1]) or stem in _IRREGULAR_STEMS or stem.endswith("iendr"):
            return True
    return False


def conditional(token: Token) -> bool:
    """Conditional mood on the verb or its auxiliary ("aurait racheté", "investirait"), or on
    the verb an infinitive depends on ("pourrait racheter", "devrait investir")."""
    if "Cnd" in feats(token, "Mood") or conditional_form(token):
        return True
    if any(c.dep_.startswith("aux") and ("Cnd" in feats(c, "Mood") or conditional_form(c)) for c in token.children):
        return True
    head = token.head
    return (
        "Inf" in feats(token, "VerbForm")
        and token.dep_ == "xcomp"
        and head.pos_ in ("VERB", "AUX")
        and head is not token
        and ("Cnd" in feats(head, "Mood") or conditional_form(head))
    )


def future(token: Token) -> bool:
    return "Fut" in feats(token, "Tense") or any(
        c.dep_.startswith("aux") and "Fut" in feats(c, "Tense") for c in token.children
    )


def past(token: Token) -> bool:
    """Passé composé, plus-que-parfait, passé simple or imparfait of the verb, or a past
    participle in the passive ("rachetée par X en 2015")."""
    if "Part" in feats(token, "VerbForm") and "Past" in feats(token, "Tense") and is_passive(token):
        return True
    if "Past" in feats(token, "Tense") and "Fin" in feats(token, "VerbForm"):
        return True
    if "Imp" in feats(token, "Tense") and not conditional_form(token):
        return True
    if "Fin" in feats(token, "VerbForm") and _passe_simple(token):
        return True
    return "Part" in feats(token, "VerbForm") and any(c.dep_ == "aux:tense" for c in token.children)


def gerund(token: Token) -> bool:
    """ "en rachetant": a present participle after "en"."""
    if not ("Part" in feats(token, "VerbForm") and "Pres" in feats(token, "Tense")):
        return False
    previous = token.doc[token.i - 1] if token.i > 0 else None
    return any(c.lower_ == "en" for c in token.children) or (previous is not None and previous.lower_ == "en")


def _passe_simple(token: Token) -> bool:
    """Third person passé simple of an "-er" verb ("racheta", "lança", "fusionnèrent"), which
    the tagger reads as a present."""
    lemma, form = token.lemma_.casefold(), token.lower_
    if not lemma.endswith("er") or len(lemma) < 4:
        return False
    stem = lemma[:-2]
    soft = stem[:-1] + "ç" if stem.endswith("c") else stem + "e" if stem.endswith("g") else stem
    return form in (soft + "a", stem + "èrent")


def finite(verb: Token) -> bool:
    """A conjugated verb, or a participle with its auxiliary."""
    return "Fin" in feats(verb, "VerbForm") or any(c.dep_ == "aux:tense" for c in verb.children)


def reflexive(verb: Token) -> bool:
    return any(c.lower_ in ("se", "s'", "s’") or c.dep_ == "expl:comp" for c in verb.children)


def infinitives(token: Token) -> Iterator[str]:
    """The verb ``token`` may be a form of: its lemma, then infinitives rebuilt from its ending
    (the statistical lemmatizer misses some: "fonde" → "fondre", "injecte" → a noun)."""
    yield token.lemma_.casefold()
    form = token.lower_
    for ending, infinitive in _ENDINGS:
        if form.endswith(ending) and len(form) > len(ending) + 2:
            stem = form[: -len(ending)]
            yield stem + infinitive
            if "è" in stem:
                yield stem.replace("è", "é") + infinitive
                yield stem.replace("è", "e") + infinitive


def subtree_span(token: Token) -> tuple[int, int]:
    """Character offsets (in the sentence) of the token's subtree."""
    left, right = token.left_edge, token.right_edge
    return left.idx, right.idx + len(right.text)


def clause_head(token: Token) -> Token:
    """The verb heading the clause the token belongs to (itself when it is a verb)."""
    head = token
    for _ in range(8):
        if head.pos_ in ("VERB", "AUX") or head.dep_ == "ROOT" or head.dep_ in CLAUSE_DEPS:
            return head
        head = head.head
    return head


def in_clause(token: Token, head: Token) -> bool:
    """Whether ``token`` belongs to ``head``'s clause and not to a clause nested in it."""
    node = token
    for _ in range(40):
        if node == head:
            return True
        if node.dep_ in CLAUSE_DEPS or (node.dep_ == "conj" and node.pos_ in ("VERB", "AUX")):
            return False
        if node.head == node:
            return False
        node = node.head
    return False


def preposition_of_adverb(token: Token) -> str | None:
    """ "auprès", "face": adverbs the parse makes the head of a prepositional phrase."""
    return _ADVERBIAL_PREPOSITIONS.get(token.lower_) if token.pos_ in ("ADV", "ADP") else None
