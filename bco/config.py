"""Settings: the only place that reads BCO_* environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_REGION = re.compile(r"^[^=,]+=[A-Z]{2}$")
MAX_PROXIES = 5
RATE_LIMIT = re.compile(r"^\s*\d+\s*(/|per)\s*(\d+\s*)?(second|minute|hour|day)s?\s*$")
SERVICE_PHONE = re.compile(r"^\+?[0-9][0-9 -]{2,19}$")  # shown to people whose link stopped


class SettingsError(ValueError):
    """A setting has a value BCO cannot use; the message names it and what fits."""


@dataclass(frozen=True)
class Settings:
    """Every knob BCO has, with the default a single-machine install needs."""

    data_dir: Path = Path("var")
    database_url: str = ""
    database_schema: str = ""
    key_file: Path = Path("secrets/events.key")
    cipher_key: str = ""
    compress_events: bool = False
    snapshot_interval: int = 50
    aggregate_cache_size: int = 1000
    phone_region: str = "NL"
    timezone: str = "Europe/Amsterdam"
    guides_dir: Path = PACKAGE_DIR.parent / "interview_guides"
    training_dir: Path = PACKAGE_DIR.parent / "training"
    host: str = "127.0.0.1"
    port: int = 5000
    secret_key_file: Path = Path("secrets/session.key")
    pseudonym_key_file: Path = Path("secrets/pseudonym.key")
    secure_cookies: bool = False
    trusted_proxies: int = 0
    read_wait_seconds: float = 2.0
    first_call_target_hours: int = 24
    projection_poll_seconds: float = 0.2
    run_projections_in_web: bool = True
    rebuild_processes: int = 2
    session_idle_minutes: int = 30
    session_lifetime_hours: int = 12
    reached_target_hours: int = 24
    interview_target_hours: int = 24
    informed_target_hours: int = 24
    target_warning_hours: int = 4
    stuck_hours: int = 4
    thin_score: int = 60
    away_hours: int = 8
    api_rate_limit: str = "600/minute"
    invite_hours: int = 72
    invite_on_register: bool = False
    public_url: str = ""
    citizen_rate_limit: str = "30/minute"
    service_phone: str = ""
    source_regions: str = ""
    audit_burst_reads: int = 30
    audit_burst_minutes: int = 10
    encrypt_read_models: bool = True
    retention_days: int = 180
    contact_retention_days: int = 28

    ENV_NAMES = {
        "data_dir": "BCO_DATA_DIR",
        "database_url": "BCO_DATABASE_URL",
        "database_schema": "BCO_DATABASE_SCHEMA",
        "key_file": "BCO_KEY_FILE",
        "cipher_key": "BCO_CIPHER_KEY",
        "compress_events": "BCO_COMPRESS_EVENTS",
        "snapshot_interval": "BCO_SNAPSHOT_INTERVAL",
        "aggregate_cache_size": "BCO_AGGREGATE_CACHE_SIZE",
        "phone_region": "BCO_PHONE_REGION",
        "timezone": "BCO_TIMEZONE",
        "guides_dir": "BCO_GUIDES_DIR",
        "training_dir": "BCO_TRAINING_DIR",
        "host": "BCO_HOST",
        "port": "BCO_PORT",
        "secret_key_file": "BCO_SECRET_KEY_FILE",
        "pseudonym_key_file": "BCO_PSEUDONYM_KEY_FILE",
        "secure_cookies": "BCO_SECURE_COOKIES",
        "trusted_proxies": "BCO_TRUSTED_PROXIES",
        "read_wait_seconds": "BCO_READ_WAIT_SECONDS",
        "first_call_target_hours": "BCO_FIRST_CALL_TARGET_HOURS",
        "projection_poll_seconds": "BCO_PROJECTION_POLL_SECONDS",
        "run_projections_in_web": "BCO_RUN_PROJECTIONS_IN_WEB",
        "rebuild_processes": "BCO_REBUILD_PROCESSES",
        "session_idle_minutes": "BCO_SESSION_IDLE_MINUTES",
        "session_lifetime_hours": "BCO_SESSION_LIFETIME_HOURS",
        "reached_target_hours": "BCO_REACHED_TARGET_HOURS",
        "interview_target_hours": "BCO_INTERVIEW_TARGET_HOURS",
        "informed_target_hours": "BCO_INFORMED_TARGET_HOURS",
        "target_warning_hours": "BCO_TARGET_WARNING_HOURS",
        "stuck_hours": "BCO_STUCK_HOURS",
        "thin_score": "BCO_THIN_SCORE",
        "away_hours": "BCO_AWAY_HOURS",
        "api_rate_limit": "BCO_API_RATE_LIMIT",
        "invite_hours": "BCO_INVITE_HOURS",
        "invite_on_register": "BCO_INVITE_ON_REGISTER",
        "public_url": "BCO_PUBLIC_URL",
        "citizen_rate_limit": "BCO_CITIZEN_RATE_LIMIT",
        "service_phone": "BCO_SERVICE_PHONE",
        "source_regions": "BCO_SOURCE_REGIONS",
        "audit_burst_reads": "BCO_AUDIT_BURST_READS",
        "audit_burst_minutes": "BCO_AUDIT_BURST_MINUTES",
        "encrypt_read_models": "BCO_ENCRYPT_READ_MODELS",
        "retention_days": "BCO_RETENTION_DAYS",
        "contact_retention_days": "BCO_CONTACT_RETENTION_DAYS",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read BCO_* variables; a bad value stops start-up with a message naming it."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            name = cls.ENV_NAMES[item.name]
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            values[item.name] = _parse(name, raw, type(getattr(cls(), item.name)))
        settings = cls(**values)
        settings.validate()
        return settings

    def to_env(self) -> dict[str, str]:
        """These settings as BCO_* variables, for a child process or a CLI run to read back."""
        env = {}
        for name, variable in self.ENV_NAMES.items():
            value = getattr(self, name)
            env[variable] = str(value).lower() if isinstance(value, bool) else str(value)
        return env

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some values replaced, e.g. from CLI options."""
        updated = replace(self, **changes)
        updated.validate()
        return updated

    def validate(self) -> None:
        """Refuse combinations that would fail later in a less clear way."""
        if self.database_url and not self.database_url.startswith(
                ("postgresql://", "postgres://")):
            raise SettingsError(
                "BCO_DATABASE_URL must start with postgresql:// "
                "(leave it empty to use SQLite under BCO_DATA_DIR).")
        if self.aggregate_cache_size < 0:
            raise SettingsError("BCO_AGGREGATE_CACHE_SIZE must be 0 (off) or more.")
        if self.rebuild_processes < 1:
            raise SettingsError("BCO_REBUILD_PROCESSES must be 1 (rebuild in one process) "
                                "or more.")
        if self.session_idle_minutes < 1 or self.session_lifetime_hours < 1:
            raise SettingsError("BCO_SESSION_IDLE_MINUTES and BCO_SESSION_LIFETIME_HOURS must "
                                "be 1 or more.")
        if self.snapshot_interval < 2:
            raise SettingsError("BCO_SNAPSHOT_INTERVAL must be 2 or more.")
        if not 0 <= self.thin_score <= 100:
            raise SettingsError("BCO_THIN_SCORE must be a completeness score from 0 to 100.")
        if self.audit_burst_reads < 1 or self.audit_burst_minutes < 1:
            raise SettingsError("BCO_AUDIT_BURST_READS and BCO_AUDIT_BURST_MINUTES must be 1 "
                                "or more (more than that many cases read within that many "
                                "minutes is shown as a burst).")
        if not 1 <= self.contact_retention_days <= self.retention_days:
            raise SettingsError(
                "BCO_CONTACT_RETENTION_DAYS must be 1 or more and at most BCO_RETENTION_DAYS "
                f"({self.retention_days}): contacts are never kept longer than their case.")
        if not 0 <= self.trusted_proxies <= MAX_PROXIES:
            raise SettingsError(
                f"BCO_TRUSTED_PROXIES must be from 0 to {MAX_PROXIES}: the number of proxies "
                "(load balancer, TLS terminator) in front of BCO whose X-Forwarded-For it "
                "believes; 0 when clients reach BCO directly.")
        if not 1 <= self.port <= 65535:
            raise SettingsError("BCO_PORT must be a port number between 1 and 65535.")
        if not RATE_LIMIT.match(self.api_rate_limit):
            raise SettingsError(
                f"BCO_API_RATE_LIMIT '{self.api_rate_limit}' is not a rate; use e.g. "
                "600/minute (a number, then / or 'per', then second, minute, hour or day).")
        if not RATE_LIMIT.match(self.citizen_rate_limit):
            raise SettingsError(
                f"BCO_CITIZEN_RATE_LIMIT '{self.citizen_rate_limit}' is not a rate; use e.g. "
                "30/minute (a number, then / or 'per', then second, minute, hour or day).")
        if not 1 <= self.invite_hours <= 24 * 14:
            raise SettingsError("BCO_INVITE_HOURS must be from 1 to 336 (two weeks).")
        if self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise SettingsError("BCO_PUBLIC_URL must start with https:// (or http:// on a "
                                "test machine), e.g. https://bco.example.org.")
        if self.service_phone and not SERVICE_PHONE.match(self.service_phone):
            raise SettingsError(
                f"BCO_SERVICE_PHONE '{self.service_phone}' is not a phone number; use digits, "
                "spaces, dashes and a leading +, e.g. 0800-1202 or +31 800 1202.")
        for pair in filter(None, (p.strip() for p in self.source_regions.split(","))):
            if not SOURCE_REGION.match(pair):
                raise SettingsError(
                    f"BCO_SOURCE_REGIONS: '{pair}' is not SOURCE=COUNTRY; use e.g. "
                    "sciensano=BE,osiris=NL (a source name, '=', two capital letters).")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"BCO_TIMEZONE '{self.timezone}' is not a known time zone; "
                "use a name like Europe/Amsterdam.") from None

    def source_region(self, source: str) -> str:
        """The country configured for a notification source, '' when none is."""
        for pair in self.source_regions.split(","):
            name, _, region = pair.strip().partition("=")
            if name.strip() == source.strip() and region:
                return region.strip()
        return ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def link_base(self) -> str:
        """Where links sent to people outside point: BCO_PUBLIC_URL, else this server."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url)

    @property
    def events_path(self) -> Path:
        return self.data_dir / "events.db"

    @property
    def views_path(self) -> Path:
        return self.data_dir / "views.db"

    @property
    def training_events_path(self) -> Path:
        """The practice sandbox's own SQLite event store, apart from real cases."""
        return self.data_dir / "training.db"


def _parse(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name} must be true or false, not '{raw}'.")
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, not '{raw}'.") from None
    if issubclass(kind, Path):
        return Path(raw)
    return raw
