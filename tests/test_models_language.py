"""The character-level language model: gradients, stateful truncated BPTT, training, sampling, save/load."""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import gradcheck_model

from rnn_course import gradcheck
from rnn_course.models import CharLanguageModel, Model
from rnn_course.optim import Adam
from rnn_course.text import CharVocab, TextBatches, ngram_cross_entropy
from rnn_course.train import fit

CHARS = "abcdefgh"


def perturbed(model, seed=0, scale=0.3):
    """Move every parameter away from its initialisation (zero biases hide bugs)."""
    rng = np.random.default_rng(seed)
    for name, p in model.params.items():
        model.params[name] = p + scale * rng.standard_normal(p.shape)
    return model


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("embedding_dim", [None, 3])
def test_gradients_through_the_loss(cell, embedding_dim, rng):
    model = perturbed(CharLanguageModel(CHARS, H=4, cell=cell, embedding_dim=embedding_dim, seed=1))
    x = rng.integers(0, 8, size=(3, 5))
    y = rng.integers(0, 8, size=(3, 5))
    report = gradcheck_model(model, (x, y))
    assert report.ok, str(report)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradients_with_a_carried_state(cell, rng):
    """Stateful batches: the loss is a function of the parameters given the carried state (truncated BPTT)."""
    model = perturbed(CharLanguageModel(CHARS, H=4, cell=cell, seed=2))
    x = rng.integers(0, 8, size=(2, 4))
    model.loss((x, x, np.array([True, True])))  # fills model.state
    carried = tuple(s.copy() for s in model.state)
    assert np.abs(carried[0]).max() > 0
    batch = (rng.integers(0, 8, size=(2, 4)), rng.integers(0, 8, size=(2, 4)), np.array([False, False]))

    def loss_at(**params):
        saved = dict(model.params)
        model.params.update(params)
        model.state = carried  # every evaluation starts from the same carried state
        try:
            return model.loss(batch)[0]
        finally:
            model.params.update(saved)

    model.state = carried
    loss, grads = model.loss(batch)
    report = gradcheck(loss_at, dict(model.params), grads, tol=1e-7)
    assert report.ok, str(report)
    # and the carried state matters: from zeros the loss differs
    model.state = carried
    assert loss != pytest.approx(model.loss((batch[0], batch[1]))[0])


def test_carried_state_continues_the_sequence_exactly():
    """Reading a text in two stateful chunks gives the same logits as reading it at once."""
    model = perturbed(CharLanguageModel(CHARS, H=5, cell="lstm", seed=3))
    ids = np.random.default_rng(0).integers(0, 8, size=(2, 10))
    whole, _, _ = model.forward(ids)
    first, state, _ = model.forward(ids[:, :6])
    second, _, _ = model.forward(ids[:, 6:], state)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-12)


def test_reset_flags_zero_only_their_rows():
    model = perturbed(CharLanguageModel(CHARS, H=3, cell="gru", seed=4))
    x = np.zeros((2, 3), dtype=int)
    model.loss((x, x, np.array([True, True])))
    before = model.state[0].copy()
    state = model._carried_state(np.array([True, False]), 2)
    np.testing.assert_array_equal(state[0][0], 0.0)
    np.testing.assert_array_equal(state[0][1], before[1])
    with pytest.raises(ValueError, match=r"reset: expected \(2,\) booleans"):
        model.loss((x, x, np.array([1, 0, 1])))
    model.reset_state()
    assert model.state is None


def test_training_beats_the_bigram_baseline_on_a_tiny_text():
    """A text whose next character depends on two characters back: a bigram cannot predict it, an LSTM can."""
    rng = np.random.default_rng(0)
    words = ["abc", "abd", "xbe", "xbf"]  # after 'b' the next char depends on the char before 'b'
    text = " ".join(words[i] for i in rng.integers(0, 4, size=3000))
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    train, val = ids[:9000], ids[9000:]
    bigram = ngram_cross_entropy(train, val, vocab.size, order=2)
    model = CharLanguageModel(vocab, H=16, cell="lstm", seed=0)
    start = model.cross_entropy(val, batch_size=8, seq_len=20)
    history = fit(model, TextBatches(train, batch_size=16, seq_len=16), steps=150, optimizer=Adam(2e-2),
                  clip=5.0, progress=False)
    end = model.cross_entropy(val, batch_size=8, seq_len=20)
    assert start > np.log(vocab.size) - 0.2
    assert end < bigram - 0.1, (end, bigram)
    assert history.loss[-1] < history.loss[0] / 2


def test_sampling_is_seeded_and_greedy_is_deterministic():
    model = perturbed(CharLanguageModel(CHARS, H=6, cell="lstm", seed=5), scale=1.0)
    a = model.sample(50, prime="ab", temperature=1.0, rng=7)
    b = model.sample(50, prime="ab", temperature=1.0, rng=7)
    c = model.sample(50, prime="ab", temperature=1.0, rng=8)
    assert a == b and a != c and len(a) == 50 and set(a) <= set(CHARS)
    assert model.sample(30, prime="ab", temperature=0.0, rng=1) == model.sample(30, prime="ab", temperature=0.0, rng=2)
    top1 = model.sample(30, prime="ab", temperature=1.5, top_k=1, rng=3)
    assert top1 == model.sample(30, prime="ab", temperature=0.0)  # top-1 sampling is greedy


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_the_fast_sampling_step_matches_forward(cell):
    """Generation uses a check-free step; it must compute exactly what ``forward`` computes."""
    model = perturbed(CharLanguageModel(CHARS, H=5, cell=cell, embedding_dim=4, seed=6))
    ids = np.array([3, 1, 4, 1, 5, 2, 6])
    logits, _, _ = model.forward(ids[None, :])
    step, state, rows = model._stepper(), model.zero_state(1), []
    for token in ids:
        out, state = step(token, state)
        rows.append(out[0])
    np.testing.assert_allclose(np.array(rows), logits[0], atol=1e-12)


def test_save_load_round_trip_keeps_the_vocabulary(tmp_path):
    model = perturbed(CharLanguageModel(CharVocab(CHARS), H=6, cell="gru", embedding_dim=4, seed=7))
    path = model.save(tmp_path / "lm")
    again = Model.load(path)
    assert isinstance(again, CharLanguageModel) and again.chars == CHARS
    for name in model.params:
        np.testing.assert_array_equal(again.params[name], model.params[name])
    assert again.sample(40, prime="a", rng=3) == model.sample(40, prime="a", rng=3)


def test_cross_entropy_of_an_untrained_model_is_near_ln_v():
    model = CharLanguageModel(CHARS, H=8, cell="lstm", seed=0)
    ids = np.random.default_rng(0).integers(0, 8, size=2000)
    assert model.cross_entropy(ids, batch_size=4, seq_len=50) == pytest.approx(np.log(8), abs=0.15)


def test_argument_errors():
    with pytest.raises(ValueError, match="vocab: expected a CharVocab"):
        CharLanguageModel(1.5)
    with pytest.raises(ValueError, match="cell: expected one of"):
        CharLanguageModel(CHARS, cell="transformer")
    with pytest.raises(ValueError, match="embedding_dim"):
        CharLanguageModel(CHARS, embedding_dim=0)
    model = CharLanguageModel(CHARS, H=4)
    with pytest.raises(ValueError, match=r"x: expected indices in \[0, 8\)"):
        model.forward(np.array([[0, 9]]))
    with pytest.raises(ValueError, match=r"x: expected a 2-D array of shape \(N, T\)"):
        model.forward(np.zeros((2, 3, 4), dtype=int))
    with pytest.raises(ValueError, match=r"state h: expected shape \(N, H\) = \(1, 4\)"):
        model.forward(np.array([[0, 1]]), (np.zeros((1, 5)), np.zeros((1, 4))))
    with pytest.raises(ValueError, match="vocab: this model was built with a vocabulary size only"):
        CharLanguageModel(8, H=4).sample(5)
    with pytest.raises(ValueError, match="text: characters not in the vocabulary"):
        model.sample(5, prime="xyz")
    assert "CharLanguageModel(vocab='abcdefgh', H=4, cell='lstm'" in repr(model)


def test_training_in_a_non_interactive_process_prints_no_progress_bar():
    """progress="auto" in a CI log (stderr a pipe): stateful LM training runs and writes nothing to stderr."""
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from rnn_course.models import CharLanguageModel\n"
        "from rnn_course.text import TextBatches\n"
        "from rnn_course.train import fit\n"
        "ids = np.random.default_rng(0).integers(0, 8, 2000)\n"
        "h = fit(CharLanguageModel('abcdefgh', H=8), TextBatches(ids, 4, 10), steps=15)\n"
        "print(len(h.steps))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "15" and run.stderr == ""
