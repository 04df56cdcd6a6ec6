"""Command-line tools behind ``rnn-course``: opening the course, keeping notebooks in sync.

Each module here with a ``register(subparsers)`` function adds one
subcommand; ``rnn_course.cli`` lists them.
"""
