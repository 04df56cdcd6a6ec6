"""Forward + backward of whole sequences: rnn_course (NumPy) side by side with PyTorch CPU.

Not run in CI. Needs torch only here: `pip install torch==2.13.0`.

    python benchmarks/cells.py            # all sizes, all cells
    python benchmarks/cells.py --repeat 30

Both sides run in float64 on the same inputs, in one process, alternating
(numpy, torch, numpy, torch, ...) so load on the machine hits both alike.
The reported time is the median over repeats of one forward pass plus one
backward pass (with a random upstream gradient); the ratio is
torch time / numpy time, so > 1 means the NumPy implementation is faster.
Targets (issue 2): ratio >= 1.5 at the two smaller sizes and >= 1.0 at the
largest, for all three cells.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from rnn_course.cells import gru_backward, gru_forward, lstm_backward, lstm_forward, rnn_backward, rnn_forward
from rnn_course.init import init_cell_params

SIZES = [(1, 25, 65, 100), (32, 25, 65, 128), (64, 50, 65, 256)]
TARGETS = {SIZES[0]: 1.5, SIZES[1]: 1.5, SIZES[2]: 1.0}
CELLS = {"rnn": (rnn_forward, rnn_backward), "lstm": (lstm_forward, lstm_backward), "gru": (gru_forward, gru_backward)}


def torch_module(cell, D, H):
    import torch

    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    return cls(D, H, batch_first=True).double()


def run(repeat: int) -> list[dict]:
    import torch

    torch.set_grad_enabled(True)
    rows = []
    rng = np.random.default_rng(0)
    for N, T, D, H in SIZES:
        for cell, (forward, backward) in CELLS.items():
            params = init_cell_params(D, H, cell, rng=rng)
            x = rng.standard_normal((N, T, D))
            h0 = np.zeros((N, H))
            dout = rng.standard_normal((N, T, H))
            module = torch_module(cell, D, H)
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

            for f in (numpy_step, torch_step):  # warm up caches, allocators, thread pools
                for _ in range(3):
                    f()
            times = {"numpy": [], "torch": []}
            for _ in range(repeat):
                for name, f in (("numpy", numpy_step), ("torch", torch_step)):
                    start = time.perf_counter()
                    f()
                    times[name].append(time.perf_counter() - start)
            t_np = statistics.median(times["numpy"])
            t_torch = statistics.median(times["torch"])
            rows.append(
                dict(
                    size=(N, T, D, H),
                    cell=cell,
                    numpy_ms=1e3 * t_np,
                    torch_ms=1e3 * t_torch,
                    ratio=t_torch / t_np,
                    target=TARGETS[(N, T, D, H)],
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    import torch

    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), float64")
    rows = run(args.repeat)
    print(f"{'(N, T, D, H)':<18} {'cell':<5} {'numpy ms':>9} {'torch ms':>9} {'torch/numpy':>12} {'target':>7}  ok")
    for r in rows:
        ok = "yes" if r["ratio"] >= r["target"] else "NO"
        print(
            f"{str(r['size']):<18} {r['cell']:<5} {r['numpy_ms']:>9.2f} {r['torch_ms']:>9.2f} "
            f"{r['ratio']:>12.2f} {r['target']:>7.1f}  {ok}"
        )


if __name__ == "__main__":
    main()
