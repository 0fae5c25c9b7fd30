"""Rasa's model graph run in order, without dask.

Every message, and every prediction of the next action, runs a graph of Rasa components (the
NLU pipeline; the policies and their featurisers). Rasa hands each run to dask's synchronous
scheduler, which builds and orders a task graph again every time: under load that was 11% of a
turn's CPU, as much as DIET. The graph never changes, so the order of the nodes each set of
targets needs is worked out once, and the nodes are called in that order, each with the outputs
of the nodes it needs, exactly as dask called them. As with dask, an output is let go once
nothing left needs it (training runs this graph too, over the whole training data), exceptions
from a node come out unchanged, and a ``RuntimeError`` becomes Rasa's ``GraphRunError``.
"""

from __future__ import annotations

from typing import Any

from rasa_addons.speedups.guard import may_patch


def apply() -> bool:
    """Patch Rasa; False (and a log line) on another Rasa release or with RASA_SPEEDUPS=0."""
    if not may_patch(__name__):
        return False
    from rasa.engine.runner.dask import DaskGraphRunner

    DaskGraphRunner.run = run_in_order  # type: ignore[method-assign]
    return True


class Plan:
    """The nodes one set of targets needs, dependencies first, and when each output is last used."""

    def __init__(self, needs_by_node: dict[str, list[str]], targets: list[str]) -> None:
        self.order: list[str] = []
        seen: set[str] = set()
        for target in targets:
            self._visit(target, needs_by_node, seen)
        self.needs = {name: needs_by_node[name] for name in self.order}
        self.last_use: dict[str, int] = {}
        for step, name in enumerate(self.order):
            for dependency in self.needs[name]:
                self.last_use[dependency] = step

    def _visit(self, name: str, needs_by_node: dict[str, list[str]], seen: set[str]) -> None:
        if name in seen or name not in needs_by_node:  # visited, or an input placeholder
            return
        seen.add(name)
        for dependency in needs_by_node[name]:
            self._visit(dependency, needs_by_node, seen)
        self.order.append(name)


def run_in_order(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
    """``DaskGraphRunner.run``: the targets' outputs, keyed by target name."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else self._graph_schema.target_names
    plans = self.__dict__.setdefault("_navigator_plans", {})
    plan = plans.get(tuple(run_targets))
    if plan is None:
        needs_by_node = {name: list(node.needs.values()) for name, node in self._graph_schema.nodes.items()}
        plan = plans[tuple(run_targets)] = Plan(needs_by_node, run_targets)

    outputs: dict[str, Any] = {}
    graph_keys = set(plan.order)
    for input_name, input_value in (inputs or {}).items():
        if isinstance(input_value, str) and input_value in graph_keys:
            raise GraphRunError(
                f"Input value '{input_value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        graph_keys.add(input_name)
        outputs[input_name] = (input_name, input_value)  # what a graph node is called with

    keep = set(run_targets)
    try:
        for step, name in enumerate(plan.order):
            try:
                arguments = [outputs[dependency] for dependency in plan.needs[name]]
            except KeyError as missing:
                raise GraphRunError(f"Node '{name}' needs '{missing.args[0]}', which is neither a node "
                                    f"of the graph nor an input of this run.") from None
            outputs[name] = self._instantiated_nodes[name](*arguments)
            for dependency in plan.needs[name]:
                if plan.last_use.get(dependency) == step and dependency not in keep:
                    outputs.pop(dependency, None)
        return dict(outputs[target] for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
