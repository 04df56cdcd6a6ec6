"""A saved notebook keeps each demo as its static figure, not as a widget that no longer exists.

A demo's output carries the widget view (``application/vnd.jupyter.widget-view+json``, a reference to
a model that lives in the kernel) and a PNG of its figure. JupyterLab saves both (autosave too), and
prefers the widget view when the notebook is opened again: the kernel is gone, so every demo showed
"Error displaying widget: model not found" instead of its figure. ``store_static_figures`` is a
Jupyter server pre-save hook that drops the widget view from demo outputs in the saved file, so the
notebook reopens showing the figures (run the cell to get the live demo back). The notebook open in
the browser is not changed: its demos stay live. ``rnn-course lab`` installs the hook:

    jupyter lab --ContentsManager.pre_save_hook=rnn_course.demos.static.store_static_figures

Only outputs that are demos are touched (a widget view with a PNG whose text starts with "<Demo ");
other widgets are saved as JupyterLab saves them.
"""

from __future__ import annotations

__all__ = ["store_static_figures", "static_outputs", "WIDGET_VIEW", "HOOK"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: the import string for Jupyter's ``ContentsManager.pre_save_hook``
HOOK = "rnn_course.demos.static.store_static_figures"


def _is_demo(data: dict) -> bool:
    text = data.get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else str(text)
    return WIDGET_VIEW in data and "image/png" in data and text.startswith("<Demo ")


def static_outputs(notebook: dict) -> int:
    """Drop the widget view from every demo output of ``notebook`` (nbformat 4 JSON, as a dict), in
    place. Returns how many outputs changed."""
    changed = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data")
            if isinstance(data, dict) and _is_demo(data):
                del data[WIDGET_VIEW]
                changed += 1
    return changed


def store_static_figures(model: dict, **_kwargs) -> None:
    """Jupyter server pre-save hook (called with ``model``, ``path``, ``contents_manager``): a
    notebook is stored with its demos as static figures."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        static_outputs(model["content"])
