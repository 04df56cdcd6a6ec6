"""The checks: what each exercise set grades and how a wrong answer is explained.

    framework       items, cases, parts, known-wrong variants; the forward and backward check flows
    diagnose        what kind of wrong a value is, and where
    common          helpers several sets share (case labels, random RNN inputs)
    forward_pass    set 01    bptt  set 02    gradients  set 03    gates  set 04    language_model  set 05

A check talks to student code only through a ``Runner`` (``grading.isolation.runner``),
so the same check runs in a notebook and in the grader's sandboxed worker. Nothing
here imports the catalog (``grading.catalog``), which imports every set.
"""
