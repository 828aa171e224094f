"""One Settings object, read from the environment and `.env`.

Groups of related settings are nested (`settings.mail.backend`, `settings.paystack.secret_key`);
each group reads its own prefixed variables (MAIL_BACKEND, PAYSTACK_SECRET_KEY, ...).
`.env.example` lists every variable with a comment.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - refused in production, see validate_for_production
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Credentials of the local payment sandbox (authorhub.payments.sandbox). Public, test-only
# values: used outside production when a provider has no key, so signatures are still real.
SANDBOX_PAYSTACK_SECRET_KEY = "sk_test_sandbox"  # noqa: S105
SANDBOX_PAYSTACK_PUBLIC_KEY = "pk_test_sandbox"
SANDBOX_FLUTTERWAVE_SECRET_KEY = "FLWSECK_TEST-sandbox-X"  # noqa: S105
SANDBOX_FLUTTERWAVE_PUBLIC_KEY = "FLWPUBK_TEST-sandbox-X"
SANDBOX_FLUTTERWAVE_SECRET_HASH = "sandbox-secret-hash"  # noqa: S105


class AppEnv(StrEnum):
    development = "development"
    test = "test"
    production = "production"


def _config(prefix: str = "") -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )


class MailSettings(BaseSettings):
    model_config = _config("MAIL_")

    backend: str = Field(
        "outbox", description="outbox (stores mail in the database), resend or smtp"
    )
    from_address: str = "Victoria Chisom <hello@victoriachisom.local>"
    reply_to: str | None = None
    resend_api_key: SecretStr | None = None
    resend_base_url: str = "https://api.resend.com"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    timeout_seconds: float = 10.0


class PaystackSettings(BaseSettings):
    model_config = _config("PAYSTACK_")

    secret_key: SecretStr | None = None
    public_key: str | None = None
    base_url: str = "https://api.paystack.co"
    # Longest a call to Paystack may take in total before it counts as "unavailable".
    timeout_seconds: float = Field(10.0, gt=0)
    _sandbox: bool = PrivateAttr(default=False)
    # Optional allow-list of webhook source IPs (Paystack publishes three); empty = allow any.
    webhook_ips: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("webhook_ips", mode="before")
    @classmethod
    def _split_ips(cls, value: object) -> object:
        return _split_csv(value)

    @property
    def uses_sandbox(self) -> bool:
        """True when no key is configured outside production: the local sandbox stands in."""
        return self._sandbox


class FlutterwaveSettings(BaseSettings):
    model_config = _config("FLUTTERWAVE_")

    secret_key: SecretStr | None = None
    public_key: str | None = None
    secret_hash: SecretStr | None = None  # the "verif-hash" configured in the dashboard
    base_url: str = "https://api.flutterwave.com"
    # Longest a call to Flutterwave may take in total before it counts as "unavailable".
    timeout_seconds: float = Field(10.0, gt=0)
    _sandbox: bool = PrivateAttr(default=False)

    @property
    def uses_sandbox(self) -> bool:
        """True when no key is configured outside production: the local sandbox stands in."""
        return self._sandbox


class PaymentsSettings(BaseSettings):
    """The payment flow on top of the providers (PAYMENTS_*)."""

    model_config = _config("PAYMENTS_")

    # Where the provider sends the customer back when the frontend gives no callbackUrl
    # (appended to FRONTEND_URL; the provider adds the payment reference to the query).
    callback_path: str = "/checkout/payment"
    # The reconciliation job re-verifies payments still pending after this many minutes
    # (Paystack sends no webhook for failed or abandoned payments).
    reconcile_after_minutes: int = Field(3, ge=1)
    # A payment still unpaid after this many hours is given up as abandoned (a late success
    # webhook still settles it, or refunds it if its order is gone).
    abandon_after_hours: int = Field(48, ge=1)
    # Payment attempts one order may start (each is a provider call).
    max_attempts_per_order: int = Field(10, ge=1)
    # `?verify=1` asks the provider at most once per payment in this many seconds (other
    # requests meanwhile get the answer just stored) and at most this often per member.
    verify_every_seconds: int = Field(3, ge=1, le=300)
    verify_limit_per_member: str = "20/minute;200/hour"
    # Extra addresses told about payments that need a person (besides every active admin).
    alert_emails: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("alert_emails", mode="before")
    @classmethod
    def _split_emails(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("verify_limit_per_member")
    @classmethod
    def _check_verify_limit(cls, value: str) -> str:
        from limits import parse_many  # a typo in a limit must stop start-up

        parse_many(value)
        return value


class ImageKitSettings(BaseSettings):
    model_config = _config("IMAGEKIT_")

    private_key: SecretStr | None = None
    public_key: str | None = None
    url_endpoint: str | None = None
    upload_url: str = "https://upload.imagekit.io"
    api_url: str = "https://api.imagekit.io"


class GoogleSettings(BaseSettings):
    model_config = _config("GOOGLE_")

    client_id: str | None = None
    client_secret: SecretStr | None = None
    discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"

    @property
    def enabled(self) -> bool:
        return bool(self.client_id and self.client_secret)


class AuthSettings(BaseSettings):
    """Sessions, email tokens and the abuse limits of sign-in (`limits` notation: "5/minute",
    several joined by ";", e.g. "10/minute;100/hour")."""

    model_config = _config("AUTH_")

    refresh_token_days: int = Field(30, ge=1)  # idle lifetime: each refresh starts it again
    session_max_days: int = Field(90, ge=1)  # absolute lifetime of a sign-in, whatever refreshes
    verify_email_token_hours: int = Field(24, ge=1)
    reset_password_token_minutes: int = Field(60, ge=5)
    login_limit_per_ip: str = "20/minute;200/hour"
    login_limit_per_account: str = "10/15 minutes;30/day"
    register_limit_per_ip: str = "10/hour"
    reset_limit_per_email: str = "3/hour"
    reset_limit_per_ip: str = "20/hour"
    resend_limit_per_email: str = "3/hour"
    resend_limit_per_ip: str = "20/hour"
    # Email-token confirmations (verify, reset) and password changes: stops guessing.
    token_limit_per_ip: str = "30/10 minutes"  # noqa: S105 - a rate, not a secret
    password_change_limit_per_user: str = "10/hour"  # noqa: S105
    # Emails to an account's owner when someone registers with its address (then: silence).
    register_notice_limit_per_email: str = "3/day"

    @field_validator(
        "login_limit_per_ip",
        "login_limit_per_account",
        "register_limit_per_ip",
        "reset_limit_per_email",
        "reset_limit_per_ip",
        "resend_limit_per_email",
        "resend_limit_per_ip",
        "token_limit_per_ip",
        "password_change_limit_per_user",
        "register_notice_limit_per_email",
    )
    @classmethod
    def _check_rate_limits(cls, value: str) -> str:
        from limits import parse_many  # a typo in a limit must stop start-up, not a login

        parse_many(value)
        return value


class CommerceSettings(BaseSettings):
    """Cart, orders, shipping and ebook downloads (amounts in kobo)."""

    model_config = _config("COMMERCE_")

    order_number_prefix: str = "VC"
    # Unpaid orders expire after this long; their stock and coupon uses are released.
    order_expiry_minutes: int = Field(30, ge=1)
    # Shipping fee per order with print lines, by destination (ebook-only orders ship free).
    shipping_lagos_kobo: int = Field(150_000, ge=0)
    shipping_nigeria_kobo: int = Field(300_000, ge=0)
    shipping_international_kobo: int = Field(1_500_000, ge=0)
    # The same fees for orders placed in US dollars, in cents.
    shipping_lagos_cents: int = Field(200, ge=0)
    shipping_nigeria_cents: int = Field(400, ge=0)
    shipping_international_cents: int = Field(2_000, ge=0)
    # Signed ebook download links live this long; each purchase allows this many downloads.
    download_link_minutes: int = Field(10, ge=1)
    download_limit: int = Field(10, ge=1)
    # Guest carts untouched for this long are deleted by a daily job.
    guest_cart_days: int = Field(30, ge=1)
    # Coupon codes tried, per client address at POST /api/coupons/validate and per member at
    # checkout (`limits` notation): against guessing codes.
    coupon_validate_limit: str = "30/minute;300/hour"


class CatalogSettings(BaseSettings):
    """The book catalog: its response cache and HTTP caching."""

    model_config = _config("CATALOG_")

    # Cache public catalog responses (in-process, or in Redis when REDIS_URL is set); every
    # catalog write empties it. Unset: on, except under APP_ENV=test, whose rolled-back test
    # transactions never deliver the NOTIFY the cache relies on (cache tests switch it on).
    response_cache: bool | None = None
    cache_ttl_seconds: int = Field(300, ge=1)
    # Entries kept per process by the in-process cache (least recently used go first).
    cache_max_entries: int = Field(10_000, ge=100)
    # Cache-Control max-age of public catalog responses; 0 = browsers revalidate (ETag -> 304).
    http_max_age: int = Field(0, ge=0)
    # Largest ebook file (PDF/EPUB) an admin may upload; MAX_BODY_BYTES caps it too.
    max_ebook_bytes: int = Field(50 * 1024 * 1024, ge=1024)


class MediaSettings(BaseSettings):
    """Where uploaded files go (MEDIA_DIR / PRIVATE_MEDIA_DIR hold the local ones)."""

    model_config = _config("MEDIA_")

    storage: Literal["local", "imagekit"] = "local"
    max_image_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    max_image_side: int = Field(6000, ge=16)
    # Folder prefix of every file on ImageKit (public and private).
    imagekit_folder: str = "authorhub"
    # Avatar uploads per member (`limits` notation), and how long an uploaded image nothing
    # refers to is kept before the hourly sweep deletes it.
    avatar_limit_per_user: str = "10/hour"
    unused_upload_hours: int = Field(24, ge=1)

    @field_validator("avatar_limit_per_user")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        parse_many(value)
        return value


class CommunitySettings(BaseSettings):
    """Discussions and their moderation (COMMUNITY_*; limits in the `limits` notation)."""

    model_config = _config("COMMUNITY_")

    # Distinct members whose reports hide a post until a moderator reviews it.
    auto_hide_reports: int = Field(3, ge=1)
    # A member is "new" for this many hours after sign-up or until this many published posts.
    new_member_hours: int = Field(24, ge=0)
    new_member_posts: int = Field(3, ge=0)
    # Posts (discussions and replies) a member may write; new members have the tighter limit.
    new_member_post_limit: str = "5/hour"
    member_post_limit: str = "30/hour;200/day"
    # Links a new member's post may carry (each such post is held for approval anyway).
    new_member_max_links: int = Field(2, ge=0)
    report_limit: str = "20/hour"
    # How often each server process writes its counted discussion views to the database.
    view_flush_seconds: float = Field(30.0, gt=0)

    @field_validator("new_member_post_limit", "member_post_limit", "report_limit")
    @classmethod
    def _check_rate_limits(cls, value: str) -> str:
        from limits import parse_many

        parse_many(value)
        return value


class ReadersSettings(BaseSettings):
    """Reviews, reading progress, wishlist mails, stamped ebooks (READERS_*)."""

    model_config = _config("READERS_")

    # Distinct members whose reports hide a review until a moderator restores it.
    review_auto_hide_reports: int = Field(3, ge=1)


class ContentSettings(BaseSettings):
    """Blog, comments, sitemaps and the newsletter."""

    model_config = _config("CONTENT_")

    blog_page_size: int = Field(12, ge=1, le=100)
    # A draft's preview link (signed) works this long.
    preview_link_hours: int = Field(48, ge=1)
    # Comments: a member may edit their comment this long after posting it.
    comment_edit_minutes: int = Field(15, ge=1)
    # Comments posted per member (`limits` notation), and reports from different members that
    # hide a comment until a moderator looks.
    comment_limit_per_member: str = "5/minute;30/hour;100/day"
    comment_reports_to_hide: int = Field(3, ge=1)
    # Sitemaps hold at most this many URLs each (the protocol's limit); past it /sitemap.xml
    # becomes an index of several.
    sitemap_max_urls: int = Field(50_000, ge=1, le=50_000)
    # Newsletter sign-ups per client address and per email (against mail bombing).
    subscribe_limit_per_ip: str = "10/hour"
    subscribe_limit_per_email: str = "3/hour"
    # A confirmation link works this long.
    confirm_link_hours: int = Field(72, ge=1)
    # A campaign's sender holds it this long between batches; a crashed sender's campaign is
    # resumed by another worker once it runs out.
    campaign_lease_seconds: int = Field(120, ge=1)


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class EventsSettings(BaseSettings):
    """Events: the waiting list's hold on a freed seat."""

    model_config = _config("EVENTS_")

    # A freed seat is held this long for the first in line before it passes to the next.
    waitlist_hold_hours: int = Field(24, ge=1)


class Settings(BaseSettings):
    model_config = _config()

    app_env: AppEnv = AppEnv.development
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    # Where people reach the API, and the web frontend (links in emails are built from these,
    # never from a request's Host header).
    public_url: str = "http://127.0.0.1:8000"
    frontend_url: str | None = None  # unset: the service's own pages (see frontend_base)
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"]
    )

    database_url: str | None = None
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout: float = 10.0
    db_statement_timeout_ms: int = 15_000
    # A pooled connection idle for longer than this is pinged before use (one round trip);
    # sooner, a free check that its socket is still open stands in for the ping.
    db_ping_after_idle_seconds: float = 5.0
    # How long start-up waits for an unreachable database before giving up.
    db_connect_wait_seconds: float = 0.0
    embedded_pg_dir: Path = PROJECT_ROOT / "var" / "pgdata"

    redis_url: str | None = None
    # Rate-limit counters: kept in Redis under this prefix (memory when REDIS_URL is unset).
    rate_limit_enabled: bool = True
    rate_limit_prefix: str = "authorhub:rl"
    run_worker_in_process: bool = False

    max_body_bytes: int = 10 * 1024 * 1024
    log_level: str = "INFO"
    log_json: bool = True

    media_dir: Path = PROJECT_ROOT / "var" / "media"
    private_media_dir: Path = PROJECT_ROOT / "var" / "private"

    mail: MailSettings = Field(default_factory=MailSettings)
    paystack: PaystackSettings = Field(default_factory=PaystackSettings)
    flutterwave: FlutterwaveSettings = Field(default_factory=FlutterwaveSettings)
    payments: PaymentsSettings = Field(default_factory=PaymentsSettings)
    imagekit: ImageKitSettings = Field(default_factory=ImageKitSettings)
    google: GoogleSettings = Field(default_factory=GoogleSettings)
    catalog: CatalogSettings = Field(default_factory=CatalogSettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    commerce: CommerceSettings = Field(default_factory=CommerceSettings)
    community: CommunitySettings = Field(default_factory=CommunitySettings)

    # Health, proxies and the service's own pages (issue 9).
    # /api/health/ready answers 503 when jobs are due and no worker has beaten for this long.
    worker_stale_seconds: int = Field(60, ge=15)
    # Addresses of the proxies/load balancers allowed to set X-Forwarded-For/-Proto (IPs, CIDR
    # networks, or "*"; like uvicorn's FORWARDED_ALLOW_IPS). Empty (the default): nobody, the
    # peer's address is the client. Rate limits and the audit log count the client they name.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(default_factory=list)
    content: ContentSettings = Field(default_factory=ContentSettings)
    events: EventsSettings = Field(default_factory=EventsSettings)

    # Production and scale-out (issue 18).
    # DATABASE_URL points at pgbouncer in transaction mode: no server-side prepared statements
    # are kept (asyncpg's statement caches off) and no per-connection settings are sent.
    db_pgbouncer: bool = False
    # A direct (session) connection for what a transaction pooler cannot carry: migrations,
    # backups and restores (DATABASE_DIRECT_URL), and the job worker's LISTEN/NOTIFY and the
    # catalog cache's LISTEN (WORKER_DATABASE_URL, else the direct URL). Unset: DATABASE_URL.
    database_direct_url: str | None = None
    worker_database_url: str | None = None
    # GET /metrics: open outside production; in production only with this bearer token or from
    # these addresses (IPs or CIDR networks); neither set -> 404.
    metrics_token: SecretStr | None = None
    metrics_allow_ips: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # SIGTERM: the server stops accepting and gives in-flight requests this long; the worker
    # lets its running jobs finish for this long (what is still running is retried later).
    shutdown_timeout_seconds: float = Field(20.0, gt=0)
    # SIGTERM: before that, readiness answers 503 while the server keeps serving for this long,
    # so load balancers take the instance out first (system/drain.py). 0: no drain.
    shutdown_drain_seconds: float = Field(3.0, ge=0, le=300)
    readers: ReadersSettings = Field(default_factory=ReadersSettings)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("frontend_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics_allow_ips", mode="before")
    @classmethod
    def _split_metrics_ips(cls, value: object) -> object:
        return _split_csv(value)

    @property
    def direct_database_url(self) -> str | None:
        """Where migrations, backups and restores connect: never through a transaction pooler."""
        return self.database_direct_url or self.database_url

    @property
    def listen_database_url(self) -> str | None:
        """Where sessions that LISTEN connect (the job worker, the catalog cache's listener)."""
        return self.worker_database_url or self.direct_database_url

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        return _split_csv(value)

    @property
    def frontend_base(self) -> str:
        """Where links in emails and the payment return lead: FRONTEND_URL, or, when no
        frontend is configured, this service, which serves small pages at the same paths
        (authorhub.pages)."""
        return (self.frontend_url or self.public_url).rstrip("/")

    @model_validator(mode="after")
    def _use_payment_sandbox(self) -> Settings:
        """Outside production a provider without a secret key talks to the local sandbox
        (mounted at /sandbox by create_app) with the sandbox's credentials; an explicit
        *_BASE_URL still wins (e.g. a sandbox served elsewhere)."""
        if self.is_production:
            return self
        root = self.public_url.rstrip("/")
        if self.paystack.secret_key is None:
            update: dict[str, object] = {
                "secret_key": SecretStr(SANDBOX_PAYSTACK_SECRET_KEY),
                "public_key": SANDBOX_PAYSTACK_PUBLIC_KEY,
            }
            if "base_url" not in self.paystack.model_fields_set:
                update["base_url"] = f"{root}/sandbox/paystack"
            self.paystack = self.paystack.model_copy(update=update)
            self.paystack._sandbox = True
        if self.flutterwave.secret_key is None:
            update = {
                "secret_key": SecretStr(SANDBOX_FLUTTERWAVE_SECRET_KEY),
                "public_key": SANDBOX_FLUTTERWAVE_PUBLIC_KEY,
                "secret_hash": SecretStr(SANDBOX_FLUTTERWAVE_SECRET_HASH),
            }
            if "base_url" not in self.flutterwave.model_fields_set:
                update["base_url"] = f"{root}/sandbox/flutterwave"
            self.flutterwave = self.flutterwave.model_copy(update=update)
            self.flutterwave._sandbox = True
        return self

    @property
    def is_production(self) -> bool:
        return self.app_env == AppEnv.production

    @property
    def is_development(self) -> bool:
        return self.app_env == AppEnv.development

    def production_problems(self) -> list[str]:
        """Reasons the service must refuse to start in production (empty when none)."""
        if not self.is_production:
            return []
        problems: list[str] = []
        secret = self.secret_key.get_secret_value()
        if secret == DEFAULT_SECRET_KEY or len(secret) < 32:
            problems.append("SECRET_KEY is missing, default or shorter than 32 characters")
        if not self.database_url:
            problems.append("DATABASE_URL is not set")
        mail = self.mail
        if mail.backend == "outbox":
            problems.append("MAIL_BACKEND must be resend or smtp (the outbox keeps mail local)")
        if mail.backend == "resend" and not mail.resend_api_key:
            problems.append("MAIL_BACKEND=resend needs MAIL_RESEND_API_KEY")
        if mail.backend == "smtp" and not mail.smtp_host:
            problems.append("MAIL_BACKEND=smtp needs MAIL_SMTP_HOST")
        if bool(self.paystack.secret_key) != bool(self.paystack.public_key):
            problems.append(
                "Paystack is half-configured: set both PAYSTACK_SECRET_KEY and PUBLIC_KEY"
            )
        fw = self.flutterwave
        fw_set = [bool(fw.secret_key), bool(fw.public_key), bool(fw.secret_hash)]
        if any(fw_set) and not all(fw_set):
            problems.append(
                "Flutterwave is half-configured: set FLUTTERWAVE_SECRET_KEY, PUBLIC_KEY and SECRET_HASH"
            )
        if not self.paystack.secret_key and not fw.secret_key:
            problems.append("no payment provider is configured (PAYSTACK_* or FLUTTERWAVE_*)")
        if fw.secret_hash and len(fw.secret_hash.get_secret_value()) < 16:
            problems.append(
                "FLUTTERWAVE_SECRET_HASH is shorter than 16 characters (webhooks trust it)"
            )
        for name, base_url in (("PAYSTACK", self.paystack.base_url), ("FLUTTERWAVE", fw.base_url)):
            if "/sandbox" in base_url:
                problems.append(f"{name}_BASE_URL points at the local payment sandbox")
        ik = self.imagekit
        ik_set = [bool(ik.private_key), bool(ik.public_key), bool(ik.url_endpoint)]
        if any(ik_set) and not all(ik_set):
            problems.append(
                "ImageKit is half-configured: set IMAGEKIT_PRIVATE_KEY, PUBLIC_KEY, URL_ENDPOINT"
            )
        if self.media.storage == "imagekit" and not all(ik_set):
            problems.append(
                "MEDIA_STORAGE=imagekit needs IMAGEKIT_PRIVATE_KEY, PUBLIC_KEY, URL_ENDPOINT"
            )
        if self.db_pgbouncer and not (self.database_direct_url or self.worker_database_url):
            problems.append(
                "DB_PGBOUNCER=true needs DATABASE_DIRECT_URL (migrations, backups and the job "
                "worker's LISTEN cannot go through a transaction pooler)"
            )
        if bool(self.google.client_id) != bool(self.google.client_secret):
            problems.append(
                "Google sign-in is half-configured: set GOOGLE_CLIENT_ID and CLIENT_SECRET"
            )
        return problems


@lru_cache
def get_settings() -> Settings:
    return Settings()
