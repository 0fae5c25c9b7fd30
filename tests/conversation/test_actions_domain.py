"""Rasa sends the domain only to the actions marked ``send_domain`` (endpoints.yml turns on
selective domain); every other action gets an empty one. So every action that reads its domain,
and every validation action (rasa-sdk's base classes read the slots and forms from it), must be
marked in domain/core.yml.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import yaml
from rasa_sdk import Action
from rasa_sdk.forms import ValidationAction

import actions
from bot.config import PROJECT_ROOT


def _our_actions() -> list[type[Action]]:
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    found, todo = [], list(Action.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("actions.") and not inspect.isabstract(cls):
            found.append(cls)
    return found


def _marked_in_domain() -> set[str]:
    listed = yaml.safe_load((PROJECT_ROOT / "domain" / "core.yml").read_text())["actions"]
    return {name for item in listed if isinstance(item, dict)
            for name, config in item.items() if (config or {}).get("send_domain")}


def test_selective_domain_is_on():
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    assert endpoints["action_endpoint"]["enable_selective_domain"] is True


def test_every_action_that_reads_the_domain_is_sent_it():
    marked = _marked_in_domain()
    needing = set()
    for cls in _our_actions():
        reads_domain = re.search(r"\bdomain(\.get\(|\[)", inspect.getsource(cls))
        if reads_domain or issubclass(cls, ValidationAction):
            needing.add(cls().name())
    assert needing, "no action found: the search itself is broken"
    assert needing <= marked, f"not sent the domain: {sorted(needing - marked)}"
