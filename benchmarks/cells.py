"""Forward + backward of whole sequences: rnn_course (NumPy) side by side with PyTorch CPU.

Not run in CI. Needs torch only here: `pip install torch==2.13.0`.

    python benchmarks/cells.py              # all sizes, all cells
    python benchmarks/cells.py --repeat 30

Both sides run in float64 on the same inputs in one process: forward over
the whole sequence, then backward with a random upstream gradient, timed
together. Two comparisons:

* equal resources: NumPy with one BLAS thread (``use_blas_threads(1)``,
  called explicitly in ``main``; importing the package changes nothing)
  against torch with one thread. Measured in CPU
  time of the process, which on one thread is the work done, so the ratio
  holds even when the machine is busy with other things.
* torch as installed: torch with its default thread count, wall time.

The sides run in alternating blocks (all NumPy repeats, pause, all torch
repeats, pause, five rounds) rather than interleaved call by call: a BLAS
or OpenMP pool keeps spinning for a while after a call, and interleaving
would charge that spinning to the other side. Ratios are torch time /
NumPy time, so > 1 means the NumPy implementation is faster; each round
gives one, and the table shows their median and range (on a shared host
the machine's speed drifts between runs by 10-20%, which the per-round
ratio cancels and a ratio of whole-run medians does not). Target
(issue 13): >= 1.0 at every size, for all three cells, with the readable
cells (each sequence function is its step function in a loop over time).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from rnn_course.blas import blas_info, use_blas_threads
from rnn_course.cells import gru_backward, gru_forward, lstm_backward, lstm_forward, rnn_backward, rnn_forward
from rnn_course.init import init_cell_params

SIZES = [(1, 25, 65, 100), (32, 25, 65, 128), (64, 50, 65, 256)]
TARGETS = {size: 1.0 for size in SIZES}
CELLS = {"rnn": (rnn_forward, rnn_backward), "lstm": (lstm_forward, lstm_backward), "gru": (gru_forward, gru_backward)}


def _blocks(funcs: dict, repeat: int, clock, rounds: int = 5, pause: float = 0.2) -> dict:
    """Median time per call of each function in each round, timed in alternating blocks.

    Returns ``{name: [median of round 1, median of round 2, ...]}``. Comparing
    the sides round by round (each round runs both, a second or two apart)
    keeps a change in the machine's speed between rounds, which on a shared
    host is common, out of the ratio.
    """
    times = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, f in funcs.items():
            for _ in range(2):  # warm-up inside the block
                f()
            block = []
            for _ in range(repeat):
                start = clock()
                f()
                block.append(clock() - start)
            times[name].append(statistics.median(block))
            time.sleep(pause)  # let thread pools stop spinning before the other side runs
    return times


def _ratio(torch_rounds: list, numpy_rounds: list) -> tuple[float, float, float]:
    """Median, lowest and highest of the per-round ratios torch / numpy."""
    ratios = [t / n for t, n in zip(torch_rounds, numpy_rounds)]
    return statistics.median(ratios), min(ratios), max(ratios)


def run(repeat: int) -> list[dict]:
    import torch

    default_threads = torch.get_num_threads()
    rows = []
    rng = np.random.default_rng(0)
    for N, T, D, H in SIZES:
        for cell, (forward, backward) in CELLS.items():
            params = init_cell_params(D, H, cell, rng=rng)
            x = rng.standard_normal((N, T, D))
            h0 = np.zeros((N, H))
            dout = rng.standard_normal((N, T, H))
            module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H, batch_first=True)
            module = module.double()
            xt = torch.tensor(x, requires_grad=True)
            dt = torch.tensor(dout)

            def numpy_step(forward=forward, backward=backward, x=x, h0=h0, params=params, dout=dout):
                h, cache = forward(x, h0, params["Wx"], params["Wh"], params["b"])
                backward(dout, cache)

            def torch_step(module=module, xt=xt, dt=dt):
                module.zero_grad(set_to_none=True)
                xt.grad = None
                out, _ = module(xt)
                out.backward(dt)

            torch.set_num_threads(1)
            # One thread each: no pool left spinning, so short blocks and many rounds.
            cpu = _blocks({"numpy": numpy_step, "torch": torch_step}, max(1, repeat // 4), time.process_time,
                          rounds=20, pause=0.0)
            torch.set_num_threads(default_threads)
            wall = _blocks({"numpy": numpy_step, "torch": torch_step}, repeat, time.perf_counter, rounds=1)
            ratio, low, high = _ratio(cpu["torch"], cpu["numpy"])
            rows.append(dict(size=(N, T, D, H), cell=cell, numpy_cpu=1e3 * statistics.median(cpu["numpy"]),
                             torch_cpu=1e3 * statistics.median(cpu["torch"]), ratio=ratio, low=low, high=high,
                             numpy_wall=1e3 * wall["numpy"][0], torch_wall=1e3 * wall["torch"][0],
                             ratio_default=wall["torch"][0] / wall["numpy"][0], target=TARGETS[(N, T, D, H)]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=12, help="timed calls per block (5 rounds of blocks)")
    args = parser.parse_args()
    import os

    import torch

    use_blas_threads(1)
    blas = blas_info()
    threads = blas[0]["num_threads"] if blas else "?"
    print(f"numpy {np.__version__} (BLAS threads: {threads}), torch {torch.__version__} "
          f"(default threads: {torch.get_num_threads()}), float64, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    rows = run(args.repeat)
    left = "one thread each (CPU ms)" if threads == 1 else f"numpy {threads} threads, torch 1 (CPU ms)"
    print(f"\n{'':24}{left:^48}   {'torch default threads (wall ms)':^30}")
    print(f"{'(N, T, D, H)':<18} {'cell':<5} {'numpy':>8} {'torch':>8} {'ratio':>6} {'rounds':>11} {'target':>6}   "
          f"{'numpy':>8} {'torch':>8} {'ratio':>6}")
    for r in rows:
        ok = "ok" if r["ratio"] >= r["target"] else "BELOW"
        spread = f"{r['low']:.2f}-{r['high']:.2f}"
        print(f"{str(r['size']):<18} {r['cell']:<5} {r['numpy_cpu']:>8.2f} {r['torch_cpu']:>8.2f} "
              f"{r['ratio']:>6.2f} {spread:>11} {r['target']:>4.1f} {ok:<5} {r['numpy_wall']:>8.2f} "
              f"{r['torch_wall']:>8.2f} {r['ratio_default']:>6.2f}")
    print("\nratio: torch time / numpy time (> 1: numpy faster), the median over rounds; rounds: its lowest-highest")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
