"""Speed fixes for Rasa 3.6, applied when any of our Rasa add-ons is imported.

Each was found by profiling the Rasa server under load or a clean training (py-spy; the figures
are in docs/performance.md), and each keeps Rasa's behaviour: what changes is only the work done.

- :mod:`.action_server`: calls to the action server (response validation, kept HTTP clients, the
  slot validator skipped when nothing was filled);
- :mod:`.trackers`: conversation trackers rebuilt from stored events, and copied;
- :mod:`.graph_runner`: Rasa's graph of components run in order, without dask;
- :mod:`.inference`: the NLU models and policies at run time (DIET's intents worked in numpy from
  its own weights: :mod:`.diet_numpy`);
- :mod:`.training`: Rasa's training-cache fingerprints;
- :mod:`rasa_addons.balanced_accept`: Rasa's workers share new connections fairly.

Every module imports Rasa only inside its functions, so its constants can be read (by the tests)
outside Rasa's environment.

Each patch applies only on the Rasa release it was checked against (``guard.SUPPORTED_RASA``) and
otherwise refuses with a log line naming itself and both versions; ``RASA_SPEEDUPS=0`` turns them
all off (:mod:`.guard`).
"""

from __future__ import annotations

from rasa_addons import balanced_accept
from rasa_addons.speedups import action_server, graph_runner, inference, trackers, training

_applied = False
PATCHES = (action_server, trackers, graph_runner, inference, training, balanced_accept)
applied: list[str] = []  # the patches that did apply, by module name


def apply() -> None:
    """Apply every fix that may apply, once (idempotent)."""
    global _applied
    if _applied:
        return
    applied.extend(patch.__name__ for patch in PATCHES if patch.apply())
    _applied = True
