"""Graded exercises: checks with diagnoses, feedback inside the notebook, and the instructor's grader.

For students, in an exercise notebook::

    from rnn_course.grading import check, hint, check_all, needs

    check("rnn_step_forward", rnn_step_forward)   # correct / incorrect (and why) / not attempted / error
    hint("rnn_step_forward")                       # the next numbered hint
    check_all("01_forward_pass")                   # the points for the whole set

For instructors: ``rnn-course exercises build`` makes exercises/ from
solutions/, and ``rnn-course grade PATH... --out report.json`` grades
submissions (``grading.grader``), each in its own sandboxed processes.

Layout, one idea per module:

    catalog     every exercise set and its items (imports every set in checks/)
    feedback    check / hint / check_all / needs, inside a notebook
    submissions finding a class's files, reading their cells, naming their students
    grader      grade many submissions in parallel, each item in a sandboxed process
    reports     the report as JSON, CSV, a gradebook, HTML feedback, Gradescope's results.json, a table
    result      the four outcomes and how they show            (shared)
    wire        the plain-data format values cross in           (shared, never pickle)
    factories   functions and optimisers built on the student's side (shared)
    corpus      the small fixed corpus of exercise set 05        (shared with the notebook)
    checks/     what each set grades and how a wrong answer is explained
    isolation/  running student code apart from the judge: runner, harness, references, stubs, staging,
                sandbox, bubblewrap, worker, guard, nofork

checks/ and isolation/ import only the shared modules (and checks/ the runner's
interface); the catalog, feedback and grader sit above both. Importing this
package does not import the catalog (``EXERCISES`` and friends load it on
first use): the copy of the package a graded submission runs with has no
checks at all (``isolation/staging.py``), and its notebook still imports
``check`` and ``hint`` from here.
"""

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

_FROM_CATALOG = ("EXERCISES", "ITEMS", "get_item", "max_score", "run_item")


def __getattr__(name):
    # The catalog imports every set's checks (and with them the reference implementations); a graded
    # submission's process has no checks (isolation/staging.py), so it is imported only when asked for.
    if name in _FROM_CATALOG:
        from . import catalog

        return getattr(catalog, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
