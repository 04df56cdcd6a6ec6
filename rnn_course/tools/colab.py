"""The top of every course notebook: an "Open in Colab" badge and a cell that installs the course there.

The badge is a text link, not Colab's badge image: an image from Google would
be fetched each time the notebook is opened in JupyterLab, and shows as a
broken picture in a lecture hall without Wi-Fi (the README shows the image).
A student who follows it gets the notebook in Google Colab, which has
numpy, matplotlib and ipywidgets but not this course; the cell under the badge
installs it, and does nothing anywhere else (it looks for ``google.colab`` in
``sys.modules``, which only Colab's kernel has imported). Both cells are
tagged ``colab`` and skipped on slides; the site drops them and shows its own
links.

The header is a small hunk at the very top of each py:percent source, right
after jupytext's YAML header. ``rnn-course notebooks sync`` adds it, or
rewrites it when the repository address or the file name changed, so the
lessons can be edited in parallel and the header re-applied at any time;
``rnn-course notebooks check`` reports a notebook whose header is missing or
stale. The exercise generator writes it into each exercise with the exercise's
own address.

Why ``--no-deps``: Colab renders ipywidgets 7 (it ships 7.7.1) but not 8, and
this package asks for ipywidgets >= 8; installing the course with its
dependencies would replace Colab's ipywidgets and leave every slider blank.
The other dependencies are installed by name (Colab has them: that call
changes nothing there).
"""

from __future__ import annotations

import re

__all__ = ["REPOSITORY", "BRANCH", "TAG", "RUNTIME_REQUIREMENTS", "wants_header", "colab_url", "header",
           "with_header", "strip_header"]

#: where the course lives: the badges, the Colab install, Binder, the citation and pyproject's
#: [project.urls] all point here (tests check they agree)
REPOSITORY = "https://github.com/rnn-course/rnn-course"
BRANCH = "main"
#: the cell tag that marks the two header cells
TAG = "colab"
#: what the Colab cell installs besides the course: pyproject's runtime dependencies except ipywidgets
#: (a test checks they agree)
RUNTIME_REQUIREMENTS = ("numpy>=1.24", "matplotlib>=3.7", "tqdm>=4.60", "threadpoolctl>=3.1")

_HEADER_CELL = re.compile(r'^# %%.*\btags=\[[^\]]*"' + TAG + r'"')


def wants_header(relpath: str) -> bool:
    """True for the notebooks a student opens: the lessons ``notebooks/NN_*``, ``solutions/`` and
    ``exercises/`` (not the lecturer's ``notebooks/lecture_demos``)."""
    folder, _, name = relpath.replace("\\", "/").rpartition("/")
    if folder == "notebooks":
        return bool(re.match(r"\d\d_", name))
    return folder in ("solutions", "exercises")


def colab_url(relpath: str) -> str:
    """Colab's address for the .ipynb of ``relpath`` (a path in the repository, .py or .ipynb)."""
    ipynb = re.sub(r"\.py$", ".ipynb", relpath.replace("\\", "/"))
    return f"https://colab.research.google.com/github/{REPOSITORY.removeprefix('https://github.com/')}" \
           f"/blob/{BRANCH}/{ipynb}"


def _pip_source() -> str:
    return f"rnn-course @ git+{REPOSITORY}@{BRANCH}"


def header(relpath: str) -> str:
    """The two header cells for ``relpath``, as py:percent text (ends with a blank line)."""
    requirements = ", ".join(f'"{r}"' for r in RUNTIME_REQUIREMENTS)
    return (
        f'# %% [markdown] slideshow={{"slide_type": "skip"}} tags=["{TAG}"]\n'
        f"# **[Open in Colab]({colab_url(relpath)})**: run this notebook in Google Colab, nothing to install.\n"
        "\n"
        f'# %% slideshow={{"slide_type": "skip"}} tags=["{TAG}"]\n'
        "# On Google Colab this installs the course (about a minute); anywhere else it does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import importlib\n"
        "    import subprocess\n"
        "\n"
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet"]\n'
        "    # --no-deps: keep Colab's own ipywidgets, the version its sliders work with\n"
        f'    subprocess.run([*pip, "--no-deps", "{_pip_source()}"], check=True)\n'
        f"    subprocess.run([*pip, {requirements}], check=True)\n"
        "    importlib.invalidate_caches()\n"
        "\n"
    )


def _split_front_matter(text: str) -> tuple[str, str]:
    """(jupytext's YAML header with the blank lines after it, the rest)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "# ---":
        return "", text
    for end in range(1, len(lines)):
        if lines[end].rstrip() == "# ---":
            end += 1
            while end < len(lines) and not lines[end].strip():
                end += 1
            return "".join(lines[:end]), "".join(lines[end:])
    return "", text


def strip_header(text: str) -> str:
    """``text`` without the header cells (the cells tagged ``colab`` at the top)."""
    front, rest = _split_front_matter(text)
    lines = rest.splitlines(keepends=True)
    start = 0
    while start < len(lines) and _HEADER_CELL.match(lines[start]):
        start += 1
        while start < len(lines) and not lines[start].startswith("# %%"):
            start += 1
    return front + "".join(lines[start:])


def with_header(text: str, relpath: str) -> str:
    """``text`` (py:percent) with the header for ``relpath`` right after jupytext's YAML header,
    replacing an existing one."""
    front, rest = _split_front_matter(strip_header(text))
    if front and not front.endswith("\n\n"):
        front += "\n"
    return front + header(relpath) + rest
