"""``Grads``: what every backward function returns.

It *is* a tuple in the documented order (``dx, dh_prev, dWx, dWh, db =
rnn_step_backward(...)``), and its entries are also attributes
(``grads.dWh``). Sequence backward passes attach extras as attributes only,
so the tuple keeps its contract: ``grads.dh_all`` is the total gradient
arriving at every hidden state.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Grads"]


class Grads(tuple):
    """Gradients in the documented order; each is also an attribute.

    >>> g = Grads(("dx", "db"), (np.zeros(2), np.ones(3)))
    >>> dx, db = g
    >>> g.db.shape
    (3,)
    """

    def __new__(cls, names, values, **extras):
        obj = super().__new__(cls, tuple(values))
        obj.__dict__["_names"] = tuple(names)
        obj.__dict__.update(zip(names, values))
        obj.__dict__["_extras"] = tuple(extras)
        obj.__dict__.update(extras)
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("Grads is read-only")

    def __reduce__(self):
        extras = {k: getattr(self, k) for k in self._extras}
        return (_rebuild_grads, (self._names, tuple(self), extras))

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the tuple's entries, in order."""
        return self._names

    def as_dict(self) -> dict:
        """``{name: gradient}`` for the tuple's entries (extras not included)."""
        return dict(zip(self._names, self))

    def __repr__(self) -> str:
        def show(v):
            return f"array{tuple(v.shape)}" if isinstance(v, np.ndarray) else repr(v)

        parts = [f"{n}={show(v)}" for n, v in zip(self._names, self)]
        parts += [f"{n}={show(getattr(self, n))}" for n in self._extras]
        return "Grads(" + ", ".join(parts) + ")"


def _rebuild_grads(names, values, extras):
    return Grads(names, values, **extras)
