"""rnn_course.models.base: what every model inherits (save/load round trip, repr)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.models import Model, SequenceRegressor, load_model


def test_save_load_round_trip(tmp_path, rng):
    model = SequenceRegressor(2, 5, K=3, cell="lstm", forget_bias=1.0, seed=4)
    model.params["Wh"] += 0.123  # trained parameters differ from the initialisation
    path = model.save(tmp_path / "model")
    assert path.suffix == ".npz"
    again = Model.load(path)
    assert isinstance(again, SequenceRegressor) and again.config == model.config
    x = rng.standard_normal((3, 4, 2))
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert load_model(path).num_params == model.num_params
    with pytest.raises(ValueError, match="path: no such file"):
        Model.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="not a saved rnn_course model"):
        Model.load(tmp_path / "other.npz")


def test_repr_shows_structure():
    text = repr(SequenceRegressor(2, 5, cell="gru", seed=0))
    assert "SequenceRegressor(D=2, H=5" in text and "Wh" in text and "(5, 15)" in text and "parameters" in text
