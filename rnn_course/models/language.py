"""A character-level language model: read characters, predict the next one at every step.

    x_t (one-hot, or an embedding row) -> cell -> h_t -> logits_t = h_t W_out + b_out
    loss = mean over t of -log softmax(logits_t)[y_t]       (nats per character)

Training on a long text uses truncated BPTT *across batches*: each row of a
batch continues the same row of the previous batch (``text.TextBatches``),
so the model carries its final state into the next call of ``loss`` while
the gradient stops at the batch boundary. Sampling feeds each drawn
character back in (``sample``).

Dimensions: N batch, T time, V vocabulary, E embedding, H hidden.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_int_array, check_shape
from ..cells import get_cell
from ..init import as_rng, init_cell_params, xavier_uniform
from ..layers import embedding_backward, embedding_forward, temporal_affine_backward, temporal_affine_forward
from ..losses import softmax_cross_entropy
from ..sampling import sample_next
from .base import Model, register_model

__all__ = ["CharLanguageModel"]


def _vocab_config(vocab):
    """(V, chars or None) from an int, a string of characters or a CharVocab."""
    from ..text import CharVocab

    if isinstance(vocab, CharVocab):
        if vocab.specials:
            raise ValueError(f"vocab: a language model's vocabulary has no special tokens, got {vocab.specials}")
        vocab = vocab.chars
    if isinstance(vocab, str):
        if len(set(vocab)) != len(vocab) or not vocab:
            raise ValueError("vocab: expected a string of distinct characters")
        return len(vocab), vocab
    if isinstance(vocab, bool) or not isinstance(vocab, (int, np.integer)) or vocab < 2:
        raise ValueError(f"vocab: expected a CharVocab, a string of characters or a size V >= 2, got {vocab!r}")
    return int(vocab), None


@register_model
class CharLanguageModel(Model):
    """An RNN/LSTM/GRU that predicts the next character.

    Inputs (constructor):
        vocab: a ``text.CharVocab``, the string of its characters (needed to
            sample text), or just the size V
        H: hidden size
        cell: "rnn", "rnn_relu", "lstm" or "gru"
        embedding_dim: None feeds one-hot vectors (D = V); an int E learns
            an embedding matrix (V, E) and feeds its rows (D = E)
        forget_bias: LSTM forget-gate bias at initialisation
        seed: initialisation seed
    Batches for ``loss``: ``(x, y)`` with x, y (N, T) integer ids (the state
    starts from zero), or ``(x, y, reset)`` with reset (N,) booleans (the
    state carries over from the previous call except where reset is True).
    """

    def __init__(self, vocab, H: int = 128, cell: str = "lstm", embedding_dim: int | None = None,
                 forget_bias: float = 1.0, seed: int = 0):
        V, chars = _vocab_config(vocab)
        spec = get_cell(cell)
        if isinstance(H, bool) or not isinstance(H, (int, np.integer)) or H < 1:
            raise ValueError(f"H: expected an integer >= 1, got {H!r}")
        if embedding_dim is not None and (isinstance(embedding_dim, bool)
                                          or not isinstance(embedding_dim, (int, np.integer)) or embedding_dim < 1):
            raise ValueError(f"embedding_dim: expected None (one-hot input) or an integer >= 1, got {embedding_dim!r}")
        rng = as_rng(seed)
        D = V if embedding_dim is None else int(embedding_dim)
        params = {}
        if embedding_dim is not None:
            params["embed"] = rng.standard_normal((V, D)) / np.sqrt(D)
        params.update(init_cell_params(D, int(H), spec.name, forget_bias=forget_bias, rng=rng))
        params["W_out"] = xavier_uniform((int(H), V), rng=rng)
        params["b_out"] = np.zeros(V)
        config = dict(vocab=chars if chars is not None else V, H=int(H), cell=spec.name,
                      embedding_dim=None if embedding_dim is None else int(embedding_dim),
                      forget_bias=float(forget_bias), seed=seed)
        super().__init__(params, config)
        self.V, self.H, self.chars = V, int(H), chars
        self.cell = spec
        self.state = None  # carried over between calls of ``loss`` with a reset flag
        self._eye = np.eye(V)

    # -- forward / backward --------------------------------------------------
    def _inputs(self, x):
        dims = {"V": self.V}
        x = check_int_array("x", x, ("N", "T"), dims, high=self.V)
        if "embed" in self.params:
            return embedding_forward(x, self.params["embed"])
        return self._eye[x], None

    def zero_state(self, N: int) -> tuple:
        """The initial state: (h,) or (h, c) for an LSTM, zeros (N, H)."""
        n = 2 if self.cell.name == "lstm" else 1
        return tuple(np.zeros((N, self.H)) for _ in range(n))

    def _check_state(self, state, N):
        if state is None:
            return self.zero_state(N)
        n = 2 if self.cell.name == "lstm" else 1
        if not isinstance(state, (tuple, list)) or len(state) != n:
            what = "(h, c)" if n == 2 else "(h,)"
            raise ValueError(f"state: expected None or a tuple {what} of (N, H) arrays, got {type(state).__name__}")
        out = []
        for name, s in zip(("h", "c"), state):
            s = as_array(f"state {name}", s)
            check_shape(f"state {name}", s, ("N", "H"), {"N": N, "H": self.H})
            out.append(s)
        return tuple(out)

    def forward(self, x, state=None):
        """Logits (N, T, V) for ids x (N, T) from ``state`` (None: zeros).

        Returns ``(logits, final_state, cache)``; final_state is (h,) or (h, c), each (N, H).
        """
        inputs, embed_cache = self._inputs(x)
        N = inputs.shape[0]
        state = self._check_state(state, N)
        p = self.params
        if self.cell.name == "lstm":
            from ..cells import lstm_forward

            h, cell_cache = lstm_forward(inputs, state[0], p["Wx"], p["Wh"], p["b"], c0=state[1])
            final = (h[:, -1].copy(), cell_cache.c[:, -1].copy())
        else:
            h, cell_cache = self.cell.forward(inputs, state[0], p["Wx"], p["Wh"], p["b"])
            final = (h[:, -1].copy(),)
        logits, out_cache = temporal_affine_forward(h, p["W_out"], p["b_out"])
        return logits, final, (embed_cache, cell_cache, out_cache)

    def backward(self, dlogits, cache) -> dict:
        """Gradients of every parameter given dloss/dlogits (N, T, V). No gradient flows into the initial state."""
        embed_cache, cell_cache, out_cache = cache
        dh, dW_out, db_out = temporal_affine_backward(dlogits, out_cache)
        g = self.cell.backward(dh, cell_cache)
        grads = {"Wx": g.dWx, "Wh": g.dWh, "b": g.db, "W_out": dW_out, "b_out": db_out}
        if embed_cache is not None:
            grads = {"embed": embedding_backward(g.dx, embed_cache), **grads}
        return grads

    def loss(self, batch, *, train: bool = True, rng=None):
        """Mean cross-entropy per character (nats) on ``(x, y)`` or ``(x, y, reset)``, and the gradients.

        With a reset flag the model starts from the state the previous call
        ended in (rows where reset is True start from zeros) and keeps its
        new final state in ``self.state``: truncated BPTT across batches.
        """
        if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
            raise ValueError("batch: expected (x, y) or (x, y, reset)")
        x, y = batch[0], batch[1]
        state = None
        if len(batch) == 3:
            state = self._carried_state(batch[2], np.shape(x)[0] if np.ndim(x) == 2 else -1)
        logits, final, cache = self.forward(x, state)
        loss, dlogits = softmax_cross_entropy(logits, y)
        if len(batch) == 3:
            self.state = final
        return loss, self.backward(dlogits, cache)

    def _carried_state(self, reset, N):
        reset = np.asarray(reset)
        if reset.ndim == 0:
            reset = np.full(max(N, 0), bool(reset))
        if reset.dtype.kind != "b" or reset.shape != (N,):
            raise ValueError(f"reset: expected ({N},) booleans (one per row of x), got shape {reset.shape} "
                             f"dtype {reset.dtype}")
        state = self.state
        if state is None or state[0].shape[0] != N:
            return self.zero_state(N)
        return tuple(np.where(reset[:, None], 0.0, s) for s in state)

    def reset_state(self) -> None:
        """Forget the carried state (the next stateful batch starts from zeros)."""
        self.state = None

    def predict(self, x) -> np.ndarray:
        """Next-character probabilities (N, T, V) for ids x (N, T), from a zero state."""
        from ..activations import softmax

        return softmax(self.forward(x)[0], axis=-1)

    # -- evaluation and generation ---------------------------------------------
    def cross_entropy(self, ids, *, batch_size: int = 64, seq_len: int = 100) -> float:
        """Mean cross-entropy in nats per character on a long stream of ids (perplexity = exp of it).

        The stream is read as ``batch_size`` lanes in chunks of ``seq_len``
        with the state carried over, as in training; the first character of
        every lane is predicted from a zero state.
        """
        from ..text import TextBatches

        batches = TextBatches(ids, batch_size, seq_len, epochs=1)
        total, count = 0.0, 0
        state = None
        for x, y, _ in batches:
            logits, state, _ = self.forward(x, state)
            loss, _ = softmax_cross_entropy(logits, y, reduction="sum")
            total += loss
            count += y.size
        return total / count

    def next_logits(self, ids, state=None):
        """Logits (N, V) for the next character after reading ids (N, T) from ``state``; and the new state."""
        logits, final, _ = self.forward(ids, state)
        return logits[:, -1], final

    def sample(self, length: int, *, prime: str = "\n", temperature: float = 1.0, top_k: int | None = None,
               rng=None) -> str:
        """Generate ``length`` characters after reading ``prime``, feeding each sampled character back in.

        temperature 0 is greedy decoding; ``top_k`` keeps only the k most
        likely characters; ``rng`` (Generator or seed) makes it reproducible.
        Returns the generated text (without the prime).
        """
        if self.chars is None:
            raise ValueError("vocab: this model was built with a vocabulary size only; build it with a CharVocab "
                             "or a string of characters to sample text")
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(f"length: expected an integer >= 0, got {length!r}")
        if not isinstance(prime, str) or not prime:
            raise ValueError("prime: expected a non-empty string to start from (e.g. '\\n')")
        from ..text import CharVocab

        vocab = CharVocab(self.chars)
        ids = self.sample_ids(vocab.encode(prime), length, temperature=temperature, top_k=top_k, rng=rng)
        return vocab.decode(ids)

    def sample_ids(self, prime_ids, length: int, *, temperature: float = 1.0, top_k: int | None = None,
                   rng=None) -> np.ndarray:
        """Like ``sample`` on ids: prime_ids (L,) with L >= 1 -> generated ids (length,)."""
        prime_ids = check_int_array("prime_ids", prime_ids, ("L",), {}, high=self.V)
        if prime_ids.size == 0:
            raise ValueError("prime_ids: expected at least one id to start from")
        rng = as_rng(rng)
        logits, state = self.next_logits(prime_ids[None, :])
        step = self._stepper()
        out = np.empty(int(length), dtype=np.int64)
        for t in range(int(length)):
            out[t] = sample_next(logits[0], temperature=temperature, top_k=top_k, rng=rng)
            logits, state = step(out[t], state)
        return out

    def _stepper(self):
        """A one-character step ``(id, state) -> (logits (1, V), state)`` without argument checks.

        Generation calls it once per character, so it skips the checks and
        caches of ``forward`` (about 10x faster); a test checks it against
        ``forward``. The input projection of every character is precomputed.
        """
        p, H = self.params, self.H
        proj = (p["embed"] @ p["Wx"] if "embed" in p else p["Wx"]) + p["b"]  # (V, G*H): x_t Wx + b
        Wh, W_out, b_out = p["Wh"], p["W_out"], p["b_out"]
        name = self.cell.name

        def sigmoid(a):
            return 0.5 * (1.0 + np.tanh(0.5 * a))

        def step(token, state):
            a = proj[token][None, :]
            h_prev = state[0]
            if name == "lstm":
                a = a + h_prev @ Wh
                i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 3 * H :])
                c = f * state[1] + i * np.tanh(a[:, 2 * H : 3 * H])
                h = o * np.tanh(c)
                new = (h, c)
            elif name == "gru":
                rz = sigmoid(a[:, : 2 * H] + h_prev @ Wh[:, : 2 * H])
                r, z = rz[:, :H], rz[:, H:]
                n = np.tanh(a[:, 2 * H :] + (r * h_prev) @ Wh[:, 2 * H :])
                h = (1.0 - z) * n + z * h_prev
                new = (h,)
            else:
                a = a + h_prev @ Wh
                h = np.tanh(a) if name == "rnn" else np.maximum(a, 0.0)
                new = (h,)
            return h @ W_out + b_out, new

        return step
