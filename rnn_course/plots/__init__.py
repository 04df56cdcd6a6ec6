"""Figures of the course. One function per figure kind, each returning a matplotlib ``Figure``
and taking an optional ``ax``. Conventions (figures without pyplot, presenter mode, colour maps) in
``plots.style``.
"""

from .activations import plot_activations, plot_softmax  # lesson 01
from .adding import plot_adding_curves, plot_adding_example, plot_adding_scores, plot_gate_tracks  # lesson 04
from .attention import plot_attention, plot_attention_decoder, plot_beam_search  # lesson 08
from .bptt import (  # lesson 02
    plot_contribution_matrix,
    plot_copy_contributions,
    plot_gradient_reaching,
    plot_truncation,
    plot_truncation_masks,
)
from .classification import (  # lesson 06
    plot_accuracy_by_group,
    plot_metric_curves,
    plot_position_accuracy,
    plot_tagged_sentence,
)
from .gates import (  # lesson 04
    plot_carousel,
    plot_cell_trace,
    plot_gate_activations,
    plot_gru_cell,
    plot_lstm_cell,
    plot_state_gradients,
)
from .gradcheck import plot_gradcheck  # lesson 02
from .gradients import plot_eigenvalues, plot_jacobian_norms, plot_singular_values  # lesson 03
from .language import plot_lm_curves, plot_temperature  # lesson 05
from .latch import plot_latch_runs, plot_latch_sweep, plot_latch_weights  # lesson 03
from .seq2seq import plot_encoder_decoder, plot_sequence_accuracy_gap  # lesson 07
from .states import plot_hidden_states, plot_memory_task  # lesson 01
from .style import CELL_COLORS, DIVERGING, SEQUENTIAL, figure_to_png, new_figure, presenter
from .surfaces import (  # lesson 03
    plot_cliff_slice,
    plot_descent_paths,
    plot_gradient_norm,
    plot_loss_surface,
    plot_loss_surface_3d,
    plot_one_unit_states,
)
from .timer import plot_pulse_lengths, plot_timer_outputs  # lesson 03
from .training import plot_history  # any lesson that trains
from .unrolled import plot_io_pattern, plot_io_patterns, plot_unrolled  # lesson 01

__all__ = [
    "CELL_COLORS",
    "DIVERGING",
    "SEQUENTIAL",
    "figure_to_png",
    "new_figure",
    "presenter",
    "plot_activations",
    "plot_softmax",
    "plot_hidden_states",
    "plot_memory_task",
    "plot_io_pattern",
    "plot_io_patterns",
    "plot_unrolled",
    "plot_history",
    "plot_gradcheck",
    "plot_contribution_matrix",
    "plot_copy_contributions",
    "plot_gradient_reaching",
    "plot_truncation",
    "plot_truncation_masks",
    "plot_eigenvalues",
    "plot_jacobian_norms",
    "plot_singular_values",
    "plot_latch_runs",
    "plot_latch_sweep",
    "plot_latch_weights",
    "plot_cliff_slice",
    "plot_descent_paths",
    "plot_gradient_norm",
    "plot_loss_surface",
    "plot_loss_surface_3d",
    "plot_one_unit_states",
    "plot_timer_outputs",
    "plot_pulse_lengths",
    "plot_adding_curves",
    "plot_adding_example",
    "plot_adding_scores",
    "plot_gate_tracks",
    "plot_carousel",
    "plot_cell_trace",
    "plot_gate_activations",
    "plot_gru_cell",
    "plot_lstm_cell",
    "plot_state_gradients",
    "plot_lm_curves",
    "plot_temperature",
    "plot_accuracy_by_group",
    "plot_metric_curves",
    "plot_position_accuracy",
    "plot_tagged_sentence",
    "plot_encoder_decoder",
    "plot_sequence_accuracy_gap",
    "plot_attention",
    "plot_attention_decoder",
    "plot_beam_search",
]
