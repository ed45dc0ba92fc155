"""A synthetic French news corpus for benchmarks: template articles with varied entities,
amounts, dates and the noise scrapers add (repeated bodies, disclaimers, teasers, bylines)."""

from __future__ import annotations

import json
import random
from pathlib import Path

ORGS = [
    ("OpenAI", "Sam Altman"), ("Anthropic", "Dario Amodei"), ("Mistral AI", "Arthur Mensch"),
    ("xAI", "Elon Musk"), ("Google DeepMind", "Demis Hassabis"), ("Microsoft", "Satya Nadella"),
    ("Nvidia", "Jensen Huang"), ("AMD", "Lisa Su"), ("Meta", "Mark Zuckerberg"), ("Apple", "Tim Cook"),
    ("Amazon", "Andy Jassy"), ("Oracle", "Larry Ellison"), ("SoftBank", "Masayoshi Son"),
    ("SpaceX", "Gwynne Shotwell"), ("Blue Origin", "Jeff Bezos"), ("Perplexity", "Aravind Srinivas"),
]  # fmt: skip
NEW_ORGS = ["Nebula Robotics", "Quantix Labs", "Orbitale Systems", "Helix Compute", "Vireo AI", "Kestrel Energy"]
NEW_PEOPLE = ["Claire Dumont", "Julien Marchand", "Sofia Brennan", "Karim Haddad", "Léa Fontaine", "Marc Olivier"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]  # fmt: skip
AMOUNTS = [
    "{n} milliards de dollars",
    "{n} millions d’euros",
    "{n},5 milliards de dollars",
    "{n} Md$",
    "près de {n} milliards de dollars",
    "plus de {n} millions de dollars",
    "jusqu’à {n} milliards de dollars",
]

SENTENCES = [
    "{a}, dirigée par {pa}, a annoncé un partenariat avec {b} pour construire des centres de données.",
    "Selon le Wall Street Journal, {a} envisagerait de racheter {b} pour {amount}.",
    "{b} a levé {amount} lors d’un tour de table mené par {a}.",
    "{pa} a déclaré que {b} n’était « pas une menace sérieuse » pour {a}.",
    "La rivalité entre {pa} et {pb} s’est encore intensifiée le {day} {month} {year}.",
    "{pb} a assigné {a} en justice, lui reprochant une concurrence déloyale.",
    "{a} s’est engagé à investir {amount} sur cinq ans.",
    "La start-up {new}, fondée par {newp}, a levé {amount} auprès de {a}.",
    "{b} a lancé le nouveau modèle Atlas {n}, qui vient concurrencer les produits de {a}.",
    "Les négociations entre {a} et {b} seraient actuellement au point mort.",
    "En {month} {year}, {a} et {b} ont conclu un accord de {amount} pour des puces d’IA.",
]
NOISE_TAIL = [
    "Cette page peut inclure du contenu de tiers fourni à des fins d'information uniquement. "
    "Le site ne garantit ni l'exactitude ni la validité de ces contenus.",
    "Laisser un commentaire\n\nseize + dix-sept =",
    "Articles connexes\nLe gouvernement présente un budget de 45 milliards d’euros pour la défense\nIsabelle Martin",
    "Partager cet article\nS'abonner à la newsletter",
]


def article(rng: random.Random) -> tuple[str, dict[str, str]]:
    (a, pa), (b, pb) = rng.sample(ORGS, 2)
    body = []
    for _ in range(rng.randint(5, 9)):
        template = rng.choice(SENTENCES)
        body.append(
            template.format(
                a=a,
                b=b,
                pa=pa,
                pb=pb,
                new=rng.choice(NEW_ORGS),
                newp=rng.choice(NEW_PEOPLE),
                amount=rng.choice(AMOUNTS).format(n=rng.randint(2, 90)),
                n=rng.randint(2, 9),
                day=rng.randint(1, 28),
                month=rng.choice(MONTHS),
                year=rng.randint(2019, 2026),
            )
        )
    title = f"{a} face à {b} : la bataille de l’IA continue"
    paragraphs = [" ".join(body[i : i + 2]) for i in range(0, len(body), 2)]
    text = title + "\n" + "\n\n".join(paragraphs) + "\n"
    if rng.random() < 0.4:  # scraped pages often repeat their body
        text += "\n" + title + "\n" + "\n\n".join(paragraphs) + "\n"
    text += "\n" + "\n\n".join(rng.sample(NOISE_TAIL, 2)) + "\n"
    meta = {"published_on": f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
    return text, meta


def generate(count: int, out: Path, seed: int = 7) -> Path:
    """Write ``count`` articles (with sidecar metadata for a third of them) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for i in range(count):
        text, meta = article(rng)
        path = out / f"{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        if i % 3 == 0:
            path.with_name(f"{i:05d}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return out
