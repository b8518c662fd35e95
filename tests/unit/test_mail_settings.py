"""Mail settings: the SMTP server, the sender and the public URL that links in mail start with."""

from __future__ import annotations

import pytest

from services.core.settings import load_settings

pytestmark = pytest.mark.unit


def test_mail_settings_are_read_from_the_environment() -> None:
    settings = load_settings(
        {
            "CMELEDGER_SMTP_HOST": "mail.example.org",
            "CMELEDGER_SMTP_PORT": "587",
            "CMELEDGER_SMTP_FROM": "Ledger <ledger@example.org>",
            "CMELEDGER_PUBLIC_URL": "https://ledger.example.org/app",
        }
    )
    assert (settings.smtp_host, settings.smtp_port) == ("mail.example.org", 587)
    assert settings.smtp_from == "Ledger <ledger@example.org>"
    assert settings.public_url == "https://ledger.example.org/app"
