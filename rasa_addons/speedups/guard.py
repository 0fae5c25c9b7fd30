"""Whether a speed-up may patch Rasa: only the Rasa it was written against, and only when switched on.

The speed-ups replace private Rasa methods (names with no promise behind them), so each was
checked against one Rasa release only. On any other release a patch refuses to apply and says
so in the log (naming itself, the installed and the supported version); Rasa then runs as
shipped, only slower. ``RASA_SPEEDUPS=0`` (or ``false``, ``no``, ``off``) turns every speed-up off,
to tell a speed-up's fault from Rasa's own.

Standard library only; Rasa is imported inside the function, so this can be read outside Rasa's
environment.
"""

from __future__ import annotations

import logging
import os

SUPPORTED_RASA = "3.6.21"  # the release pinned in requirements/rasa.in; every patch was checked against it
SWITCH = "RASA_SPEEDUPS"
OFF = ("0", "false", "no", "off")

logger = logging.getLogger("rasa_addons.speedups")


def switched_on() -> bool:
    """False when ``RASA_SPEEDUPS`` turns the speed-ups off."""
    return os.environ.get(SWITCH, "1").strip().lower() not in OFF


def installed_rasa() -> str:
    import rasa

    return str(rasa.__version__)


def may_patch(patch: str) -> bool:
    """True if ``patch`` (a module name) may apply; otherwise logs why not and returns False."""
    if not switched_on():
        logger.info("Rasa speed-up %s not applied: %s=%s turns the speed-ups off", patch, SWITCH, os.environ[SWITCH])
        return False
    installed = installed_rasa()
    if installed != SUPPORTED_RASA:
        logger.warning("Rasa speed-up %s not applied: it patches private names of Rasa %s, and Rasa %s is "
                       "installed (Rasa runs as shipped, slower; check the patch against this release, then "
                       "update SUPPORTED_RASA in rasa_addons/speedups/guard.py)", patch, SUPPORTED_RASA, installed)
        return False
    return True
