# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/solutions/06_attention.ipynb)**: run this notebook in Google Colab, nothing to install.

# %% slideshow={"slide_type": "skip"} tags=["colab"]
# On Google Colab this installs the course (about a minute); anywhere else it does nothing.
import sys

if "google.colab" in sys.modules:
    import importlib
    import subprocess

    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    # --no-deps: keep Colab's own ipywidgets, the version its sliders work with
    subprocess.run([*pip, "--no-deps", "rnn-course @ git+https://github.com/rnn-course/rnn-course@main"], check=True)
    subprocess.run([*pip, "numpy>=1.24", "matplotlib>=3.7", "tqdm>=4.60", "threadpoolctl>=3.1"], check=True)
    importlib.invalidate_caches()

# %% [markdown]
# # Exercise 06: attention and beam search
#
# **Graded, 10 points.** You will write the attention that lets a decoder look back at every encoder state, its
# backward pass, and the beam search that picks an output sequence.
#
# | item | points | what |
# |---|---|---|
# | `additive_attention_forward` | 3 | scores, a masked softmax over the source positions, the context |
# | `additive_attention_backward` | 4 | the gradients of the query, the keys and the three parameters |
# | `beam_search` | 3 | keep the `beam_size` best hypotheses by total log-probability; graded on behaviour |
#
# **Prerequisites:** lesson 08 (attention and decoding), exercises 01, 02 and 05.
# **Time:** about an hour.
#
# ### BEGIN HIDDEN
# > **Instructor's copy.** Solutions sit between `### BEGIN SOLUTION` and `### END SOLUTION`;
# > `rnn-course exercises build` turns each block into a stub in `exercises/06_attention.ipynb`.
# ### END HIDDEN
#
# Use numpy only (the course's `gradcheck` is there to check your own gradients). The checks call your functions
# on fresh random inputs, with padding masks and with scores in the hundreds, and say what is wrong and where.

# %%
# %matplotlib inline
import numpy as np

from rnn_course import gradcheck
from rnn_course.grading import check, check_all, hint, needs  # noqa: F401 (hint is for you to call)
from rnn_course.grading.factories import toy_decoder

rng = np.random.default_rng(0)  # for the examples; the checks draw their own random numbers

# %% [markdown]
# ## 1. Additive attention, forward (3 points)
#
# A decoder state, the **query** $q$ (one row per sequence, $N \times H_q$), looks at the $T$ encoder states of its
# sequence, the **keys** $k_1, \dots, k_T$ ($N \times T \times H_k$). A one-layer network scores every position,
# the softmax turns the scores into weights, and the **context** is the weighted average of the keys
# (Bahdanau, Cho & Bengio 2014):
#
# $$u_t = \tanh(q W_q + k_t W_k), \qquad e_t = u_t v, \qquad
# \alpha_t = \frac{\exp e_t}{\sum_{t'} \exp e_{t'}}, \qquad \mathrm{ctx} = \sum_t \alpha_t k_t,$$
#
# with $W_q$ ($H_q \times A$), $W_k$ ($H_k \times A$) and $v$ ($A$). Sequences in a batch have different lengths, so
# the keys are padded; `mask` ($N \times T$, booleans) is True where a position is real. A padded position must get
# weight **exactly 0**, and the weights of the real positions must still sum to 1.
#
# Write `additive_attention_forward(query, keys, Wq, Wk, v, mask=None)`: return `context` (N, Hk), `weights`
# (N, T) and a cache (anything you like: your backward pass gets it back). Keep the softmax stable for scores in
# the hundreds. Every row has at least one real position.

# %%
def additive_attention_forward(query, keys, Wq, Wk, v, mask=None):
    """Additive attention. query (N, Hq), keys (N, T, Hk), Wq (Hq, A), Wk (Hk, A), v (A,), mask (N, T) or None.

    Returns context (N, Hk), weights (N, T), cache.
    """
    ### BEGIN SOLUTION
    u = np.tanh((query @ Wq)[:, None, :] + keys @ Wk)  # (N, T, A)
    scores = u @ v  # (N, T)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)  # exp(-inf) = 0: padding gets nothing
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights = e / e.sum(axis=1, keepdims=True)
    context = (weights[:, :, None] * keys).sum(axis=1)
    cache = (query, keys, Wq, Wk, v, u, weights)
    return context, weights, cache
    ### END SOLUTION


# %%
check("additive_attention_forward", additive_attention_forward)

# %% [markdown]
# Two sequences of 4 positions, the second with only 2 real ones: its last two weights are 0, and each row sums
# to 1.

# %%
with needs("additive_attention_forward"):
    query, keys = rng.standard_normal((2, 3)), rng.standard_normal((2, 4, 5))
    Wq, Wk, v = rng.standard_normal((3, 6)), rng.standard_normal((5, 6)), rng.standard_normal(6)
    mask = np.array([[True, True, True, True], [True, True, False, False]])
    context, weights, _ = additive_attention_forward(query, keys, Wq, Wk, v, mask)
    print("weights:\n", weights.round(3))
    print("row sums:", weights.sum(axis=1))

# %% [markdown]
# ## 2. Additive attention, backward (4 points)
#
# Given $\partial L / \partial \mathrm{ctx}$ (`dcontext`, N x Hk), go back through the forward pass one line at a
# time:
#
# - $\mathrm{ctx} = \sum_t \alpha_t k_t$: $\;\partial L/\partial \alpha_t = k_t \cdot \mathrm{dctx}$, and the keys
#   get $\alpha_t\, \mathrm{dctx}$ (they are the values averaged);
# - the softmax: $\;\partial L/\partial e_t = \alpha_t \left(\partial L/\partial \alpha_t - \sum_{t'} \alpha_{t'}\,
#   \partial L/\partial \alpha_{t'}\right)$;
# - $e_t = u_t v$ and $u_t = \tanh(z_t)$: $\;\partial L/\partial z_t = (\partial L/\partial e_t)\, v \odot (1 -
#   u_t^2)$;
# - $z_t = q W_q + k_t W_k$: the query was added at every position (sum over $t$), and the keys get a **second**
#   contribution, $(\partial L/\partial z_t) W_k^\top$.
#
# Write `additive_attention_backward(dcontext, cache)` returning `dquery, dkeys, dWq, dWk, dv` (shapes of the
# inputs). The check runs *your* forward pass and gives your backward its cache.

# %%
def additive_attention_backward(dcontext, cache):
    """Gradients (dquery, dkeys, dWq, dWk, dv) of additive attention, given dcontext (N, Hk) and the cache."""
    ### BEGIN SOLUTION
    query, keys, Wq, Wk, v, u, weights = cache
    dkeys = weights[:, :, None] * dcontext[:, None, :]  # the keys are the values averaged
    dweights = (keys * dcontext[:, None, :]).sum(axis=2)
    dscores = weights * (dweights - (weights * dweights).sum(axis=1, keepdims=True))
    dv = (u * dscores[:, :, None]).sum(axis=(0, 1))
    dz = dscores[:, :, None] * v * (1 - u**2)
    dquery = dz.sum(axis=1) @ Wq.T
    dWq = query.T @ dz.sum(axis=1)
    dkeys = dkeys + dz @ Wk.T  # and they are inside the scores
    dWk = np.einsum("nth,nta->ha", keys, dz)
    return dquery, dkeys, dWq, dWk, dv
    ### END SOLUTION


# %%
check("additive_attention_backward", additive_attention_backward)

# %% [markdown]
# Check it yourself against the numerical gradient, as in exercise 02 (the masked example from above):

# %%
with needs("additive_attention_forward", "additive_attention_backward"):
    inputs = dict(query=query, keys=keys, Wq=Wq, Wk=Wk, v=v)
    report = gradcheck(lambda **kw: additive_attention_forward(**kw, mask=mask)[0], inputs,
                       lambda dcontext: additive_attention_backward(
                           dcontext, additive_attention_forward(**inputs, mask=mask)[2]))
    print(report)

# %% [markdown]
# ## 3. Beam search (3 points)
#
# A decoder is a function `step(tokens, state) -> (log_probs, state)`: for B hypotheses it takes the last token of
# each (B,) and their states (B, H), and returns the log-probabilities of the next token (B, V) and the new states.
# The score of a hypothesis is its **total log-probability**, the sum of the log-probabilities of its tokens.
#
# **Beam search** keeps the `beam_size` best hypotheses found so far, finished or not:
#
# 1. start from one empty hypothesis, score 0, with the initial `state` (one row); the decoder's first input
#    is `start_id`;
# 2. each step, call `step` once for all unfinished hypotheses; every one-token extension of them is a candidate,
#    with score = the hypothesis' score + log p(token); finished hypotheses are candidates too, unchanged;
# 3. keep the `beam_size` candidates with the highest scores (on equal scores, finished hypotheses first, then the
#    extensions in the order of their hypothesis and token); an extension ending in `end_id` is finished; each
#    unfinished one continues from its parent's state (`new_state[parents]`);
# 4. stop when every hypothesis in the beam is finished, or after `max_len` steps.
#
# Return the beam as a list of `(tokens, score)` pairs, best first, `tokens` an integer array of the generated ids
# (`end_id` included when the hypothesis finished). With `beam_size=1` this is greedy search.

# %%
def beam_search(step, state, start_id, end_id, beam_size, max_len):
    """The beam_size best hypotheses [(tokens, total log-probability)], best first."""
    ### BEGIN SOLUTION
    beam = [((), 0.0, False)]  # (tokens, score, finished)
    for _ in range(max_len):
        live = [hyp for hyp in beam if not hyp[2]]
        if not live:
            break
        previous = np.array([tokens[-1] if tokens else start_id for tokens, _, _ in live])
        log_probs, new_state = step(previous, state)
        candidates = [(tokens, score, True, None) for tokens, score, finished in beam if finished]
        for i, (tokens, score, _) in enumerate(live):
            for token in range(log_probs.shape[1]):
                candidates.append((tokens + (token,), score + log_probs[i, token], token == end_id, i))
        candidates.sort(key=lambda c: -c[1])  # Python's sort is stable: ties keep their order
        kept = candidates[:beam_size]
        state = new_state[[parent for _, _, finished, parent in kept if not finished]]
        beam = [(tokens, score, finished) for tokens, score, finished, _ in kept]
    return [(np.array(tokens, dtype=np.int64), float(score)) for tokens, score, _ in beam]
    ### END SOLUTION


# %%
check("beam_search", beam_search)

# %% [markdown]
# A small random decoder (5 tokens, token 1 is "</s>"): greedy search takes the most likely token at every step;
# a beam of 3 keeps alternatives and can find a sequence with a higher total log-probability.

# %%
with needs("beam_search"):
    decoder_rng = np.random.default_rng(11)
    H, V = 4, 5
    step = toy_decoder(embed=decoder_rng.standard_normal((V, H)), Wh=decoder_rng.standard_normal((H, H)) / 2,
                       W_out=1.5 * decoder_rng.standard_normal((H, V)), b_out=np.zeros(V))
    h0 = decoder_rng.standard_normal((1, H))
    for size in (1, 3):
        hypotheses = beam_search(step, h0, start_id=0, end_id=1, beam_size=size, max_len=8)
        print(f"beam_size={size}:", [(tokens.tolist(), round(score, 3)) for tokens, score in hypotheses])

# %% [markdown]
# ## Your score

# %%
score = check_all("06_attention")
score

# %%
### BEGIN HIDDEN
# The solutions must score full marks (not in the exercise; the grader skips in-notebook checks).
assert score.full_marks or score.skipped, score
### END HIDDEN

# %% [markdown]
# ## Summary
#
# * Additive attention scores every source position with a small network of the decoder's state and the
#   position's encoder state; a softmax over the positions turns the scores into weights, and the context is the
#   weighted average of the encoder states. Padding is masked *before* the softmax.
# * The backward pass follows the forward pass line by line; the keys get gradient by two paths (as the values and
#   through the scores), and the query by one, summed over the positions.
# * Beam search keeps the `beam_size` best hypotheses by total log-probability. Sums of logs, not products of
#   probabilities: a product of many probabilities underflows.
#
# ## Check your understanding
#
# 1. Why must the mask be applied before the softmax, not by zeroing the weights after it?
# 2. With T = 1, what are the weights, and what gradient do Wq, Wk and v get? Why?
# 3. What does beam search with `beam_size=1` compute? And with a beam as large as the number of possible outputs?
# 4. Beam search ranks by total log-probability. Why does that favour short outputs, and what do translation
#    systems do about it?
#
# <details><summary>Answers</summary>
#
# 1. Zeroing after the softmax leaves the real positions' weights summing to less than 1 (the padded positions took
#    their share of the normalisation). With -inf before the softmax, exp gives exactly 0 and the real weights are
#    normalised among themselves.
# 2. One position gets all the weight, 1, whatever the score: the scores cannot change anything, so Wq, Wk, v and
#    the query get gradient 0 (the softmax's backward gives de = 1 * (dw - dw) = 0). Only the keys get gradient,
#    through the direct path.
# 3. Greedy search (keep the most likely next token). With a beam as wide as every output: an exhaustive search,
#    which finds the most probable output.
# 4. Every token adds a negative log-probability, so longer hypotheses have lower totals. Systems divide the score by
#    a function of the length (length normalisation, e.g. Wu et al. 2016) or add a bonus per token.
#
# </details>
#
# ## References
#
# * D. Bahdanau, K. Cho, Y. Bengio (2014), *Neural machine translation by jointly learning to align and translate*,
#   arXiv:1409.0473 (ICLR 2015).
# * I. Sutskever, O. Vinyals, Q. V. Le (2014), *Sequence to sequence learning with neural networks*, NeurIPS (beam
#   search for the decoder).
# * Y. Wu et al. (2016), *Google's neural machine translation system*, arXiv:1609.08144 (length normalisation).
