"""Choosing an output sequence from a decoder: greedy search and beam search.

    step, state = decoder_for(model, source_ids)        # any Seq2Seq or AttentionSeq2Seq, one source
    best = greedy_search(step, state, start_id=1, end_id=2, max_len=20)
    hypotheses = beam_search(step, state, start_id=1, end_id=2, beam_size=4, max_len=20)

A decoder is a function ``step(tokens, state) -> (log_probs, state)``: given
the previous token of each of B hypotheses (B,) and their states, the
log-probabilities of the next token (B, V) and the new states. A state is
an array or a tuple of arrays (None entries allowed) with the hypotheses on
axis 0, so a search can reorder it.

The score of a hypothesis y_1 .. y_L is its **total log-probability**
log p(y_1 .. y_L | x) = sum_u log p(y_u | y_<u, x). Sums of logs, not
products of probabilities: a product of 50 probabilities around 0.1 is 1e-50,
and of 400 it underflows to 0, where every hypothesis ties.

* Greedy search keeps one hypothesis and extends it with its most likely
  token: each choice is the best *locally*, and a choice is never revisited.
* Beam search keeps the ``beam_size`` best hypotheses found so far, finished
  or not. At each step every unfinished one is extended by every token; the
  extensions and the finished hypotheses compete on their scores and the
  best ``beam_size`` stay. A hypothesis is finished when it emits "</s>"; it
  keeps its score and its place until better ones push it out. The search
  stops when every hypothesis in the beam is finished (scores only fall as a
  hypothesis grows, so nothing unfinished could overtake them) or after
  ``max_len`` steps. With ``beam_size=1`` this is greedy search; with a beam
  as wide as the number of possible outputs it is exhaustive.

Dimensions: B hypotheses (beam), V vocabulary.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import log_softmax

__all__ = ["Hypothesis", "greedy_search", "beam_search", "select_states", "decoder_for", "decode"]


class Hypothesis(NamedTuple):
    """An output sequence: its token ids ("</s>" included when finished), total log-probability, finished or not."""

    tokens: np.ndarray
    score: float
    finished: bool


def select_states(state, index):
    """The rows ``index`` of a state (an array, or a tuple or NamedTuple of arrays and None)."""
    if state is None:
        return None
    if isinstance(state, np.ndarray):
        return state[index]
    parts = [select_states(part, index) for part in state]
    return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)


def _check_search_args(start_id, end_id, max_len, beam_size=1):
    for name, value, low in (("start_id", start_id, 0), ("end_id", end_id, 0), ("max_len", max_len, 1),
                             ("beam_size", beam_size, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}")


def _log_probs(step, tokens, state, B):
    log_probs, state = step(tokens, state)
    log_probs = np.asarray(log_probs, dtype=float)
    if log_probs.ndim != 2 or log_probs.shape[0] != B:
        raise ValueError(f"step: expected log-probabilities of shape (B, V) with B = {B}, got {log_probs.shape}")
    return log_probs, state


def greedy_search(step, state, *, start_id: int, end_id: int, max_len: int = 30) -> Hypothesis:
    """Extend one hypothesis with its most likely next token until "</s>" or ``max_len`` tokens.

    Inputs: step(tokens (1,), state) -> (log_probs (1, V), state); the initial state (one row).
    Returns the Hypothesis.
    """
    _check_search_args(start_id, end_id, max_len)
    tokens, score = [], 0.0
    token = start_id
    for _ in range(max_len):
        log_probs, state = _log_probs(step, np.array([token]), state, 1)
        token = int(np.argmax(log_probs[0]))
        score += float(log_probs[0, token])
        tokens.append(token)
        if token == end_id:
            break
    return Hypothesis(np.array(tokens, dtype=np.int64), score, bool(tokens and tokens[-1] == end_id))


def beam_search(step, state, *, start_id: int, end_id: int, beam_size: int = 4, max_len: int = 30,
                counts: dict | None = None) -> list[Hypothesis]:
    """The ``beam_size`` best hypotheses by total log-probability, best first (see the module docstring).

    Inputs:
        step: step(tokens (B,), state) -> (log_probs (B, V), state)
        state: the initial state (one row: the hypotheses all start from it)
        start_id, end_id: "<s>" (the first input) and "</s>" (ends a hypothesis)
        beam_size: hypotheses kept after every step; max_len: at most this many tokens per hypothesis
        counts: optional dict; ``counts["steps"]`` is increased by the number of hypothesis-steps the
            decoder computed (B summed over the calls of ``step``), the cost of the search, and
            ``counts["calls"]`` by the number of calls of ``step`` (each one batch of up to ``beam_size`` rows)
    Returns: a list of up to ``beam_size`` Hypothesis, sorted by score, best first.
    """
    _check_search_args(start_id, end_id, max_len, beam_size)
    beam = [Hypothesis(np.zeros(0, dtype=np.int64), 0.0, False)]
    live_state = state  # one row per unfinished hypothesis of the beam, in order
    for _ in range(max_len):
        live = [hyp for hyp in beam if not hyp.finished]
        if not live:
            break  # every hypothesis in the beam is finished: nothing unfinished can overtake them
        previous = np.array([hyp.tokens[-1] if hyp.tokens.size else start_id for hyp in live])
        log_probs, new_state = _log_probs(step, previous, live_state, len(live))
        if counts is not None:
            counts["steps"] = counts.get("steps", 0) + len(live)
            counts["calls"] = counts.get("calls", 0) + 1
        V = log_probs.shape[1]
        # the candidates: every one-token extension of every unfinished hypothesis, and the finished ones as they are
        total = np.array([hyp.score for hyp in live])[:, None] + log_probs  # (B, V) total log-probabilities
        finished = [hyp for hyp in beam if hyp.finished]
        scores = np.concatenate([[hyp.score for hyp in finished], total.ravel()])
        best = np.argsort(-scores, kind="stable")[:beam_size]  # ranked by total log-probability
        beam, parents = [], []
        for k in best:
            if k < len(finished):
                beam.append(finished[k])
                continue
            parent, token = divmod(int(k) - len(finished), V)
            tokens = np.append(live[parent].tokens, token)
            beam.append(Hypothesis(tokens, float(total[parent, token]), token == end_id))
            if token != end_id:
                parents.append(parent)
        live_state = select_states(new_state, np.array(parents, dtype=np.int64))
    return sorted(beam, key=lambda hyp: -hyp.score)


def decoder_for(model, source_ids):
    """``(step, state)`` that decode one source sequence (ids (S,)) with a ``Seq2Seq`` or ``AttentionSeq2Seq``.

    ``step`` returns log-probabilities (log-softmax of the model's logits).
    """
    src = np.asarray(source_ids)[None, :]
    state, _ = model.encode(src, [src.shape[1]])

    def step(tokens, state):
        logits, state = model.decode_step(np.asarray(tokens)[:, None], state)
        return log_softmax(logits, axis=1), state

    return step, state


def decode(model, sources, *, beam_size: int = 1, max_len: int = 30, counts: dict | None = None) -> list[Hypothesis]:
    """The best hypothesis for each source (a list of id arrays), by greedy search or beam search.

    ``beam_size=1`` runs ``greedy_search``; larger beams run ``beam_search``. ``counts["steps"]`` (when a
    dict is given) adds up the hypothesis-steps the decoder computed, ``counts["calls"]`` the calls of its step
    function (greedy: one per token; beam search: one per step of the search, on all its live hypotheses at once).
    """
    start, end = model.config["start_id"], model.config["end_id"]
    best = []
    for ids in sources:
        step, state = decoder_for(model, ids)
        if beam_size == 1:
            hyp = greedy_search(step, state, start_id=start, end_id=end, max_len=max_len)
            if counts is not None:
                counts["steps"] = counts.get("steps", 0) + len(hyp.tokens)
                counts["calls"] = counts.get("calls", 0) + len(hyp.tokens)
        else:
            hyp = beam_search(step, state, start_id=start, end_id=end, beam_size=beam_size, max_len=max_len,
                              counts=counts)[0]
        best.append(hyp)
    return best
