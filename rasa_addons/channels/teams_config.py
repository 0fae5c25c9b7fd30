"""Microsoft Teams settings, read from the environment only (nothing is committed).

The channel is on when ``TEAMS_APP_ID`` and ``TEAMS_APP_PASSWORD`` are both set, and off
when neither is. Half a configuration is a mistake worth stopping for, so it raises.
No Rasa import: the unit tests load this module in the app environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

APP_ID = "TEAMS_APP_ID"
APP_PASSWORD = "TEAMS_APP_PASSWORD"
TENANT_ID = "TEAMS_TENANT_ID"
OPENID_METADATA_URL = "TEAMS_OPENID_METADATA_URL"
LOGIN_URL = "TEAMS_LOGIN_URL"
KEYS_TTL = "TEAMS_KEYS_TTL_SECONDS"

DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"
MULTI_TENANT = "botframework.com"
DEFAULT_KEYS_TTL_SECONDS = 24 * 3600
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
CHANNEL_ISSUER = "https://api.botframework.com"


class TeamsConfigError(ValueError):
    """The TEAMS_* variables are set but unusable; the message says which and why."""


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str
    app_password: str = field(repr=False)
    tenant_id: str = MULTI_TENANT
    openid_metadata_url: str = DEFAULT_OPENID_METADATA_URL
    login_url: str = DEFAULT_LOGIN_URL
    keys_ttl_seconds: float = DEFAULT_KEYS_TTL_SECONDS

    @property
    def single_tenant(self) -> bool:
        return self.tenant_id.lower() != MULTI_TENANT

    @property
    def token_url(self) -> str:
        """Where the bot gets its own token: the registration's tenant, not always botframework.com."""
        return f"{self.login_url.rstrip('/')}/{self.tenant_id}/oauth2/v2.0/token"

    @property
    def valid_issuers(self) -> list[str]:
        """Issuers of tokens that the Bot Connector sends to the bot.

        Always the Bot Framework channel issuer; for a single-tenant registration also the
        tenant's Entra ID issuers (v1 and v2 tokens), as the Bot Framework SDK accepts.
        """
        issuers = [CHANNEL_ISSUER]
        if self.single_tenant:
            issuers += [f"https://sts.windows.net/{self.tenant_id}/",
                        f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"]
        return issuers

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TeamsConfig | None:
        """The configuration, or ``None`` when the channel is off (no app id and no password)."""
        env = os.environ if environ is None else environ
        app_id = env.get(APP_ID, "").strip()
        password = env.get(APP_PASSWORD, "").strip()
        if not app_id and not password:
            return None
        if not app_id or not password:
            missing = APP_ID if not app_id else APP_PASSWORD
            raise TeamsConfigError(
                f"Microsoft Teams is half configured: {missing} is not set. Set both "
                f"{APP_ID} and {APP_PASSWORD} to turn the channel on, or neither to leave it off.")
        ttl_text = env.get(KEYS_TTL, "").strip()
        try:
            ttl = float(ttl_text) if ttl_text else DEFAULT_KEYS_TTL_SECONDS
        except ValueError:
            raise TeamsConfigError(f"{KEYS_TTL} must be a number of seconds, not {ttl_text!r}") from None
        if ttl <= 0:
            raise TeamsConfigError(f"{KEYS_TTL} must be positive, not {ttl_text!r}")
        urls = {
            OPENID_METADATA_URL: env.get(OPENID_METADATA_URL, "").strip() or DEFAULT_OPENID_METADATA_URL,
            LOGIN_URL: env.get(LOGIN_URL, "").strip() or DEFAULT_LOGIN_URL,
        }
        for name, url in urls.items():
            if not url.startswith(("https://", "http://")):
                raise TeamsConfigError(f"{name} must be an http(s) URL, not {url!r}")
        return cls(
            app_id=app_id,
            app_password=password,
            tenant_id=env.get(TENANT_ID, "").strip() or MULTI_TENANT,
            openid_metadata_url=urls[OPENID_METADATA_URL],
            login_url=urls[LOGIN_URL],
            keys_ttl_seconds=ttl,
        )
