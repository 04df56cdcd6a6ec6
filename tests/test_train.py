"""rnn_course.train: the training loop fit(), its History, minibatches and the progress bar."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from rnn_course.models import SequenceRegressor
from rnn_course.optim import Adam
from rnn_course.train import fit, minibatches


def sum_task(rng, N=32, T=6):
    """A memory-light task: predict the sum of the inputs."""
    x = rng.uniform(-1, 1, size=(N, T, 1))
    return x, x.sum(axis=1)


def test_training_makes_progress_and_is_seeded():
    def run():
        model = SequenceRegressor(1, 8, cell="gru", seed=0)
        return model, fit(model, sum_task, steps=150, optimizer=Adam(2e-2), clip=5.0, progress=False, seed=3)

    model, history = run()
    assert np.mean(history.loss[:10]) > 5 * np.mean(history.loss[-10:])
    _, again = run()
    assert history.loss == again.loss  # same seed, same run
    assert len(history.grad_norm) == 150 and history.seconds > 0
    assert "150 steps" in repr(history)


def test_fit_evaluates_and_records_metrics():
    model = SequenceRegressor(1, 4, cell="rnn", seed=0)
    x_test, y_test = sum_task(np.random.default_rng(9), N=50)
    history = fit(
        model,
        sum_task,
        steps=30,
        eval_every=10,
        progress=False,
        evaluate=lambda m: {"test_mse": float(np.mean((m.predict(x_test) - y_test) ** 2))},
    )
    assert history.eval_steps == [10, 20, 30]
    assert len(history.metrics["test_mse"]) == 3
    assert history.final("test_mse") == history.metrics["test_mse"][-1]
    with pytest.raises(ValueError, match="metric: expected one of"):
        history.final("accuracy")


def test_fit_stops_cleanly_on_divergence():
    model = SequenceRegressor(1, 4, cell="rnn_relu", recurrent_init="identity", scale=10.0, seed=0)

    def huge(rng):
        x = np.full((4, 400, 1), 50.0)
        return x, np.zeros((4, 1))

    history = fit(model, huge, steps=20, progress=False)
    assert "non-finite" in history.stopped and len(history.steps) < 20


def test_fit_accepts_an_iterable_and_stops_when_it_runs_out():
    rng = np.random.default_rng(0)
    x, y = sum_task(rng, N=40)
    model = SequenceRegressor(1, 4, cell="lstm", seed=0)
    history = fit(model, minibatches(x, y, batch_size=10, rng=0, epochs=2), steps=100, progress=False)
    assert len(history.steps) == 8 and "ran out" in history.stopped


def test_minibatches_cover_every_row_each_epoch():
    a = np.arange(10)
    seen = np.concatenate(list(minibatches(a, batch_size=3, rng=0, epochs=1)))
    np.testing.assert_array_equal(np.sort(seen), a)
    with pytest.raises(ValueError, match=r"arrays\[1\]: expected 10 rows"):
        next(minibatches(a, np.arange(9), batch_size=2))


def test_progress_bar_in_a_non_interactive_run_writes_nothing_to_stderr():
    """A CI log (stderr is a pipe) gets no carriage-return spam; forcing the bar still works."""
    code = (
        "import numpy as np\n"
        "from rnn_course.models import SequenceRegressor\n"
        "from rnn_course.train import fit\n"
        "def data(rng):\n"
        "    x = rng.standard_normal((4, 3, 1)); return x, x.sum(1)\n"
        "h = fit(SequenceRegressor(1, 3, cell='rnn'), data, steps=20, progress={})\n"
        "print(len(h.steps))\n"
    )
    quiet = subprocess.run([sys.executable, "-c", code.format("'auto'")], capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.strip() == "20" and quiet.stderr == ""
    forced = subprocess.run([sys.executable, "-c", code.format("True")], capture_output=True, text=True, timeout=120)
    assert forced.returncode == 0 and "20/20" in forced.stderr


def test_fit_argument_errors():
    model = SequenceRegressor(1, 2, cell="rnn")
    with pytest.raises(ValueError, match="steps: expected an integer >= 1"):
        fit(model, sum_task, steps=0)
    with pytest.raises(ValueError, match="data: expected a function"):
        fit(model, 3, steps=1)
    with pytest.raises(ValueError, match="progress: expected True, False or 'auto'"):
        fit(model, sum_task, steps=1, progress="yes")
    with pytest.raises(ValueError, match=r"x: expected shape \(N, T, D\)"):
        model.predict(np.zeros((2, 3, 4)))
