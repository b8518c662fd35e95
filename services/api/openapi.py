"""Documents in the OpenAPI description the problem responses every operation may give."""

from __future__ import annotations

from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)

PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details; `type` (always given) is urn:cmeledger:problem:<code>",
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "instance": Schema(type=OpenAPIType.STRING),
        "extra": Schema(),
    },
    required=["type", "status"],
)

PROBLEMS = {
    "400": "Malformed or invalid input",
    "401": "Not signed in, or the token is unknown, revoked or expired",
    "403": "Signed in, but this role or token scope may not do this",
    "404": "No such resource in this organisation",
    "409": "Conflicts with the current state (taken, already done, changed meanwhile)",
    "410": "The link was used, revoked or has expired",
    "413": "The request body is too large",
    "415": "Unsupported content type",
    "422": "Refused by a business rule",
    "429": "Too many requests; see Retry-After",
}


def document_problems(openapi: OpenAPI) -> None:
    """Add the shared problem schema and, to every operation, each problem response it lacks."""
    components = openapi.components or Components()
    openapi.components = components
    components.schemas = {**(components.schemas or {}), "ProblemDetails": PROBLEM_SCHEMA}
    problem = OpenAPIMediaType(schema=Reference(ref="#/components/schemas/ProblemDetails"))
    for path_item in (openapi.paths or {}).values():
        for operation in (path_item.get, path_item.post, path_item.put, path_item.delete):
            if operation is None:
                continue
            responses = operation.responses or {}
            for status, description in PROBLEMS.items():
                responses.setdefault(
                    status,
                    OpenAPIResponse(
                        description=description, content={"application/problem+json": problem}
                    ),
                )
            operation.responses = responses
