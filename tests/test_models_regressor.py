"""rnn_course.models.regressor: the SequenceRegressor's gradients."""

from __future__ import annotations

import pytest

from rnn_course import gradcheck
from rnn_course.models import SequenceRegressor


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_regressor_gradients(cell, rng):
    model = SequenceRegressor(2, 3, K=2, cell=cell, seed=1)
    x, y = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 2))
    names = list(model.params)

    def fn(**params):
        saved = dict(model.params)
        model.params.update(params)
        try:
            return model.loss((x, y))[0]
        finally:
            model.params.update(saved)

    report = gradcheck(fn, dict(model.params), {k: v for k, v in model.loss((x, y))[1].items() if k in names}, tol=1e-7)
    assert report.ok, str(report)
