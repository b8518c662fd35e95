"""Settings: safe defaults, and a clear error naming the variable when one is wrong."""

from __future__ import annotations

import pytest

from services.core.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit


def test_defaults_are_local_and_safe() -> None:
    settings = load_settings({})
    assert settings.environment == "development"
    assert settings.app_role == "cmeledger_app"
    assert settings.resolved_log_format == "console"
    assert "127.0.0.1" in settings.database_url


def test_production_logs_json_unless_told_otherwise() -> None:
    prod = {"CMELEDGER_ENVIRONMENT": "production", "CMELEDGER_SECRET_KEY": "s" * 40}
    assert load_settings(prod).resolved_log_format == "json"
    env = {**prod, "CMELEDGER_LOG_FORMAT": "console"}
    assert load_settings(env).resolved_log_format == "console"


def test_production_needs_a_real_secret_and_secure_cookies() -> None:
    with pytest.raises(SettingsError, match=r"^CMELEDGER_SECRET_KEY: "):
        load_settings({"CMELEDGER_ENVIRONMENT": "production"})
    settings = load_settings(
        {"CMELEDGER_ENVIRONMENT": "production", "CMELEDGER_SECRET_KEY": "s" * 40}
    )
    assert settings.resolved_cookie_secure
    assert not load_settings({}).resolved_cookie_secure


def test_values_are_converted_from_strings() -> None:
    assert load_settings({"CMELEDGER_PORT": "9001"}).port == 9001


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CMELEDGER_PORT", "eighty"),
        ("CMELEDGER_PORT", "70000"),
        ("CMELEDGER_ENVIRONMENT", "staging"),
        ("CMELEDGER_DATABASE_URL", "mysql://u:p@h/db"),
        ("CMELEDGER_OWNER_DATABASE_URL", "postgresql+asyncpg://u:p@h/"),
        ("CMELEDGER_BROKER_URL", "redis://127.0.0.1"),
        ("CMELEDGER_BROKER_QUEUE", "cmeledger.XQ"),
        ("CMELEDGER_BROKER_QUEUE", "amq queue"),
        ("CMELEDGER_DB_POOL_SIZE", "0"),
        ("CMELEDGER_LOG_LEVEL", "LOUD"),
        ("CMELEDGER_COOKIE_SECURE", "maybe"),
        ("CMELEDGER_SESSION_MAX_AGE_S", "5"),
        ("CMELEDGER_METRICS_PORT", "8000"),  # the public port
        ("CMELEDGER_METRICS_PORT", "-1"),
        ("CMELEDGER_OTEL_TRACES_ENDPOINT", "collector:4318"),
        ("CMELEDGER_BACKUP_DATABASE_URL", "postgresql://u:p@h/db"),
        # mail
        ("CMELEDGER_SMTP_HOST", " "),
        ("CMELEDGER_SMTP_PORT", "0"),
        ("CMELEDGER_SMTP_PORT", "70000"),
        ("CMELEDGER_SMTP_FROM", "no address"),
        ("CMELEDGER_PUBLIC_URL", "ledger.example.org"),
        ("CMELEDGER_PUBLIC_URL", "ftp://ledger.example.org"),
        ("CMELEDGER_PUBLIC_URL", "https://ledger.example.org/?x=1"),
        # notifications
        ("CMELEDGER_REMINDER_HOUR_UTC", "24"),
        ("CMELEDGER_REMINDER_HOUR_UTC", "-1"),
        ("CMELEDGER_REMINDER_DAYS", ""),
        ("CMELEDGER_REMINDER_DAYS", "30,,7"),
        ("CMELEDGER_REMINDER_DAYS", "0"),
        ("CMELEDGER_REMINDER_DAYS", "30,seven"),
        ("CMELEDGER_OVERDUE_REMINDER_DAYS", "0"),
        ("CMELEDGER_DIGEST_WEEKDAY", "Mon"),
        # certificate verification
        ("CMELEDGER_VERIFICATION_MIN_CONFIDENCE", "0"),
        ("CMELEDGER_VERIFICATION_MIN_CONFIDENCE", "1.5"),
        ("CMELEDGER_VERIFICATION_NAME_EDITS", "high"),
        ("CMELEDGER_VERIFICATION_NAME_EDITS", "2"),
        ("CMELEDGER_VERIFICATION_TITLE_SIMILARITY", "-0.2"),
        ("CMELEDGER_VERIFICATION_CREDITS_TOLERANCE", "-1"),
        ("CMELEDGER_VERIFICATION_CREDITS_TOLERANCE", "NaN"),
        ("CMELEDGER_PROVIDER_LOOKUP_URL", "providers.example.org"),
        ("CMELEDGER_PROVIDER_LOOKUP_URL", "ftp://providers.example.org/find"),
        ("CMELEDGER_PROVIDER_LOOKUP_TIMEOUT_S", "0"),
        ("CMELEDGER_PROVIDER_LOOKUP_TIMEOUT_S", "600"),
    ],
)
def test_a_wrong_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings({variable: value})


def test_certificate_storage_defaults_to_a_local_directory_and_10_mb() -> None:
    settings = load_settings({})
    assert (settings.blob_backend, settings.blob_dir) == ("filesystem", "var/blobs")
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    s3 = {"CMELEDGER_BLOB_BACKEND": "s3", "CMELEDGER_S3_BUCKET": "certificates"}
    assert load_settings(s3).s3_bucket == "certificates"


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        ("CMELEDGER_MAX_UPLOAD_BYTES", {"CMELEDGER_MAX_UPLOAD_BYTES": "100"}),
        ("CMELEDGER_MAX_UPLOAD_BYTES", {"CMELEDGER_MAX_UPLOAD_BYTES": str(2 * 1024**3)}),
        ("CMELEDGER_BLOB_BACKEND", {"CMELEDGER_BLOB_BACKEND": "ftp"}),
        ("CMELEDGER_BLOB_DIR", {"CMELEDGER_BLOB_DIR": " "}),
        ("CMELEDGER_S3_BUCKET", {"CMELEDGER_BLOB_BACKEND": "s3"}),
        (
            "CMELEDGER_S3_ENDPOINT_URL",
            {"CMELEDGER_S3_ENDPOINT_URL": "localhost:9000", "CMELEDGER_S3_BUCKET": "b"},
        ),
    ],
)
def test_wrong_certificate_storage_settings_name_their_variable(
    variable: str, env: dict[str, str]
) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings(env)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CMELEDGER_STRIPE_API_BASE", "ftp://stripe.local"),
        ("CMELEDGER_STRIPE_API_KEY", "pk_test_publishable"),
        ("CMELEDGER_STRIPE_WEBHOOK_SECRET", "not-a-whsec"),
        ("CMELEDGER_STRIPE_WEBHOOK_TOLERANCE_S", "0"),
        ("CMELEDGER_STRIPE_PRICE_MONTHLY", " "),
        ("CMELEDGER_BILLING_CURRENCY", "USD"),
        ("CMELEDGER_BILLING_MONTHLY_AMOUNT", "0"),
        ("CMELEDGER_BILLING_TRIAL_DAYS", "400"),
        ("CMELEDGER_BILLING_GRACE_DAYS", "-1"),
    ],
)
def test_billing_settings_are_checked(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings({variable: value})


def test_billing_defaults_point_at_the_local_stripe_with_a_thirty_day_trial() -> None:
    settings = load_settings({})
    assert settings.stripe_api_base == "http://127.0.0.1:8420"
    assert (settings.billing_trial_days, settings.billing_monthly_amount) == (30, 900)
