"""This folder holds deliberately broken exercise submissions that tests/test_grading_grader.py grades.

They are data, not tests: nbval must not run the notebooks (one is not even valid JSON).
"""

collect_ignore_glob = ["*.ipynb", "*.py"]
