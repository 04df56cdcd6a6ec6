"""Lecture demos of lessons 06 and 07: every control, what the figure shows, and the presets chosen from a run.

The lecture contract (signature, presets in range, presenter mode, nothing cut off, no accumulating
artists) is checked for every demo by test_lecture_demos.py; here: that what each demo draws is what
the models compute, and that the stories the presets tell hold.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import QuadMesh

from rnn_course.activations import sigmoid, softmax
from rnn_course.demos import sentiment_demo, teacher_forcing_demo
from rnn_course.demos._sprites import Sprite, TextGrid, TextSprites
from rnn_course.demos.classification import (
    MAX_WORDS,
    MODIFIERS,
    SENTIMENT_PRESETS,
    _default_classifier,
    build_review,
    review_meaning,
)
from rnn_course.demos.seq2seq import (
    MODES,
    STEPS,
    _default_checkpoints,
    _Run,
    date_menu,
    exposure_example,
    train_date_checkpoints,
)
from rnn_course.models import Seq2Seq, SequenceClassifier
from rnn_course.models.encoder import encoder_forward
from rnn_course.plots.style import new_figure
from rnn_course.tasks.dates import END, SOURCE_VOCAB, START, TARGET_VOCAB, encode_pairs
from rnn_course.tasks.sentiment import NEGATIVE, POSITIVE, SENTIMENT_VOCAB, BagOfWords, encode_sentiment

# -- lesson 06: reading a review word by word ---------------------------------------------------------


def _line(demo, label_start):
    return next(line for ax in demo.figure.axes for line in ax.get_lines()
                if line.get_label().startswith(label_start))


def _mesh(demo):
    """The demo's heat map (the colour bar draws a QuadMesh too, which is not animated)."""
    (mesh,) = [artist for artist in demo.animated if isinstance(artist, QuadMesh)]
    return mesh


def _curves_axes(demo):
    return next(ax for ax in demo.figure.axes if ax.get_xlabel() == "training step")


def test_reviews_follow_the_generator_grammar_and_meaning():
    assert build_review("good") == "the plot was good"
    assert build_review("bad", "not really", "clever", "never") == (
        "the plot was not really bad but the ending was never clever")
    assert SENTIMENT_VOCAB.encode(build_review("funny", "really", "weak", "not")).size == 11  # every word known
    longest = build_review(POSITIVE[0], "not really", NEGATIVE[0], "not really")
    assert len(longest.split()) == MAX_WORDS
    assert review_meaning("good") == 1 and review_meaning("good", "not") == 0 and review_meaning("bad", "never") == 1
    assert review_meaning("bad", "really") == 0 and review_meaning("good", "not really") == 0
    assert review_meaning("good", "", "dull") == 0 and review_meaning("dull", "", "good", "not") == 0
    assert review_meaning("dull", "", "bad", "not") == 1  # the clause after "but" decides
    with pytest.raises(ValueError, match="first: expected one of"):
        build_review("ok")
    with pytest.raises(ValueError, match="second_modifier: expected one of"):
        review_meaning("good", "", "bad", "hardly")
    assert set(MODIFIERS) >= {"", "not", "never"}


def test_sentiment_demo_draws_what_the_models_compute(artifacts):
    demo = sentiment_demo(first="good", first_modifier="not", second="", t=MAX_WORDS)
    assert demo.error is None
    review = "the plot was not good"
    ids = SENTIMENT_VOCAB.encode(review)
    model = _default_classifier()
    # the RNN's curve: the classifier on each prefix, as its own forward pass computes it
    expected = [softmax(model.forward(ids[None, :k], np.array([k]))[0], axis=1)[0, 1] for k in range(1, 6)]
    np.testing.assert_allclose(_line(demo, "RNN").get_ydata(), expected, rtol=1e-12)
    # the bag of words' curve: its logistic score on the counts of each prefix
    bow = BagOfWords(SENTIMENT_VOCAB.size)
    x, y, lengths = encode_sentiment(*_training_reviews())
    bow.fit(x, y, lengths)
    prefix_counts = np.array([bow.features(ids[None, :k])[0] for k in range(1, 6)])
    np.testing.assert_allclose(_line(demo, "bag").get_ydata(), sigmoid(prefix_counts @ bow.w + bow.b), rtol=1e-9)
    # the heat map: the encoder's states, one column per word read
    states, _ = encoder_forward(model.params, model.params["embed"][ids][None], np.array([5]), cell="gru",
                                train=False)
    mesh = _mesh(demo)
    shown = np.ma.filled(mesh.get_array(), np.nan).reshape(model.config["H"], MAX_WORDS)
    np.testing.assert_allclose(shown[:, :5], states[0].T, rtol=1e-12)
    assert np.isnan(shown[:, 5:]).all()
    (artifacts / "lesson06_sentiment_demo.png").write_bytes(demo.png())


def test_sentiment_demo_every_control(artifacts):
    demo = sentiment_demo()
    before = demo.png()
    for name, value in (("first", "brilliant"), ("first_modifier", "never"), ("second", "awful"),
                        ("second_modifier", "never"), ("t", 3)):
        demo.set(**{name: value})
        assert demo.error is None, f"{name}: {demo.error}"
        assert demo.png() != before, f"moving {name} did not change the figure"
        before = demo.png()
    # t stops the reading: three points on each curve, and the heat map shows three columns
    assert len(_line(demo, "RNN").get_xdata()) == 3 == len(_line(demo, "bag").get_ydata())
    demo.set(t=MAX_WORDS)
    assert len(_line(demo, "RNN").get_xdata()) == len(build_review("brilliant", "never", "awful", "never").split())
    demo.set(second="")  # one clause: the reading stops at its last word, whatever t says
    assert len(_line(demo, "RNN").get_xdata()) == len(build_review("brilliant", "never").split())
    truth = _line(demo, "meaning")
    assert list(truth.get_ydata()) == [review_meaning("brilliant", "never")]
    (artifacts / "lesson06_sentiment_demo_controls.png").write_bytes(demo.png())


def test_sentiment_presets_tell_the_lesson_story():
    """Word order: the RNN gets negations and both orders of a contrast right, while the bag of words gives
    "good but dull" and "dull but good" the same score (the same bag) and cannot tell "not good" from "good"."""
    demo = sentiment_demo()
    final = {}
    for label, values in SENTIMENT_PRESETS.items():
        demo.set(**values)
        meaning = review_meaning(values["first"], values["first_modifier"], values["second"],
                                 values["second_modifier"])
        final[label] = (_line(demo, "RNN").get_ydata()[-1], _line(demo, "bag").get_ydata()[-1], meaning)
    for label, (rnn, _, meaning) in final.items():
        assert (rnn > 0.5) == bool(meaning), f"{label}: the RNN says {rnn:.2f}"
    assert final["good but dull"][1] == pytest.approx(final["dull but good"][1], abs=1e-12)
    bow_plain, bow_negated = final["plain: good"][1], final["negated: not good"][1]
    assert (bow_plain > 0.5) == (bow_negated > 0.5), "the bag of words should not be able to flip 'good' with 'not'"


def test_sentiment_demo_takes_a_trained_classifier_and_refuses_others():
    untrained = SequenceClassifier(SENTIMENT_VOCAB.size, 2, H=6, E=4, cell="rnn", readout="mean", seed=3)
    demo = sentiment_demo(untrained, t=4)
    assert demo.error is None
    assert _mesh(demo).get_array().size == 6 * MAX_WORDS
    ids = SENTIMENT_VOCAB.encode("the plot was not")
    expected = softmax(untrained.forward(ids[None], np.array([4]))[0], axis=1)[0, 1]
    assert _line(demo, "RNN").get_ydata()[-1] == pytest.approx(expected, rel=1e-12)
    bidirectional = SequenceClassifier(SENTIMENT_VOCAB.size, 2, H=5, E=4, bidirectional=True, layers=2, seed=1)
    assert sentiment_demo(bidirectional).error is None
    with pytest.raises(ValueError, match=r"model: expected a classifier of the sentiment task with \(V, C\)"):
        sentiment_demo(SequenceClassifier(10, 2))
    with pytest.raises(ValueError, match="model: expected a SequenceClassifier"):
        sentiment_demo("a model")
    with pytest.raises(ValueError, match="first: expected one of"):
        sentiment_demo(first="fine")


# -- lesson 07: teacher forcing and free running ----------------------------------------------------


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


def test_text_sprites_draw_at_their_places():
    fig, ax = new_figure(figsize=(3, 1))
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    sprites = TextSprites(20)
    ax.add_artist(sprites)
    fig.canvas.draw()
    blank = np.asarray(fig.canvas.buffer_rgba()).copy()
    sprites.set_sprites([Sprite(0.5, 0.5, "A", "red"), Sprite(2.5, 0.5, "B", "blue", "bold")])
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba()).astype(int)
    changed = np.abs(image - blank).sum(axis=2) > 0
    cols = np.where(changed.any(axis=0))[0]
    width = image.shape[1]
    assert cols.min() > 0 and cols.max() < width
    left, right = changed[:, : width // 3], changed[:, 2 * width // 3:]
    assert left.any() and right.any() and not changed[:, width // 3: 2 * width // 3].any()
    inked = np.abs(image - blank).sum(axis=2) > 300  # well inside the letters, not their antialiased edges
    red = image[:, : width // 3][inked[:, : width // 3]]
    blue = image[:, 2 * width // 3:][inked[:, 2 * width // 3:]]
    assert len(red) and len(blue)
    assert (red[:, 0] > red[:, 2] + 100).all() and (blue[:, 2] > blue[:, 0] + 100).all()  # red A, blue B
    assert len(sprites._bitmaps) == 3  # two strings and the cap height, rendered once
    fig.canvas.draw()
    assert len(sprites._bitmaps) == 3


def test_text_grid_puts_each_character_in_its_cell():
    fig, ax = new_figure(figsize=(4, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(2, 0)
    ax.set_axis_off()
    fig.set_layout_engine("none")
    ax.set_position([0, 0, 1, 1])
    grid = TextGrid(14, color="blue")
    ax.add_artist(grid)
    fig.canvas.draw()
    blank = np.asarray(fig.canvas.buffer_rgba()).copy()
    grid.set_text("ab c\nxy")
    assert grid.get_text() == "ab c\nxy"
    assert [(s.x, s.y, s.text) for s in grid._items] == [(0.5, 0.5, "a"), (1.5, 0.5, "b"), (3.5, 0.5, "c"),
                                                          (0.5, 1.5, "x"), (1.5, 1.5, "y")]
    fig.canvas.draw()
    ink = np.abs(np.asarray(fig.canvas.buffer_rgba()).astype(int) - blank).sum(axis=2) > 0
    height, width = ink.shape
    cell = width / 10
    cols = np.where(ink.any(axis=0))[0]
    assert cols.max() < 4 * cell and ink[:, int(2.2 * cell):int(2.8 * cell)].sum() == 0  # the space is empty
    assert ink[: height // 2, int(3 * cell):].any() and not ink[height // 2:, int(3 * cell):].any()  # "c": row 1


# -- helpers --------------------------------------------------------------------------------------------


def _training_reviews():
    from rnn_course.tasks.sentiment import sentiment_data

    sentences, labels, _ = sentiment_data(3000, rng=0)
    return sentences, labels
