"""Lesson 07 lecture demo: an encoder-decoder reading a date, under teacher forcing and running free.

    from rnn_course.demos import teacher_forcing_demo
    teacher_forcing_demo()                    # trains a small date model first (a few seconds, once per session)
    teacher_forcing_demo(checkpoints)         # {training step: Seq2Seq}, saved while training (lesson 07)
    teacher_forcing_demo(presenter=True, mode="free running")

Left: the decoder's distribution over the next character at each output
step u, for one date, with what it reads (its input at step u), what it
writes (the likeliest character) and what it should write. Under **teacher
forcing** it reads the true previous character, as in training, so one
wrong guess does not change the next input. **Running free** (greedy
decoding, as in use) it reads its own previous output: a wrong character
becomes a wrong input, which the model never saw in training. Right: over
training, the share of characters right under teacher forcing and of whole
dates right running free, on 200 test dates; the line marks the checkpoint
shown.

Everything is computed when the demo is built (every checkpoint on every
date of the menu, and the test curves); an update only looks it up.
"""

from __future__ import annotations

import copy
import functools
import math

import numpy as np

from ..activations import softmax
from ..models.seq2seq import Seq2Seq
from ..plots.style import RIGHT, SEQUENTIAL, WRONG, new_figure
from ..plots.style import presenter as presenter_style
from ..tasks.dates import END, SOURCE_VOCAB, START, TARGET_VOCAB, dates_data, encode_pairs
from ._base import Demo, dropdown, int_slider
from ._sprites import Sprite, TextSprites

__all__ = ["teacher_forcing_demo", "train_date_checkpoints", "date_menu", "exposure_example", "MODES"]

MODES = ("teacher forcing", "free running")
#: output steps: the 10 characters of YYYY-MM-DD and "</s>"
STEPS = 11
#: the rows of the distribution: the characters a date is written with, and the end token
ROWS = (*"0123456789", "-", END)
#: test dates behind the accuracy curves
TEST_DATES = 200
_RIGHT, _WRONG = RIGHT, WRONG


def train_date_checkpoints(steps: int = 600, every: int = 50, *, H: int = 48, batch_size: int = 32,
                           seed: int = 0) -> dict:
    """Train an LSTM encoder-decoder on ``tasks.dates`` and keep a copy every ``every`` steps.

    Returns {training step: Seq2Seq}, step 0 (untrained) included. The defaults (H = 48, batches of 32,
    600 Adam steps) take a few seconds and stop while the model still makes mistakes, which is what the
    demo is for.
    """
    from ..optim import Adam
    from ..train import fit

    for name, value in (("steps", steps), ("every", every), ("H", H), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    model = Seq2Seq(SOURCE_VOCAB.size, TARGET_VOCAB.size, H=H, E=16, cell="lstm", start_id=TARGET_VOCAB[START],
                    end_id=TARGET_VOCAB[END], seed=seed)
    checkpoints = {0: copy.deepcopy(model)}

    def batches(rng):
        sources, targets, _ = dates_data(batch_size, rng=rng)
        return encode_pairs(sources, targets)

    def keep(step, _loss, _history):
        if step % every == 0 or step == steps:
            checkpoints[step] = copy.deepcopy(model)

    fit(model, batches, steps=steps, optimizer=Adam(2e-2), clip=5.0, seed=seed, progress=False, callback=keep)
    return checkpoints


@functools.lru_cache(maxsize=1)
def _default_checkpoints() -> dict:
    return train_date_checkpoints()


@functools.lru_cache(maxsize=1)
def _default_curves():
    return _test_curves(_default_checkpoints())


def date_menu(dates: int = 20, seed: int = 5) -> tuple[list[str], list[str]]:
    """The dates the demo offers: (sources, ISO targets), ``dates`` of them drawn with ``seed``."""
    if isinstance(dates, bool) or not isinstance(dates, (int, np.integer)) or not 2 <= dates <= 100:
        raise ValueError(f"dates: expected an integer in [2, 100], got {dates!r}")
    sources, targets, _ = dates_data(int(dates), rng=seed)
    return sources, targets


def _check_checkpoints(checkpoints) -> dict:
    if checkpoints is None:
        return _default_checkpoints()
    if isinstance(checkpoints, Seq2Seq):
        checkpoints = {0: checkpoints}
    if not isinstance(checkpoints, dict) or not checkpoints:
        raise ValueError("checkpoints: expected {training step: Seq2Seq} (or one Seq2Seq) trained on tasks.dates, "
                         f"got {type(checkpoints).__name__}")
    expected = (SOURCE_VOCAB.size, TARGET_VOCAB.size, TARGET_VOCAB[START], TARGET_VOCAB[END])
    for step, model in checkpoints.items():
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
            raise ValueError(f"checkpoints: expected training steps (integers >= 0) as keys, got {step!r}")
        if not isinstance(model, Seq2Seq):
            raise ValueError(f"checkpoints[{step}]: expected a Seq2Seq, got {type(model).__name__}")
        c = model.config
        got = (c["V_in"], c["V_out"], c["start_id"], c["end_id"])
        if got != expected:
            raise ValueError(f"checkpoints[{step}]: expected a model of tasks.dates with (V_in, V_out, start_id, "
                             f"end_id) = {expected}, got {got}")
    return {int(step): checkpoints[step] for step in sorted(checkpoints)}


class _Run:
    """One checkpoint on the menu's dates: the decoder's distributions, inputs and outputs in both modes."""

    def __init__(self, model: Seq2Seq, batch):
        self.target = batch.tgt_out[:, :STEPS]
        logits, _ = model.forward(batch.src, batch.src_lengths, batch.tgt_in)
        forced = softmax(logits[:, :STEPS], axis=2)
        self.probs = {MODES[0]: forced}
        self.reads = {MODES[0]: batch.tgt_in[:, :STEPS]}
        self.writes = {MODES[0]: forced.argmax(axis=2)}
        # free running: the decoder reads its own previous output (greedy decoding, step by step)
        N = batch.src.shape[0]
        state, _ = model.encode(batch.src, batch.src_lengths)
        tokens = np.full((N, 1), model.config["start_id"])
        probs = np.zeros_like(forced)
        reads = np.zeros((N, STEPS), dtype=np.int64)
        for u in range(STEPS):
            reads[:, u] = tokens[:, 0]
            step_logits, state = model.decode_step(tokens, state)
            probs[:, u] = softmax(step_logits, axis=1)
            tokens = probs[:, u].argmax(axis=1)[:, None]
        self.probs[MODES[1]] = probs
        self.reads[MODES[1]] = reads
        self.writes[MODES[1]] = probs.argmax(axis=2)
        end = model.config["end_id"]
        written = self.writes[MODES[1]]
        # after "</s>" a decoder stops: those steps are not run
        self.ran = {MODES[0]: np.ones((N, STEPS), bool),
                    MODES[1]: np.cumsum(np.cumsum(written == end, axis=1), axis=1) <= 1}

    def errors(self, mode: str) -> np.ndarray:
        """Wrong (or missing) output characters per date (N,)."""
        right = (self.writes[mode] == self.target) & self.ran[mode]
        return STEPS - right.sum(axis=1)


def _test_curves(checkpoints: dict, n: int = TEST_DATES, seed: int = 1):
    """Token accuracy (teacher forcing) and exact match (greedy decoding) on n test dates, per checkpoint."""
    sources, targets, _ = dates_data(n, rng=seed)
    batch = encode_pairs(sources, targets)
    token, exact = [], []
    for model in checkpoints.values():
        token.append(model.token_accuracy(batch))
        outputs = model.greedy_decode(batch.src, batch.src_lengths, max_len=STEPS + 1)
        exact.append(float(np.mean([TARGET_VOCAB.decode(ids) == t for ids, t in zip(outputs, targets)])))
    return np.array(token), np.array(exact)


def _label(token_id: int) -> str:
    return TARGET_VOCAB.tokens[int(token_id)]


def teacher_forcing_demo(checkpoints=None, *, presenter: bool = False, date: str | None = None,
                         step: int | None = None, mode: str = "teacher forcing", dates: int = 20,
                         seed: int = 5) -> Demo:
    """A date-to-ISO encoder-decoder, step by step, under teacher forcing or running free, at any checkpoint.

    Inputs:
        checkpoints: {training step: Seq2Seq} for ``tasks.dates`` (lesson 07 keeps them while training),
            one Seq2Seq, or None to train a small LSTM model now (``train_date_checkpoints``: a few
            seconds, once per session)
        date: the source shown, one of the menu (``dates`` dates drawn with ``seed``); default the first
        step: the checkpoint shown (default the last); mode: "teacher forcing" or "free running"
    Returns a Demo. Its presets are chosen from the run: the untrained model; a part-trained checkpoint
    (80% of the characters right under teacher forcing) and the menu date where running free costs the
    most characters more than teacher forcing (``exposure_example``), in both modes; and that date at the
    end of training.
    """
    default = checkpoints is None
    checkpoints = _check_checkpoints(checkpoints)
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {MODES}, got {mode!r}")
    sources, targets = date_menu(dates, seed)
    if date is None:
        date = sources[0]
    if date not in sources:
        raise ValueError(f"date: expected one of the menu's dates {sources}, got {date!r}")
    steps = list(checkpoints)
    if step is None:
        step = steps[-1]
    if step not in checkpoints:
        raise ValueError(f"step: expected one of the checkpoints {steps}, got {step!r}")
    batch = encode_pairs(sources, targets)
    runs = {s: _Run(model, batch) for s, model in checkpoints.items()}
    token_curve, exact_curve = _default_curves() if default else _test_curves(checkpoints)
    rows = [TARGET_VOCAB[r] for r in ROWS]
    u = np.arange(1, STEPS + 1)

    with presenter_style(presenter):
        fig, (ax_left, ax_c) = new_figure(figsize=(15, 7.6) if presenter else (11, 5.6), ncols=2,
                                          gridspec_kw={"width_ratios": [1.9, 1]})
        left = ax_left.get_subplotspec().subgridspec(4, 1, height_ratios=[0.6, 0.32, 2.4, 0.62])
        ax_left.remove()
        ax_src, ax_in, ax_m, ax_out = (fig.add_subplot(cell) for cell in left)
        text_size = 17 if presenter else 11

        for ax in (ax_src, ax_in, ax_out):
            ax.set_xlim(0.5, STEPS + 0.5)
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
        ax_src.set_axis_off()
        ax_src.set_ylim(0, 1)
        ax_src.set_title("Decoder output at each step u, for one date", loc="left")
        header = TextSprites(text_size)
        ax_src.add_artist(header)

        ax_in.set_ylim(0, 1)
        ax_in.set_xticks([])
        ax_in.set_yticks([0.5], ["reads"])
        reads_row = TextSprites(text_size, family="monospace")
        ax_in.add_artist(reads_row)

        mesh = ax_m.pcolormesh(np.arange(STEPS + 1) + 0.5, np.arange(len(ROWS) + 1) - 0.5,
                               np.zeros((len(ROWS), STEPS)), cmap=SEQUENTIAL, vmin=0, vmax=1)
        ax_m.set_ylim(len(ROWS) - 0.5, -0.5)
        ax_m.set_yticks(np.arange(len(ROWS)), ROWS, family="monospace")
        ax_m.set_xticks(u, [])
        ax_m.set_ylabel("next character")
        fig.colorbar(mesh, ax=ax_m, label="probability", pad=0.01, fraction=0.04)
        ms = 20 if presenter else 15
        (true_marks,) = ax_m.plot([], [], "s", ms=ms, mfc="none", mec="#ff7f0e", mew=2.5 if presenter else 2,
                                  label="should write")
        (chosen_marks,) = ax_m.plot([], [], "o", ms=ms / 3, color="white", mec="black", label="writes")

        ax_out.set_ylim(0, 2)
        ax_out.set_xticks(u)
        ax_out.set_yticks([1.5, 0.5], ["writes", "target"])
        ax_out.set_xlabel("output step u")
        out_rows = TextSprites(text_size, family="monospace")
        ax_out.add_artist(out_rows)

        x_steps = np.array(steps, dtype=float)
        ax_c.plot(x_steps, token_curve, "o-", color="#1f77b4", ms=4, label="characters right\n(teacher forcing)")
        ax_c.plot(x_steps, exact_curve, "s-", color="#d62728", ms=4, label="whole dates right\n(free running)")
        cursor = ax_c.axvline(steps[-1], color="0.2", lw=1.5, ls="--")
        (cursor_dots,) = ax_c.plot([], [], "o", ms=10 if presenter else 7, mfc="none", mec="black", mew=1.5)
        span = max(steps[-1] - steps[0], 1)
        ax_c.set_xlim(steps[0] - 0.04 * span, steps[-1] + 0.04 * span)
        ax_c.set_ylim(-0.03, 1.03)
        ax_c.set_xlabel("training step")
        ax_c.set_ylabel(f"share right ({TEST_DATES} test dates)")
        ax_c.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, title="Over training",
                    title_fontproperties={"size": "large"})
        ax_c.grid(True, alpha=0.3)

    def update(date, step, mode):
        s = max((k for k in steps if k <= step), default=steps[0])  # a checkpoint at or before the slider
        run = runs[s]
        n = sources.index(date)
        ran = run.ran[mode][n]
        shown = run.probs[mode][n][:, rows].T.copy()
        shown[:, ~ran] = np.nan
        mesh.set_array(np.ma.masked_invalid(shown))
        target, writes, reads = run.target[n], run.writes[mode][n], run.reads[mode][n]
        truth_rows = [ROWS.index(_label(t)) if _label(t) in ROWS else np.nan for t in target]
        true_marks.set_data(u, truth_rows)
        chosen = [ROWS.index(_label(w)) if (_label(w) in ROWS and r) else np.nan for w, r in zip(writes, ran)]
        chosen_marks.set_data(u, chosen)
        reads_row.set_sprites(
            Sprite(k + 1, 0.5, _label(token), "black" if mode == MODES[0] or k == 0 or writes[k - 1] == target[k - 1]
                   else _WRONG)
            for k, token in enumerate(reads) if ran[k])
        out_rows.set_sprites(
            [Sprite(k + 1, 1.5, _label(w), _RIGHT if w == t else _WRONG, "bold")
             for k, (w, t) in enumerate(zip(writes, target)) if ran[k]]
            + [Sprite(k + 1, 0.5, _label(t)) for k, t in enumerate(target)])
        wrong = int(run.errors(mode)[n])
        verdict = (f"{STEPS - wrong} of {STEPS} right" if mode == MODES[0]
                   else ("the whole date right" if wrong == 0 else f"{wrong} of {STEPS} wrong"))
        header.set_sprites([Sprite(0.5, 0.72, f"{date}  →  {targets[n]}", ha="left"),
                            Sprite(0.5, 0.22, f"training step {s}, {mode}: {verdict}",
                                   _RIGHT if wrong == 0 else _WRONG, ha="left")])
        cursor.set_xdata([s, s])
        k = steps.index(s)
        cursor_dots.set_data([s, s], [token_curve[k], exact_curve[k]])
        return False

    gaps = [int(g) for g in np.diff(steps)]
    slider = int_slider("training step (checkpoint)", int(step), steps[0], steps[-1],
                        step=functools.reduce(math.gcd, gaps) if gaps else 1, presenter=presenter)
    slider.disabled = len(steps) == 1
    controls = {
        "date": dropdown("date", sources, date, presenter=presenter),
        "step": slider,
        "mode": dropdown("decoder reads", MODES, mode, presenter=presenter),
    }
    return Demo("Teacher forcing and free running", fig, update, controls,
                animated=[mesh, true_marks, chosen_marks, reads_row, out_rows, header, cursor, cursor_dots],
                presets=_presets(runs, steps, sources, token_curve),
                description="Teacher forcing feeds the decoder the true previous character, so a wrong guess "
                            "costs one character; running free it reads its own output, and a wrong "
                            "character becomes a wrong input. Most characters right is not most dates right.",
                presenter=presenter)


def exposure_example(runs: dict, sources: list, token_accuracy=None, min_accuracy: float = 0.8) -> tuple[int, str]:
    """The (checkpoint, menu date) where running free costs the most characters more than teacher forcing.

    Searched over the checkpoints between the first and the last (all of them when there are fewer than
    three) whose ``token_accuracy`` (one per checkpoint, teacher-forced, on test dates) is at least
    ``min_accuracy``: a model that gets most characters right when it is fed the truth. Ties go to fewer
    errors under teacher forcing, then to the earlier checkpoint and the earlier date.
    """
    steps = list(runs)
    inner = steps[1:-1] or steps
    if token_accuracy is not None:
        accurate = [s for s in inner if token_accuracy[steps.index(s)] >= min_accuracy]
        inner = accurate or inner
    best = None
    for step in inner:
        run = runs[step]
        forced, free = run.errors(MODES[0]), run.errors(MODES[1])
        for n in range(len(sources)):
            key = (-(free[n] - forced[n]), forced[n], steps.index(step), n)
            if best is None or key < best[0]:
                best = (key, step, sources[n])
    return best[1], best[2]


def _presets(runs: dict, steps: list, sources: list, token_accuracy) -> dict:
    """Presets chosen from this run: untrained; the part-trained checkpoint and date of
    ``exposure_example`` in both modes; the same date at the end of training."""
    step, date = exposure_example(runs, sources, token_accuracy)
    presets = {
        "untrained": {"date": date, "step": steps[0], "mode": MODES[1]},
        "part-trained, teacher forcing": {"date": date, "step": step, "mode": MODES[0]},
        "part-trained, free running": {"date": date, "step": step, "mode": MODES[1]},
        "trained, free running": {"date": date, "step": steps[-1], "mode": MODES[1]},
    }
    unique: dict = {}
    for label, values in presets.items():  # with few checkpoints some coincide: keep the first of each
        if values not in unique.values():
            unique[label] = values
    return unique
