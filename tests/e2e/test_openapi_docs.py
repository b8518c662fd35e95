"""The OpenAPI description documents every operation's problems and auth schemes, and
oversized bodies are refused as problems."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from services.api.openapi import PROBLEMS

pytestmark = pytest.mark.e2e


async def test_every_operation_documents_its_problem_responses(
    client: AsyncTestClient[Any],
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["components"]["schemas"]["ProblemDetails"]["required"] == ["type", "status"]
    assert set(schema["components"]["securitySchemes"]) == {"sessionCookie", "apiToken"}
    operations = [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "delete"}
    ]
    assert len(operations) > 40
    for method, path, operation in operations:
        missing = set(PROBLEMS) - set(operation["responses"])
        assert not missing, (method, path, missing)
        problem = operation["responses"]["404"]["content"]["application/problem+json"]
        assert problem["schema"]["$ref"] == "#/components/schemas/ProblemDetails"


async def test_a_huge_body_is_refused_as_a_problem(client: AsyncTestClient[Any]) -> None:
    huge = b'{"full_name": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    response = await client.post(
        "/api/v1/organisations", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_report_files_take_the_same_filters_as_the_report(
    client: AsyncTestClient[Any],
) -> None:
    """One dependency reads the report's choices for the JSON, CSV and PDF routes."""
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    def filters(path: str) -> dict[str, Any]:
        return {p["name"]: p["schema"] for p in paths[path]["get"]["parameters"]}

    report = filters("/api/v1/reports/compliance")
    assert set(report) >= {"as_of", "activity", "body", "department", "site", "status"}
    assert filters("/api/v1/reports/compliance.csv") == report
    assert filters("/api/v1/reports/compliance.pdf") == report
