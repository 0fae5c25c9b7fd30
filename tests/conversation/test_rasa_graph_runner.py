"""Rasa's component graph run in order (rasa_addons/speedups/graph_runner.py) gives what dask gave.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does: each case runs the same graph
once with Rasa's dask runner and once with ours, and compares outputs, calls and errors.
"""

from __future__ import annotations

from tests.support.rasa_env import run_in_rasa

SCRIPT = r"""
import gc, weakref
from rasa.engine.graph import GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.exceptions import GraphRunError

with_dask = DaskGraphRunner.run
import rasa_addons  # applies the speed fixes
in_order = DaskGraphRunner.run
assert in_order is not with_dask


class Output:  # something a weak reference can follow
    def __init__(self, value):
        self.value = value


calls, alive = [], {}


def node(name, fail=None):
    def call(*inputs):  # as rasa.engine.graph.GraphNode: called with (name, output) pairs
        calls.append(name)
        if fail:
            raise fail
        if name == "late":  # by now, nothing else needs the first node's output
            gc.collect()
            alive["first, when the last node ran"] = alive["first"]() is not None
        out = Output((name, tuple(value.value if isinstance(value, Output) else value for _, value in inputs)))
        if name == "first":
            alive["first"] = weakref.ref(out)
        return name, out
    return call


def schema(needs, targets):
    return GraphSchema({name: SchemaNode(needs=n, uses=GraphComponent, constructor_name="create", fn="f",
                                         config={}, is_target=name in targets) for name, n in needs.items()})


NEEDS = {"first": {"message": "__message__"}, "second": {"a": "first"}, "third": {"a": "first", "b": "second"},
         "late": {"b": "second", "c": "third"}, "unused": {"a": "first"}}


def runner(needs=NEEDS, targets=("late",), fail=None):
    r = object.__new__(DaskGraphRunner)
    r._graph_schema = schema(needs, targets)
    r._instantiated_nodes = {name: node(name, fail if name == "third" else None) for name in needs}
    r._execution_context = "test run"
    return r


def outcome(run, **kwargs):
    calls.clear(); alive.clear()
    r = runner(**{k: v for k, v in kwargs.items() if k in ("needs", "targets", "fail")})
    try:
        result = run(r, inputs=kwargs.get("inputs", {"__message__": "hello"}), targets=kwargs.get("targets_asked"))
        result = {k: v.value if isinstance(v, Output) else v for k, v in result.items()}
    except Exception as e:
        result = f"{type(e).__name__}: {e}"
    return result, sorted(calls), alive.get("first, when the last node ran")


cases = {
    "default targets": {},
    "targets asked": {"targets_asked": ["third", "second"]},
    "an input as target": {"targets_asked": ["__message__", "first"]},
    "input clashes with a node": {"inputs": {"__message__": "first"}},
    "node raises RuntimeError": {"fail": RuntimeError("boom")},
    "node raises ValueError": {"fail": ValueError("bad")},
}
for case, kwargs in cases.items():
    expected, got = outcome(with_dask, **kwargs), outcome(in_order, **kwargs)
    assert got[:2] == expected[:2], (case, expected, got)
    print(case, "|", got[0])
assert outcome(in_order)[2] is False  # the first output was let go before the last node ran
print("same as dask")
"""


def test_the_graph_runs_as_under_dask():
    out = run_in_rasa(SCRIPT).splitlines()
    assert out[-1] == "same as dask"
    assert "unused" not in "".join(out)
    assert any(line.startswith("node raises RuntimeError | GraphRunError") for line in out)
