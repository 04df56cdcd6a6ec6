"""Exercise set 06 (attention and decoding), checked three ways, plus the grader on the whole set.

* the solution notebook's functions score full marks (also in ``test_grading_feedback``, for every item);
* the generated exercise's stubs are "not attempted" and a blank notebook scores 0;
* each known-wrong implementation (the slips students make) fails with the intended diagnosis;
* ``rnn-course grade`` gives solutions/06 full marks and exercises/06 zero with "not attempted" everywhere.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from grading_support import ROOT, define, grading_env, load_notebook

from rnn_course.grading import EXERCISES, ITEMS, check, check_all
from rnn_course.grading.checks.attention import _reference, _total_log_prob, beam_variant, long_beam_case
from rnn_course.grading.factories import toy_decoder

EXERCISE = "06_attention"
_cache: dict = {}


def namespace(kind: str) -> dict:
    if kind not in _cache:
        _cache[kind] = load_notebook(ROOT / kind / f"{EXERCISE}.py")
    return _cache[kind]


@pytest.fixture(autouse=True)
def _not_grading():
    with grading_env(None):
        yield


def test_the_set_is_registered_with_ten_points():
    assert [item.name for item in EXERCISES[EXERCISE]] == ["additive_attention_forward", "additive_attention_backward",
                                                          "beam_search"]
    assert sum(item.points for item in EXERCISES[EXERCISE]) == 10
    for item in EXERCISES[EXERCISE]:
        assert "rnn_course.attention" in item.forbid and "rnn_course.decoding" in item.forbid
        assert "rnn_course.grading.checks.attention" in item.forbid


@pytest.mark.parametrize("name", ["additive_attention_forward", "additive_attention_backward", "beam_search"])
def test_solution_is_correct_and_stub_is_not_attempted(name):
    item = ITEMS[name]
    right = check(name, namespace("solutions")[item.function])
    assert right.status == "correct" and right.points == item.points and right.message == "correct", right
    stub = check(name, namespace("exercises")[item.function])
    assert stub.status == "not attempted" and stub.points == 0 and "NotImplementedError" in stub.message, stub


def test_check_all_full_marks_and_blank_zero():
    full = check_all(EXERCISE, namespace("solutions"))
    assert full.full_marks and full.score == full.max_score == 10, full
    blank = check_all(EXERCISE, namespace("exercises"))
    assert blank.score == 0 and {r.status for r in blank.results} == {"not attempted"}, blank


# ---------------------------------------------------------------------------------------------
# the usual slips: (item, source, status, points, fragments the message must contain)

FORWARD = """
def additive_attention_forward(query, keys, Wq, Wk, v, mask=None):
    u = np.tanh((query @ Wq)[:, None, :] + keys @ Wk)
    scores = u @ v
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights = e / e.sum(axis=1, keepdims=True)
    context = (weights[:, :, None] * keys).sum(axis=1)
    return context, weights, (query, keys, Wq, Wk, v, u, weights)
"""

BACKWARD = """
def additive_attention_backward(dcontext, cache):
    query, keys, Wq, Wk, v, u, weights = cache
    dkeys = weights[:, :, None] * dcontext[:, None, :]
    dweights = (keys * dcontext[:, None, :]).sum(axis=2)
    dscores = weights * (dweights - (weights * dweights).sum(axis=1, keepdims=True))
    dv = (u * dscores[:, :, None]).sum(axis=(0, 1))
    dz = dscores[:, :, None] * v * (1 - u**2)
    dquery = dz.sum(axis=1) @ Wq.T
    dWq = query.T @ dz.sum(axis=1)
    dkeys = dkeys + dz @ Wk.T
    dWk = np.einsum("nth,nta->ha", keys, dz)
    return dquery, dkeys, dWq, dWk, dv
"""

BEAM = """
def beam_search(step, state, start_id, end_id, beam_size, max_len):
    beam = [((), 0.0, False)]
    for _ in range(max_len):
        live = [hyp for hyp in beam if not hyp[2]]
        if not live:
            break
        previous = np.array([tokens[-1] if tokens else start_id for tokens, _, _ in live])
        log_probs, new_state = step(previous, state)
        candidates = [(tokens, score, True, None, score) for tokens, score, finished in beam if finished]
        for i, (tokens, score, _) in enumerate(live):
            for token in range(log_probs.shape[1]):
                total = score + log_probs[i, token]
                candidates.append((tokens + (token,), total, token == end_id, i, RANK))
        candidates.sort(key=lambda c: -c[4])
        kept = candidates[:beam_size]
        state = new_state[[parent for _, _, finished, parent, _ in kept if not finished]]
        beam = [(tokens, score, finished) for tokens, score, finished, _, _ in kept]
    return [(np.array(tokens, dtype=np.int64), float(score)) for tokens, score, _ in beam]
"""


def forward_bug(old, new):
    assert old in FORWARD, old
    return FORWARD.replace(old, new)


def backward_bug(old, new):
    assert old in BACKWARD, old
    return BACKWARD.replace(old, new)


def beam_bug(old, new):
    source = BEAM.replace("RANK", "total")
    assert old in source, old
    return source.replace(old, new)


BUGS = [
    # additive_attention_forward
    ("additive_attention_forward", FORWARD, "correct", 3, ["correct"]),
    ("additive_attention_forward", forward_bug("scores.max(axis=1, keepdims=True))\n    weights = e / e.sum(axis=1,",
                                               "scores.max(axis=0, keepdims=True))\n    weights = e / e.sum(axis=0,"),
     "incorrect", 0, ["the softmax runs over the batch (axis 0)"]),
    ("additive_attention_forward", forward_bug("        scores = np.where(mask, scores, -np.inf)\n", "        pass\n")
     .replace("weights = e / e.sum(axis=1, keepdims=True)\n", "weights = e / e.sum(axis=1, keepdims=True)\n"
              "    if mask is not None:\n        weights = weights * mask\n"),
     "incorrect", 0, ["the mask is applied after the softmax"]),
    ("additive_attention_forward", forward_bug("        scores = np.where(mask, scores, -np.inf)\n", "        pass\n"),
     "incorrect", 0, ["the mask is ignored"]),
    ("additive_attention_forward", forward_bug("np.where(mask, scores, -np.inf)", "np.where(mask, -np.inf, scores)"),
     "incorrect", 0, ["the mask is the wrong way round"]),
    ("additive_attention_forward", forward_bug("u = np.tanh((query @ Wq)[:, None, :] + keys @ Wk)",
                                               "u = (query @ Wq)[:, None, :] + keys @ Wk"),
     "incorrect", 0, ["missing the tanh"]),
    ("additive_attention_forward", forward_bug("e = np.exp(scores - scores.max(axis=1, keepdims=True))",
                                               "e = np.exp(scores)"),
     "incorrect", 0, ["contains NaN", "subtract each row's largest"]),
    ("additive_attention_forward", forward_bug("(weights[:, :, None] * keys)", "(raw[:, :, None] * keys)")
     .replace("scores = u @ v", "scores = raw = u @ v"),
     "incorrect", 1.5, ["weights right", "context wrong"]),
    # additive_attention_backward
    ("additive_attention_backward", BACKWARD, "correct", 4, ["correct"]),
    ("additive_attention_backward", backward_bug("* v * (1 - u**2)", "* v"),
     "incorrect", 0.8, ["tanh' is missing"]),
    ("additive_attention_backward", backward_bug("* v * (1 - u**2)", "* v * (1 - np.arctanh(u) ** 2)"),
     "incorrect", 0.8, ["computed from the pre-activation"]),
    ("additive_attention_backward", backward_bug("dkeys = dkeys + dz @ Wk.T", "dkeys = dz @ Wk.T"),
     "incorrect", 3.2, ["dkeys wrong", "missing the direct path through the context"]),
    ("additive_attention_backward", backward_bug("dkeys = dkeys + dz @ Wk.T", "dkeys = dkeys"),
     "incorrect", 3.2, ["missing the path through the scores"]),
    ("additive_attention_backward", backward_bug("(dweights - (weights * dweights).sum(axis=1, keepdims=True))",
                                                 "dweights"),
     "incorrect", 0, ["missing the sum term"]),
    ("additive_attention_backward", FORWARD.replace("u = np.tanh(", "u = 1.01 * np.tanh(") + BACKWARD,
     "incorrect", 0, ["additive_attention_forward is not right yet", "Fix additive_attention_forward first"]),
    # beam_search
    ("beam_search", BEAM.replace("RANK", "total"), "correct", 3, ["correct"]),
    ("beam_search", beam_bug("total = score + log_probs[i, token]", "total = score * np.exp(log_probs[i, token]) "
                             "if tokens else np.exp(log_probs[i, token])").replace("beam = [((), 0.0, False)]",
                                                                                   "beam = [((), 1.0, False)]"),
     "incorrect", 2, ["greedy and ranking right", "scores are products of probabilities"]),
    ("beam_search", beam_bug("total = score + log_probs[i, token]", "total = score + np.exp(log_probs[i, token])"),
     "incorrect", 1, ["add up probabilities"]),
    ("beam_search", beam_bug("total = score + log_probs[i, token]", "total = log_probs[i, token]"), "incorrect", 1,
     ["ranked by the log-probability of the last token only"]),
    ("beam_search", beam_bug("state = new_state[[parent for _, _, finished, parent, _ in kept if not finished]]",
                             "state = new_state"),
     "error", 0, ["one state row per hypothesis", "state = new_state[parents]"]),
    ("beam_search", beam_bug("for tokens, score, _ in beam]", "for tokens, score, _ in beam[::-1]]"),
     "incorrect", 1, ["not sorted best first"]),
    ("beam_search", beam_bug("    return [(np.array(tokens, dtype=np.int64), float(score)) for tokens, score, _ "
                             "in beam]", "    return beam[0][0]"),
     "incorrect", 0, ["expected a list of (tokens, score) pairs"]),
]


@pytest.mark.parametrize(("name", "source", "status", "points", "fragments"), BUGS,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BUGS)])
def test_known_slip_gets_its_diagnosis(name, source, status, points, fragments):
    item = ITEMS[name]
    ns = dict(namespace("solutions"))
    fn = define(source, ns, item.function)
    result = check(name, fn)
    text = result.text()
    assert result.status == status, text
    if points is not None:
        assert result.points == pytest.approx(points, abs=0.01), text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"


def test_keeping_finished_hypotheses_apart_is_diagnosed():
    """A common variant of beam search (finished hypotheses set aside, the beam refilled with unfinished ones) is
    not the algorithm the exercise asks for; the check says which rule it breaks."""
    source = BEAM.replace("RANK", "total").replace(
        "        kept = candidates[:beam_size]\n",
        "        done = [c for c in candidates if c[2]]\n"
        "        aside = sorted(aside + done, key=lambda c: -c[1])[:beam_size]\n"
        "        kept = [c for c in candidates if not c[2]][:beam_size]\n").replace(
        "    beam = [((), 0.0, False)]\n", "    beam = [((), 0.0, False)]\n    aside = []\n").replace(
        "    return [(np.array(tokens, dtype=np.int64), float(score)) for tokens, score, _ in beam]",
        "    every = sorted([(c[0], c[1]) for c in aside] + [(t, s) for t, s, _ in beam], key=lambda c: -c[1])\n"
        "    return [(np.array(t, dtype=np.int64), float(s)) for t, s in every[:beam_size]]")
    result = check("beam_search", define(source, dict(namespace("solutions")), "beam_search"))
    assert result.status == "incorrect", result.text()
    assert "finished hypotheses leave the beam" in result.text()


def test_the_known_wrong_beam_searches_differ_from_the_right_one():
    """Each switch of ``beam_variant`` changes the result on some decoder, else its message could never show."""
    rng = np.random.default_rng(0)
    changed = {k: False for k in ("product", "prob_sum", "last", "keep_finished")}
    for _ in range(40):
        params = {"embed": rng.standard_normal((5, 4)), "Wh": rng.standard_normal((4, 4)) / 2,
                  "W_out": 1.5 * rng.standard_normal((4, 5)), "b_out": np.zeros(5)}
        step, h0 = toy_decoder(**params), rng.standard_normal((1, 4))
        right = beam_variant(step, h0, 3, 6)
        for key, switches in (("product", {"score": "product"}), ("prob_sum", {"score": "prob_sum"}),
                              ("last", {"score": "last"}), ("keep_finished", {"keep_finished": False})):
            wrong = beam_variant(step, h0, 3, 6, **switches)
            changed[key] |= [w[0] for w in wrong] != [r[0] for r in right] or not np.allclose(
                [w[1] for w in wrong], [r[1] for r in right])
    assert all(changed.values()), changed


def test_the_400_step_case_rescores_the_same_one_hypothesis_at_a_time():
    """The judge rescores each returned hypothesis alone (a batch of one row); the search ran it in a batch of
    three. On a chaotic decoder that last-bit difference grew over 400 steps into scores 2% apart and failed the
    model solution (CI, and 6 decoders in 6,000); the long case's state map is now a contraction. Seed 2756
    drew one of those decoders before the fix."""
    for seed in [2756, 5023, 4850, 1100, 1290, 2967, *range(60)]:
        case = long_beam_case(np.random.default_rng(seed))
        assert np.linalg.norm(case["params"]["Wh"], 2) < 1
        step = toy_decoder(**case["params"])
        for tokens, score in _reference(step, case):
            assert len(tokens) == 400
            assert np.isclose(score, _total_log_prob(step, case["h0"], tokens), rtol=1e-10, atol=0)


def test_messages_never_show_expected_values():
    fn = define(forward_bug("u = np.tanh((query @ Wq)[:, None, :] + keys @ Wk)",
                            "u = (query @ Wq)[:, None, :] + keys @ Wk"), dict(namespace("solutions")),
                "additive_attention_forward")
    text = check("additive_attention_forward", fn).text()
    assert __import__("re").findall(r"-?\d+\.\d{3,}", text) == [], text


@pytest.mark.slow
def test_the_grader_gives_the_solution_full_marks_and_the_blank_exercise_zero(tmp_path):
    from rnn_course.grading import grader

    files = [ROOT / "solutions" / f"{EXERCISE}.ipynb", ROOT / "exercises" / f"{EXERCISE}.ipynb"]
    report = grader.grade(files, jobs=2, seed=11)
    solution, blank = report["submissions"]
    assert solution["score"] == solution["max_score"] == 10, json.dumps(solution, indent=1)
    assert {i["status"] for i in solution["items"]} == {"correct"}
    assert blank["score"] == 0 and {i["status"] for i in blank["items"]} == {"not attempted"}, blank


@pytest.mark.parametrize(("name", "source", "reference"), [
    ("additive_attention_forward", """
def additive_attention_forward(query, keys, Wq, Wk, v, mask=None):
    from rnn_course.attention import additive_attention_forward as reference
    return reference(query, keys, Wq, Wk, v, mask)
""", "rnn_course.attention.additive_attention_forward"),
    ("beam_search", """
def beam_search(step, state, start_id, end_id, beam_size, max_len):
    from rnn_course import decoding
    found = decoding.beam_search(step, state, start_id=start_id, end_id=end_id, beam_size=beam_size, max_len=max_len)
    return [(h.tokens, h.score) for h in found]
""", "rnn_course.decoding.beam_search"),
])
def test_calling_the_reference_scores_zero(name, source, reference):
    result = check(name, define(source, dict(namespace("solutions")), ITEMS[name].function))
    assert result.status == "incorrect" and result.points == 0, result.text()
    assert reference in result.text() and "reference implementation" in result.text()
