"""Running student code apart from the judge: the machinery under ``check`` and the grader.

    runner      the judge's side of a call: ``Runner.call -> Outcome``; ``LocalRunner`` for notebooks
    harness     the student's side: calls, mutation, warnings, exceptions, a time limit per call
    references  the notebook's traps on an item's references; recognising verbatim copies
    stubs       an item's references rewritten as stubs (read from the sources)
    staging     the copies of the package the grader's processes see: no checks, the item's stubs
    sandbox     a submission's separate process (``ProcessRunner``): time, memory and reply limits
    bubblewrap  the operating system's walls around that process, where Linux offers them
    worker      the program that runs in that process
    guard       what that process may not do when there are no walls (the fallback's audit hook)
    nofork      the seccomp filter that keeps it from starting processes

Values cross between the sides in ``grading.wire`` (plain data, never pickle). Nothing
here knows about exercise sets or checks (``grading.checks``): a new set needs no change here.
"""
