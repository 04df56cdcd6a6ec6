"""Latency of the lecture demos' slider callbacks: p50 / p95 per demo, figure update included.

Not run in CI (timings depend on the machine). Target: p95 < 50 ms per update.

    python benchmarks/demo_latency.py                  # every registered demo
    python benchmarks/demo_latency.py cliff spectral   # some of them
    python benchmarks/demo_latency.py --rounds 5       # replay each script 5 times

How: each demo is built once (its set-up cost is reported but not counted),
then a scripted sequence of control moves is replayed ``--rounds`` times.
Every move is one ``demo.set(...)``: the update callback, the blitted redraw
and the PNG sent to the front end, timed by the ``Demo`` itself
(``demo.latencies``, wall clock). The same moves' CPU time is reported too:
on a machine shared with other work the wall clock measures the neighbours
as much as the demo. A move that raises is a failure, not a fast update.

Adding a demo: append one ``DemoBench`` to ``REGISTRY`` with a factory (a
zero-argument callable returning a ``Demo``) and the moves a lecturer would
make: slow drags (many small steps of one slider) and jumps (presets).

Also here (issue 4): the 200 x 200 grid of ``one_unit_loss``, p50 / p95 of
its wall time and the ratio to the 100 ms budget (``--no-grid`` skips it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

TARGET_MS = 50.0
GRID_BUDGET_MS = 100.0


@dataclass
class DemoBench:
    """One demo to time: how to build it and the slider moves to replay."""

    name: str
    factory: Callable  # () -> Demo
    moves: list = field(default_factory=list)  # [{control: value, ...}, ...], one demo.set(...) each
    presets: bool = False  # also click every preset button of the built demo, after the moves


def drag(name: str, start: float, stop: float, steps: int = 20) -> list[dict]:
    """A slider dragged from ``start`` to ``stop`` in ``steps`` updates (what continuous_update sends)."""
    return [{name: float(v)} for v in np.linspace(start, stop, steps)]


def idrag(name: str, start: int, stop: int, steps: int | None = None) -> list[dict]:
    """An integer slider dragged from ``start`` to ``stop`` (every step by default)."""
    steps = steps or abs(stop - start) + 1
    return [{name: int(v)} for v in np.linspace(start, stop, steps).round()]


def ldrag(name: str, start: float, stop: float) -> list[dict]:
    """A log slider (``demos.log_slider``: round values only) dragged from ``start`` to ``stop``."""
    from rnn_course.demos import nice_values

    values = [v for v in nice_values(min(start, stop), max(start, stop))]
    return [{name: v} for v in (values if start <= stop else values[::-1])]


def choose(name: str, *options) -> list[dict]:
    """A dropdown set to each option in turn."""
    return [{name: option} for option in options]


def _demo(factory_name: str, **kwargs) -> Callable:
    """A zero-argument factory for ``rnn_course.demos.<factory_name>(**kwargs)``."""

    def build():
        from rnn_course import demos

        return getattr(demos, factory_name)(**kwargs)

    build.__name__ = factory_name
    return build


def _presets(module: str, name: str) -> list[dict]:
    """The preset dict ``name`` of ``rnn_course.demos.<module>``, as a list of moves."""
    import importlib

    return list(getattr(importlib.import_module(f"rnn_course.demos.{module}"), name).values())


#: the demos this script times; other lessons append their DemoBench entries here
REGISTRY: list[DemoBench] = [
    # lesson 03
    DemoBench("cliff", _demo("cliff_demo"),
              drag("w0", 3.5, 6.0) + drag("b0", -4.0, -1.5) + ldrag("lr", 0.05, 2.0) + ldrag("threshold", 0.05, 5.0)
              + _presets("cliff", "CLIFF_PRESETS")),
    DemoBench("spectral", _demo("spectral_radius_demo"),
              drag("rho", 0.5, 1.5, 30) + _presets("gradients", "SPECTRAL_PRESETS")),
    DemoBench("spectral-tanh", _demo("spectral_radius_demo", activation="tanh"),
              drag("rho", 0.5, 1.5, 20) + drag("input_scale", 0.0, 3.0, 20)),
]

def _date_menu() -> list[str]:
    """The dates teacher_forcing_demo offers (its default menu)."""
    from rnn_course.demos.seq2seq import date_menu

    return date_menu()[0]


#: every lecture demo, the moves a lecturer makes with each control, then every preset; once as in a
#: lesson and once in presenter mode drawn for a 1920 x 1080 screen (the largest figure: the most
#: pixels to draw and encode on every update). A new demo is one entry here.
LECTURE_MOVES = {
    "hidden_state_demo": idrag("t", 1, 40) + drag("scale", 0.2, 1.8) + choose("inputs", "noise", "sine", "pulse"),
    "parity_demo": drag("gain", 10.0, 1.0) + idrag("t", 1, 60, 30) + idrag("sequence", 0, 9),
    "bptt_demo": drag("scale", 0.2, 2.0) + idrag("truncate", 1, 24) + choose("mode", "chunk", "window"),
    "spectral_radius_demo": drag("rho", 0.5, 1.5) + choose("activation", "tanh", "relu", "linear")
    + drag("input_scale", 0.0, 3.0),
    "cliff_demo": drag("w0", 3.5, 6.0) + drag("b0", -4.0, -1.5) + ldrag("lr", 0.05, 2.0)
    + ldrag("threshold", 0.05, 5.0),
    "carousel_demo": drag("value", -5.0, 5.0) + idrag("t_write", 1, 40, 20) + idrag("t_read", 41, 60)
    + drag("forget", 1.0, 0.5),
    "temperature_demo": drag("temperature", 0.0, 3.0, 30) + idrag("top_k", 0, 20) + idrag("seed", 0, 20),
    "sentiment_demo": idrag("t", 1, 13) + choose("first", "good", "bad", "clever", "dull", "moving", "awful")
    + choose("first_modifier", "not", "never", "really", "not really", "") + idrag("t", 13, 1)
    + choose("second", "good", "dull", "brilliant", "weak", "") + choose("second", "boring")
    + choose("second_modifier", "not", "never", "really", ""),
    "teacher_forcing_demo": idrag("step", 0, 600, 13) + choose("mode", "free running", "teacher forcing")
    + choose("date", *_date_menu()) + idrag("step", 600, 0, 13) + choose("mode", "free running"),
    "attention_demo": idrag("step", 1, 11) + idrag("step", 11, 1) + choose(  # every date of its menu
        "date", *__import__("rnn_course.demos.attention", fromlist=["attention_menu"]).attention_menu()),
}
#: the figure slot and the height left for it (CSS px) in JupyterLab at 1920 x 1080, left sidebar closed,
#: Presentation Mode (measured by tests/test_browser.py): controls beside the figure, or above it
WIDE_ROOM = {"side": (1370, 900), "top": (1694, 771)}


def _in_room(factory: Callable, room: dict) -> Callable:
    """``factory`` whose demo is first drawn for ``room`` as the browser would report it."""

    def build():
        demo = factory()
        demo.resize(*room[demo.layout])
        return demo

    build.__name__ = factory.__name__
    return build


for _name, _moves in LECTURE_MOVES.items():
    _short = _name.removesuffix("_demo").replace("_", "-")
    REGISTRY.append(DemoBench(f"{_short}-lesson", _demo(_name), _moves, presets=True))
    REGISTRY.append(DemoBench(f"{_short}-presenter", _in_room(_demo(_name, presenter=True), WIDE_ROOM), _moves,
                              presets=True))


def time_demo(bench: DemoBench, rounds: int) -> dict:
    start = time.perf_counter()
    demo = bench.factory()
    build = time.perf_counter() - start
    if demo.error:
        raise RuntimeError(f"{bench.name}: the demo failed to build: {demo.error}")
    first = len(demo.latencies)  # the initial draw (and the resize) is set-up, not a slider move
    cpu = []
    moves = list(bench.moves) + (list(demo.presets.values()) if bench.presets else [])
    for _ in range(rounds):
        for move in moves:
            t = time.process_time()
            demo.set(**move)
            cpu.append(time.process_time() - t)
            if demo.error:
                raise RuntimeError(f"{bench.name}: {move} raised {demo.error}")
    ms = np.array(demo.latencies[first:]) * 1e3
    cpu_ms = np.array(cpu) * 1e3
    return {"name": bench.name, "build_s": build, "updates": len(ms), "p50": float(np.percentile(ms, 50)),
            "p95": float(np.percentile(ms, 95)), "max": float(ms.max()),
            "cpu_p50": float(np.percentile(cpu_ms, 50)), "cpu_p95": float(np.percentile(cpu_ms, 95))}


def time_grid(repeat: int = 30) -> dict:
    from rnn_course import one_unit_loss

    w, b = np.meshgrid(np.linspace(0, 8, 200), np.linspace(-5, 1, 200))
    one_unit_loss(w, b)  # warm-up
    ms = []
    for _ in range(repeat):
        t = time.perf_counter()
        one_unit_loss(w, b)
        ms.append((time.perf_counter() - t) * 1e3)
    return {"p50": statistics.median(ms), "p95": float(np.percentile(ms, 95))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="demos to time (default: all registered)")
    parser.add_argument("--rounds", type=int, default=3, help="times each move script is replayed")
    parser.add_argument("--no-grid", action="store_true", help="skip the one_unit_loss grid timing")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    benches = REGISTRY
    known = {b.name for b in benches}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(f"unknown demo(s) {unknown}; registered: {sorted(known)}", file=sys.stderr)
        return 2
    chosen = [b for b in benches if not args.names or b.name in args.names]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"slider-callback latency, figure update and PNG included (target p95 < {TARGET_MS:.0f} ms); "
          f"load average {load:.2f} on {os.cpu_count()} CPUs")
    print("wall = what the audience waits (Demo.latencies); cpu = this process's CPU time for the same update "
          "(what it would be on an idle machine)")
    print(f"{'demo':<26}{'updates':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'cpu p50':>9}{'cpu p95':>9}"
          f"{'build s':>9}  verdict")
    worst = 0.0
    for bench in chosen:
        r = time_demo(bench, args.rounds)
        worst = max(worst, r["p95"])
        verdict = "ok" if r["p95"] < TARGET_MS else "SLOW"
        print(f"{r['name']:<26}{r['updates']:>8}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['max']:>9.1f}"
              f"{r['cpu_p50']:>9.1f}{r['cpu_p95']:>9.1f}{r['build_s']:>9.2f}  {verdict}")
    if not args.no_grid:
        g = time_grid()
        print(f"one_unit_loss on a 200 x 200 grid (T = 50): p50 {g['p50']:.1f} ms, p95 {g['p95']:.1f} ms, "
              f"p95 / budget {GRID_BUDGET_MS:.0f} ms = {g['p95'] / GRID_BUDGET_MS:.2f}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
