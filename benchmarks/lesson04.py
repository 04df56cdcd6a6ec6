"""Lesson 04 timings: the carousel demo's updates, the adding-problem training step, and BLAS threading.

Not run in CI (timings depend on the machine).

    python benchmarks/lesson04.py              # all three parts
    python benchmarks/lesson04.py --rounds 5   # replay the demo script 5 times

1. ``carousel_demo``: p50 / p95 of one ``demo.set(...)`` (update, blitted redraw,
   PNG) over slow drags of every slider and the presets, wall clock and CPU.
   Target: p95 < 50 ms.
2. One training step (``SequenceRegressor.loss`` on 32 sequences of T = 50,
   H = 16, what the notebook runs 600 times per model) and one evaluation on
   300 sequences, per cell: median wall time, and the ratio to the tanh RNN.
3. The same training step in two fresh processes, one with the environment as
   it is and one with ``OPENBLAS_NUM_THREADS=1``: the ratio shows what
   OpenBLAS threading costs for these small matrices. On a machine shared by
   several busy processes the threaded run can be many times slower (the
   LSTM's dWh product, (H, T N) @ (T N, 4H), is the one large enough for
   OpenBLAS to split across threads).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

TARGET_MS = 50.0


def drag(name, start, stop, steps=20):
    return [{name: v} for v in np.linspace(start, stop, steps)]


def bench_demo(rounds: int) -> dict:
    from rnn_course.demos import carousel_demo
    from rnn_course.demos.lstm import CAROUSEL_PRESETS

    start = time.perf_counter()
    demo = carousel_demo()
    setup = time.perf_counter() - start
    moves = (drag("value", -5.0, 5.0) + [{"t_write": int(t)} for t in range(1, 41, 2)]
             + [{"t_read": int(t)} for t in range(60, 20, -2)] + drag("forget", 1.0, 0.5)
             + list(CAROUSEL_PRESETS.values()))
    demo.latencies.clear()
    cpu = []
    for _ in range(rounds):
        for move in moves:
            c0 = time.process_time()
            demo.set(**move)
            cpu.append(time.process_time() - c0)
            if demo.error:
                raise RuntimeError(f"{move}: {demo.error}")
    wall = np.array(demo.latencies) * 1e3
    cpu = np.array(cpu) * 1e3
    return {"setup_ms": 1e3 * setup, "updates": len(wall), "p50_ms": float(np.percentile(wall, 50)),
            "p95_ms": float(np.percentile(wall, 95)), "cpu_p50_ms": float(np.percentile(cpu, 50)),
            "cpu_p95_ms": float(np.percentile(cpu, 95))}


def bench_training(repeat: int = 40) -> dict:
    from rnn_course.models import SequenceRegressor
    from rnn_course.tasks.adding import adding_batch

    batch, validation = adding_batch(32, 50, rng=0), adding_batch(300, 50, rng=1)
    out = {}
    for cell in ("rnn", "rnn_relu", "lstm", "gru"):
        model = SequenceRegressor(2, 16, cell=cell, seed=0)
        model.loss(batch)
        step, evals = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            model.loss(batch)
            step.append(time.perf_counter() - t0)
        for _ in range(max(repeat // 4, 3)):
            t0 = time.perf_counter()
            model.predict(validation.x)
            evals.append(time.perf_counter() - t0)
        out[cell] = {"step_ms": 1e3 * statistics.median(step), "eval_ms": 1e3 * statistics.median(evals)}
    return out


def _training_in_subprocess(env_update: dict) -> dict:
    env = dict(os.environ, **env_update)
    code = "import json, sys; sys.path.insert(0, %r); import lesson04; print(json.dumps(lesson04.bench_training()))"
    result = subprocess.run([sys.executable, "-c", code % os.path.dirname(os.path.abspath(__file__))], env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="replays of the demo's move script")
    args = parser.parse_args(argv)

    demo = bench_demo(args.rounds)
    verdict = "ok" if demo["p95_ms"] < TARGET_MS else "OVER TARGET"
    print(f"carousel_demo: {demo['updates']} updates, set-up {demo['setup_ms']:.0f} ms; "
          f"wall p50 {demo['p50_ms']:.1f} ms, p95 {demo['p95_ms']:.1f} ms (target < {TARGET_MS:.0f}: {verdict}); "
          f"CPU p50 {demo['cpu_p50_ms']:.1f} ms, p95 {demo['cpu_p95_ms']:.1f} ms")

    print("\nadding problem, T = 50, H = 16: one training step (32 sequences) and one evaluation (300 sequences)")
    training = bench_training()
    base = training["rnn"]["step_ms"]
    for cell, t in training.items():
        budget = (600 * t["step_ms"] + 24 * t["eval_ms"]) / 1e3
        print(f"  {cell:9} step {t['step_ms']:6.2f} ms ({t['step_ms'] / base:4.1f}x the tanh RNN), "
              f"eval {t['eval_ms']:6.2f} ms; 600 steps + 24 evals = {budget:.1f} s")

    print("\nBLAS threading: the same training step in fresh processes")
    default = _training_in_subprocess({})
    single = _training_in_subprocess({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    label = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    for cell in default:
        ratio = default[cell]["step_ms"] / single[cell]["step_ms"]
        print(f"  {cell:9} OPENBLAS_NUM_THREADS={label}: {default[cell]['step_ms']:7.2f} ms, =1: "
              f"{single[cell]['step_ms']:6.2f} ms, ratio {ratio:5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
