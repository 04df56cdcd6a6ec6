"""Every exercise set and its graded items, in order.

``EXERCISES["01_forward_pass"]`` is the tuple of ``Item``s of that set;
``ITEMS["rnn_step_forward"]`` finds an item by name. ``run_item`` runs one
item's check and turns a failure of the *checker itself* into a Result
instead of an exception (a bug in a check must not cost a student a crash).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import bptt, forward_pass, gates, gradients, language_model
from .framework import Context, Item
from .result import Result

__all__ = ["EXERCISES", "ITEMS", "get_item", "run_item", "max_score"]

#: forbidden to every graded function: the modules holding the exercises' reference code and known-wrong
#: variants, and the package's models and training loops (whole models around the reference cells)
ALWAYS_FORBIDDEN = tuple(m.__name__ for m in (forward_pass, bptt, gradients, gates, language_model)) + (
    "rnn_course.models", "rnn_course.train", "rnn_course.wrappers")


def _with_check_modules(items):
    return tuple(dataclasses.replace(item, forbid=tuple(dict.fromkeys(tuple(item.forbid) + ALWAYS_FORBIDDEN)))
                 for item in items)


EXERCISES: dict[str, tuple[Item, ...]] = {
    module.EXERCISE: _with_check_modules(module.ITEMS)
    for module in (forward_pass, bptt, gradients, gates, language_model)
}

ITEMS: dict[str, Item] = {item.name: item for items in EXERCISES.values() for item in items}


def get_item(name: str) -> Item:
    """The item called ``name``, or a ValueError listing the names that exist."""
    if name not in ITEMS:
        import difflib

        close = difflib.get_close_matches(str(name), list(ITEMS), n=2)
        also = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise ValueError(f"name: expected one of the graded items {', '.join(map(repr, ITEMS))}, got {name!r}{also}")
    return ITEMS[name]


def max_score(exercise: str) -> float:
    """Points available in a set, bonus items not counted."""
    return float(sum(i.points for i in EXERCISES[exercise] if not i.bonus))


def run_item(item: Item, runner, rng: np.random.Generator) -> Result:
    """Check one item; never raises (except KeyboardInterrupt)."""
    ctx = Context(runner, rng, item)
    try:
        result = item.check(ctx)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - the checker's own failure becomes a visible result
        from .wire import ProtocolError

        if isinstance(exc, ProtocolError):
            return ctx.result("error", 0, f"the process running {item.function} sent a malformed reply ({exc}).")
        return ctx.result("error", 0, f"the checker for {item.name} failed ({type(exc).__name__}: {exc}); "
                                      "this is a bug in the course, please report it.")
    return result
