"""rnn_course.demos._sprites: the text sprites the demos draw characters with."""

from __future__ import annotations

import numpy as np

from rnn_course.demos._sprites import Sprite, TextGrid, TextSprites
from rnn_course.plots.style import new_figure


def test_text_sprites_draw_at_their_places():
    fig, ax = new_figure(figsize=(3, 1))
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    sprites = TextSprites(20)
    ax.add_artist(sprites)
    fig.canvas.draw()
    blank = np.asarray(fig.canvas.buffer_rgba()).copy()
    sprites.set_sprites([Sprite(0.5, 0.5, "A", "red"), Sprite(2.5, 0.5, "B", "blue", "bold")])
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba()).astype(int)
    changed = np.abs(image - blank).sum(axis=2) > 0
    cols = np.where(changed.any(axis=0))[0]
    width = image.shape[1]
    assert cols.min() > 0 and cols.max() < width
    left, right = changed[:, : width // 3], changed[:, 2 * width // 3:]
    assert left.any() and right.any() and not changed[:, width // 3: 2 * width // 3].any()
    inked = np.abs(image - blank).sum(axis=2) > 300  # well inside the letters, not their antialiased edges
    red = image[:, : width // 3][inked[:, : width // 3]]
    blue = image[:, 2 * width // 3:][inked[:, 2 * width // 3:]]
    assert len(red) and len(blue)
    assert (red[:, 0] > red[:, 2] + 100).all() and (blue[:, 2] > blue[:, 0] + 100).all()  # red A, blue B
    assert len(sprites._bitmaps) == 3  # two strings and the cap height, rendered once
    fig.canvas.draw()
    assert len(sprites._bitmaps) == 3


def test_text_grid_puts_each_character_in_its_cell():
    fig, ax = new_figure(figsize=(4, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(2, 0)
    ax.set_axis_off()
    fig.set_layout_engine("none")
    ax.set_position([0, 0, 1, 1])
    grid = TextGrid(14, color="blue")
    ax.add_artist(grid)
    fig.canvas.draw()
    blank = np.asarray(fig.canvas.buffer_rgba()).copy()
    grid.set_text("ab c\nxy")
    assert grid.get_text() == "ab c\nxy"
    assert [(s.x, s.y, s.text) for s in grid._items] == [(0.5, 0.5, "a"), (1.5, 0.5, "b"), (3.5, 0.5, "c"),
                                                          (0.5, 1.5, "x"), (1.5, 1.5, "y")]
    fig.canvas.draw()
    ink = np.abs(np.asarray(fig.canvas.buffer_rgba()).astype(int) - blank).sum(axis=2) > 0
    height, width = ink.shape
    cell = width / 10
    cols = np.where(ink.any(axis=0))[0]
    assert cols.max() < 4 * cell and ink[:, int(2.2 * cell):int(2.8 * cell)].sum() == 0  # the space is empty
    assert ink[: height // 2, int(3 * cell):].any() and not ink[height // 2:, int(3 * cell):].any()  # "c": row 1
