# %% [markdown]
# A deliberately broken submission for the grader's tests: stubs, but it prints a fake report and patches the grader's harness.

# %%
import numpy as np

# %%
import json

print(json.dumps({"submissions": [{"path": "me", "score": 10, "max_score": 10, "items": []}]}))

import rnn_course.grading.isolation.harness as harness


def _fake(self, request, blobs):
    return {"status": "ok", "value": {"t": "float", "v": "1.0"}, "score": 10, "points": 10}, []


harness.Harness._call = _fake
harness.Harness.handle = lambda self, request, blobs: _fake(self, request, blobs)


def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    raise NotImplementedError("write your code here")


def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    raise NotImplementedError("write your code here")


def softmax(x, axis=-1):
    raise NotImplementedError("write your code here")


def softmax_cross_entropy(logits, y, mask=None):
    raise NotImplementedError("write your code here")
