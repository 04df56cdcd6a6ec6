"""Lesson 05 lecture demo: a temperature slider that regenerates text and reshapes the next-character distribution.

    from rnn_course.demos import temperature_demo
    temperature_demo(model=lstm)              # your trained CharLanguageModel
    temperature_demo()                        # instant: a 5-gram count model of the shipped corpus
    temperature_demo(presenter=True, temperature=0.5)

Left: the probabilities of the likeliest next characters after the prime at
the chosen temperature tau (the outline is tau = 1). Right: text sampled at that
temperature tau. Generated texts are cached per (temperature, top-k, seed), so
moving back to a value is instant. Drawing text glyphs is the slowest part
of an update, so the sample is short (160 characters by default).
"""

from __future__ import annotations

import textwrap

import numpy as np

from ..plots.language import char_label
from ..plots.style import new_figure
from ..plots.style import presenter as presenter_style
from ..sampling import entropy, temperature_probs
from ._base import Demo, float_slider, int_slider
from ._sprites import TextGrid

__all__ = ["temperature_demo", "TEMPERATURE_PRESETS"]

#: lecture shortcuts: {label: control values}
TEMPERATURE_PRESETS = {
    "greedy (τ = 0)": {"temperature": 0.0, "top_k": 0},
    "cautious (τ = 0.5)": {"temperature": 0.5, "top_k": 0},
    "the model's own (τ = 1)": {"temperature": 1.0, "top_k": 0},
    "wild (τ = 2)": {"temperature": 2.0, "top_k": 0},
    "τ = 1.5, top-5": {"temperature": 1.5, "top_k": 5},
}


def _default_model():
    from ..text import CharNGramModel, CharVocab, load_corpus

    text = load_corpus("shakespeare")
    vocab = CharVocab.from_text(text)
    return CharNGramModel(vocab.encode(text), vocab.size, order=5, chars=vocab.chars)


def _first_logits(model, prime_ids):
    out = model.next_logits(prime_ids[None, :]) if hasattr(model, "params") else model.next_logits(prime_ids)
    logits = out[0] if isinstance(out, tuple) else out
    return np.asarray(logits, dtype=float).reshape(-1)


def _wrap(text: str, width: int, lines: int) -> str:
    out = []
    for line in text.split("\n"):
        out.extend(textwrap.wrap(line, width, drop_whitespace=False) or [""])
    return "\n".join(out[:lines])


def _monospace_cell(fontsize: float, dpi: float) -> tuple[float, float]:
    """Width of one character and height of one line (pixels) of monospace text at ``fontsize``."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family="monospace", size=fontsize)
    renderer = RendererAgg(1, 1, dpi)
    width = renderer.get_text_width_height_descent("M" * 40, prop, ismath=False)[0] / 40
    height = renderer.get_text_width_height_descent("Mg", prop, ismath=False)[1]
    return width, 1.2 * height  # Text's default linespacing


def temperature_demo(model=None, *, presenter: bool = False, temperature: float = 1.0, top_k: int = 0,
                     seed: int = 0, prime: str = "MACBETH.\n", length: int = 160, top: int = 15) -> Demo:
    """Sample text at a temperature set by a slider, and show the distribution it samples from.

    Inputs:
        model: a trained ``CharLanguageModel`` (built with its characters),
            a ``text.CharNGramModel``, or None for a 5-gram count model of
            the shipped Shakespeare corpus (ready in well under a second)
        temperature: 0 (greedy) .. 3; top_k: 0 (off) .. 20; seed: 0 .. 50
        prime: the text the model reads first; length: characters generated
        top: how many characters the bar chart shows
    Returns a Demo.
    """
    if model is None:
        model = _default_model()
        source = "5-gram count model"
    else:
        source = type(model).__name__
    chars = getattr(model, "chars", None)
    if not chars:
        raise ValueError("model: expected a model built with its characters (a CharVocab or a string), "
                         "so that sampled ids can be shown as text")
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or not 1 <= length <= 2000:
        raise ValueError(f"length: expected an integer in [1, 2000], got {length!r}")
    from ..text import CharVocab

    prime_ids = CharVocab(chars).encode(prime)  # names any character the model does not know
    if prime_ids.size == 0:
        raise ValueError("prime: expected at least one character")
    logits = _first_logits(model, prime_ids)
    top = max(2, min(int(top), len(chars)))
    order = np.argsort(-logits, kind="stable")[:top]
    reference = temperature_probs(logits, 1.0)[order]
    cache: dict = {}

    def generate(T, k, s):
        key = (round(float(T), 4), int(k), int(s))
        if key not in cache:
            cache[key] = model.sample(int(length), prime=prime, temperature=float(T), top_k=int(k) or None, rng=int(s))
        return cache[key]

    with presenter_style(presenter):
        fig, (ax_p, ax_t) = new_figure(figsize=(14, 5.6) if presenter else (10.5, 4.2), ncols=2,
                                       gridspec_kw={"width_ratios": [1, 1.1] if presenter else [1.1, 1]})
        x = np.arange(top)
        ax_p.step(np.r_[x - 0.5, top - 0.5], np.r_[reference, reference[-1]], where="post", color="0.3", lw=1.2,
                  label=r"$\tau = 1$ (the model's distribution)")
        bars = ax_p.bar(x, reference, width=0.75, color="#1f77b4", alpha=0.85, label=r"at the chosen $\tau$")
        ax_p.set_xticks(x, [char_label(chars[j]) for j in order], family="monospace")
        ax_p.set_ylim(0, 1.0)
        ax_p.set_xlabel(r"next character (ranked at $\tau = 1$)")
        ax_p.set_ylabel("probability")
        # titles flush left and short: side by side in presenter fonts, centred titles ran into each other
        ax_p.set_title(f"Next character after {prime[-16:]!r}" if not presenter else f"After {prime[-12:]!r}",
                       loc="left")
        ax_p.legend(loc="upper right", fontsize="small")
        ax_p.grid(True, axis="y", alpha=0.3)
        info = ax_p.text(0.97, 0.72, "", transform=ax_p.transAxes, ha="right", va="top", fontsize="small")
        ax_t.set_axis_off()
        ax_t.set_title(f"Sampled text ({source})", loc="left")
        text_size = 20 if presenter else 12
        # the sample changes on every update: its characters are composited from cached bitmaps (TextGrid),
        # which costs a fraction of laying out and rasterising the text glyph by glyph
        body = TextGrid(text_size)
        ax_t.add_artist(body)
    grid = {"width": 20, "lines": 3}

    def fit_text(figure):
        """Wrap to the panel: as many characters per line and lines as fit (again after a resize)."""
        figure.canvas.draw()
        box = ax_t.get_window_extent()
        char_width, line_height = _monospace_cell(body.fontsize, figure.dpi)
        grid["width"] = max(20, int(box.width // char_width))
        grid["lines"] = max(3, int(box.height // line_height))
        ax_t.set_xlim(0, box.width / char_width)  # one unit per character cell
        ax_t.set_ylim(box.height / line_height, 0)

    fit_text(fig)

    def update(temperature, top_k, seed):
        probs = temperature_probs(logits, temperature, top_k or None)
        for bar, p in zip(bars, probs[order]):
            bar.set_height(p)
        kept = int(np.count_nonzero(probs))
        info.set_text(f"$\\tau = {temperature:.2f}$: entropy {entropy(probs):.2f} nats, {kept}/{len(chars)} possible")
        body.set_text(_wrap(prime + generate(temperature, top_k, seed), grid["width"], grid["lines"]))
        return False

    controls = {
        "temperature": float_slider("temperature τ", float(temperature), 0.0, 3.0, 0.05, presenter=presenter),
        "top_k": int_slider("top-k (0 = off)", int(top_k), 0, 20, presenter=presenter),
        "seed": int_slider("random seed", int(seed), 0, 50, presenter=presenter),
    }
    return Demo("Sampling temperature", fig, update, controls, animated=[*bars, info, body],
                presets=TEMPERATURE_PRESETS, on_resize=fit_text,
                description="Low τ: the likeliest character wins and text repeats itself; τ = 1 samples the "
                            "model's own distribution; high τ flattens it into noise. Top-k cuts off the tail.",
                presenter=presenter)
