"""Words and context patterns that say what a capitalised name in French tech news is: a person
(a first name, a title before it, a reporting verb after it), a company (a company noun, a legal
suffix, a deal verb), a product or a place. Data only; the mention passes weigh them."""

from __future__ import annotations

import re


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# First names: the strongest shape cue that two capitalised words are a person.
FIRST_NAMES: frozenset[str] = _wordset(
    """
    Jean Pierre Paul Jacques Michel Philippe Alain Patrick Nicolas Christophe François Daniel Bernard Eric Éric
    Frédéric Laurent Stéphane David Olivier Thierry Sébastien Julien Guillaume Thomas Antoine Alexandre Maxime
    Vincent Emmanuel Marc Luc Louis Arthur Hugo Lucas Mathieu Matthieu Romain Benoît Bruno Cédric Didier
    Dominique Fabrice Franck Gilles Hervé Jérôme Jean-Pierre Jean-Marc Jean-Luc Jean-Louis Jean-Claude
    Jean-Michel Jean-François Jean-Baptiste Jean-Paul Jean-Yves Joël Lionel Ludovic Pascal Raphaël Rémi Sylvain
    Timothée Xavier Yann Yannick Yves Gérard René Rene Roger Henri Georges Charles Gabriel Léo Adrien Baptiste
    Benjamin Clément Damien Florian Gaël Jonathan Kevin Loïc Mickaël Quentin Samuel Simon Tristan Valentin
    Victor Thibault Thibaut Cyril Arnaud Aurélien Bastien Fabien Grégoire Jérémy Mehdi Karim Rodolphe Édouard
    Edouard Gaspard Marius Martin Jules Théo Nathan Noé Bertrand Hubert Guy Serge Denis Claude Marcel André
    Marie Anne Sophie Isabelle Catherine Nathalie Christine Sylvie Valérie Sandrine Céline Julie Aurélie Camille
    Claire Caroline Charlotte Chloé Clémence Delphine Élise Elise Emma Emilie Émilie Florence Hélène Juliette
    Laure Laura Léa Louise Lucie Manon Margaux Mathilde Pauline Sarah Virginie Agnès Alice Amélie Anaïs Audrey
    Brigitte Cécile Corinne Élodie Estelle Fanny Françoise Geneviève Inès Jeanne Laetitia Laurence Lina Maud
    Mélanie Monique Muriel Nadia Nicole Océane Patricia Pascale Rachel Sabine Ségolène Solène Stéphanie
    Véronique Zoé Fidji Clara Anna Eva Ursula Margrethe Agathe Gwynne Safra Mira Daniela Cathie Lisa Linda
    Shivon Abigail Sheryl Susan Meg Ginni Ruth Amy Helen Fei-Fei Melinda Melania Ivanka Lara Kamala Hillary
    Nancy Elizabeth Kate Katherine Jennifer Jessica Michelle Rebecca Lauren Emily Hannah Olivia Sofia Maria
    Mary Barbara Karen Priya Kirsten Tiffany Julia Sara Natalie Angela Giorgia Ashley Diane Joanna Kara
    John James Robert Michael William Richard Joseph Christopher Matthew Anthony Mark Donald Steven Steve
    Andrew Andy Joshua Josh Kenneth Brian George Timothy Tim Ronald Jason Edward Jeffrey Jeff Ryan Jacob Gary
    Nicholas Jonathan Stephen Larry Justin Scott Brandon Ben Sam Gregory Greg Frank Alexander Alex Raymond Jack
    Dennis Jerry Tyler Aaron Henry Adam Douglas Doug Peter Zachary Kyle Walter Harold Jeremy Ethan Carl Keith
    Gerald Christian Terry Sean Austin Noah Lawrence Jesse Joe Bryan Billy Bill Bob Bobby Jordan Dylan Bruce
    Albert Alan Juan Logan Wayne Ralph Roy Eugene Randy Russell Philip Phil Johnny Mike Dave Jim Tom Tony Nick
    Chris Matt Dan Ken Ron Rob Jon Don Ted Ed Pat Fred Jay Ray Howard Marco Luca Giovanni Giuseppe Stefano Paolo
    Carlos José Luis Miguel Pedro Diego Pablo Javier Hans Klaus Jürgen Stefan Markus Lars Sven Erik Anders
    Magnus Jens Niklas Dmitri Sergei Sergey Ivan Igor Andrei Mikhail Oleg Kai Linus Shane Cody Chad Derek Grant
    Ian Neil Owen Reed Seth Spencer Trevor Wade Warren Marcus Elliott Gavin Graham Jake Leo Liam Luke Max Miles
    Oliver Oscar Harry Charlie Isaac Joel Lewis Mason Rory Toby Colin Geoffrey Yoshua Koray Oriol Elon Satya
    Sundar Demis Dario Ilya Masayoshi Masa Jensen Mustafa Reid Vinod Pavel Kimbal Errol Maye Travis Brad Bret
    Jony Andrej Noam Aidan Alexandr Nat Aravind Emad Robin Pony Jonas Hock Cristiano Lip-Bu Morris Will Jared
    Josef Roelof Chase Garry Hemant Antonio Yasir Peng Yuri Youri Vivek Parag Evan Neal Arvind Palmer Kai-Fu
    Misha Brett Mati Jan Hunter Eiso Barack Vladimir Volodymyr Olaf Friedrich Keir Rishi Boris Narendra Recep
    Mohammed Mohammad Muhammad Ahmed Khalid Ali Omar Hassan Abdullah Faisal Hiroshi Takeshi Akio Kenji Raj
    Rahul Amit Anil Sanjay Vijay Sunil Ravi Arjun Deepak Ajay Naveen Lina Marissa Reed Jakub Mark Kevin Fidji
    """
)

# Particles allowed inside personal names ("Thibault de Varenne", "Ursula von der Leyen").
_PARTICLES = _wordset("de du des d' la le van von der den bin ben al el da di dos ibn zu ter")

# Tokens stripped from the edges of an NER span before it is judged.
_LEADING_DROP = _wordset(
    """
    le la les l' un une des de du d' au aux et ou sur par chez selon via avec pour dans en à a qu' que
    of and for on in by
    pdg ceo cto cfo patron patronne m m. mme monsieur madame président présidente directeur directrice
    fondateur fondatrice cofondateur cofondatrice dirigeant dirigeante milliardaire
    société entreprise start-up startup groupe firme laboratoire labo fonds filiale média journal
    quotidien agence opérateur constructeur fabricant géant rival concurrent section modèle projet
    programme plateforme réseau application service
    """
)

# Final words that make a capitalised span an organisation ("Nebula Robotics", "Thrive Capital").
ORG_SUFFIXES: frozenset[str] = _wordset(
    """
    labs lab ai technologies technology tech capital ventures partners systems robotics energy space
    aerospace inc corp corporation group holdings holding bank fund foundation research dynamics
    semiconductor semiconductors networks computing motors industries media studios therapeutics software
    power fusion nuclear solutions analytics intelligence investments management advisors sa sas se ag gmbh
    llc ltd plc co company compute cloud data digital security biotech pharma games entertainment
    electric electronics instruments microsystems orbital launch rocket rockets satellites mobility
    automotive airlines bio logistics partnership alliance consortium coalition association institute
    council agency authority
    """
)

# Generic English/French words too common to serve as an organisation's short form.
_WEAK_PREFIXES = _wordset(
    """
    general global public united national international world safe open new first big black blue red
    green thinking physical advanced applied digital data social royal american european french the le la les
    """
)

_WS = r"[\s\u00a0\u202f]*"
_QUOTE = r"[«“\"'‘]?"
_ORG_CUE_WORDS = (
    r"societe|entreprise|start-?up|jeune pousse|groupe|firme|laboratoire|labo|fonds|filiale|compagnie|"
    r"constructeur|fabricant|geant|editeur|operateur|fournisseur|cabinet|banque|media|journal|quotidien|"
    r"agence|organisation|fondation|consortium|coentreprise|licorne|plateforme|developpeur|specialiste|"
    r"equipementier|assureur|gestionnaire d'actifs|investisseur|concurrent|rival|marque|acteur|chaine|"
    r"association|ong|syndicat|federation|coalition|collectif|institut|conglomerat|distributeur|concepteur|"
    r"maison mere|proprietaire"
)
# "la start-up de fusées X", "la société X", "chez X", "le PDG de X", "cofondateur d'X", "racheter X".
_ORG_LEFT_RE = re.compile(
    rf"(?:\b(?:{_ORG_CUE_WORDS})(?:[\s\u00a0\u202f]+[\w'-]+){{0,3}}|"
    r"\b(?:co-?)?fondat(?:eur|rice)s? (?:de|du|d')|\b(?:pdg|ceo|patron(?:ne)?|directeur general|"
    r"directrice generale|president(?:e)? (?:du conseil )?|dirigeant(?:e)?|employes?|salaries?|ingenieurs?|"
    r"actionnaires?|investisseurs?) (?:de|du|d'|chez)|\bchez|\b(?:rachat|acquisition|rachete|racheter|"
    r"acquerir|participation) (?:de|du|d'|dans)|\binvesti(?:r|t)? dans|\bpartenariat avec|\baccord avec|"
    r"\bfiliale (?:de|d')|\bmaison mere (?:de|d')|"
    # "racheté Altran", "acquis WNS": the object of a purchase.
    r"\b(?:rachete|rachetee|racheter|rachetera|acquis|acquiert|acquerir|acquerra|absorbe)|"
    # "mettre la main sur X", "faire main basse sur X": seizing a company; "une OPA sur X".
    r"\bmain (?:basse )?sur|\b(?:opa|ope|offre publique d'(?:achat|echange)) sur|"
    # "ses concurrents américains, dont Accenture", "des groupes comme Siemens".
    rf"\b(?:{_ORG_CUE_WORDS})s?(?:[\s\u00a0\u202f]+[\w'-]+){{0,2}}\s*,?\s*(?:dont|comme|tels? que|notamment|"
    r"parmi lesquels|a l'instar de|y compris))"
    rf"{_WS}[,:]?{_WS}{_QUOTE}{_WS}$"
)
# What is bought is a company, never a place: after these words a name spaCy calls a place is one.
_PURCHASE_LEFT_RE = re.compile(
    r"\b(?:rachete|rachetee|racheter|rachetera|rachat (?:de|du|d')|acquis|acquiert|acquerir|acquerra|"
    r"acquisition (?:de|du|d')|absorbe|main (?:basse )?sur|opa sur|ope sur|offre publique d'(?:achat|echange) sur)"
    rf"{_WS}{_QUOTE}{_WS}$"
)
# A company noun in apposition right after the name: the strongest cue on that side.
_ORG_APPOSITION_RIGHT_RE = re.compile(
    rf"^{_WS}[»”\"']?{_WS}(?:,{_WS}(?:une|la|le|l'|un)?{_WS}(?:{_ORG_CUE_WORDS})\b|"
    r"\((?:une |la )?(?:societe|entreprise|start-?up|filiale|groupe)\b|"
    # A group owning titles, brands or sites ("X, éditeur de plusieurs magazines").
    r",?\s*(?:proprietaire|editeur|maison mere) (?:de |d'|du |des )(?:plusieurs |nombreux |nombreuses )?"
    r"(?:sites|titres|marques|medias|journaux|magazines|chaines|applications|jeux)\b|"
    # Raising money: "X a levé…", "X annonce une levée de fonds" (people do not raise rounds).
    r"(?:a |avait |aurait |vient d'|va )?(?:leve|lever|boucle|bouclé|finalise|realise|annonce|a annonce)"
    r"(?: avoir leve)?(?: mardi| lundi| mercredi| jeudi| vendredi)? (?:une |un |sa |son |\d)"
    r"(?:levee|tour|serie|financement|augmentation de capital|[\d ,.]+ (?:millions?|milliards?|m€|md€))"
    r"|(?:a |avait |aurait )leve\b)"
)
_ORG_RIGHT_RE = re.compile(
    rf"^{_WS}[»”\"']?{_WS}(?:"
    r"(?:a ete |avait ete |est |, )?(?:co-?)?(?:fondee|creee|basee|detenue|rachetee|valorisee)\b|"
    r"(?:a|avait|aurait) leve\b|(?:inc|corp|ltd|llc|sa|sas|plc|gmbh)\b|"
    # Reporting verbs: with a non-person name in front, a newsroom or a company speaking.
    r"(?:a |avait )?(?:rapporte|revele|publie|confirme|communique)\b)"
)
# After a name spaCy calls an organisation: the verbs of company news (persons get no credit for them).
_ORG_DEAL_VERB_RE = re.compile(
    r"^\s*(?:a |avait |va |vient de |devrait )?(?:rachet\w*|finalis\w*|acquier\w*|acquis|investi\w*|"
    r"signe|signe un|conclu\w*|detien\w*|detenu|possede|controle|emploie|commercialis\w*|fabrique|"
    r"leve|a leve|cede|boucle|prevoit|annonce)\b"
)
_PERSON_CUE_WORDS = (
    r"pdg|ceo|patron(?:ne)?|(?:co-?)?fondat(?:eur|rice)|president(?:e)?|directeur|directrice|dirigeant(?:e)?|"
    r"m\.?|mme|monsieur|madame|milliardaire|entrepreneu(?:r|se)|investisseu(?:r|se)|chercheu(?:r|se)|"
    r"ingenieur(?:e)?|analyste|economiste|ministre|secretaire|senat(?:eur|rice)|depute(?:e)?|juge|"
    r"avocat(?:e)?|porte-parole|journaliste|professeur(?:e)?|expert(?:e)?|responsable|administrat(?:eur|rice)|"
    r"chairman|founder|cto|cfo|coo|associe(?:e)?|vice-president(?:e)?"
)
_PERSON_LEFT_RE = re.compile(
    rf"(?:\b(?:{_PERSON_CUE_WORDS})(?:\s+(?:de|du|d')\s*\S+\s*,)?|\bselon|\bpar|\bd'apres|\bavec)\s*[,:]?\s*$"
)
_PERSON_RIGHT_RE = re.compile(
    r"^\s*(?:,\s*)?(?:qui\s+)?(?:a|avait|aurait|n'a|ne\s+l'a)?\s*(?:pas\s+)?"
    r"(?:declare|dit|ecrit|affirme|explique|estime|ajoute|souligne|precise|indique|annonce|confie|repondu|"
    r"reconnu|assure|rappele|tweete|publie|fonde|cofonde|co-fonde|lance|dirige|souhaite|pense|croit|"
    r"raconte|insiste|admet|nie|temoigne|averti|prevenu|promis|quitte|rejoint|demissionne)\b|"
    rf"^\s*,\s*(?:le |la |l'|son |sa |notre |ancien |ancienne )?(?:{_PERSON_CUE_WORDS})\b|^\s*\(\s*\d{{2}}\s*ans"
)
# A word just before a name that makes the name a product, project or vehicle, not a company.
_PRODUCT_LEFT_RE = re.compile(
    r"\b(?:modele|produit|application|appli|logiciel|chatbot|assistant|puce|puces|processeur|fusee|lanceur|"
    r"satellite|vaisseau|voiture|vehicule|robot|smartphone|telephone|jeu|film|serie|livre|version|projet|"
    r"programme|operation|mission|systeme|baptise|baptisee|nomme|nommee|appele|appelee|surnomme|cryptomonnaie|"
    r"jeton|token|outil|agent|accelerateur|casque|lunettes|console|montre|tablette|ordinateur|navigateur|"
    r"moteur|carte graphique|gpu|fonction|fonctionnalite|format|service)\s*[«“\"']?\s*$"
)
# A single code of capitals and digits ("MI308", "H20", "B200") names a product or model, not a company.
_CODE_NAME_RE = re.compile(r"^[A-Z]{1,4}-?\d{2,5}[A-Za-z]?$")
_VERSION_RE = re.compile(r"^(?:v?\d[\w.]*|[A-Z]\d+\w*)$")
# Between two items of a list; the preposition may be repeated ("de Valeo et de Thales Alenia").
_LIST_GAP_RE = re.compile(
    r"^[\s\u00a0\u202f]*(?:,|et|ou|and|&|,[\s\u00a0\u202f]*(?:et|ou))"
    r"(?:[\s\u00a0\u202f]+(?:de|du|d['’]|à|chez|avec))?[\s\u00a0\u202f]*$"
)

_UP = "A-ZÀ-ÖØ-Þ"
# Head nouns of "le groupe de Redmond", "le géant de Cupertino" (a company named by its seat).
_METONYM_HEADS = (
    r"groupe|g[ée]ant|firme|soci[ée]t[ée]|entreprise|constructeur|fabricant|[ée]diteur|multinationale|mastodonte|"
    r"num[ée]ro\s+un|g[ée]ant\s+am[ée]ricain"
)
_LOW = "a-zß-öø-ÿœ"
# Nouns that introduce a company's name in apposition: "la start-up lyonnaise Hexalune",
# "le fonds d’investissement Silver Lake", "l’éditeur américain Altair" (accents optional).
_APPOSITION_NOUNS = (
    r"start-?up|jeune\s+pousse|soci[ée]t[ée]|entreprise|firme|groupe(?:\s+de\s+presse)?|[ée]diteur|fabricant|"
    r"constructeur|fonds|licorne|p[ée]pite|sp[ée]cialiste|laboratoire|op[ée]rateur|[ée]quipementier|cabinet|"
    r"banque|association|organisation|ONG|assureur|fournisseur|concepteur|d[ée]veloppeur|compagnie|"
    r"quotidien|magazine|journal|m[ée]dia|agence|filiale|conglom[ée]rat|distributeur|n[ée]obanque|plateforme\s+de\s+[\w-]+|"
    # A nationality used as a noun, lower-case, is a company ("l'indien Bharti Enterprises", "le
    # chinois Huawei"); a person would be "l'Indien", capitalised.
    r"(?-i:am[ée]ricaine?|fran[çc]aise?|chinoise?|japonaise?|(?:sud-)?cor[ée]en(?:ne)?|ta[ïi]wanaise?|indien(?:ne)?|"
    r"britannique|allemande?|n[ée]erlandaise?|isra[ée]lien(?:ne)?|[ée]miratie?|canadien(?:ne)?|su[ée]doise?|"
    r"italien(?:ne)?|espagnole?|saoudien(?:ne)?|suisse|europ[ée]en(?:ne)?)"
)
# Words that may stand between such a noun and the name: adjectives and "de"-complements, not
# prepositions or verbs ("la jeune pousse suédoise derrière…" names nothing).
_NOT_MODIFIER = (
    r"à|au|aux|en|dans|sur|par|pour|avec|sans|chez|qui|que|dont|et|ou|mais|a|est|sont|était|sera|ont|vont|va|"
    r"n['’]|ne|se|s['’]|l['’]|la|le|les|un|une|des|du|de|d['’]|ce|cet|cette|ses|son|sa|leur|leurs"
)
_MODIFIER = rf"(?:(?:de\s+|d['’]\s?)?(?!(?:{_NOT_MODIFIER})\b)[{_LOW}][\w’'-]*)"
_APPOSITION_HEAD = (
    rf"(?i:\b(?:la|le|l['’]|les|du|de\s+la|au|à\s+la|aux|des|une?|son|sa|ses|leur)\s*(?:{_APPOSITION_NOUNS}))"
)
_ADJACENT_ORG_CUE_RE = re.compile(rf"{_APPOSITION_HEAD}(?:\s+{_MODIFIER}){{0,3}}\s+$")
_APPOSITION_NAME_RE = re.compile(
    rf"{_APPOSITION_HEAD}(?:\s+{_MODIFIER}){{0,3}}\s+"
    rf"(?P<name>[{_UP}][\w&’'.-]*(?:\s+(?:&\s+)?[{_UP}0-9][\w&’'.-]*){{0,3}})"
)

# Nationality adjectives and the country each names.
_NATIONALITIES: dict[str, str] = {
    "français": "FR", "française": "FR", "américain": "US", "américaine": "US", "chinois": "CN", "chinoise": "CN",
    "britannique": "GB", "allemand": "DE", "allemande": "DE", "néerlandais": "NL", "néerlandaise": "NL",
    "japonais": "JP", "japonaise": "JP", "coréen": "KR", "coréenne": "KR", "sud-coréen": "KR",
    "sud-coréenne": "KR", "taïwanais": "TW", "taïwanaise": "TW", "israélien": "IL", "israélienne": "IL",
    "émirati": "AE", "émiratie": "AE", "canadien": "CA", "canadienne": "CA", "indien": "IN", "indienne": "IN",
    "suisse": "CH", "suédois": "SE", "suédoise": "SE", "italien": "IT", "italienne": "IT", "espagnol": "ES",
    "espagnole": "ES", "saoudien": "SA", "saoudienne": "SA", "européen": "EU", "européenne": "EU",
}  # fmt: skip
