"""Figures of the course. One function per figure kind, each returning a matplotlib ``Figure``
and taking an optional ``ax``. Conventions in ``plots._style``.
"""

from ._style import CELL_COLORS, DIVERGING, SEQUENTIAL, figure_to_png, new_figure, presenter

__all__ = ["CELL_COLORS", "DIVERGING", "SEQUENTIAL", "figure_to_png", "new_figure", "presenter"]
# Lesson modules add their plot functions below (import + __all__ entry).
from .activations import plot_activations, plot_softmax  # noqa: E402
from .bptt import (  # noqa: E402
    plot_contribution_matrix,
    plot_copy_contributions,
    plot_gradient_reaching,
    plot_truncation,
    plot_truncation_masks,
)
from .states import plot_hidden_states, plot_memory_task  # noqa: E402
from .unrolled import plot_io_pattern, plot_io_patterns, plot_unrolled  # noqa: E402

__all__ += [
    "plot_activations", "plot_softmax",
    "plot_contribution_matrix", "plot_copy_contributions", "plot_gradient_reaching", "plot_truncation",
    "plot_truncation_masks",
    "plot_hidden_states", "plot_memory_task",
    "plot_io_pattern", "plot_io_patterns", "plot_unrolled",
]
from .gradients import plot_eigenvalues, plot_jacobian_norms, plot_singular_values  # noqa: E402
from .latch import plot_latch_runs, plot_latch_sweep, plot_latch_weights  # noqa: E402
from .surfaces import (  # noqa: E402
    plot_cliff_slice,
    plot_descent_paths,
    plot_gradient_norm,
    plot_loss_surface,
    plot_loss_surface_3d,
    plot_one_unit_states,
)

__all__ += [
    "plot_eigenvalues", "plot_jacobian_norms", "plot_singular_values",
    "plot_latch_runs", "plot_latch_sweep", "plot_latch_weights",
    "plot_descent_paths", "plot_gradient_norm", "plot_loss_surface", "plot_loss_surface_3d",
    "plot_cliff_slice", "plot_one_unit_states",
]
from .adding import plot_adding_curves, plot_adding_example, plot_adding_scores  # noqa: E402
from .gates import (  # noqa: E402
    plot_carousel,
    plot_cell_trace,
    plot_gate_activations,
    plot_gru_cell,
    plot_lstm_cell,
    plot_state_gradients,
)

__all__ += [
    "plot_adding_curves", "plot_adding_example", "plot_adding_scores",
    "plot_carousel", "plot_cell_trace", "plot_gate_activations", "plot_gru_cell", "plot_lstm_cell",
    "plot_state_gradients",
]
from .language import plot_lm_curves, plot_temperature  # noqa: E402

__all__ += ["plot_lm_curves", "plot_temperature"]
from .classification import (  # noqa: E402
    plot_accuracy_by_group,
    plot_metric_curves,
    plot_position_accuracy,
    plot_tagged_sentence,
)

__all__ += ["plot_accuracy_by_group", "plot_metric_curves", "plot_position_accuracy", "plot_tagged_sentence"]
from .seq2seq import plot_encoder_decoder, plot_sequence_accuracy_gap  # noqa: E402

__all__ += ["plot_encoder_decoder", "plot_sequence_accuracy_gap"]
