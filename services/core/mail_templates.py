"""Mail bodies from Jinja2 templates: ``templates/mail/<name>.txt`` and ``<name>.html``.

HTML templates are autoescaped (a person's name or a certificate's file name can never become
markup); text templates are not escaped, as they are never read as markup. An undefined name in
a template raises instead of rendering empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.compliance.standing import credits_text as credits_text
from domain.compliance.standing import day_text as day_text
from domain.compliance.status import STATUS_TEXT, Status
from services.core.mail import Message

TEMPLATES = Path(__file__).parent / "templates" / "mail"

STATUS_LABELS: Mapping[Status, str] = {status: text.label for status, text in STATUS_TEXT.items()}

PORTAL_PAGES: Mapping[str, str] = {
    "dashboard": "/dashboard",
    "credits": "/credits",
    "profile": "/profile",
    "billing": "/billing",
}
"""Portal pages that mail links to, below ``settings.public_url``."""


def days_text(days_left: int) -> str:
    """Days to a deadline in words: "30 days left", "due today", "overdue by 3 days"."""
    if days_left == 0:
        return "due today"
    count = abs(days_left)
    days = f"{count} day{'' if count == 1 else 's'}"
    return f"{days} left" if days_left > 0 else f"overdue by {days}"


def environment(folder: Path) -> Environment:
    """Templates of ``folder``: ``.html`` autoescaped, undefined names raising, the day, credits
    and days filters and the status labels at hand."""
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(day=day_text, credits=credits_text, days=days_text)
    env.globals.update(status_labels=STATUS_LABELS)
    return env


_ENV = environment(TEMPLATES)


def portal_link(public_url: str, page: str) -> str:
    return public_url.rstrip("/") + PORTAL_PAGES[page]


def render_mail(
    template: str,
    *,
    to: str,
    subject: str,
    context: Mapping[str, Any],
    unsubscribe_url: str | None = None,
    message_id: str | None = None,
) -> Message:
    """The message ``template`` renders for ``context`` (which the templates also see as
    ``subject`` and ``unsubscribe_url``)."""
    values = {**context, "subject": subject, "unsubscribe_url": unsubscribe_url}
    return Message(
        to=to,
        subject=subject,
        text=_ENV.get_template(f"{template}.txt").render(values),
        html=_ENV.get_template(f"{template}.html").render(values),
        unsubscribe_url=unsubscribe_url,
        message_id=message_id,
    )
