"""Every exercise set and its graded items, in order.

``EXERCISES["01_forward_pass"]`` is the tuple of ``Item``s of that set;
``ITEMS["rnn_step_forward"]`` finds an item by name. ``run_item`` runs one
item's check (``checks.framework.run_item``), giving it this catalog to look
up the items it uses.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .checks import attention, bptt, forward_pass, gates, gradients, language_model
from .checks.framework import Item
from .checks.framework import run_item as checks_run_item
from .result import Result

__all__ = ["EXERCISES", "ITEMS", "get_item", "run_item", "max_score"]

#: forbidden to every graded function: the modules holding the exercises' reference code and known-wrong
#: variants, the package's models and training loops (whole models around the reference cells), and the
#: lecture demos (which run those models)
ALWAYS_FORBIDDEN = tuple(m.__name__ for m in (forward_pass, bptt, gradients, gates, language_model, attention)) + (
    "rnn_course.models", "rnn_course.train", "rnn_course.wrappers", "rnn_course.demos")


def _with_check_modules(items):
    return tuple(dataclasses.replace(item, forbid=tuple(dict.fromkeys(tuple(item.forbid) + ALWAYS_FORBIDDEN)))
                 for item in items)


EXERCISES: dict[str, tuple[Item, ...]] = {
    module.EXERCISE: _with_check_modules(module.ITEMS)
    for module in (forward_pass, bptt, gradients, gates, language_model, attention)
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


def run_item(item: Item, runner, rng: np.random.Generator, runner_for=None) -> Result:
    """Check one item (the items it uses looked up here); never raises (except KeyboardInterrupt).

    ``runner_for(item)`` gives the runner another item is checked with (the grader runs items that forbid
    different references in different processes); by default every item uses ``runner``.
    """
    return checks_run_item(item, runner, rng, lookup=get_item, runner_for=runner_for)
