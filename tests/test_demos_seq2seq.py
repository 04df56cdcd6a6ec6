"""rnn_course.demos.seq2seq: the teacher-forcing demo of lesson 07 and the checkpoints it shows.

The lecture contract (signature, presets in range, presenter mode, nothing cut off, no accumulating artists)
is checked for every demo by test_lecture_demos.py; here: that what the demo draws is what the models
compute, and that its presets are chosen from the run.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import QuadMesh

from rnn_course.activations import softmax
from rnn_course.demos import teacher_forcing_demo
from rnn_course.demos.seq2seq import (
    MODES,
    STEPS,
    _default_checkpoints,
    _Run,
    date_menu,
    exposure_example,
    train_date_checkpoints,
)
from rnn_course.models import Seq2Seq
from rnn_course.tasks.dates import END, SOURCE_VOCAB, START, TARGET_VOCAB, encode_pairs


def _mesh(demo):
    """The demo's heat map (the colour bar draws a QuadMesh too, which is not animated)."""
    (mesh,) = [artist for artist in demo.animated if isinstance(artist, QuadMesh)]
    return mesh


def _curves_axes(demo):
    return next(ax for ax in demo.figure.axes if ax.get_xlabel() == "training step")


@pytest.fixture(scope="module")
def tiny_checkpoints():
    return train_date_checkpoints(steps=40, every=20, H=12, batch_size=16)


def test_checkpoints_are_copies_taken_while_training(tiny_checkpoints):
    assert list(tiny_checkpoints) == [0, 20, 40]
    models = list(tiny_checkpoints.values())
    assert all(isinstance(m, Seq2Seq) and m.config["H"] == 12 for m in models)
    assert len({id(m.params["W_out"]) for m in models}) == 3
    changes = [np.abs(b.params["dec_Wh"] - a.params["dec_Wh"]).max() for a, b in zip(models, models[1:])]
    assert min(changes) > 0  # each copy is the model at its own step
    with pytest.raises(ValueError, match="every: expected an integer >= 1"):
        train_date_checkpoints(every=0)


def test_decoder_runs_match_the_models_own_passes(tiny_checkpoints):
    sources, targets = date_menu(6, seed=2)
    batch = encode_pairs(sources, targets)
    model = tiny_checkpoints[40]
    run = _Run(model, batch)
    forced, free = MODES
    # teacher forcing: the model's forward pass, reading the true previous characters
    logits, _ = model.forward(batch.src, batch.src_lengths, batch.tgt_in)
    np.testing.assert_allclose(run.probs[forced], softmax(logits[:, :STEPS], axis=2), rtol=1e-12)
    np.testing.assert_array_equal(run.reads[forced], batch.tgt_in[:, :STEPS])
    # running free: each step reads the previous step's output, and the outputs are greedy decoding's
    assert (run.reads[free][:, 0] == TARGET_VOCAB[START]).all()
    np.testing.assert_array_equal(run.reads[free][:, 1:], run.writes[free][:, :-1])
    decoded = model.greedy_decode(batch.src, batch.src_lengths, max_len=STEPS)
    for n, ids in enumerate(decoded):
        ran = run.writes[free][n][run.ran[free][n]]
        assert list(ran[: len(ids)]) == list(ids)
        assert len(ran) == len(ids) + (1 if len(ids) < STEPS else 0)  # and "</s>" when it stopped
    # errors: wrong or missing characters out of the 11
    by_hand = [sum(1 for u in range(STEPS) if not (run.ran[free][n, u] and run.writes[free][n, u] ==
                                                   batch.tgt_out[n, u])) for n in range(6)]
    assert list(run.errors(free)) == by_hand


def test_teacher_forcing_demo_every_control(tiny_checkpoints, artifacts):
    demo = teacher_forcing_demo(tiny_checkpoints, step=0)
    assert demo.error is None and demo.values["mode"] == "teacher forcing"
    sources, _ = date_menu()
    assert list(demo.controls["date"].options) == sources
    slider = demo.controls["step"]
    assert (slider.min, slider.max, slider.step) == (0, 40, 20)
    before = demo.png()
    for name, value in (("step", 20), ("mode", "free running"), ("date", sources[3]), ("step", 40)):
        demo.set(**{name: value})
        assert demo.error is None, f"{name}: {demo.error}"
        assert demo.png() != before, f"moving {name} did not change the figure"
        before = demo.png()
    (artifacts / "lesson07_teacher_forcing_demo_tiny.png").write_bytes(demo.png())
    # the cursor marks the checkpoint shown; a value between checkpoints shows the one before it
    cursor = _curves_axes(demo).get_lines()[2]
    assert list(cursor.get_xdata()) == [40, 40]
    slider.max, slider.step = 40, 1
    demo.set(step=33)
    assert demo.error is None and list(cursor.get_xdata()) == [20, 20]


def test_teacher_forcing_demo_heat_map_is_the_decoders_distribution(tiny_checkpoints):
    sources, targets = date_menu()
    demo = teacher_forcing_demo(tiny_checkpoints, date=sources[2], step=40, mode="free running")
    run = _Run(tiny_checkpoints[40], encode_pairs(sources, targets))
    rows = [TARGET_VOCAB[c] for c in (*"0123456789", "-", END)]
    mesh = _mesh(demo)
    shown = np.ma.filled(mesh.get_array(), np.nan).reshape(len(rows), STEPS)
    expected = run.probs["free running"][2][:, rows].T
    ran = run.ran["free running"][2]
    np.testing.assert_allclose(shown[:, ran], expected[:, ran], rtol=1e-12)
    assert np.isnan(shown[:, ~ran]).all()  # after "</s>" the decoder does not run


def test_teacher_forcing_demo_refuses_what_it_cannot_show(tiny_checkpoints):
    with pytest.raises(ValueError, match="checkpoints: expected training steps"):
        teacher_forcing_demo({-1: tiny_checkpoints[0]})
    with pytest.raises(ValueError, match=r"checkpoints\[0\]: expected a Seq2Seq"):
        teacher_forcing_demo({0: "model"})
    wrong = Seq2Seq(5, TARGET_VOCAB.size, H=4, start_id=TARGET_VOCAB[START], end_id=TARGET_VOCAB[END])
    with pytest.raises(ValueError, match=r"checkpoints\[3\]: expected a model of tasks.dates"):
        teacher_forcing_demo({3: wrong})
    with pytest.raises(ValueError, match="date: expected one of the menu's dates"):
        teacher_forcing_demo(tiny_checkpoints, date="tomorrow")
    with pytest.raises(ValueError, match="step: expected one of the checkpoints"):
        teacher_forcing_demo(tiny_checkpoints, step=30)
    with pytest.raises(ValueError, match="mode: expected one of"):
        teacher_forcing_demo(tiny_checkpoints, mode="beam search")
    single = teacher_forcing_demo(tiny_checkpoints[40])  # one model: no training steps to move through
    assert single.error is None and single.controls["step"].disabled
    assert SOURCE_VOCAB.size == tiny_checkpoints[0].config["V_in"]


def test_teacher_forcing_presets_are_chosen_from_the_run(artifacts):
    """The default model (trained when the demo is built): the part-trained presets show a checkpoint with 80% of
    the characters right under teacher forcing and the menu date where running free costs the most characters,
    more than none (the lecture notes say more characters go wrong after the first mistake)."""
    demo = teacher_forcing_demo()
    presets = demo.presets
    assert list(presets) == ["untrained", "part-trained, teacher forcing", "part-trained, free running",
                             "trained, free running"]
    steps = sorted({v["step"] for v in presets.values()})
    assert steps[0] == 0 and steps[-1] == demo.controls["step"].max and len(steps) == 3
    chosen = presets["part-trained, free running"]
    assert presets["part-trained, teacher forcing"] == dict(chosen, mode="teacher forcing")
    curves = _curves_axes(demo).get_lines()
    step_values, token_curve = list(curves[0].get_xdata()), curves[0].get_ydata()
    assert token_curve[step_values.index(chosen["step"])] >= 0.8
    # recompute the cost of running free on every menu date at every eligible checkpoint
    sources, targets = date_menu()
    batch = encode_pairs(sources, targets)
    checkpoints = _default_checkpoints()
    costs = {}
    for step, model in checkpoints.items():
        if 0 < step < steps[-1] and token_curve[step_values.index(step)] >= 0.8:
            run = _Run(model, batch)
            cost = run.errors("free running") - run.errors("teacher forcing")
            costs.update({(step, source): c for source, c in zip(sources, cost)})
    assert costs[(chosen["step"], chosen["date"])] == max(costs.values()) > 0
    for label in ("part-trained, teacher forcing", "part-trained, free running", "trained, free running"):
        demo.set(**presets[label])
        assert demo.error is None
        (artifacts / f"lesson07_teacher_forcing_{label.replace(', ', '_').replace(' ', '_')}.png").write_bytes(
            demo.png())
    exact_curve = curves[1].get_ydata()
    assert exact_curve[-1] > exact_curve[step_values.index(chosen["step"])]  # training helps whole dates


def test_exposure_example_prefers_the_largest_cost_then_fewer_forced_errors():
    class FakeRun:
        def __init__(self, forced, free):
            self._errors = {"teacher forcing": np.array(forced), "free running": np.array(free)}

        def errors(self, mode):
            return self._errors[mode]

    runs = {0: FakeRun([11, 11], [11, 11]), 50: FakeRun([3, 1], [5, 3]), 100: FakeRun([2, 0], [2, 2]),
            150: FakeRun([0, 0], [0, 0])}
    # the first and last checkpoints are not searched; cost 2 three times, and (100, "b") has no forced error
    assert exposure_example(runs, ["a", "b"]) == (100, "b")
    # only checkpoints that get 80% of the characters right under teacher forcing count
    assert exposure_example(runs, ["a", "b"], token_accuracy=[0.1, 0.9, 0.5, 1.0]) == (50, "b")
    assert exposure_example({0: runs[0], 50: runs[50]}, ["a", "b"]) == (50, "b")  # two checkpoints: both searched
