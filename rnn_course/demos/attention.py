"""Lesson 08 lecture demo: where an attention decoder looks, output step by output step.

    from rnn_course.demos import attention_demo
    attention_demo()                             # trains a small date model first (a few seconds, once per session)
    attention_demo(model)                        # an AttentionSeq2Seq trained on tasks.dates (lesson 08)
    attention_demo(presenter=True, date="march 3, 1999", step=6)

Top: the attention weights of a date-to-ISO model, one row per output step u
(what the decoder wrote, down the left) and one column per source character
(across the top); the row of step u is outlined. Bottom: that row as bars,
the weights over the source characters that step u read to write its
character. Scrub the output step and the focus moves: the year's digits,
then the month's name or number, then the day; the weekday is skipped.

Everything is decoded when the demo is built (greedy decoding of every date
of the menu, with the weights); an update only looks it up.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.patches import Rectangle

from ..models.attention_seq2seq import AttentionSeq2Seq
from ..plots.style import SEQUENTIAL, new_figure
from ..plots.style import presenter as presenter_style
from ..tasks.dates import END, FORMATS, MONTHS, SOURCE_VOCAB, START, TARGET_VOCAB, WEEKDAYS, dates_data, encode_pairs
from ..text import pad_sequences
from ._base import Demo, dropdown, int_slider
from ._sprites import Sprite, TextSprites

__all__ = ["attention_demo", "train_dates_attention", "attention_menu"]

#: output steps shown: the 10 characters of YYYY-MM-DD and "</s>"
STEPS = 11
_HIGHLIGHT = "#ff7f0e"


def train_dates_attention(steps: int = 300, *, H: int = 32, batch_size: int = 32, seed: int = 0) -> AttentionSeq2Seq:
    """An LSTM encoder-decoder with attention trained on ``tasks.dates`` (the defaults take a few seconds)."""
    from ..optim import Adam
    from ..train import fit

    for name, value in (("steps", steps), ("H", H), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    model = AttentionSeq2Seq(SOURCE_VOCAB.size, TARGET_VOCAB.size, H=H, E=16, cell="lstm",
                             start_id=TARGET_VOCAB[START], end_id=TARGET_VOCAB[END], seed=seed)

    def batches(rng):
        sources, targets, _ = dates_data(batch_size, rng=rng)
        return encode_pairs(sources, targets)

    fit(model, batches, steps=steps, optimizer=Adam(2e-2), clip=5.0, seed=seed, progress=False)
    return model


@functools.lru_cache(maxsize=1)
def _default_model() -> AttentionSeq2Seq:
    return train_dates_attention()


def attention_menu(seed: int = 8) -> list[str]:
    """The dates the demo offers: one in each of the seven formats of ``tasks.dates``, then two more of each."""
    sources, _, formats = dates_data(200, rng=seed)
    menu = []
    for _ in range(3):
        for k in range(len(FORMATS)):
            picks = [s for s, f in zip(sources, formats) if f == k and s not in menu]
            if picks:
                menu.append(picks[0])
    return menu


def _check_model(model) -> AttentionSeq2Seq:
    if model is None:
        return _default_model()
    if not isinstance(model, AttentionSeq2Seq):
        raise ValueError(f"model: expected an AttentionSeq2Seq trained on tasks.dates, got {type(model).__name__}")
    c = model.config
    expected = (SOURCE_VOCAB.size, TARGET_VOCAB.size, TARGET_VOCAB[START], TARGET_VOCAB[END])
    got = (c["V_in"], c["V_out"], c["start_id"], c["end_id"])
    if got != expected:
        raise ValueError(f"model: expected a model of tasks.dates with (V_in, V_out, start_id, end_id) = {expected}, "
                         f"got {got}")
    return model


def _show(char: str) -> str:
    return "␣" if char == " " else char


def attention_demo(model=None, *, presenter: bool = False, date: str | None = None, step: int = 1) -> Demo:
    """Scrub through the output steps of a date-to-ISO model with attention and watch where each step looks.

    Inputs:
        model: an ``AttentionSeq2Seq`` trained on ``tasks.dates`` (lesson 08 passes its own), or None to train
            a small one now (``train_dates_attention``: a few seconds, once per session)
        date: the source shown, one of the menu (``attention_menu()``: every format of the task); default the first
        step: the output step u shown, 1 to 11 (the 10 characters of YYYY-MM-DD, then "</s>")
    Returns a Demo. Its presets go through one date written "month d, yyyy" (the year is written first but
    read last, so the alignment crosses) and one that starts with a weekday.
    """
    model = _check_model(model)
    menu = attention_menu()
    if date is None:
        date = menu[0]
    if date not in menu:
        raise ValueError(f"date: expected one of the menu's dates {menu}, got {date!r}")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= STEPS:
        raise ValueError(f"step: expected an output step in [1, {STEPS}], got {step!r}")
    src, lengths = pad_sequences([SOURCE_VOCAB.encode(s) for s in menu])
    outputs, weights = model.greedy_decode(src, lengths, max_len=STEPS, return_weights=True)
    written = [list(TARGET_VOCAB.decode(ids)) + ["</s>"] for ids in outputs]
    S = int(src.shape[1])
    grids = np.full((len(menu), STEPS, S), np.nan)  # (date, step, source position); NaN where nothing was read
    for n, w in enumerate(weights):
        rows = min(len(w), STEPS)
        grids[n, :rows, : w.shape[1]] = w[:rows]

    with presenter_style(presenter):
        fig, (ax_map, ax_bar) = new_figure(figsize=(15, 8.2) if presenter else (11, 6.2), nrows=2,
                                           gridspec_kw={"height_ratios": [2.6, 1]})
        text_size = 17 if presenter else 11
        # a QuadMesh: redrawn in about a millisecond, where an AxesImage is resampled to the screen on every draw
        mesh = ax_map.pcolormesh(np.arange(S + 1) - 0.5, np.arange(STEPS + 1) - 0.5, np.zeros((STEPS, S)),
                                 cmap=SEQUENTIAL, vmin=0, vmax=1)
        fig.colorbar(mesh, ax=ax_map, label="attention weight", pad=0.01, fraction=0.03)
        ax_map.set_xlim(-1.9, S - 0.5)
        ax_map.set_ylim(STEPS - 0.5, -2.4)
        ax_map.set_axis_off()
        ax_map.set_title("Where each output step u looks (rows sum to 1)", loc="left")
        labels = TextSprites(text_size, family="monospace")  # source characters on top, outputs on the left
        ax_map.add_artist(labels)
        header = TextSprites(text_size)
        ax_map.add_artist(header)
        outline = Rectangle((-0.5, -0.5), S, 1, fill=False, ec=_HIGHLIGHT, lw=3 if presenter else 2.2)
        ax_map.add_patch(outline)

        bars = ax_bar.stairs(np.zeros(S), np.arange(S + 1) - 0.5, fill=True, color=_HIGHLIGHT, alpha=0.85)
        ax_bar.set_xlim(-1.9, S - 0.5)
        ax_bar.set_ylim(0, 1.05)
        ax_bar.set_xticks([])
        ax_bar.set_ylabel("weight")
        ax_bar.set_title("The outlined row: what step u reads to write its character", loc="left")
        ax_bar.grid(True, axis="y", alpha=0.3)
        bar_labels = TextSprites(text_size, family="monospace")
        ax_bar.add_artist(bar_labels)

    def update(date, step):
        n = menu.index(date)
        source, out = menu[n], written[n]
        grid = grids[n]
        mesh.set_array(np.ma.masked_invalid(grid))
        u = min(step, len(out)) - 1
        outline.set_y(u - 0.5)
        outline.set_width(len(source))
        row = np.nan_to_num(grid[u])
        bars.set_data(row)
        sprites = [Sprite(t, -1.0, _show(c)) for t, c in enumerate(source)]
        sprites += [Sprite(-1.0, k, _show(o) if o != "</s>" else "</s>", _HIGHLIGHT if k == u else "black",
                           "bold" if k == u else "normal") for k, o in enumerate(out[:STEPS])]
        labels.set_sprites(sprites)
        bar_labels.set_sprites(Sprite(t, 0.93, _show(c), "black", "bold" if row[t] == row.max() else "normal")
                               for t, c in enumerate(source))
        # the step and what it reads are shown by the outline, the orange output and the bold source character;
        # a sentence here would be a new string to render on every update
        header.set_sprites([Sprite(-1.9, -2.0, f"{source}  →  {''.join(out[:-1])}", ha="left")])
        return False

    controls = {
        "date": dropdown("date", menu, date, presenter=presenter),
        "step": int_slider("output step u", int(step), 1, STEPS, presenter=presenter),
    }
    return Demo("Attention: where the decoder looks", fig, update, controls,
                animated=[mesh, outline, bars, labels, bar_labels, header], presets=_presets(menu),
                description="Each output character is written from a weighted average of the encoder's states; "
                            "the weights show which source characters it reads. Drag the output step.",
                presenter=presenter)


def _presets(menu: list[str]) -> dict:
    """One date written "month d, yyyy" at the year, the month and the day; one with a weekday, at the day."""
    crossed = next(s for s in menu if s.split(" ")[0] in MONTHS and "," in s)  # "month d, yyyy"
    weekday = next(s for s in menu if s.split(",")[0] in WEEKDAYS)  # "weekday, d month yyyy"
    return {
        "year, first digit": {"date": crossed, "step": 1},
        "month": {"date": crossed, "step": 7},
        "day": {"date": crossed, "step": 10},
        "with a weekday": {"date": weekday, "step": 10},
    }
