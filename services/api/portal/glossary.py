"""The help pages, open without signing in: the glossary (every term of ``terms.py``) and the
rules page (every rule of each body with its sources, the "Why?" disclosures' destination)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from domain.compliance.packs import RULE_PACKS
from domain.compliance.sources import rules_of
from services.api.portal.pages import page
from services.api.portal.terms import TERMS


class GlossaryPage(Controller):
    path = "/glossary"

    @get("", exclude_from_auth=True)
    async def glossary(self, request: Request[Any, Any, Any]) -> Template:
        return await page(request, "help/glossary.html", terms=TERMS)


class RulesPage(Controller):
    path = "/rules"

    @get("", exclude_from_auth=True)
    async def rules(self, request: Request[Any, Any, Any]) -> Template:
        anchors: dict[str, int] = {}
        packs = []
        for pack in RULE_PACKS:  # a body with two packs (New Mexico) is linked to its first
            seen = anchors[pack.body] = anchors.get(pack.body, 0) + 1
            anchor = pack.body if seen == 1 else f"{pack.body}-{seen}"
            packs.append((anchor, pack, rules_of(pack)))
        return await page(request, "help/rules.html", packs=packs)
