"""Read models store views, not domain structs: the shape of a stored row is the view's
(``read_model_views.json``, taken when the views were split from the domain's structs), and a
domain struct and its view keep the same fields, so a renamed domain field fails here, where
the fix is a mapping in the projection, instead of changing stored rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.compliance.evaluation import Obligation
from domain.credits.credit import Credit
from domain.credits.verification import BodyAcceptance, ExtractedFields, ProviderMatch, ReviewReason
from domain.people.person import Person
from services.core.certificates import views as certificate_views
from services.core.credits import views as credit_views
from services.core.people import views as people_views
from services.core.projections.folded import stored

pytestmark = pytest.mark.unit
SHAPES = Path(__file__).with_name("read_model_views.json")

VIEWS: dict[str, tuple[type[msgspec.Struct], type[msgspec.Struct]]] = {
    "people.state": (Person, people_views.Person),
    "credits.state": (Credit, credit_views.Credit),
    "obligations.explanation": (Obligation, people_views.Obligation),
    "certificates.reasons": (ReviewReason, certificate_views.ReviewReason),
    "certificates.fields": (ExtractedFields, certificate_views.ExtractedFields),
    "certificates.provider": (ProviderMatch, certificate_views.ProviderMatch),
    "certificates.acceptance": (BodyAcceptance, certificate_views.CertificateAcceptance),
}
"""Each jsonb column that holds a view (or a list of them): the domain struct it is copied from,
and the view. ``certificates.correction`` (``FieldsCorrection``) is the projection's own."""


def _structs(t: msgspec.inspect.Type) -> Iterator[msgspec.inspect.StructType]:
    """The struct types ``t`` holds (through collections, unions and dict values)."""
    if isinstance(t, msgspec.inspect.StructType):
        yield t
    for attribute in ("item_type", "value_type"):
        if (inner := getattr(t, attribute, None)) is not None:
            yield from _structs(inner)
    for inner in getattr(t, "types", ()):
        yield from _structs(inner)
    if isinstance(t, msgspec.inspect.TupleType):
        for inner in t.item_types:
            yield from _structs(inner)


def _without_words(schema: Any) -> Any:
    """``schema`` without its titles and descriptions (docstrings are no part of the shape)."""
    if isinstance(schema, dict):
        return {
            k: _without_words(v) for k, v in schema.items() if k not in {"title", "description"}
        }
    if isinstance(schema, list):
        return [_without_words(v) for v in schema]
    return schema


def shape(struct: type[msgspec.Struct]) -> Any:
    """Every field of ``struct`` with its JSON type, nested structs spelled out (as JSON)."""
    return json.loads(json.dumps(_without_words(msgspec.json.schema(struct))))


def field_pairs(
    domain: msgspec.inspect.StructType, view: msgspec.inspect.StructType, where: str
) -> Iterator[tuple[str, list[str], list[str]]]:
    """(place, domain fields, view fields) for ``domain`` and ``view`` and for the structs their
    fields of the same name hold, pairwise."""
    yield where, [f.name for f in domain.fields], [f.name for f in view.fields]
    view_fields = {f.name: f for f in view.fields}
    for field in domain.fields:
        if field.name in view_fields:
            inner = zip(_structs(field.type), _structs(view_fields[field.name].type), strict=False)
            for d, v in inner:
                yield from field_pairs(d, v, f"{where}.{field.name}")


def test_stored_views_keep_the_shape_they_were_given() -> None:
    saved = json.loads(SHAPES.read_text())
    shapes = {column: shape(view) for column, (_, view) in VIEWS.items()}
    shapes["certificates.correction"] = shape(certificate_views.FieldsCorrection)
    assert shapes == saved


@pytest.mark.parametrize("column", list(VIEWS))
def test_each_domain_struct_and_its_view_have_the_same_fields(column: str) -> None:
    domain, view = (msgspec.inspect.type_info(t) for t in VIEWS[column])
    assert isinstance(domain, msgspec.inspect.StructType)
    assert isinstance(view, msgspec.inspect.StructType)
    for where, domain_fields, view_fields in field_pairs(domain, view, column):
        assert domain_fields == view_fields, f"{where}: map the domain's fields onto the view's"


def test_a_renamed_domain_field_is_refused_not_stored_under_its_new_name() -> None:
    class RenamedWaiverUse(msgspec.Struct, frozen=True, kw_only=True):
        waiver_id: UUID
        waived_credits: Decimal  # ``credits_waived`` renamed
        whole_cycle: bool
        detail: str

    renamed = RenamedWaiverUse(
        waiver_id=uuid4(), waived_credits=Decimal(2), whole_cycle=False, detail=""
    )
    with pytest.raises(msgspec.ValidationError, match="credits_waived"):
        stored(renamed, people_views.WaiverUse)
