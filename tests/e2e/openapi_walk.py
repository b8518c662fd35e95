"""Walking the API's own OpenAPI schema: every operation, called with a minimal valid request
built from its schema, so tests over every endpoint cover new endpoints without being edited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.certificate_files import pdf

METHODS = ("get", "post", "put", "patch", "delete")


class Operation(NamedTuple):
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"]


def operations(app: Litestar) -> list[Operation]:
    schema = app.openapi_schema.to_schema()
    return sorted(
        (
            Operation(method, path, op)
            for path, item in schema["paths"].items()
            for method, op in item.items()
            if method in METHODS
        ),
        key=lambda o: (o.path, o.method),
    )


class Examples:
    """The smallest value each JSON schema admits (required properties only)."""

    def __init__(self, app: Litestar) -> None:
        self.components = app.openapi_schema.to_schema().get("components", {}).get("schemas", {})

    def of(self, schema: Mapping[str, Any], ids: Mapping[str, UUID]) -> Any:
        if "$ref" in schema:
            return self.of(self.components[schema["$ref"].rsplit("/", 1)[-1]], ids)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"]
                return self.of(options[0], ids) if options else None
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next(k for k in kind if k != "null")
        if kind == "object":
            return {
                name: ids[name] if name in ids else self.of(schema["properties"][name], ids)
                for name in schema.get("required", [])
            }
        if kind == "array":
            return [self.of(schema["items"], ids) for _ in range(schema.get("minItems", 1))]
        if kind in ("integer", "number"):
            return schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        if kind == "boolean":
            return False
        return {
            "uuid": str(uuid4()),
            "date": "2026-01-05",
            "date-time": "2026-01-05T00:00:00Z",
            "email": f"{uuid4().hex[:8]}@example.org",
        }.get(schema.get("format", ""), "1" * max(1, schema.get("minLength", 1)))


async def call(
    client: AsyncTestClient[Any], op: Operation, ids: Mapping[str, UUID], examples: Examples
) -> httpx.Response:
    """Call ``op`` with ``ids`` in its path (and in same-named body fields) and a minimal body."""
    path = op.path.format(**{name: ids[name] for name in op.path_params})
    query = {
        p["name"]: examples.of(p["schema"], ids)
        for p in op.spec.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    content = op.spec.get("requestBody", {}).get("content", {})
    kwargs: dict[str, Any] = {}
    if "application/json" in content:
        kwargs["json"] = _jsonable(examples.of(content["application/json"]["schema"], ids))
    elif "multipart/form-data" in content:
        form = examples.of(content["multipart/form-data"]["schema"], ids)
        kwargs["files"] = {name: ("certificate.pdf", pdf(), "application/pdf") for name in form}
    return await client.request(op.method.upper(), path, params=query, **kwargs)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return str(value) if isinstance(value, UUID) else value
