"""Comparing names printed on certificates with names on record.

People: case, spacing, punctuation and diacritics never matter; "Last, First" reads as "First
Last"; courtesy titles (Dr., Ms.) and post-nominals (RDMS, R.T.(R)(ARRT), Jr.) are dropped. Two
names match when their first names are the same and the shorter name's other names appear, in
order, in the longer one (so a middle name, a middle initial or a second surname may be missing
on one side), with its last name spelt out in full. A first name given only as an initial never
matches: "J. Smith" could be any Smith.

Organisations: case, punctuation, "&"/"and", a leading "The", legal suffixes ("Inc.",
"LLC") and common abbreviations ("St."/"Saint", "Ctr"/"Center", "CV"/"Cardiovascular",
"Ed."/"Education") never matter.

Spelling may differ by OCR noise: words are compared after folding common OCR confusions
(rn/m, cl/d, 0/o, 1/l/i); people's names then match when similar enough (``difflib`` ratio),
or, in a name OCR read, when one name of five letters or more is one letter off (OCR
misreading a letter, often an accented one: "Bjdrn" for "Björn"), organisations' words when
``MIN_WORD_SIMILARITY`` alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
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


def person_name_tokens(name: str) -> tuple[str, ...]:
    """A person's name as comparable tokens in "first ... last" order."""
    parts = [part.split() for part in _NOT_WORD_OR_COMMA.sub(" ", _plain(name)).split(",")]
    parts = [parts[0], *(p for p in parts[1:] if p and not set(p) <= _POST_NOMINALS)]
    parts = [p for p in parts if p]
    if len(parts) == 2:  # "Last, First Middle"
        parts = [parts[1], parts[0]]
    tokens = [token for part in parts for token in part]
    while len(tokens) > 1 and tokens[0] in _TITLES:  # a name of titles only stays a name
        tokens.pop(0)
    while len(tokens) > 2 and tokens[-1] in _POST_NOMINALS:
        tokens.pop()
    return tuple(tokens)


def person_names_match(a: str, b: str, *, min_similarity: float, ocr: bool = False) -> bool:
    """Whether ``a`` and ``b`` name the same person (see the module docstring); symmetric.
    ``ocr``: one of them was read by OCR, so one letter of one name may be misread, the other
    names then alike to the letter (once OCR confusions are folded): the two tolerances never
    add up. In a text layer a letter differing is a real difference."""
    left, right = person_name_tokens(a), person_name_tokens(b)
    if _tokens_match(left, right, min_similarity):
        return True
    return ocr and (
        any(_tokens_match(fixed, right, 1.0) for fixed in _misread(left, right))
        or any(_tokens_match(left, fixed, 1.0) for fixed in _misread(right, left))
    )


def _misread(tokens: tuple[str, ...], meant: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """``tokens`` with one of its names read as the name of ``meant`` it is one letter off
    (``MIN_ALIKE_LETTERS`` or more letters each): OCR misreading one letter, often an accented
    one, of one name."""
    for index, token in enumerate(tokens):
        for other in meant:
            if other != token and _one_letter_off(token, other):
                yield (*tokens[:index], other, *tokens[index + 1 :])


def _one_letter_off(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one letter replaced, added or dropped, both of
    ``MIN_ALIKE_LETTERS`` or more letters."""
    if min(len(a), len(b)) < MIN_ALIKE_LETTERS or abs(len(a) - len(b)) > 1:
        return False
    start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    if start is None:
        return True  # one has a letter more at its end
    shorter, longer = sorted((a, b), key=len)
    if len(a) == len(b):
        return a[start + 1 :] == b[start + 1 :]
    return shorter[start:] == longer[start + 1 :]


def _tokens_match(left: tuple[str, ...], right: tuple[str, ...], min_similarity: float) -> bool:
    if len(left) < 2 or len(right) < 2:
        return len(left) == len(right) == 1 and _same(left[0], right[0], min_similarity)
    if not _same(left[0], right[0], min_similarity):
        return False
    shorter, longer = sorted((left[1:], right[1:]), key=len)
    return _embeds(shorter, longer, min_similarity)


def _same(a: str, b: str, min_similarity: float) -> bool:
    return len(a) > 1 and len(b) > 1 and similarity(a, b) >= min_similarity


def _compatible(a: str, b: str, min_similarity: float) -> bool:
    """Same name, or one is the other's initial."""
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return _same(a, b, min_similarity)


def _embeds(shorter: tuple[str, ...], longer: tuple[str, ...], min_similarity: float) -> bool:
    """``shorter`` maps, in order, onto distinct tokens of ``longer``; its last token (the last
    name) must match a full name. Equal lengths map one to one. Leftmost matching is optimal."""
    position = 0
    for index, token in enumerate(shorter):
        is_last = index == len(shorter) - 1
        while position < len(longer) and not (
            _same(token, longer[position], min_similarity)
            if is_last
            else _compatible(token, longer[position], min_similarity)
        ):
            if len(shorter) == len(longer):
                return False
            position += 1
        if position == len(longer):
            return False
        position += 1
    return True


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
