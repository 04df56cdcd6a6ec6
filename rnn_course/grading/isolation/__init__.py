"""Running student code apart from the judge: the machinery under ``check`` and the grader.

    runner      the judge's side of a call: ``Runner.call -> Outcome``; ``LocalRunner`` for notebooks
    harness     the student's side: calls, mutation, warnings, exceptions, reference traps
    references  keeps graded functions from calling or copying the reference implementation
    sandbox     a submission's separate process (``ProcessRunner``), with time and memory limits
    worker      the program that runs in that process

Values cross between the sides in ``grading.wire`` (plain data, never pickle). Nothing
here knows about exercise sets or checks (``grading.checks``).
"""
