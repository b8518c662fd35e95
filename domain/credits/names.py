"""Comparing names printed on certificates with names on record.

People: case, spacing, punctuation and diacritics never matter; "Last, First" reads as "First
Last"; courtesy titles (Dr., Ms.) and post-nominals (RDMS, R.T.(R)(ARRT), Jr.) are dropped. Two
names match when their first names are the same and the shorter name's other names appear, in
order, in the longer one (so a middle name, a middle initial or a second surname may be missing
on one side), with its last name spelt out in full. A first name given only as an initial never
matches: "J. Smith" could be any Smith. A name on record is never stripped of post-nominals
("Do", "Pa" and "Vi" are surnames); a printed name is, after a comma, and at its end only when
it does not match as printed and what is left ends in the last name on record ("Anna Marie Vi"
is not "Anna Marie Smith").

Organisations: case, punctuation, "&"/"and", a leading "The", legal suffixes ("Inc.",
"LLC") and common abbreviations ("St."/"Saint", "Ctr"/"Center", "CV"/"Cardiovascular",
"Ed."/"Education") never matter.

Spelling may differ by OCR noise: common OCR confusions (rn/m, cl/d, 0/o, 1/l/i) are folded.
People's names have one budget of letter edits (replaced, added or dropped) over the whole
name: none for a text layer, where a letter differing is a real difference; the caller's (one)
for a name OCR read, which may misread a letter, often an accented one ("Bjdrn" for "Björn").
A confusion folding hides costs one edit like any letter ("Srnith" is one edit from "Smith");
other edits are spent only in names of ``MIN_ALIKE_LETTERS`` or more. Organisations' words
match when ``MIN_WORD_SIMILARITY`` alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher

_MARKS = str.maketrans(
    # dotless and dotted i, ø, ł, đ, ß and æ do not decompose into a letter and a mark
    {"™": " ", "®": " ", "©": " ", "’": "", "'": "", "`": "", "ı": "i", "İ": "I", "ø": "o"}
    | {"Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE"}
)
_NOT_WORD_OR_COMMA = re.compile(r"[^\w,]+|_")
_NOT_WORD = re.compile(r"[\W_]+")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof"})
_POST_NOMINALS = frozenset(
    # generational suffixes, degrees and the imaging credentials printed after names
    {"jr", "sr", "ii", "iii", "iv", "aas", "as", "ba", "bs", "bsc", "ms", "msc", "mba", "mhs"}
    | {"md", "do", "dpm", "phd", "rn", "np", "pa", "c", "pt", "dpt", "facr", "fase", "fsdms"}
    | {"rdms", "rdcs", "rvt", "rmsks", "rmsk", "rpvi", "cdms", "r", "t", "rt", "arrt", "rra"}
    | {"s", "n", "mr", "ct", "m", "bd", "vs", "bs", "ci", "vi", "cv", "rtr", "rts", "rtt"}
    | {"cct", "crat", "acs", "rcs", "rccs", "rvs", "rphs", "rcis", "rces", "ces", "cnmt"}
)
_LEGAL_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company"}
    | {"gmbh", "ag", "plc", "pllc", "lp", "llp", "pc"}
)
_STOPWORDS = frozenset({"of", "for", "in", "and", "the", "on", "at"})
_SAME_WORD = {
    # abbreviations organisations print for the same word
    "st": "saint",
    "ste": "sainte",
    "ctr": "center",
    "cntr": "center",
    "centre": "center",
    "cv": "cardiovascular",
    "ed": "education",
    "educ": "education",
    "univ": "university",
    "assn": "association",
    "assoc": "association",
    "inst": "institute",
    "hosp": "hospital",
    "med": "medical",
    "dept": "department",
    "intl": "international",
    "natl": "national",
    "soc": "society",
    "mt": "mount",
    "ft": "fort",
}
_OCR_CONFUSIONS = (
    ("rn", "m"),
    ("vv", "w"),
    ("cl", "d"),
    ("0", "o"),
    ("1", "l"),
    ("|", "l"),
    ("i", "l"),
)


def _plain(text: str) -> str:
    """Casefolded, without diacritics, trademark signs or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_MARKS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def ocr_fold(token: str) -> str:
    """``token`` with characters OCR commonly confuses made the same."""
    for seen, meant in _OCR_CONFUSIONS:
        token = token.replace(seen, meant)
    return token


def similarity(a: str, b: str) -> float:
    """How alike two strings are (0..1) once OCR confusions are folded."""
    a, b = sorted((ocr_fold(a), ocr_fold(b)))  # sorted: the ratio depends on argument order
    return 1.0 if a == b else SequenceMatcher(None, a, b, autojunk=False).ratio()


def words(text: str) -> tuple[str, ...]:
    """``text`` as casefolded words without diacritics or punctuation."""
    return tuple(_NOT_WORD.sub(" ", _plain(text)).split())


# --- people ------------------------------------------------------------------------------------


def person_name_tokens(name: str, *, drop_post_nominals: bool = True) -> tuple[str, ...]:
    """A person's name as comparable tokens in "first ... last" order; post-nominals after a
    comma are dropped, and at its end too when ``drop_post_nominals``."""
    parts = [part.split() for part in _NOT_WORD_OR_COMMA.sub(" ", _plain(name)).split(",")]
    parts = [parts[0], *(p for p in parts[1:] if p and not set(p) <= _POST_NOMINALS)]
    parts = [p for p in parts if p]
    if len(parts) == 2:  # "Last, First Middle"
        parts = [parts[1], parts[0]]
    tokens = [token for part in parts for token in part]
    while len(tokens) > 1 and tokens[0] in _TITLES:  # a name of titles only stays a name
        tokens.pop(0)
    while drop_post_nominals and len(tokens) > 2 and tokens[-1] in _POST_NOMINALS:
        tokens.pop()
    return tuple(tokens)


def person_names_match(printed: str, on_record: str, *, edits: int = 0) -> bool:
    """Whether ``printed`` names the person ``on_record`` (see the module docstring) with at
    most ``edits`` letters differing in all."""
    return name_edits(printed, on_record, most=edits) is not None


def name_edits(printed: str, on_record: str, *, most: int) -> int | None:
    """The fewest letter edits by which ``printed`` names the person ``on_record``; None when
    they need more than ``most`` or cannot name one person (another first name, no last name
    in full, an initial for a first name)."""
    fit = _fit(printed, on_record, most)
    return None if fit is None else fit[0]


def _fit(printed: str, on_record: str, most: int) -> tuple[int, bool] | None:
    """``name_edits``, and whether the names differ in shape (a name, a second surname or a
    middle name's letters missing on one side)."""
    person = person_name_tokens(on_record, drop_post_nominals=False)
    as_printed = person_name_tokens(printed, drop_post_nominals=False)
    stripped = person_name_tokens(printed)
    for tokens in dict.fromkeys((as_printed, stripped)):
        if tokens is not as_printed and _edits(tokens[-1], person[-1], most) is None:
            continue  # what is left of a stripped name ends in the last name on record
        edits = _token_edits(tokens, person, most)
        if edits is not None:
            loose = len(tokens) != len(person) or any(
                (len(x) == 1) != (len(y) == 1) for x, y in zip(tokens, person, strict=True)
            )
            return edits, loose
    return None


def _token_edits(left: tuple[str, ...], right: tuple[str, ...], most: int) -> int | None:
    """``name_edits`` of two names as tokens."""
    if len(left) < 2 or len(right) < 2:
        return _edits(left[0], right[0], most) if len(left) == len(right) == 1 else None
    first = _edits(left[0], right[0], most)
    if first is None:
        return None
    shorter, longer = sorted((left[1:], right[1:]), key=len)
    rest = _embedding_edits(shorter, longer, most - first)
    return None if rest is None else first + rest


def closest_other(printed: str, person: str, others: Iterable[str], *, edits: int) -> str | None:
    """The first of ``others`` that ``printed`` names at least as well as it names ``person``:
    with fewer or as few edits, and exactly in shape when it names ``person`` only loosely (a
    colleague's name read right is not the person's read wrong). None when ``printed`` does not
    name ``person``, or no other is as close. One look at each of ``others``."""
    own = _fit(printed, person, edits)
    if own is None:
        return None
    return next((o for o in others if (fit := _fit(printed, o, own[0])) and fit <= own), None)


def shared_words(printed: str) -> frozenset[str]:
    """The words of two letters or more in ``printed``: with at most one edit, a name of two
    words or more it names shares one of them (its first name, or the last name it is matched
    with, is spelt alike)."""
    return frozenset(word for word in words(printed) if len(word) >= 2)


def _edits(a: str, b: str, most: int) -> int | None:
    """Letter edits between two full names (two letters or more), up to ``most``: none when
    equal; one when equal once OCR confusions are folded; else the plain edits, or the edits
    once folded plus one when folding hid a difference, in names of ``MIN_ALIKE_LETTERS`` or
    more letters as printed."""
    if len(a) < 2 or len(b) < 2:
        return None
    if a == b:
        return 0
    if (folded := ocr_fold(a)) == (other := ocr_fold(b)):
        return 1 if most >= 1 else None
    if most < 1 or min(len(a), len(b)) < MIN_ALIKE_LETTERS:
        return None
    plain, found = _letter_edits(a, b), _letter_edits(folded, other)
    cost = plain if plain == found else min(plain, found + 1)
    return cost if cost <= most else None


def _compatible_edits(a: str, b: str, most: int) -> int | None:
    """``_edits``, or none when one is the other's initial."""
    if len(a) == 1 or len(b) == 1:
        return 0 if a[0] == b[0] else None
    return _edits(a, b, most)


def _letter_edits(a: str, b: str) -> int:
    """Letters replaced, added or dropped to make ``a`` into ``b`` (Levenshtein distance)."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _embedding_edits(shorter: tuple[str, ...], longer: tuple[str, ...], most: int) -> int | None:
    """The fewest edits (at most ``most``, else None) mapping ``shorter``, in order, onto
    distinct tokens of ``longer`` (one to one when as long), its last token (the last name)
    onto a full name."""
    # best[j]: the fewest edits mapping the tokens of ``shorter`` so far onto ``longer[:j]``
    best: list[int | None] = [0] * (len(longer) + 1)
    for index, token in enumerate(shorter):
        fit = _edits if index == len(shorter) - 1 else _compatible_edits
        mapped: list[int | None] = [None]
        for j, other in enumerate(longer, 1):
            found = [mapped[j - 1]]
            if (before := best[j - 1]) is not None and (
                cost := fit(token, other, most - before)
            ) is not None:
                found.append(before + cost)
            mapped.append(min((f for f in found if f is not None), default=None))
        best = mapped
    return best[-1]


# --- organisations -----------------------------------------------------------------------------


def organisation_tokens(name: str) -> tuple[str, ...]:
    """An organisation's name as comparable tokens: "&" is "and"; abbreviations are the words
    they stand for ("St." is "Saint", "Ctr" and "Centre" are "Center", "CV" is
    "Cardiovascular", "Ed." is "Education"); a leading "The" and trailing legal suffixes are
    dropped."""
    tokens = [_SAME_WORD.get(word, word) for word in words(name.replace("&", " and "))]
    if tokens[:1] == ["the"]:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _LEGAL_SUFFIXES:
        tokens.pop()
    return tuple(tokens)


def acronym(tokens: tuple[str, ...]) -> str:
    """The initials of the words that are not "of", "for", "and", ... ("SDMS")."""
    return "".join(word[0] for word in tokens if word not in _STOPWORDS)


def organisations_match(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` name the same organisation: equal once normalised, one the
    acronym of the other, one a leading part of the other ("Gulfcoast" in "Gulfcoast Ultrasound
    Institute"; a single word needs 3+ letters), or the same words but for OCR noise."""
    left, right = organisation_tokens(a), organisation_tokens(b)
    if not left or not right:
        return False
    shorter, longer = sorted((left, right), key=len)
    if len(shorter) == 1 and len(longer) > 1 and shorter[0] == acronym(longer):
        return True
    if longer[: len(shorter)] == shorter and (len(shorter) > 1 or len(shorter[0]) >= 3):
        return True
    return organisation_tokens_alike(left, right)


MIN_WORD_SIMILARITY = 0.85
"""How alike (``similarity``, 0..1) two words of an organisation's name must be to count as one
word misread: one letter replaced in a word of 7+ letters, one added or dropped in 4+, two
swapped in 8+; "Cardiology" and "Radiology" (0.84) stay apart."""
MIN_ALIKE_LETTERS = 5
"""Shorter words must be equal once OCR confusions are folded ("Luke" is not "Mike")."""
Similarity = Callable[[str, str], float]
"""A scorer of how alike two strings are, 0..1, as ``similarity`` (a faster one may stand in)."""


def organisation_tokens_alike(
    a: tuple[str, ...], b: tuple[str, ...], similar: Similarity = similarity
) -> bool:
    """The same words but for OCR noise: "of", "for", ... aside, word for word equal once OCR
    confusions are folded, or, in words of ``MIN_ALIKE_LETTERS`` or more, at least
    ``MIN_WORD_SIMILARITY`` alike. Word by word, so that "American College of Cardiology" is
    not "... of Radiology"."""
    left = [ocr_fold(word) for word in a if word not in _STOPWORDS]
    right = [ocr_fold(word) for word in b if word not in _STOPWORDS]
    return len(left) == len(right) > 0 and all(
        x == y
        or (min(len(x), len(y)) >= MIN_ALIKE_LETTERS and similar(x, y) >= MIN_WORD_SIMILARITY)
        for x, y in zip(left, right, strict=True)
    )
