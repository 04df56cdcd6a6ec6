"""rnn_course.tasks.adding: the adding problem (construction, baselines, scoring) and lesson 04's training claim."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.models import SequenceRegressor
from rnn_course.optim import Adam
from rnn_course.tasks.adding import (
    CONSTANT_BASELINE_MSE,
    ONE_VALUE_BASELINE_MSE,
    SOLVED_TOLERANCE,
    SUCCESS_FACTOR,
    AddingBatch,
    adding_batch,
    adding_data,
    baseline_predictions,
    evaluate_adding,
    marker_positions,
    score_adding,
    solved_by_chance,
)
from rnn_course.train import fit


@pytest.mark.parametrize("T", [2, 3, 7, 50])
def test_batch_construction(T):
    batch = adding_batch(500, T, rng=3)
    assert isinstance(batch, AddingBatch)
    assert batch.x.shape == (500, T, 2) and batch.y.shape == (500,)
    values, marks = batch.x[:, :, 0], batch.x[:, :, 1]
    assert values.min() >= 0 and values.max() < 1
    assert set(np.unique(marks)) <= {0.0, 1.0}
    np.testing.assert_array_equal(marks.sum(axis=1), 2)  # exactly two markers
    first, second = batch.markers.T
    assert np.all(first < T // 2) and np.all(second >= T // 2)  # one in each half
    np.testing.assert_array_equal(batch.y, (values * marks).sum(axis=1))
    x, y = batch  # unpacks as the (x, y) pair SequenceRegressor.loss takes
    assert x is batch.x and y is batch.y


def test_marker_positions_cover_both_halves_uniformly():
    T = 10
    markers = adding_batch(20000, T, rng=0).markers
    for col, steps in ((0, range(0, 5)), (1, range(5, 10))):
        counts = np.bincount(markers[:, col], minlength=T)[list(steps)]
        assert counts.min() > 0.9 * 20000 / 5 and counts.max() < 1.1 * 20000 / 5


def test_batches_are_seeded():
    a = adding_batch(4, 12, rng=5)
    b = adding_batch(4, 12, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, adding_batch(4, 12, rng=6).x)
    data = adding_data(12, batch_size=4)
    np.testing.assert_array_equal(data(np.random.default_rng(5)).x, a.x)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: adding_batch(0, 10), "N"),
        (lambda: adding_batch(4, 1), "T"),
        (lambda: adding_batch(4, 10.0), "T"),
        (lambda: adding_data(10, batch_size=0), "batch_size"),
        (lambda: marker_positions(np.zeros((2, 5, 3))), "x"),
        (lambda: marker_positions(np.zeros((2, 5, 2))), "x"),
        (lambda: baseline_predictions(adding_batch(2, 5, rng=0).x, "median"), "kind"),
        (lambda: score_adding(np.zeros(3), np.zeros(4)), "y_hat"),
        (lambda: score_adding(np.zeros(3), np.zeros((3, 2))), "y"),
        (lambda: evaluate_adding((np.zeros((2, 5, 2)), np.zeros(2))), "batch"),
        (lambda: solved_by_chance(2.0), "tolerance"),
    ],
)
def test_arguments_are_checked(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()


def test_shape_errors_say_expected_and_received():
    with pytest.raises(ValueError, match=r"^x: expected shape \(N, T, 2\) = \(2, 5, 2\), got \(2, 5, 3\)"):
        marker_positions(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="exactly 2 markers per sequence in channel 1, got 0 in sequence 0"):
        marker_positions(np.zeros((2, 5, 2)))


def test_baselines_match_their_exact_values():
    batch = adding_batch(200_000, 8, rng=11)
    const = score_adding(baseline_predictions(batch.x, "constant"), batch.y)
    one = score_adding(baseline_predictions(batch.x, "one value"), batch.y)
    # standard errors of a mean of squared errors: sd((y-1)^2)/sqrt(n) ~ 0.0005, sd((u-0.5)^2)/sqrt(n) ~ 0.0002
    assert const.mse == pytest.approx(CONSTANT_BASELINE_MSE, abs=0.002)
    assert one.mse == pytest.approx(ONE_VALUE_BASELINE_MSE, abs=0.001)
    assert const.improvement == pytest.approx(1.0, abs=0.02) and not const.success
    assert const.solved == pytest.approx(solved_by_chance(), abs=0.005)  # 1 - (1 - 0.08)^2
    assert solved_by_chance() == pytest.approx(1 - (1 - SOLVED_TOLERANCE) ** 2)


def test_score_thresholds():
    y = np.linspace(0.1, 1.9, 100)
    perfect = score_adding(y, y)
    assert perfect.mse == 0 and perfect.solved == 1 and perfect.success and perfect.improvement == np.inf
    level = CONSTANT_BASELINE_MSE / SUCCESS_FACTOR
    just_good = score_adding(y + np.sqrt(level) * 0.999, y)  # every error equal: MSE just below the level
    just_bad = score_adding((y + np.sqrt(level) * 1.001)[:, None], y)  # (N, 1) predictions are accepted
    assert just_good.success and not just_bad.success
    assert just_good.solved == 0  # every error is sqrt(1/60) = 0.129 > 0.08
    assert score_adding(y + 0.079, y).solved == 1 and score_adding(y + 0.081, y).solved == 0
    assert "not solved" in str(just_bad) and "not solved" not in str(just_good)
    nan = score_adding(np.full(100, np.nan), y)
    assert not nan.success and nan.improvement == 0


def test_evaluate_adding_scores_a_model():
    test = adding_batch(64, 6, rng=0)
    model = SequenceRegressor(2, 4, cell="gru", seed=0)
    metrics = evaluate_adding(test)(model)
    want = score_adding(model.predict(test.x), test.y)
    assert metrics == {"mse": want.mse, "solved": want.solved}


# the task's claim (lesson 04): it separates gated cells from the tanh RNN
@pytest.mark.slow
def test_gated_cells_solve_the_adding_problem_and_the_tanh_rnn_does_not():
    """The notebook's default budget (T = 50, H = 16, 600 Adam updates of 32 fresh sequences): the LSTM (forget
    bias 1) and the GRU get their test MSE at least 10x below the constant baseline; the tanh RNN does not."""
    T = 50
    test = adding_batch(1000, T, rng=2024)
    results = {}
    for cell in ("lstm", "gru", "rnn"):
        model = SequenceRegressor(2, 16, cell=cell, recurrent_init="orthogonal", forget_bias=1.0, seed=0)
        history = fit(model, adding_data(T, batch_size=32), steps=600, optimizer=Adam(lr=0.02), clip=1.0,
                      progress=False, seed=1)
        assert not history.stopped, history.stopped
        results[cell] = score_adding(model.predict(test.x), test.y)
    assert results["lstm"].improvement >= SUCCESS_FACTOR, str(results["lstm"])
    assert results["gru"].improvement >= SUCCESS_FACTOR, str(results["gru"])
    assert results["rnn"].improvement < SUCCESS_FACTOR, str(results["rnn"])
    assert results["lstm"].success and results["gru"].success and not results["rnn"].success
