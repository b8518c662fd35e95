"""The glossary page: every term of ``terms.py``, open without signing in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from services.api.portal.pages import page
from services.api.portal.terms import TERMS


class GlossaryPage(Controller):
    path = "/glossary"
    include_in_schema = False

    @get("", exclude_from_auth=True)
    async def glossary(self, request: Request[Any, Any, Any]) -> Template:
        return await page(request, "help/glossary.html", terms=TERMS)
