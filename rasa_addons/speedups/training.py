"""Training: Rasa's training-cache fingerprints, computed only when that cache is on.

After every graph node Rasa fingerprints the node's inputs and output for its training cache, and
for featurised training data that means formatting every message's sparse matrices as text.
py-spy put 74% of the featurisers' training time there (over 100 s of a clean training).
``scripts/train.sh`` keys whole models on a hash of their inputs instead and turns Rasa's cache
off (``RASA_MAX_CACHE_SIZE=0``); with the cache off the fingerprints are never read, so they are
not computed. With the cache on, nothing changes.
"""

from __future__ import annotations

from typing import Any

from rasa_addons.speedups.guard import may_patch


def apply() -> bool:
    """Patch Rasa; False (and a log line) on another Rasa release or with RASA_SPEEDUPS=0."""
    if not may_patch(__name__):
        return False
    _skip_fingerprints_without_training_cache()
    return True


def _skip_fingerprints_without_training_cache() -> None:
    from rasa.engine.training.hooks import TrainingHook

    original_before, original_after = TrainingHook.on_before_node, TrainingHook.on_after_node

    def cache_is_off(hook: TrainingHook) -> bool:
        is_disabled = getattr(hook._cache, "_is_disabled", None)
        return bool(is_disabled and is_disabled())

    def on_before_node(self: TrainingHook, *args: Any, **kwargs: Any) -> dict:
        if cache_is_off(self):
            return {"fingerprint_key": None}
        return original_before(self, *args, **kwargs)

    def on_after_node(self: TrainingHook, *args: Any, **kwargs: Any) -> None:
        if cache_is_off(self):
            return None
        return original_after(self, *args, **kwargs)

    TrainingHook.on_before_node = on_before_node  # type: ignore[method-assign]
    TrainingHook.on_after_node = on_after_node  # type: ignore[method-assign]
