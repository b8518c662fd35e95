"""The provider directory: CE providers and approvers whose certificates the worker recognises.

A seed of providers named in the domain reference (societies, RCEEMs, tracker partners) and
common CE providers for sonographers, each with the credit types its certificates carry and
where that comes from, plus the entries a tenant adds (``ProviderAddedToDirectory``) or removes
(``ProviderRemovedFromDirectory``) on a stream of the caller's choosing. Seed entries cannot be
removed or shadowed: a tenant entry may not reuse a name or alias already listed. A tenant may
also block a provider (``ProviderBlockedInDirectory``, lifted by removing the entry): a blocked
entry is found ahead of every other entry, and its certificates never verify.

A printed provider name finds an entry when, once case, punctuation, "&"/"and", a leading "The",
legal suffixes and common abbreviations (``domain.credits.names``) are ignored, it equals one of
the entry's names, starts with one ("Gulfcoast Ultrasound Institute, Tampa, FL"; a one-word
name needs 3+ letters), has the same words but for OCR noise (``organisation_tokens_alike``,
with the scorer the directory is given), or is the initialism of a name of three or more
words ("RMUS"; ``MIN_INITIALS`` letters at least). A name that merely mentions a provider
elsewhere ("Acme Academy, SDMS approved") finds nothing: anyone can print an approver's name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from domain.credits.credit import CreditType
from domain.credits.names import (
    Similarity,
    acronym,
    organisation_tokens,
    organisation_tokens_alike,
    similarity,
)
from domain.credits.verification import ProviderMatch
from domain.shared.errors import DomainError
from domain.shared.event import Event
from domain.shared.limits import REASON_LENGTH, ReasonText, check_length

MAX_NAME = 200
MAX_ALIASES = 20
MIN_INITIALS = 3
"""Letters an initialism needs to stand for a name ("MP" could be anything)."""

Origin = Literal["seed", "tenant"]
EntryKind = Literal["listed", "blocked"]


class ProviderEntry(msgspec.Struct, frozen=True, kw_only=True):
    provider_id: str
    name: str
    aliases: tuple[str, ...] = ()
    """Other names: acronyms, former names, names as printed."""
    credit_types: tuple[CreditType, ...] = ()
    """The credit types or approvals its certificates carry, as far as known."""
    reference: str
    """Where the entry comes from: source ids of the domain reference, or a public address."""
    origin: Origin = "seed"
    kind: EntryKind = "listed"
    """``blocked``: the organisation blocked the provider; its certificates never verify."""
    reason: str = ""
    """Why the provider is blocked."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def as_match(self) -> ProviderMatch:
        return ProviderMatch(
            provider_id=self.provider_id,
            name=self.name,
            source=self.origin,
            aliases=self.aliases,
            blocked=self.kind == "blocked",
            blocked_because=self.reason,
        )


def _seed(
    provider_id: str,
    name: str,
    aliases: tuple[str, ...],
    credit_types: tuple[CreditType, ...],
    reference: str,
) -> ProviderEntry:
    return ProviderEntry(
        provider_id=provider_id,
        name=name,
        aliases=aliases,
        credit_types=credit_types,
        reference=reference,
    )


_NOT_IN_REFERENCE = "not in the domain reference; credit types as the provider advertises them"

SEED_PROVIDERS: tuple[ProviderEntry, ...] = (
    _seed(
        "sdms",
        "Society of Diagnostic Medical Sonography",
        ("SDMS",),
        ("sdms", "arrt_category_a"),
        "[A31], [A32]: CE approver, a unique file number on every certificate; RCEEM [R16]",
    ),
    _seed(
        "svu",
        "Society for Vascular Ultrasound",
        ("SVU", "SVU-CME"),
        ("svu", "arrt_category_a"),
        "[O4], [A10]: CE approver and ARDMS tracker partner; RCEEM [R16]",
    ),
    _seed(
        "asrt",
        "American Society of Radiologic Technologists",
        ("ASRT",),
        ("arrt_category_a", "arrt_category_a_plus"),
        "[R27], [A10]: RCEEM+ (Category A and A+), ARDMS tracker partner; [R16], [R18]",
    ),
    _seed(
        "aium",
        "American Institute of Ultrasound in Medicine",
        ("AIUM",),
        ("aium", "ama_pra_category_1", "arrt_category_a"),
        "[A7], [A10]: widely described as ARDMS-accepted; RCEEM [R16]; ACCME-accredited",
    ),
    _seed(
        "ase",
        "American Society of Echocardiography",
        ("ASE",),
        ("ase", "ama_pra_category_1"),
        "[A10], [C4], [C7]: ARDMS tracker partner, CCI direct transfer; ACCME-accredited",
    ),
    _seed(
        "iame",
        "Institute for Advanced Medical Education",
        ("IAME",),
        ("iame",),
        "[A10]: ARDMS tracker partner",
    ),
    _seed(
        "spectrum-health",
        "Spectrum Health",
        ("Corewell Health",),
        ("spectrum_health",),
        "[A10]: ARDMS tracker partner (part of Corewell Health since 2022)",
    ),
    _seed(
        "snmmi",
        "Society of Nuclear Medicine and Molecular Imaging",
        ("SNMMI", "SNMMI-TS", "SNM", "SNM-TS", "Society of Nuclear Medicine"),
        ("snmmi", "arrt_category_a", "ama_pra_category_1"),
        "[O2]: VOICE transcripts accepted by NMTCB; SNM-TS is a RCEEM [R16]",
    ),
    _seed(
        "cci",
        "Cardiovascular Credentialing International",
        ("CCI",),
        ("cci_approved",),
        "[C2], [C4]: approves CEU providers and keeps a CEU tracker",
    ),
    _seed(
        "acr",
        "American College of Radiology",
        ("ACR",),
        ("ama_pra_category_1", "arrt_category_a"),
        "[R16]: RCEEM; [O14], [O21]: AMA PRA Category 1 activities",
    ),
    _seed(
        "rsna",
        "Radiological Society of North America",
        ("RSNA",),
        ("ama_pra_category_1", "arrt_category_a"),
        "[R16]: RCEEM; ACCME-accredited",
    ),
    _seed(
        "ahra",
        "AHRA: The Association for Medical Imaging Management",
        ("AHRA", "Association for Medical Imaging Management"),
        ("arrt_category_a",),
        "[R16]: RCEEM",
    ),
    _seed(
        "asnc",
        "American Society of Nuclear Cardiology",
        ("ASNC",),
        ("ama_pra_category_1", "arrt_category_a"),
        "[R16]: RCEEM; ACCME-accredited",
    ),
    _seed(
        "camrt",
        "Canadian Association of Medical Radiation Technologists",
        ("CAMRT",),
        ("arrt_category_a",),
        "[R16]: RCEEM",
    ),
    _seed(
        "smrt",
        "Section for Magnetic Resonance Technologists",
        ("SMRT", "ISMRM SMRT", "ISMRM Section for Magnetic Resonance Technologists"),
        ("arrt_category_a",),
        "[R16], [O23]: RCEEM (section of ISMRM)",
    ),
    _seed(
        "avir",
        "Association of Vascular and Interventional Radiographers",
        ("AVIR",),
        ("arrt_category_a", "arrt_category_a_plus"),
        "[R19]: the fourth RCEEM+",
    ),
    _seed(
        "inteleos",
        "Inteleos",
        (
            "ARDMS",
            "American Registry for Diagnostic Medical Sonography",
            "APCA",
            "Alliance for Physician Certification & Advancement",
        ),
        (),
        "[A1], [A9]: runs ARDMS and APCA; awards no CME credit (it waives 15 for a new "
        "credential or specialty)",
    ),
    _seed(
        "aha",
        "American Heart Association",
        ("AHA",),
        ("aha_ashi",),
        "[R1], [C2]: ACLS and PALS courses",
    ),
    _seed(
        "ashi",
        "American Safety & Health Institute",
        ("ASHI",),
        ("aha_ashi",),
        "[R1]: ACLS and PALS courses",
    ),
    _seed(
        "asum",
        "Australasian Society for Ultrasound in Medicine",
        ("ASUM",),
        ("asum",),
        "[A7]: sponsor listed by ARDMS (name expanded by inference)",
    ),
    _seed(
        "cma",
        "Canadian Medical Association",
        ("CMA",),
        ("cma",),
        "[A7]: 'CMECmte-CMA' listed by ARDMS (name expanded by inference)",
    ),
    _seed(
        "sonography-canada",
        "Sonography Canada",
        ("CSDMS", "Canadian Society of Diagnostic Medical Sonographers"),
        ("csdms",),
        "[A7]: 'CSDMS' listed by ARDMS (formerly the Canadian Society of Diagnostic Medical "
        "Sonographers)",
    ),
    _seed(
        "esp-ultrasound",
        "ESP Ultrasound",
        ("ESP",),
        ("sdms", "arrt_category_a"),
        f"[A24]: ultrasound review-course vendor; {_NOT_IN_REFERENCE}",
    ),
    _seed(
        "gulfcoast-ultrasound-institute",
        "Gulfcoast Ultrasound Institute",
        ("Gulfcoast Ultrasound",),
        ("ama_pra_category_1", "sdms", "arrt_category_a"),
        "ACCME accreditation with commendation (2013, ultrasoundconnection.com); "
        f"{_NOT_IN_REFERENCE}",
    ),
    _seed(
        "pegasus-lectures",
        "Pegasus Lectures",
        (),
        ("sdms", "arrt_category_a"),
        f"https://www.pegasuslectures.com; {_NOT_IN_REFERENCE}",
    ),
    _seed(
        "sonoworld",
        "SonoWorld",
        ("Sono World",),
        (),
        f"https://sonoworld.com; {_NOT_IN_REFERENCE}",
    ),
    _seed(
        "siemens-healthineers",
        "Siemens Healthineers",
        ("Siemens Healthcare", "Siemens Medical Solutions USA", "PEPconnect"),
        ("arrt_category_a",),
        "vendor applications training (ARRT counts at most 8 credits of it per biennium from "
        f"2024 [R14]); {_NOT_IN_REFERENCE}",
    ),
    _seed(
        "medical-professionals",
        "Medical Professionals",
        ("Medical Professionals CE", "MedicalProfessionals"),
        (),
        _NOT_IN_REFERENCE,
    ),
)
"""The directory every tenant starts from."""


# --- matching ----------------------------------------------------------------------------------


class ProviderDirectory:
    """Seed entries followed by a tenant's; ``find`` resolves a printed provider name, comparing
    words misread with ``similar`` (the standard library's ``similarity`` unless a faster
    scorer of the same measure is given)."""

    def __init__(self, entries: Iterable[ProviderEntry], similar: Similarity = similarity) -> None:
        self.entries = tuple(entries)
        self.similar = similar

    @classmethod
    def with_tenant(
        cls, tenant_entries: Iterable[ProviderEntry] = (), similar: Similarity = similarity
    ) -> ProviderDirectory:
        return cls((*SEED_PROVIDERS, *tenant_entries), similar)

    def find(self, printed: str) -> ProviderMatch | None:
        """The entry ``printed`` names (see the module docstring), or None. A blocked entry
        wins over every other; then the best kind of match (equal, then starts with the longest
        name, then the most alike); on a tie the earlier entry (seed before tenant)."""
        tokens = organisation_tokens(printed)
        if not tokens:
            return None
        scored = [
            (entry.kind == "blocked", score, -index, entry)
            for index, entry in enumerate(self.entries)
            if (score := _score(entry, tokens, self.similar)) is not None
        ]
        return max(scored, key=lambda s: s[:3])[3].as_match() if scored else None

    def listing(self, name: str) -> ProviderEntry | None:
        """The entry one of whose names is ``name`` once normalised."""
        tokens = organisation_tokens(name)
        return next(
            (e for e in self.entries if any(organisation_tokens(n) == tokens for n in e.names)),
            None,
        )


def _score(
    entry: ProviderEntry, printed: tuple[str, ...], similar: Similarity
) -> tuple[int, int] | None:
    """How well ``printed`` names ``entry``: (3, _) equal, (2, words) starts with one of its
    names, (1, _) alike but for OCR noise or its initialism; None: not at all."""
    scores = []
    for name in entry.names:
        listed = organisation_tokens(name)
        if listed == printed:
            scores.append((3, len(listed)))
        elif printed[: len(listed)] == listed and (len(listed) > 1 or len(listed[0]) >= 3):
            scores.append((2, len(listed)))
        elif organisation_tokens_alike(listed, printed, similar) or _initialism(printed, listed):
            scores.append((1, len(listed)))
    return max(scores, default=None)


def _initialism(printed: tuple[str, ...], listed: tuple[str, ...]) -> bool:
    """``printed`` is one word, the initials of ``listed``'s words ("of", "for", ... aside)."""
    return (
        len(printed) == 1
        and len(printed[0]) >= MIN_INITIALS
        and len(listed) >= MIN_INITIALS
        and acronym(listed) == printed[0]
    )


# --- tenant entries ----------------------------------------------------------------------------


class TenantProviders(msgspec.Struct, frozen=True, kw_only=True):
    """The entries a tenant added to the directory (and did not remove)."""

    entries: tuple[ProviderEntry, ...] = ()


class ProviderAddedToDirectory(
    Event, frozen=True, kw_only=True, tag="credits.ProviderAddedToDirectory"
):
    provider_id: str
    name: str
    aliases: tuple[str, ...]
    credit_types: tuple[CreditType, ...]
    reference: str


class ProviderBlockedInDirectory(
    Event, frozen=True, kw_only=True, tag="credits.ProviderBlockedInDirectory"
):
    provider_id: str
    name: str
    aliases: tuple[str, ...]
    reason: str


class ProviderRemovedFromDirectory(
    Event, frozen=True, kw_only=True, tag="credits.ProviderRemovedFromDirectory"
):
    provider_id: str
    reason: str


PROVIDER_EVENTS: tuple[type[Event], ...] = (
    ProviderAddedToDirectory,
    ProviderBlockedInDirectory,
    ProviderRemovedFromDirectory,
)


ProviderName = Annotated[str, msgspec.Meta(max_length=MAX_NAME)]


class AddProvider(msgspec.Struct, frozen=True, kw_only=True):
    name: ProviderName
    aliases: Annotated[tuple[ProviderName, ...], msgspec.Meta(max_length=MAX_ALIASES)] = ()
    credit_types: tuple[CreditType, ...] = ()
    reference: ReasonText = ""
    """Where the provider can be checked (its site, an accreditor's listing)."""


class BlockProvider(msgspec.Struct, frozen=True, kw_only=True):
    name: ProviderName
    aliases: Annotated[tuple[ProviderName, ...], msgspec.Meta(max_length=MAX_ALIASES)] = ()
    reason: ReasonText
    """Why its certificates must never verify (shown to reviewers)."""


class RemoveProvider(msgspec.Struct, frozen=True, kw_only=True):
    provider_id: str
    reason: str


class ProviderRefused(DomainError):
    code = "provider_refused"


class InvalidProvider(ProviderRefused):
    code = "invalid_provider"


class ProviderAlreadyListed(ProviderRefused):
    code = "provider_already_listed"


class ProviderNotListed(ProviderRefused):
    code = "provider_not_listed"


class SeedProviderNotRemovable(ProviderRefused):
    code = "seed_provider_not_removable"


class ProviderReasonRequired(ProviderRefused):
    code = "provider_reason_required"


def _blocked_provider_id(name: str) -> str:
    """The id of a blocked entry: ``blocked-``, its normalised name cut to 64 characters and a
    digest of the whole, so that two long names sharing their start never share an id."""
    tokens = "-".join(organisation_tokens(name))
    return f"blocked-{tokens[:64]}-{hashlib.sha256(tokens.encode()).hexdigest()[:12]}"


def tenant_provider_id(name: str) -> str:
    """The id of a tenant's entry: ``tenant-`` and its normalised name."""
    return "tenant-" + "-".join(organisation_tokens(name))[:80]


def decide_add_provider(
    state: TenantProviders | None, command: AddProvider, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Add a tenant entry. Its name and aliases must be new to the whole directory, so that a
    tenant entry never takes over a seed provider's certificates."""
    name, aliases = _names(command.name, command.aliases)
    _check_new(ProviderDirectory.with_tenant(state.entries if state else ()), name, aliases)
    return [
        ProviderAddedToDirectory(
            provider_id=tenant_provider_id(name),
            name=name,
            aliases=aliases,
            credit_types=tuple(sorted(set(command.credit_types))),
            reference=_reference(command.reference),
        )
    ]


def decide_block_provider(
    state: TenantProviders | None,
    command: BlockProvider,
    *,
    now: datetime,
    ids: Callable[[], UUID],
) -> list[Event]:
    """Block a provider, with a reason: its names and aliases must be new to the tenant's own
    entries (a seed provider may be blocked)."""
    reason = _reference(command.reason)
    if not reason:
        raise ProviderReasonRequired("say why the provider's certificates must never verify")
    name, aliases = _names(command.name, command.aliases)
    _check_new(ProviderDirectory(state.entries if state else ()), name, aliases)
    return [
        ProviderBlockedInDirectory(
            provider_id=_blocked_provider_id(name),
            name=name,
            aliases=aliases,
            reason=reason,
        )
    ]


def _names(name: str, aliases: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """An entry's name and its aliases cleaned, without repeats of the name."""
    name = _clean(name, "name")
    kept = tuple(
        dict.fromkeys(
            alias
            for alias in (_clean(a, "alias") for a in aliases)
            if organisation_tokens(alias) != organisation_tokens(name)
        )
    )
    if len(kept) > MAX_ALIASES:
        raise InvalidProvider(f"give at most {MAX_ALIASES} aliases")
    return name, kept


def _check_new(directory: ProviderDirectory, name: str, aliases: tuple[str, ...]) -> None:
    for listed_name in (name, *aliases):
        if (listed := directory.listing(listed_name)) is not None:
            raise ProviderAlreadyListed(
                f"'{listed_name}' is already in the directory as '{listed.name}'"
            )


def decide_remove_provider(
    state: TenantProviders | None,
    command: RemoveProvider,
    *,
    now: datetime,
    ids: Callable[[], UUID],
) -> list[Event]:
    """Remove a tenant entry (a blocked one too), with a reason; seed entries stay."""
    reason = command.reason.strip()
    if not reason:
        raise ProviderReasonRequired("say why the provider is removed from the directory")
    if any(e.provider_id == command.provider_id for e in (state.entries if state else ())):
        return [ProviderRemovedFromDirectory(provider_id=command.provider_id, reason=reason)]
    if any(e.provider_id == command.provider_id for e in SEED_PROVIDERS):
        raise SeedProviderNotRemovable("providers of the seed directory cannot be removed")
    raise ProviderNotListed(f"no provider {command.provider_id!r} was added to the directory")


def _reference(text: str) -> str:
    reference = text.strip()
    check_length("the reference", reference, REASON_LENGTH)
    return reference


def _clean(text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if not organisation_tokens(cleaned):
        raise InvalidProvider(f"a provider {what} needs letters or digits")
    if len(cleaned) > MAX_NAME:
        raise InvalidProvider(f"a provider {what} has at most {MAX_NAME} characters")
    return cleaned


def evolve(state: TenantProviders | None, event: Event) -> TenantProviders:
    """Fold one directory event into a tenant's entries."""
    entries = state.entries if state else ()
    match event:
        case ProviderAddedToDirectory():
            added = ProviderEntry(
                provider_id=event.provider_id,
                name=event.name,
                aliases=event.aliases,
                credit_types=event.credit_types,
                reference=event.reference,
                origin="tenant",
            )
            return TenantProviders(entries=(*entries, added))
        case ProviderBlockedInDirectory():
            block = ProviderEntry(
                provider_id=event.provider_id,
                name=event.name,
                aliases=event.aliases,
                reference="",
                origin="tenant",
                kind="blocked",
                reason=event.reason,
            )
            return TenantProviders(entries=(*entries, block))
        case ProviderRemovedFromDirectory(provider_id=removed):
            return TenantProviders(entries=tuple(e for e in entries if e.provider_id != removed))
    raise TypeError(f"not a provider directory event: {type(event).__name__}")
