"""Test submissions, data rather than tests: the whole-file ones (not valid JSON, a syntax error, a file of no
set), and the specs the others are built from (``bad.py``, ``hostile.py``: each a set's solution notebook with a
few changes, see ``grading_support.write_submission``). Neither pytest nor nbval collects anything here.
"""

collect_ignore_glob = ["*.ipynb", "*.py"]
