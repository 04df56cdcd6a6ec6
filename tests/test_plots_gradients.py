"""rnn_course.plots.gradients: the Jacobian-norm, eigenvalue and singular-value figures."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnn_course.jacobians import jacobian_norms, norm_bound, recurrent_matrix
from rnn_course.plots import (
    plot_eigenvalues,
    plot_jacobian_norms,
    plot_singular_values,
)


def _save(fig, artifacts, name):
    assert isinstance(fig, Figure)
    fig.savefig(artifacts / f"lesson03_{name}.png", dpi=80)


def test_gradient_figures(artifacts):
    norms, bounds, mats = {}, {}, {}
    for rho in (0.8, 1.0, 1.2):
        Wh = recurrent_matrix(16, rho, rng=0)
        norms[f"rho = {rho}"] = jacobian_norms(Wh, activation="linear", T=60)
        bounds[f"rho = {rho}"] = norm_bound(Wh, np.arange(60), "linear")
        mats[f"rho = {rho}"] = Wh
    fig = plot_jacobian_norms(norms, bounds)
    gids = {line.get_gid() for line in fig.axes[0].get_lines()}
    assert {"norm-rho = 0.8", "bound-rho = 1.2"} <= gids
    _save(fig, artifacts, "jacobian_norms")
    _save(plot_eigenvalues(mats["rho = 1.2"]), artifacts, "eigenvalues")
    _save(plot_singular_values(mats, activation="sigmoid"), artifacts, "singular_values")
    with pytest.raises(ValueError, match="^norms:"):
        plot_jacobian_norms({})
    with pytest.raises(ValueError, match="^activation:"):
        plot_eigenvalues(mats["rho = 1.2"], activation="softsign")
