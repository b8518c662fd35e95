"""The API's JSON bodies are its own structs (``services.api.schemas``), not the domain's: no
route handler takes or answers a struct declared in ``domain``; the bodies keep the shape they
had when they were domain structs (the OpenAPI components of ``api_bodies.json``, taken from the
document before the move); and a response built by ``from_view`` encodes to the very JSON the
domain struct or view it comes from would have given."""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar, get
from litestar.handlers import HTTPRouteHandler
from litestar.response import Response

from domain.compliance.evaluation import Obligation as DomainObligation
from domain.credits.credit import Credit as DomainCredit
from domain.credits.providers import ProviderEntry as DomainProviderEntry
from domain.credits.verification import ExtractedFields as DomainExtractedFields
from domain.people.person import Person as DomainPerson
from services.api.app import create_app
from services.api.schemas import from_view
from services.api.schemas.credits import Credit, CreditRecordedResponse
from services.api.schemas.obligations import Obligation
from services.api.schemas.people import Person
from services.api.schemas.providers import ProviderEntry
from services.core.certificates.views import ExtractedFields
from services.core.credits.use_cases import CreditWithAcceptance
from services.core.settings import Settings

pytestmark = pytest.mark.unit
BODIES = Path(__file__).with_name("api_bodies.json")
RENAMED = {
    "domain_credits_verification_BodyAcceptance": "CertificateAcceptance",
    "services_core_credits_use_cases_BodyAcceptance": "BodyAcceptance",
    "domain_people_person_StatusChange": "CredentialStatusChange",
    "services_api_controllers_staff_StatusChange": "StatusChange",
}
"""Components whose names were made up from module paths (two classes had the same name) and
now have names of their own; their fields are unchanged."""


@pytest.fixture(scope="module")
def app() -> Litestar:
    return create_app(Settings(environment="test"))


def _types_in(annotation: Any, seen: set[type]) -> Iterator[type]:
    """Every class ``annotation`` names, through generics, ``Annotated``, unions and the fields
    of structs and dataclasses."""
    for argument in typing.get_args(annotation):
        if not isinstance(argument, str):  # Literal values and Annotated metadata
            yield from _types_in(argument, seen)
    if not isinstance(annotation, type) or annotation in seen:
        return
    seen.add(annotation)
    yield annotation
    if issubclass(annotation, msgspec.Struct):
        fields = [field.type for field in msgspec.structs.fields(annotation)]
    elif dataclasses.is_dataclass(annotation):
        fields = list(typing.get_type_hints(annotation, include_extras=True).values())
    else:
        fields = []
    for field in fields:
        yield from _types_in(field, seen)


def domain_types_of(handler: HTTPRouteHandler) -> list[str]:
    """The domain classes in a handler's parameters, its return type and its documented
    responses."""
    signature = handler.parsed_fn_signature
    annotations = [field.annotation for field in signature.parameters.values()]
    annotations.append(signature.return_type.annotation)
    annotations += [spec.data_container for spec in (handler.responses or {}).values()]
    seen: set[type] = set()
    return sorted(
        f"{found.__module__}.{found.__qualname__}"
        for annotation in annotations
        for found in _types_in(annotation, seen)
        if found.__module__.split(".")[0] == "domain"
    )


class _Wrapper(msgspec.Struct):
    people: dict[str, tuple[DomainPerson, ...]]


@get("/wrapped", sync_to_thread=False)
def _answers_a_wrapped_domain_struct() -> Response[list[_Wrapper]]:
    raise NotImplementedError


def test_the_check_finds_a_domain_struct_deep_in_an_answer() -> None:
    Litestar([_answers_a_wrapped_domain_struct])  # parses the handler's signature
    found = domain_types_of(_answers_a_wrapped_domain_struct)
    assert {"domain.people.person.Person", "domain.people.person.Credential"} <= set(found)


def test_no_route_handler_takes_or_answers_a_domain_type(app: Litestar) -> None:
    offenders = {
        f"{handler.fn.__module__}.{handler.fn.__qualname__}": found
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if isinstance(handler, HTTPRouteHandler) and (found := domain_types_of(handler))
    }
    assert offenders == {}


def test_the_bodies_keep_the_shape_they_had_as_domain_structs(app: Litestar) -> None:
    document = json.loads(json.dumps(app.openapi_schema.to_schema(), default=str))
    components = document["components"]["schemas"]
    before = json.loads(BODIES.read_text())
    changed = {name for name, schema in before.items() if components.get(name) != schema}
    assert changed == set()
    assert not set(RENAMED) & set(components)


def _instances(struct: type[Any]) -> st.SearchStrategy[Any]:
    """Instances of ``struct`` with every field drawn (``from_type`` alone would pass msgspec's
    default factories through as values)."""
    fields = msgspec.structs.fields(struct)
    return st.builds(struct, **{field.name: st.from_type(field.type) for field in fields})


# Nested structs are drawn by ``from_type`` too: those with default factories need the same care.
st.register_type_strategy(DomainExtractedFields, _instances(DomainExtractedFields))
st.register_type_strategy(ExtractedFields, _instances(ExtractedFields))


def _encoded(value: Any) -> bytes:
    return msgspec.json.encode(value, order="deterministic")


PAIRS: list[tuple[type[Any], Any]] = [
    (DomainPerson, Person),
    (DomainCredit, Credit),
    (DomainObligation, Obligation),
    (DomainProviderEntry, ProviderEntry),
    (CreditWithAcceptance, CreditRecordedResponse),
]


@pytest.mark.parametrize(("view", "schema"), PAIRS, ids=[s.__name__ for _, s in PAIRS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_response_encodes_as_the_struct_it_is_made_from(
    view: type[Any], schema: type[Any], data: st.DataObject
) -> None:
    value = data.draw(_instances(view))
    assert _encoded(from_view(value, schema)) == _encoded(value)
