"""The code version recorded with each piece of advice: the package version and, in a git
checkout, its commit."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from bot.config import PROJECT_ROOT, get_settings


def _git_commit() -> str | None:
    """The checked-out commit, read from .git without running git (absent in a deployment)."""
    git = PROJECT_ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        loose = git / ref
        if loose.exists():
            return loose.read_text().strip()[:12]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(f" {ref}"):
                return line.split()[0][:12]
    except OSError:
        return None
    return None


@lru_cache(maxsize=1)
def code_version() -> str:
    configured = get_settings().code_version.strip()
    if configured:
        return configured[:80]
    try:
        package = version("early-help-navigator")
    except PackageNotFoundError:
        package = "unknown"
    commit = _git_commit()
    return f"{package}+{commit}" if commit else package
