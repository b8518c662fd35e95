"""One settings object, read from ``CMELEDGER_*`` environment variables and validated at start-up.

Every field has a safe local default. A wrong value raises ``SettingsError`` naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from domain.credits.verification import Thresholds

ENV_PREFIX = "CMELEDGER_"
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"  # noqa: S105 (refused in production)


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class SettingsError(ValueError):
    """An environment variable holds a value the application cannot run with."""


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    environment: Literal["development", "test", "production"] = "development"
    # The application role: owns nothing, has no BYPASSRLS, may only SELECT/INSERT events.
    database_url: str = "postgresql+asyncpg://cmeledger_app:cmeledger_app@127.0.0.1:5432/cmeledger"
    # The owner role: runs migrations and owns every table.
    owner_database_url: str = (
        "postgresql+asyncpg://cmeledger_owner:cmeledger_owner@127.0.0.1:5432/cmeledger"
    )
    # The backup role (BYPASSRLS, member of the owner role): `cmeledger backup` and `restore`.
    backup_database_url: str = (
        "postgresql+asyncpg://cmeledger_backup:cmeledger_backup@127.0.0.1:5432/cmeledger"
    )
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    # The queue the relay publishes to and the workers consume; dead letters go to ``<queue>.XQ``.
    broker_queue: str = "cmeledger"
    # "quorum" on a RabbitMQ cluster (replicated queues); "classic" on a single node. A queue
    # keeps the type it was first declared with.
    broker_queue_type: Literal["classic", "quorum"] = "classic"
    host: str = "127.0.0.1"
    port: int = 8000
    # Prometheus metrics of this process on their own port, never routed publicly (only the
    # private network reaches it; docs/operations.md). 0 (the default: the processes of one
    # machine would share the port): no metrics server. The image sets 9100.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 0
    # OpenTelemetry traces of API requests go to this OTLP/HTTP endpoint; unset: no tracing.
    otel_traces_endpoint: str | None = None
    log_format: Literal["console", "json"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    db_pool_size: int = 10
    db_statement_timeout_ms: int = 30_000
    # asyncpg's prepared-statement cache per connection; 0 behind PgBouncer in transaction mode
    # (a server connection serves many clients, so named statements must not outlive a
    # transaction).
    db_statement_cache_size: int = 100
    # Signs CSRF tokens. Must be set (32+ characters) in production.
    secret_key: str = DEVELOPMENT_SECRET
    # Secure cookies (HTTPS only); defaults to on in production, off for local http.
    cookie_secure: bool | None = None
    session_max_age_s: int = 8 * 3600
    # Certificate files: stored content-addressed in a local directory (default) or an S3 bucket
    # (``s3_endpoint_url`` for S3-compatible stores); one upload may hold ``max_upload_bytes``.
    blob_backend: Literal["filesystem", "s3"] = "filesystem"
    blob_dir: str = "var/blobs"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    max_upload_bytes: int = 10 * 1024 * 1024
    # Outgoing mail (password reset, email verification) goes to this SMTP server; links in it
    # start with ``public_url``, the address people reach the application at.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "CME Ledger <no-reply@localhost>"
    public_url: str = "http://127.0.0.1:8000"
    # Deadline reminders: the scheduler runs them daily at ``reminder_hour_utc``; a reminder
    # goes out when the days left cross one of ``reminder_days`` (comma-separated), and once
    # overdue every ``overdue_reminder_days``. Owners and admins get a digest every
    # ``digest_weekday`` at the same hour.
    reminder_hour_utc: int = 6
    reminder_days: str = "180,90,30,7"
    overdue_reminder_days: int = 30
    digest_weekday: Weekday = "monday"
    # Requests per minute one signed-in user (or one address, before sign-in) and one organisation
    # may make; beyond them the API answers 429 with Retry-After.
    rate_limit_per_user_per_minute: int = 600
    rate_limit_per_tenant_per_minute: int = 3000
    # Certificate verification: below these the worker sends a certificate to review (see
    # ``domain.credits.verification.Thresholds``); printed provider names not in the directory
    # are looked up at ``provider_lookup_url`` (``GET <url>?name=...``), if set.
    verification_min_confidence: float = 0.70
    verification_name_edits: int = 1
    verification_title_similarity: float = 0.80
    verification_credits_tolerance: Decimal = Decimal(0)
    provider_lookup_url: str | None = None
    provider_lookup_timeout_s: float = 5.0
    # Reading a certificate (text layer, OCR, field finding) runs in a child process that is
    # killed after this many seconds; the certificate then goes to review as unreadable. Below
    # the worker's 5-minute job limit.
    verification_read_limit_s: float = 90.0
    # Certificates of one organisation verified at the same time, over all workers: a flood of
    # uploads from one organisation leaves the other worker threads to the others.
    verification_per_tenant: int = 2
    # How long the portal waits for the worker's reading of a chosen scan or photo before it
    # says the reader is not answering and offers the form to fill in by hand.
    reading_wait_s: float = 120.0
    # Billing (Stripe): the API's base address (the local fake server by default; unset it in
    # production to reach api.stripe.com), the secret API key, the webhook endpoint's signing
    # secret and how old a signature may be; the per-seat prices (Stripe price ids and their
    # amounts in integer minor units of ``billing_currency``, for display and estimates); the
    # trial every new organisation starts with (no card); how long a failed payment leaves
    # employer features working; and how long the seat sync waits after a change before
    # pushing the next quantity.
    stripe_api_base: str | None = "http://127.0.0.1:8420"
    stripe_api_key: str = "sk_test_cmeledger_local"
    stripe_webhook_secret: str = "whsec_cmeledger_local"  # noqa: S105 (a local default)
    stripe_webhook_tolerance_s: int = 300
    stripe_price_monthly: str = "price_cmeledger_seat_monthly"
    stripe_price_annual: str = "price_cmeledger_seat_annual"
    billing_currency: str = "usd"
    billing_monthly_amount: int = 900
    billing_annual_amount: int = 9_000
    billing_trial_days: int = 30
    billing_grace_days: int = 14
    billing_seat_debounce_s: float = 5.0

    @property
    def resolved_log_format(self) -> Literal["console", "json"]:
        """Console output in development and tests, JSON in production unless set."""
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment == "production" else "console"

    @property
    def resolved_cookie_secure(self) -> bool:
        return (
            self.environment == "production" if self.cookie_secure is None else self.cookie_secure
        )

    @property
    def reminder_thresholds(self) -> tuple[int, ...]:
        """``reminder_days`` as numbers, largest first."""
        return tuple(sorted({int(day) for day in self.reminder_days.split(",")}, reverse=True))

    @property
    def verification_thresholds(self) -> Thresholds:
        return Thresholds(
            min_confidence=self.verification_min_confidence,
            name_edits=self.verification_name_edits,
            title_similarity=self.verification_title_similarity,
            credits_tolerance=self.verification_credits_tolerance,
        )

    @property
    def app_role(self) -> str:
        """The PostgreSQL role the application connects as (granted privileges by migrations)."""
        return urlsplit(self.database_url).username or ""


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``CMELEDGER_*`` variables; raise ``SettingsError`` naming the culprit."""
    environ = os.environ if environ is None else environ
    raw = {
        field: environ[env_name(field)]
        for field in Settings.__struct_fields__
        if env_name(field) in environ
    }
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1].strip(" `'")
        raise SettingsError(f"{env_name(field)}: {str(exc).split(' - at ')[0]}") from None
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    for field in ("database_url", "owner_database_url", "backup_database_url"):
        url = urlsplit(getattr(settings, field))
        if url.scheme != "postgresql+asyncpg" or not url.hostname or not url.path.strip("/"):
            raise SettingsError(
                f"{env_name(field)}: expected postgresql+asyncpg://user:password@host:port/database"
            )
    if not settings.app_role:
        raise SettingsError(f"{env_name('database_url')}: the URL must name the application role")
    if urlsplit(settings.broker_url).scheme not in {"amqp", "amqps"}:
        raise SettingsError(f"{env_name('broker_url')}: expected amqp://user:password@host:port/")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}", settings.broker_queue) or (
        settings.broker_queue.endswith((".DQ", ".XQ"))
    ):
        raise SettingsError(
            f"{env_name('broker_queue')}: letters, digits, '_', '.', '-'; not ending .DQ or .XQ"
        )
    if not 0 < settings.port < 65536:
        raise SettingsError(f"{env_name('port')}: must be a TCP port between 1 and 65535")
    if not 0 <= settings.metrics_port < 65536 or settings.metrics_port == settings.port != 0:
        raise SettingsError(
            f"{env_name('metrics_port')}: a TCP port other than {env_name('port')} (0: off)"
        )
    endpoint = settings.otel_traces_endpoint
    if endpoint is not None and (
        urlsplit(endpoint).scheme not in {"http", "https"} or not urlsplit(endpoint).hostname
    ):
        raise SettingsError(
            f"{env_name('otel_traces_endpoint')}: expected http(s)://host:port/v1/traces"
        )
    if settings.environment == "production" and (
        settings.secret_key == DEVELOPMENT_SECRET or len(settings.secret_key) < 32
    ):
        raise SettingsError(f"{env_name('secret_key')}: set a random secret of 32+ characters")
    if settings.session_max_age_s < 60:
        raise SettingsError(f"{env_name('session_max_age_s')}: must be at least 60 seconds")
    if settings.db_pool_size < 1:
        raise SettingsError(f"{env_name('db_pool_size')}: must be at least 1")
    if settings.db_statement_cache_size < 0:
        raise SettingsError(f"{env_name('db_statement_cache_size')}: must be 0 or more")
    for field in ("rate_limit_per_user_per_minute", "rate_limit_per_tenant_per_minute"):
        if getattr(settings, field) < 1:
            raise SettingsError(f"{env_name(field)}: must be at least 1 request per minute")
    _check_blobs(settings)
    _check_mail(settings)
    _check_verification(settings)
    _check_billing(settings)


def _check_billing(settings: Settings) -> None:
    base = settings.stripe_api_base
    if base is not None and (
        urlsplit(base).scheme not in {"http", "https"} or not urlsplit(base).hostname
    ):
        raise SettingsError(f"{env_name('stripe_api_base')}: expected http(s)://host[:port]")
    if not settings.stripe_api_key.startswith(("sk_", "rk_")):
        raise SettingsError(f"{env_name('stripe_api_key')}: a Stripe secret key (sk_... or rk_...)")
    if not settings.stripe_webhook_secret.startswith("whsec_"):
        raise SettingsError(f"{env_name('stripe_webhook_secret')}: the endpoint's whsec_... secret")
    if not 1 <= settings.stripe_webhook_tolerance_s <= 3600:
        raise SettingsError(f"{env_name('stripe_webhook_tolerance_s')}: seconds, 1 to 3600")
    for field in ("stripe_price_monthly", "stripe_price_annual"):
        if not getattr(settings, field).strip():
            raise SettingsError(f"{env_name(field)}: the Stripe price id")
    if not re.fullmatch(r"[a-z]{3}", settings.billing_currency):
        raise SettingsError(f"{env_name('billing_currency')}: a lower-case ISO 4217 code")
    for field in ("billing_monthly_amount", "billing_annual_amount"):
        if not 0 < getattr(settings, field) <= 10_000_000:
            raise SettingsError(f"{env_name(field)}: minor units per seat, above 0")
    if not 0 <= settings.billing_trial_days <= 365:
        raise SettingsError(f"{env_name('billing_trial_days')}: days, 0 to 365")
    if not 0 <= settings.billing_grace_days <= 90:
        raise SettingsError(f"{env_name('billing_grace_days')}: days, 0 to 90")
    if not 0 <= settings.billing_seat_debounce_s <= 3600:
        raise SettingsError(f"{env_name('billing_seat_debounce_s')}: seconds, 0 to 3600")


def _check_blobs(settings: Settings) -> None:
    if not 1024 <= settings.max_upload_bytes <= 1024**3:
        raise SettingsError(f"{env_name('max_upload_bytes')}: must be between 1 KiB and 1 GiB")
    if settings.blob_backend == "filesystem" and not settings.blob_dir.strip():
        raise SettingsError(f"{env_name('blob_dir')}: name the directory for certificate files")
    if settings.blob_backend == "s3" and not settings.s3_bucket:
        raise SettingsError(f"{env_name('s3_bucket')}: the s3 blob backend needs a bucket")
    endpoint = settings.s3_endpoint_url
    if endpoint is not None and urlsplit(endpoint).scheme not in {"http", "https"}:
        raise SettingsError(f"{env_name('s3_endpoint_url')}: expected http(s)://host:port")


def _check_mail(settings: Settings) -> None:
    if not settings.smtp_host.strip():
        raise SettingsError(f"{env_name('smtp_host')}: name the SMTP server")
    if not 0 < settings.smtp_port < 65536:
        raise SettingsError(f"{env_name('smtp_port')}: must be a TCP port between 1 and 65535")
    if "@" not in settings.smtp_from:
        raise SettingsError(f"{env_name('smtp_from')}: expected an address, like Name <a@b.org>")
    url = urlsplit(settings.public_url)
    if url.scheme not in {"http", "https"} or not url.hostname or url.query or url.fragment:
        raise SettingsError(f"{env_name('public_url')}: expected http(s)://host[:port][/path]")
    if not 0 <= settings.reminder_hour_utc <= 23:
        raise SettingsError(f"{env_name('reminder_hour_utc')}: an hour from 0 to 23")
    days = settings.reminder_days.split(",")
    if not all(day.strip().isdigit() and 1 <= int(day) <= 3650 for day in days):
        raise SettingsError(
            f"{env_name('reminder_days')}: comma-separated days before a deadline, 1 to 3650"
        )
    if not 1 <= settings.overdue_reminder_days <= 365:
        raise SettingsError(f"{env_name('overdue_reminder_days')}: from 1 to 365 days")


def _check_verification(settings: Settings) -> None:
    for field in (
        "verification_min_confidence",
        "verification_title_similarity",
    ):
        if not 0 < getattr(settings, field) <= 1:
            raise SettingsError(f"{env_name(field)}: a fraction above 0 and at most 1")
    if not 0 <= settings.verification_name_edits <= 1:
        raise SettingsError(f"{env_name('verification_name_edits')}: 0 or 1 letters")
    tolerance = settings.verification_credits_tolerance
    if not tolerance.is_finite() or not 0 <= tolerance <= 10:
        raise SettingsError(f"{env_name('verification_credits_tolerance')}: credits from 0 to 10")
    url = settings.provider_lookup_url
    if url is not None and (
        urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).hostname
    ):
        raise SettingsError(
            f"{env_name('provider_lookup_url')}: expected http(s)://host[:port]/path"
        )
    if not 1 <= settings.verification_read_limit_s <= 240:
        raise SettingsError(
            f"{env_name('verification_read_limit_s')}: seconds, from 1 to 240 (the worker's "
            "job limit is 300)"
        )
    if not 0 < settings.reading_wait_s <= 600:
        raise SettingsError(f"{env_name('reading_wait_s')}: seconds, above 0 and at most 600")
    if not 1 <= settings.verification_per_tenant <= 100:
        raise SettingsError(f"{env_name('verification_per_tenant')}: from 1 to 100")
    if not 0 < settings.provider_lookup_timeout_s <= 60:
        raise SettingsError(
            f"{env_name('provider_lookup_timeout_s')}: seconds, above 0 and at most 60"
        )
