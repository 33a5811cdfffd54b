"""Baton's one settings object, read from the environment (and `.env`) once and passed down."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Package data (`bot/prompts/defaults/*.md`), so an installed wheel finds them wherever it runs.
DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parent / "prompts" / "defaults"

# The admin and metrics tokens are all that stands between the internet and the API, the run
# pages and /metrics, so a short one is refused. Wrong admin tokens are limited per client
# address only to a few a minute (bot/web/sign_in_limit.py), never locked out for longer: an
# attacker behind the admins' proxy would lock them out too. The length is the defence.
MIN_TOKEN_CHARS = 24
MAKE_A_TOKEN = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
# Without BATON_DELIVERY_SECRET, result deliveries are signed with hex HMAC-SHA256(webhook
# secret, this); changing it changes every receiver's key.
DELIVERY_KEY_PURPOSE = "baton result delivery"


class SettingsError(Exception):
    """A setting is missing or contradicts another; the message says which and what to do."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    github_app_id: int | None = None
    github_private_key: SecretStr | None = None
    github_private_key_path: Path | None = None
    github_webhook_secret: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    # GitHub's web pages (the App set-up flow goes there): https://HOST for GitHub Enterprise.
    github_web_url: str = "https://github.com"
    # A personal access token, for `baton review URL` without the App.
    github_token: SecretStr | None = None
    database_url: str = "sqlite:///baton.sqlite"
    baton_public_url: str = "http://127.0.0.1:3000"
    baton_admin_token: SecretStr | None = None
    # The Baton that `baton run` starts workflows on (through its HTTP API).
    baton_url: str = "http://127.0.0.1:3000"
    # The App's slug: its comments are authored by "<slug>[bot]".
    baton_app_slug: str = "baton"
    # DBOS resumes only the runs of its own application version, so this is pinned rather than
    # derived from the code or the release: a deploy must not strand runs parked on an approval.
    # Raise it only with a release whose workflow code cannot replay older runs.
    baton_application_version: str = "baton-1"
    # Who owns a run in DBOS: unique per process, and the same after a restart, so a restarted
    # process resumes its own runs at once (`baton worker --executor-id` sets it too).
    baton_executor_id: str = "baton-local"
    # A process whose heartbeat is this old is dead: a live one resumes its pending runs.
    baton_takeover_after_seconds: float = Field(default=30.0, gt=0)
    # How often each process looks for queued deliveries and runs (one query per queue).
    baton_queue_poll_seconds: float = Field(default=0.2, gt=0)
    # How many deliveries one process dispatches at once. Dispatch shares the process with the
    # webhook endpoint: more dispatches at once drain a burst sooner but slow the acks
    # GitHub waits for (docs/benchmarks.md, webhook ack).
    baton_dispatch_concurrency: int = Field(default=10, gt=0)
    # A run's check run shows a step's end only when it ended this long after GitHub's last
    # update of it (its start and end always show): each update is a request against the
    # installation's rate limit. 0 shows every step.
    baton_check_progress_seconds: float = Field(default=2.0, ge=0)
    baton_prompts_dir: Path = DEFAULT_PROMPTS_DIR
    baton_log_level: str = "INFO"
    # `auto`: text at a terminal, one JSON object per line otherwise (for log collectors).
    baton_log_format: Literal["json", "text", "auto"] = "auto"
    # Bearer token for GET /metrics (BATON_ADMIN_TOKEN works too); with neither, it is open.
    baton_metrics_token: SecretStr | None = None
    # A push waits this long before its review starts; a newer push in the meantime replaces it.
    baton_debounce_seconds: float = 5.0
    # How long one GitHub request may take before it counts as unanswered (and is retried
    # if safe, or looked up before being sent again).
    baton_github_timeout_seconds: float = 30.0
    # GitHub allows an installation 80 content-creating requests (comments, reviews, issues,
    # pull requests) a minute; Baton paces its own below that, across all its processes.
    baton_content_writes_limit: int = Field(default=80, gt=0)
    baton_content_writes_period_seconds: float = Field(default=60.0, gt=0)
    # How often each process starts the content writes whose turn has come (bot/engine/pacing.py);
    # each comment or review waits for it once. 0.1 s rather than 0.2 s: a review finishes
    # ~130 ms sooner, for ~1.5% of a CPU more in an idle process (benchmarks/engine.py).
    baton_writes_poll_seconds: float = Field(default=0.1, gt=0)
    # A repository's prompt override renders in a child process with these limits.
    baton_prompt_render_seconds: float = Field(default=2.0, gt=0)
    baton_prompt_render_megabytes: int = Field(default=256, gt=0)
    # Result deliveries (a workflow's `deliver: {webhook: URL}`) are signed with this secret,
    # or, when it is not set, with a key derived from GITHUB_WEBHOOK_SECRET (delivery_secret).
    baton_delivery_secret: SecretStr | None = None
    # Off, a config cannot make Baton POST to loopback, private or link-local addresses (the
    # network Baton runs in); turn on for a Baton serving only your own network, and in tests.
    baton_delivery_allow_private: bool = False
    baton_delivery_attempts: int = Field(default=8, ge=1)
    baton_delivery_retry_seconds: float = Field(default=2.0, gt=0)  # the first wait; doubles
    # How often each process looks for schedules added, changed or removed by config pushes.
    baton_schedule_poll_seconds: float = Field(default=10.0, gt=0)
    # `baton serve` closes a connection that has not sent a request's headers this long after
    # opening or after its last answer (bot/web/connections.py).
    baton_header_timeout_seconds: float = Field(default=10.0, gt=0)
    # A request body not all received this long after its headers is refused with 408: 25 MB,
    # the largest webhook, then needs ~3.5 Mbit/s (bot/web/edge.py).
    baton_body_timeout_seconds: float = Field(default=60.0, gt=0)
    # Beyond this many open connections (idle keep-alive ones too) `baton serve` answers 503.
    # An ack takes milliseconds: 500 deliveries a second keep fewer than 30 busy; each request
    # may hold up to 25 MB of body before its signature can be checked, so this also bounds
    # that memory (2.5 GB).
    baton_max_connections: int = Field(default=100, gt=1)

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None

    @field_validator("baton_admin_token", "baton_metrics_token")
    @classmethod
    def _long_enough(cls, token: SecretStr | None) -> SecretStr | None:
        length = 0 if token is None else len(token.get_secret_value())
        if 0 < length < MIN_TOKEN_CHARS:
            raise ValueError(
                f"is {length} characters long; use at least {MIN_TOKEN_CHARS} random ones "
                f"(make one with: {MAKE_A_TOKEN})"
            )
        return token

    def private_key(self) -> str:
        if self.github_private_key is not None:
            return self.github_private_key.get_secret_value().replace("\\n", "\n")
        if self.github_private_key_path is not None:
            return self.github_private_key_path.read_text()
        raise SettingsError("set GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH to the App's key")

    def webhook_secret(self) -> str:
        if self.github_webhook_secret is None:
            raise SettingsError("set GITHUB_WEBHOOK_SECRET to the secret of the App's webhook")
        return self.github_webhook_secret.get_secret_value()

    def delivery_secret(self) -> str:
        """The key result deliveries are signed with (`baton delivery-secret` prints it)."""
        if self.baton_delivery_secret is not None:
            return self.baton_delivery_secret.get_secret_value()
        webhook_secret = self.github_webhook_secret
        if webhook_secret is None or not webhook_secret.get_secret_value():
            raise SettingsError(
                "set BATON_DELIVERY_SECRET, or GITHUB_WEBHOOK_SECRET for a key derived from it, "
                "to sign result deliveries"
            )
        # Derived, never the webhook secret itself: that would let every receiver of results
        # sign webhooks that Baton takes for GitHub's.
        # An HMAC of a fixed purpose: who holds the result cannot work back to the secret.
        key, purpose = webhook_secret.get_secret_value().encode(), DELIVERY_KEY_PURPOSE.encode()
        return hmac.new(key, purpose, hashlib.sha256).hexdigest()

    def served_at(self, host: str, port: int) -> Settings:
        """These settings with BATON_PUBLIC_URL, when it was not set, the address served."""
        if "baton_public_url" in self.model_fields_set:
            return self
        if host in ("0.0.0.0", "::", ""):  # every interface: this machine's own name for it
            host = "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        return self.model_copy(update={"baton_public_url": f"http://{shown}:{port}"})

    @property
    def has_app_credentials(self) -> bool:
        has_key = self.github_private_key is not None or self.github_private_key_path is not None
        return self.github_app_id is not None and has_key

    @property
    def bot_login(self) -> str:
        return f"{self.baton_app_slug}[bot]"


def describe_invalid_settings(error: ValidationError) -> str:
    """One line per bad setting, named as it is set (the environment variable)."""
    lines = []
    for item in error.errors(include_url=False):
        name = str(item["loc"][0]).upper() if item["loc"] else "settings"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{name} {message}" if item["type"] == "value_error" else f"{name}: {message}")
    return "\n".join(lines)
