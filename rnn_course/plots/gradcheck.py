"""Where a gradient check found the analytic gradient wrong (lesson 02, exercise set 02).

``plot_gradcheck(report)`` draws one panel per input of a ``GradcheckReport``
(from ``rnn_course.gradcheck``): the error per time step for sequence inputs,
per entry otherwise, against the tolerance.
"""

from __future__ import annotations

import numpy as np

from .style import RIGHT, WRONG, new_figure

__all__ = ["plot_gradcheck"]


#: panels side by side before a new row starts: a layer's five inputs in one row made a strip too
#: thin to read in a notebook or on a slide
PANELS_PER_ROW = 3


def plot_gradcheck(report, names=None, *, figsize=None):
    """Where a gradient check's error sits: per time step for sequence inputs, per entry otherwise.

    Returns the matplotlib Figure (one panel per input, at most ``PANELS_PER_ROW`` to a row; failing
    inputs first when ``names`` is None).
    """
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import MaxNLocator

    if names is None:
        names = report.failing + [n for n in report.inputs if n not in report.failing]
    reports = [report.inputs[n] for n in names if report.inputs[n].errors is not None]
    if not reports:
        fig, ax = new_figure(figsize or (5, 2))
        ax.text(0.5, 0.5, report.summary(), ha="center", va="center", wrap=True)
        ax.set_axis_off()
        return fig
    ncols = min(len(reports), PANELS_PER_ROW)
    nrows = -(-len(reports) // ncols)
    fig, axes = new_figure(figsize or (3.6 * ncols, 3.2 * nrows), nrows, ncols)
    axes = np.atleast_1d(axes).reshape(-1)
    for ax in axes[len(reports):]:
        ax.set_axis_off()
    floor = 1e-16
    for ax, r in zip(axes, reports):
        status = "ok" if r.ok else "WRONG"
        if r.time_errors is not None:
            T = len(r.time_errors)
            colors = [WRONG if e > report.tol else RIGHT for e in r.time_errors]
            ax.bar(np.arange(T), np.maximum(r.time_errors, floor), color=colors)
            ax.set_yscale("log")
            ax.axhline(report.tol, color="k", ls="--", lw=1, label=f"tol {report.tol:.0e}")
            ax.set_xlabel("time step t")
            ax.set_ylabel("max relative error")
            ax.legend(loc="best", fontsize="small")
        else:
            err = np.maximum(np.atleast_1d(r.errors), floor)
            if err.ndim == 1:
                colors = [WRONG if e > report.tol else RIGHT for e in err]
                ax.bar(np.arange(err.size), err, color=colors)
                ax.set_yscale("log")
                ax.axhline(report.tol, color="k", ls="--", lw=1)
                ax.set_xlabel("entry")
                ax.set_ylabel("relative error")
            else:
                grid = err.reshape(err.shape[0], -1)
                im = ax.imshow(
                    grid,
                    norm=LogNorm(vmin=floor, vmax=max(1.0, grid.max())),
                    cmap="magma",
                    aspect="auto",
                    interpolation="nearest",
                )
                fig.colorbar(im, ax=ax, label="relative error")
                ax.set_xlabel("column")
                ax.set_ylabel("row")
        ax.set_title(f"{r.name}: {status} ({r.rel_error:.1e})", color=WRONG if not r.ok else "black")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if r.time_errors is None and np.ndim(r.errors) > 1:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle("gradient check: where the analytic gradient disagrees with the numerical one")
    return fig
