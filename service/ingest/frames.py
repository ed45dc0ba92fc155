"""The argument frames of event triggers and the word lists around them, read from
``seeds/knowledge/frames.json`` (adding a verb or a noun is a data change).

A frame maps the relations a trigger's arguments stand in to event roles; see the file's
``about`` for the relation names.
"""

from __future__ import annotations

import functools
from pathlib import Path

import msgspec

KNOWLEDGE = Path(__file__).resolve().parents[2] / "seeds" / "knowledge"


class Frame(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    type: str
    roles: dict[str, str]
    needs: str | None = None
    # "s'offrir", "s'associer": the verb is a trigger only in its pronominal form.
    reflexive: bool = False
    # "fondateur", "cofondatrice": a title that reports an event about the one who holds it.
    title: bool = False

    def role(self, relation: str, filled: set[str], recipient: str | None = None) -> str | None:
        """The role of an argument in ``relation``; a role marked ``?`` only when still empty.
        ``recipient``: the role of whoever receives what the trigger names."""
        role = self.roles.get(relation) if relation != "recipient" else recipient
        if role is None:
            return None
        if role.endswith("?"):
            role = role[:-1]
            return None if role in filled else role
        return role


class Governor(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A verb that governs a trigger ("envisage de racheter", "a accepté l'offre")."""

    status: str
    bid: bool = False
    accepts: bool = False
    rejects: bool = False


class Frames(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    about: str
    verbs: dict[str, Frame]
    nouns: dict[str, Frame]
    support_verbs: frozenset[str]
    governors: dict[str, Governor]
    speech: frozenset[str]
    speech_nouns: frozenset[str]
    speech_needs_complement: frozenset[str]
    # Verbs that report speech only with a clause or a quotation ("a conclu que…", "soutient
    # que…"); with an object they act ("conclure un accord", "soutenir une start-up").
    speech_needs_clause: frozenset[str]
    # Verbs that report a stance only when reflexive ("s'opposer à"): "le procès opposant X à Y".
    speech_reflexive: frozenset[str]
    speech_objects: dict[str, frozenset[str]]
    accusations: frozenset[str]
    negations: frozenset[str]
    negative_determiners: frozenset[str]
    negative_marks: frozenset[str]
    payment_words: frozenset[str]
    stake_words: frozenset[str]
    round_words: frozenset[str]
    listing_words: frozenset[str]
    court_words: frozenset[str]
    # Where words are published ("sur son réseau social X", "sur le plateau de Y"): the place of a
    # statement, not what it is about.
    channel_heads: frozenset[str]
    # Platforms named as where words were posted ("a répondu sur X").
    channel_names: frozenset[str]
    # Nouns that report speech only with a given complement ("une levée de boucliers").
    speech_idioms: dict[str, frozenset[str]]
    # What an appeal is lodged against ("faire appel du jugement"): "appel" alone also names a
    # call or a tender ("appel d'offres").
    ruling_words: frozenset[str]
    product_heads: frozenset[str]
    conditional_cues: frozenset[str]
    member_marks: frozenset[str]
    transparent_heads: frozenset[str]
    stake_heads: frozenset[str]
    description_heads: frozenset[str]
    group_heads: frozenset[str]
    receiving_verbs: frozenset[str]
    recipient_roles: dict[str, str]
    # "X a rejoint le tour de table", "X s'est associé à l'offre de Y": who joins a deal takes the
    # side of its initiator (``joiner_roles``), not the role of a subject.
    joining_verbs: frozenset[str]
    # "présenter X comme un service en déclin": with "comme", these verbs describe; they launch nothing.
    predicative_verbs: frozenset[str]
    joiner_roles: dict[str, str]
    # "X a contacté Y afin de discuter d'une entrée au capital": Y is the deal's other side.
    contact_verbs: frozenset[str]
    talk_verbs: frozenset[str]
    counterpart_roles: dict[str, str]
    joint_action_verbs: frozenset[str]
    # "OpenAI prévoit, avec Oracle, la construction…": acting together with another company.
    joint_action: Frame
    # "aux côtés de X" reads as "avec X".
    compound_prepositions: dict[str, str]
    # "type.role" → the kind of entity that role takes (an investment's target is an organisation).
    role_kinds: dict[str, str]
    # Verbs whose subject examines a deal without taking part in it ("l'autorité a examiné le rachat").
    review_verbs: frozenset[str]
    # Nouns that give their holder the right to act ("accorder à X le droit d'acquérir…").
    entitlements: frozenset[str]
    # What an acquisition of which is a stake, not a company ("acquérir des actions").
    share_words: frozenset[str]
    # ... unless it takes them all ("toutes les actions de X").
    whole_words: frozenset[str]
    # What launching makes a founding, not a product launch ("a lancé sa propre société").
    company_nouns: frozenset[str]
    collection_heads: frozenset[str]
    voice_marks: frozenset[str]


@functools.cache
def load_frames() -> Frames:
    return msgspec.json.decode((KNOWLEDGE / "frames.json").read_bytes(), type=Frames)
