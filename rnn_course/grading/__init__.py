"""Graded exercises: checks with diagnoses, feedback inside the notebook, and the instructor's grader.

For students, in an exercise notebook::

    from rnn_course.grading import check, hint, check_all, needs

    check("rnn_step_forward", rnn_step_forward)   # correct / incorrect (and why) / not attempted / error
    hint("rnn_step_forward")                       # the next numbered hint
    check_all("01_forward_pass")                   # the points for the whole set

For instructors: ``rnn-course exercises build`` makes exercises/ from
solutions/, and ``rnn-course grade PATH... --out report.json`` grades
submissions (``grading.grader``), each in its own resource-limited process.

Modules, one idea each:

    catalog     every exercise set and its items
    framework   items, cases, parts, known-wrong variants; the forward and backward check flows
    diagnose    what kind of wrong a value is, and where
    result      the four outcomes and how they show
    feedback    check / hint / check_all / needs
    runner      the judge's side of a call into student code
    harness     the student's side: calls, mutation, warnings, exceptions, reference traps
    references  keeps graded functions from calling or copying the reference implementation
    wire        the plain-data format values cross in (never pickle)
    factories   functions and optimisers built on the student's side
    sandbox     a submission's separate process, with time and memory limits
    worker      the program that runs in that process
    grader      grade many submissions in parallel; JSON, CSV and a table

and one module per exercise set: forward_pass (01), bptt (02), gradients (03),
gates (04), language_model (05).
"""

from .catalog import EXERCISES, ITEMS, get_item, max_score, run_item
from .feedback import check, check_all, grading_mode, hint, needs
from .result import Result, SetResult

__all__ = [
    "check",
    "hint",
    "check_all",
    "needs",
    "grading_mode",
    "Result",
    "SetResult",
    "EXERCISES",
    "ITEMS",
    "get_item",
    "max_score",
    "run_item",
]
