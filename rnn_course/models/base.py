"""What every model shares: a flat dict of parameters, a config to rebuild it, save/load, a readable repr.

A model is plain data plus the forward/backward code of the cells. Subclasses
implement

    loss(batch, *, train=True, rng=None) -> (loss: float, grads: {name: array})
    predict(inputs) -> outputs

and register themselves with ``@register_model`` so ``Model.load`` can
rebuild them from an ``.npz`` file (parameters plus a JSON config; no
pickles, so a file from a stranger cannot run code).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["Model", "register_model", "MODELS", "load_model"]

MODELS: dict[str, type] = {}


def register_model(cls):
    """Class decorator: make ``cls`` loadable by name from saved files."""
    MODELS[cls.__name__] = cls
    return cls


class Model:
    """Base class: ``params`` (flat {name: array}) and ``config`` (the constructor's keyword arguments)."""

    def __init__(self, params: dict, config: dict):
        self.params = params
        self.config = config

    # -- subclasses ----------------------------------------------------------
    def loss(self, batch, *, train: bool = True, rng=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def predict(self, inputs):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- shared --------------------------------------------------------------
    @property
    def num_params(self) -> int:
        """Number of scalar parameters."""
        return int(sum(p.size for p in self.params.values()))

    def save(self, path) -> Path:
        """Write parameters and config to ``path`` (.npz). Returns the path written."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(".npz")
        meta = json.dumps({"class": type(self).__name__, "config": self.config})
        np.savez(path, __meta__=np.array(meta), **self.params)
        return path

    @classmethod
    def load(cls, path):
        """Rebuild a model saved with ``save`` (the class is read from the file)."""
        return load_model(path, expected=None if cls is Model else cls)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items() if k != "seed")
        lines = [f"{type(self).__name__}({args})"]
        width = max((len(k) for k in self.params), default=0)
        for name, p in self.params.items():
            lines.append(f"  {name.ljust(width)}  {str(tuple(p.shape)):>14}  {p.size:>9,}")
        lines.append(f"  {'total'.ljust(width)}  {'':>14}  {self.num_params:>9,} parameters")
        return "\n".join(lines)


def load_model(path, expected: type | None = None) -> Model:
    """Load any registered model from an ``.npz`` written by ``Model.save``."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path: no such file {str(path)!r}")
    with np.load(path, allow_pickle=False) as data:
        if "__meta__" not in data.files:
            raise ValueError(f"path: {str(path)!r} is not a saved rnn_course model (no __meta__ entry)")
        meta = json.loads(str(data["__meta__"]))
        arrays = {k: data[k] for k in data.files if k != "__meta__"}
    name = meta.get("class")
    if name not in MODELS:
        raise ValueError(f"path: unknown model class {name!r}; expected one of {sorted(MODELS)}")
    cls = MODELS[name]
    if expected is not None and not issubclass(cls, expected):
        raise ValueError(f"path: holds a {name}, expected a {expected.__name__}")
    model = cls(**meta["config"])
    for key, value in model.params.items():
        if key not in arrays:
            raise ValueError(f"path: the file has no parameter {key!r}")
        if arrays[key].shape != value.shape:
            raise ValueError(f"path: parameter {key!r} has shape {arrays[key].shape}, expected {value.shape}")
        model.params[key] = arrays[key].astype(value.dtype)
    return model
