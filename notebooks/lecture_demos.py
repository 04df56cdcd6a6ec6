# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # Lecture demos: the course's key ideas, one line each
#
# Lessons 01 to 08 come with demos: sliders over a figure that redraws as you drag. This notebook gathers them
# for a lecture, in **presenter mode** (large fonts, thick lines, large figures), each with what to show, what
# to say and a question for the room.
#
# **Prerequisites**: the lessons the demos come from (for you; the room needs only the idea of an RNN).
# A JupyterLab with the widget extension: `rnn-course doctor` checks it.
#
# **Time**: 3 to 5 minutes per demo; the whole set takes about 50 minutes.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **What you will show** (the lesson each demo comes from)
# - the hidden state: a memory that fades, persists or saturates (01);
# - a two-unit RNN, built by hand, that keeps a bit for thousands of steps (01);
# - how far the gradient travels back in BPTT; what truncation drops (02);
# - the spectral radius: vanishing or exploding gradients (03);
# - the cliff in a real loss surface, and clipping walking down it (03);
# - the LSTM's cell: a value and its gradient kept for 40 steps (04);
# - sampling temperature and top-k: from repetitive to noise (05);
# - word order: an RNN against a bag of words on reviews (06);
# - teacher forcing against free running: what it reads decides what it writes (07);
# - attention: where the decoder looks, an alignment it learned alone (08).

# %% [markdown] slideshow={"slide_type": "notes"}
# ## Before the lecture
#
# 1. On the lecture machine, run `rnn-course doctor`, then **Run > Run All Cells** once before the room fills.
#    Each demo builds in about a second (the lesson-07 demo first trains its small model: a few seconds, once);
#    after that every slider move redraws in a few tens of milliseconds
#    (`python benchmarks/demo_latency.py` measures it on your machine; the target is p95 < 50 ms).
# 2. For the projector: **View > Appearance > Presentation Mode** (larger text in JupyterLab, and larger
#    demo controls), close the left sidebar (**Ctrl B**), **View > Appearance > Simple Interface** to show one
#    notebook, and hide the code with **View > Collapse All Code**. Each demo draws its figure for the room
#    it has: at 1280 x 800 the controls, the presets and the whole figure fit on the screen at once
#    (`tests/test_browser.py` measures it); it follows the light or dark theme.
# 3. The buttons under the sliders are **presets**: a prepared state, one click away. Click them in the order
#    given below and the story tells itself.
# 4. Nothing can break in front of the room: an error in an update shows in red under the figure and the demo
#    keeps working. A click made while the kernel is still busy (say, during Run All) says *waiting for the
#    kernel* until it is answered; after a kernel restart each demo says *kernel restarted: run this cell
#    again*. Saved (autosave too), the notebook keeps each demo's figure as a picture, so it reopens showing
#    the figures (with `rnn-course lab`, which installs the hook `rnn_course.demos.static` describes). Without widgets (no extension, a static export, the slides) each demo shows its figure as
#    a picture, and `demo.set(name=value)` in a cell moves it from code (last section).
# 5. Slides: `rnn-course slides` builds an offline reveal.js deck of every lesson and of this notebook
#    (`build/slides/index.html`; no network needed). In this deck each demo is its figure, and what to show,
#    say and ask is in the speaker notes (press **S**).

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
from rnn_course import demos, use_blas_threads

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · The hidden state is a memory (lesson 01)
#
# A tanh RNN with 16 units reads one number per step; its $W_h$ is a random orthogonal matrix times a **scale**,
# so every singular value of $W_h$ equals the scale. The *pulse* input is a single 1 at $t = 1$.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: click **"fades (0.6)"**, **"edge (1.0)"**, **"saturates (1.6)"** in turn and watch the bottom
#   panel ($\lVert h_t \rVert$, log scale). Then drag **step t** back to 1 and forward again: the net runs.
# - **Say**: $h_t$ is all the network knows about the past. Below 1 the trace of the pulse fades geometrically
#   (a straight line on the log axis); above 1 it grows until tanh saturates, and a saturated state no longer
#   records *which* input it saw.
# - **Ask**: which scale would you pick to remember the pulse for 40 steps, and what is the catch?
# - **Answer**: close to 1. Below 1 the trace shrinks geometrically; above 1 the state saturates and no longer says
#   which input it saw. The catch: that is the edge between vanishing and exploding gradients (demo 4), and training
#   does not keep $W_h$ there.

# %% slideshow={"slide_type": "subslide"}
demos.hidden_state_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · An RNN that remembers, built by hand (lesson 01)
#
# Running parity (is the number of 1s so far odd?) defeats any fixed window of inputs. Two tanh units do it
# exactly: one computes OR, the other AND, and OR minus AND is XOR with the stored bit.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"sharp (gain 10)"**: every step right. **"leaking (gain 2.0)"**: the probability drifts
#   off 0 and 1 until the first mistake. **"no memory (gain 1)"**. Drag **sequence** to try other inputs.
# - **Say**: saturation is what makes the memory robust: each step snaps a slightly-off state back to $\pm 1$,
#   so errors are corrected instead of accumulating. The same weights run for any length (parameter sharing).
# - **Ask**: why does a *larger* gain make the memory *better* here, when saturation hurt in demo 1?
# - **Answer**: here the memory is one bit: saturation snaps a slightly-off state back to $\pm 1$ at every step,
#   which corrects errors. In demo 1 the state had to keep a real number, and saturation erases it.

# %% slideshow={"slide_type": "subslide"}
demos.parity_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · Gradient flow in backpropagation through time (lesson 02)
#
# Every loss term $L_t$ sends gradient back through every earlier copy of $W_h$. Left: how much each loss sends
# to each copy. Middle: the gradient of the last loss reaching each state. Right: each copy's share of
# $\partial L / \partial W_h$, full against truncated.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"vanishing (0.5)"** then **"edge (1.0)"**: the middle curve goes from a steep line to a flat
#   one. Then **"window k=6"** and **"chunk k=6"**: grey pairs are dropped; compare the error printed on the
#   right. Drag **truncate** from 1 to 24.
# - **Say**: with small singular values the far past gets almost no gradient, so truncating it costs almost
#   nothing; near 1 it gets a lot, and truncation throws real signal away. A window of $k$ keeps more than
#   chunks of $k$.
# - **Ask**: with chunks of 25 characters (as in min-char-rnn), can the model learn that a quote opened
#   40 characters ago must close?
# - **Answer**: not from the gradient: no gradient flows back past the start of a chunk, so nothing ties the closing
#   quote to a step 40 characters back. The forward state may still carry the information, but training cannot shape
#   it.

# %% slideshow={"slide_type": "subslide"}
demos.bptt_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Spectral radius: vanishing or exploding (lesson 03)
#
# The gradient that survives $T - k$ steps back is a product of Jacobians
# $\prod \operatorname{diag}(f'(a_t))\, W_h^\top$. Left: its size against the lag, with the bound
# $(\gamma \lambda_1)^{\text{lag}}$; right: the eigenvalues of $W_h$ and the circle of the spectral radius.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"vanishing (0.8)"**, **"edge (1.0)"**, **"exploding (1.2)"** for a linear RNN: a straight
#   line down, flat, up. Then **"tanh saturates (1.5)"** against **"tanh, weak input (1.5)"**: the same
#   $W_h$, and the input alone decides.
# - **Say**: for a linear RNN the spectral radius decides everything. With tanh, a radius above 1 is only
#   *necessary* for exploding: strong inputs saturate the units, $f'$ becomes small, and the gradient
#   vanishes anyway.
# - **Ask**: why can't we just initialise $W_h$ with spectral radius exactly 1 and be done?
# - **Answer**: training moves $W_h$ away from it; with tanh the gradient also shrinks with the slopes $f'(a_t)$ (the
#   saturation presets); and the radius only bounds the long run: a matrix that is not normal can grow a gradient for
#   a while even at radius 1.

# %% slideshow={"slide_type": "subslide"}
demos.spectral_radius_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · The cliff, and gradient clipping (lesson 03)
#
# One recurrent unit, two parameters $(w, b)$, a real loss surface with a wall. Three runs of gradient descent
# from the same start: no clipping, clipping the gradient's norm, clipping each entry.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"thrown off the cliff"**: one step on the wall throws the unclipped run out of the window,
#   while norm clipping walks down. **"big steps"** and **"tiny threshold"** (clipping too hard is just a
#   small learning rate). **"far from the wall"**: all three agree. Drag **w0** and **b0** to move the start.
# - **Say**: the gradient on the wall is huge but points the right way; clipping keeps the direction and
#   caps the length. Element-wise clipping changes the direction too.
# - **Ask**: norm clipping or value clipping: which one can make a step point somewhere the gradient does not?
# - **Answer**: value clipping: it caps each entry separately, so the clipped gradient can point elsewhere; norm
#   clipping only shortens it.

# %% slideshow={"slide_type": "subslide"}
demos.cliff_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6 · The constant error carousel (lesson 04)
#
# A hand-set LSTM cell stores one value when its input gate opens and gives it back when its output gate opens,
# among distractors as large as the value. Bottom right: the gradient from the read step back to each step $k$,
# for the LSTM cell and for a tanh unit holding the same value.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"perfect memory (f = 1)"**: the value comes back exactly and the gradient is exactly 1 all the
#   way to the write. **"leaky (f = 0.98)"** and **"forgetful (f = 0.8)"**: value and gradient shrink together,
#   like $f^k$. **"long hold (55 steps)"**, then **"read before write"**. Drag **forget gate f** down from 1.
# - **Say**: the cell state is updated by addition, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$, so
#   $\partial c_t / \partial c_{t-1} = f_t$: with $f = 1$ nothing shrinks, however long the gap. The gates
#   decide when to write, when to read and how long to keep, and they are learned.
# - **Ask**: a tanh unit can hold a value too (as a stable fixed point). Why does its gradient still vanish?
# - **Answer**: its gradient is multiplied at every step by the unit's slope times its weight; a stable fixed point
#   needs that product below 1 in size, so the gradient shrinks geometrically. The cell state's is multiplied by $f$
#   alone.

# %% slideshow={"slide_type": "subslide"}
demos.carousel_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7 · Sampling temperature (lesson 05)
#
# A character-level model gives a distribution over the next character; generating text means sampling from it,
# feeding each character back in. The temperature $\tau$ divides the scores before the softmax. Without a model the demo
# uses a 5-gram count model of the shipped Shakespeare text (ready in under a second); to show a model trained in
# lesson 05, pass it: `demos.temperature_demo(lstm, presenter=True)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"greedy (τ = 0)"**: the likeliest character every time, and the text loops.
#   **"cautious (τ = 0.5)"**, **"the model's own (τ = 1)"**, **"wild (τ = 2)"**: from safe to noise.
#   **"τ = 1.5, top-5"**: a high temperature made safe by cutting the tail. Drag **random seed** for another
#   sample at the same settings.
# - **Say**: $\tau = 1$ samples the model's own distribution; $\tau < 1$ sharpens it towards the argmax (safe,
#   repetitive), $\tau > 1$ flattens it towards uniform. The nonsense comes from the many unlikely characters in
#   the tail, which is what top-k removes.
# - **Ask**: greedy decoding picks the likeliest character at every step. Does it find the likeliest text?
# - **Answer**: no: the likeliest character now can lead into unlikely continuations. Searching over whole sequences
#   (beam search, lesson 08) finds likelier text.

# %% slideshow={"slide_type": "subslide"}
demos.temperature_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8 · Reading a review word by word (lesson 06)
#
# A GRU classifier, trained on generated reviews full of negations and *but*s, and a bag-of-words baseline read a
# review built from the menus. Top: P(positive) if the review ended after each word, and the meaning of the whole
# review (star); bottom: the GRU's state, one row per unit. The demo trains its classifier when it is built (under
# a second); in lesson 06, pass the lesson's: `demos.sentiment_demo(classifiers["last"], presenter=True)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"plain: good"**, **"negated: not good"**, **"double: not bad"**: the GRU's verdict follows the
#   negation, the bag of words stays near 50%. Then **"good but dull"** and **"dull but good"**: the GRU follows
#   the clause after *but*, the bag of words gives both the same score. Drag **words read t** to read word by word.
# - **Say**: after *not* the network is in a different state, so the same adjective pushes it the other way. A
#   bag of words adds a fixed amount per word, whatever came before: it cannot represent negation, and both orders
#   of a contrast are the same bag. (Before the adjective the verdict means little: the model was trained on
#   whole reviews only.)
# - **Ask**: a bag of *bigrams* (pairs of neighbouring words) sees "not good". Which review from the menus would
#   still fool it?
# - **Answer**: "the plot was not really good" (see the questions at the end).

# %% slideshow={"slide_type": "subslide"}
demos.sentiment_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9 · Teacher forcing and free running (lesson 07)
#
# An LSTM encoder-decoder learns to rewrite dates in ISO form ("july 31, 1978" → "1978-07-31"); the demo trains it
# when it is built (a few seconds) and keeps a copy every 50 steps. For one date: the decoder's distribution over
# the next character at each step, what it reads, what it writes. In lesson 07, pass the lesson's own run:
# `demos.teacher_forcing_demo(checkpoints, presenter=True)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"untrained"**: it stops at once or writes noise. **"part-trained, teacher forcing"**: most
#   characters right, each step reading the true previous character. **"part-trained, free running"**: the same
#   model and date, reading its own output; a red character in the *reads* row is a mistake fed back in, and more
#   characters go wrong after it. **"trained, free running"**. Drag **training step** and watch the two curves on
#   the right.
# - **Say**: teacher forcing trains the decoder in one pass per batch, always on true prefixes; in use it reads its
#   own guesses, a situation training never showed it (exposure bias). And a date is right only if all 11 outputs
#   are: most characters right is not most dates right.
# - **Ask**: with 90% of the characters right and independent errors, what share of whole dates is right?
# - **Answer**: about 31%: $0.9^{11}$, since a date is 10 characters and `</s>` (see the questions at the end).

# %% slideshow={"slide_type": "subslide"}
demos.teacher_forcing_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 10 · Attention: where the decoder looks (lesson 08)
#
# The same date task with attention: at every output step the decoder reads a weighted average of *all* the
# encoder's states. The demo trains a small model when it is built (a few seconds) and decodes a menu of dates, one
# in every format. Top: the weights of every output step (rows) over the source characters (columns); bottom: the
# outlined row as bars. In lesson 08, pass the lesson's model: `demos.attention_demo(dates_attention,
# presenter=True)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"year, first digit"**: a date written "month d, yyyy"; the first output character looks at the
#   year, at the *end* of the source. **"month"**, then **"day"**: the focus jumps back to the month's name and to
#   the day, so the bright cells cross. Drag **output step u** through the whole date. **"with a weekday"**: how
#   much weight do the weekday's letters get?
# - **Say**: without attention (lesson 07) everything about the source must pass through one fixed-size state;
#   with it, each step reads what it needs, and the weights show an alignment nobody taught the model: it learned
#   them from the loss alone (Bahdanau, Cho & Bengio 2014 saw the same between English and French words).
# - **Ask**: the weights of a row sum to 1. What does a row look like for an output character that needs no
#   particular source character, such as the "-" between year and month?
# - **Answer**: it cannot be empty: it spreads over several characters or rests near the field just written. The
#   decoder's own state, not the context, tells it that a "-" comes next.

# %% slideshow={"slide_type": "subslide"}
demos.attention_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Driving a demo from code
#
# Every demo is an object: keep it in a variable, and move it from a cell with `set`, which redraws once for
# several controls. This is how to script a demo in a talk, or to show one where widgets are not available
# (a static export shows the figure at the values set last). `demo.values` holds the current values and
# `demo.latencies` the time each redraw took.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: run the cell: the figure shows the tiny threshold and the big learning rate set from code.
# - **Say**: `set` moves several controls with one redraw; without widgets (a static export, these slides) the
#   figure shows the values set last.

# %% slideshow={"slide_type": "subslide"} tags=["split-output"]
cliff = demos.cliff_demo(presenter=True)
cliff.set(threshold=0.05, lr=1.0)
print(cliff)  # the values it shows now
cliff

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - One line per idea: `demos.<name>_demo(presenter=True)`, with presets for the moments that matter.
# - The memory of an RNN is its hidden state; the singular values of $W_h$ decide whether it fades, persists
#   or saturates (demo 1), and saturation, used on purpose, makes a memory robust (demo 2).
# - The same numbers decide how far gradient travels back, and so what truncating BPTT costs (demo 3) and
#   whether gradients vanish or explode (demo 4).
# - Exploding gradients are a cliff in the loss surface; clipping the norm walks down it (demo 5).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Summary (continued)
#
# - The LSTM's cell state is updated by addition and scaled only by the forget gate: with $f = 1$ a value and
#   its gradient survive any gap (demo 6).
# - Generating text is sampling, and temperature and top-k set how adventurous it is (demo 7).
# - An RNN's state carries word order, so it can represent negation and contrast; a bag of words cannot (demo 8).
# - A decoder trained with teacher forcing reads true prefixes; in use it reads its own output, and one wrong
#   character makes the whole sequence wrong (demo 9).
# - Attention lets each output step read a weighted average of all the encoder's states; the weights, learned
#   from the loss alone, show which source characters each output character reads (demo 10).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one line per idea, and the same numbers (the singular values of $W_h$) decide memory, how far the
#   gradient travels, and whether it vanishes or explodes; gates and clipping are the remedies.
# - **Ask**: the questions on the next slide and the one below it; the answers are under each (click *Answers*).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Questions for the room (1 of 2)
#
# 1. In demo 1, the scale is exactly 1 and the net is linear instead of tanh. What happens to the pulse?
# 2. In demo 3, why does the *last* loss $L_T$ send almost nothing to $h_1$ at scale 0.5, while $L_2$
#    sends plenty to $h_1$?
# 3. In demo 4 (linear, radius 1.2), by roughly what factor has the gradient grown after 50 steps?
# 4. In demo 5, the unclipped run and the norm-clipped run take the same first steps. Why?
#
# <details>
# <summary>Answers</summary>
#
# 1. $W_h$ is orthogonal times 1, so it preserves length: the pulse's trace keeps its norm forever (it rotates
#    among the units). A linear RNN at the edge neither forgets nor saturates, but it cannot compute
#    non-linear functions of its history either.
# 2. The gradient from $L_T$ to $h_1$ crosses $T - 1$ Jacobians, each shrinking it by about 0.5 (times
#    $\tanh'$); from $L_2$ it crosses only one.
# 3. About $1.2^{50} \approx 9 \times 10^3$: for a linear RNN the spectral radius is the per-step growth
#    factor in the long run.
# 4. Clipping only acts when the gradient's norm exceeds the threshold; on the plateau it is small, so both
#    runs take the same steps until one of them reaches the wall.
#
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Questions for the room (2 of 2)
#
# 5. In demo 6, the forget gate is 0.98. What fraction of the stored value is left after 40 steps?
# 6. In demo 7, what does top-k with $k = 1$ do, at any temperature?
# 7. In demo 8, a bag of *bigrams* sees "not good". Which review from the menus would still fool it?
# 8. In demo 9, 90% of the characters are right and errors are independent. What share of the dates is right?
# 9. In demo 10, a row's weights sum to 1. What can the row of the "-" between year and month look like?
#
# <details>
# <summary>Answers</summary>
#
# 5. $0.98^{40} \approx 0.45$: less than half, and the gradient back to the write shrinks by the same factor.
# 6. It keeps only the likeliest character: greedy decoding, whatever the temperature.
# 7. "the plot was not really good": the negator and the adjective are two words apart, so no bigram holds both
#    ("not really", "really good"). Any fixed window can be outrun by putting words in between; the RNN's state
#    carries the negation as far as needed.
# 8. A date is 10 characters and `</s>`: $0.9^{11} \approx 0.31$. During training the demo's whole-dates curve
#    lies mostly below that estimate: errors cluster, and a wrong character fed back in can cause more.
# 9. It cannot be empty: it spreads over several characters or rests near the field just written. The decoder's
#    own state, not the context, tells it that a "-" comes next.
#
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## References (1 of 2)
#
# - R. Pascanu, T. Mikolov, Y. Bengio, *On the difficulty of training recurrent neural networks*, ICML 2013
#   (the cliff, norm clipping, the spectral-radius conditions).
# - Y. Bengio, P. Simard, P. Frasconi, *Learning long-term dependencies with gradient descent is difficult*,
#   IEEE Trans. Neural Networks 1994.
# - R. J. Williams, J. Peng, *An efficient gradient-based algorithm for on-line training of recurrent network
#   trajectories*, Neural Computation 1990 (truncated BPTT).
# - A. Karpathy, *min-char-rnn.py* (2015): truncated BPTT in chunks of 25 characters.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## References (2 of 2)
#
# - S. Hochreiter, J. Schmidhuber, *Long short-term memory*, Neural Computation 1997 (the constant error
#   carousel); F. Gers, J. Schmidhuber, F. Cummins, *Learning to forget*, 2000 (the forget gate).
# - A. Holtzman et al., *The curious case of neural text degeneration*, ICLR 2020 (why sampling needs a
#   truncated tail: top-k and nucleus sampling).
# - R. Socher et al., *Recursive deep models for semantic compositionality over a sentiment treebank*, EMNLP 2013
#   (negation and contrast in real sentiment data).
# - R. J. Williams, D. Zipser, *A learning algorithm for continually running fully recurrent neural networks*,
#   Neural Computation 1989 (teacher forcing); S. Bengio et al., *Scheduled sampling for sequence prediction with
#   recurrent neural networks*, NeurIPS 2015 (exposure bias).
# - D. Bahdanau, K. Cho, Y. Bengio, *Neural machine translation by jointly learning to align and translate*,
#   ICLR 2015 (attention, and its weights read as an alignment).
# - The lessons of this course: `notebooks/01_*` to `notebooks/08_*`.
