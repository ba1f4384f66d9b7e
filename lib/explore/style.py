"""Plotting helpers of every view, in both parts: colours by meaning, matplotlib axes, log axes by decades.

A thing keeps its colour everywhere, in a matplotlib figure and in a plotly explorer: a proved bound is black,
the adaptive sign scheme is always the same blue, SmolLM2 always the same orange. Views ask for a colour by
meaning (:func:`color`) instead of picking a palette index, so two pages never disagree.

>>> color("bound"), color("sign") == color("sign")
('#000000', True)
>>> color("no such thing")
Traceback (most recent call last):
...
ValueError: `meaning` must be one of the colours in lib.explore.style.COLORS, got 'no such thing'.
"""
from __future__ import annotations


__all__ = ["PALETTE", "COLORS", "color", "axes", "done", "log_decades", "PLOTLY_LOG_AXIS"]

#: Colour-blind-safe palette (Okabe-Ito), in the order traces take it.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
_BLUE, _VERMILION, _GREEN, _PURPLE, _ORANGE, _SKY, _BLACK, _YELLOW = PALETTE

#: Colour of each meaning. Bounds and references are black or grey; schemes, models and policies take the
#: Okabe-Ito colours; a name used in both parts (``random``) means the same kind of thing in both.
COLORS = {
    # bounds and references
    "bound": _BLACK, "bound_alt": "#777777", "reference": "#999999", "exact": _GREEN, "simulation": _BLUE,
    "bayes": _GREEN, "boundary": "#ffffff", "highlight": "#ff4040",
    # Part I schemes
    "sign": _BLUE, "stochastic_rounding": _VERMILION, "qsgd": _PURPLE, "randk": _ORANGE,
    "full_precision": "#777777",
    # Part II models
    "smollm2-135m": _VERMILION, "gemma3-270m": _BLUE,
    # Part II cache policies
    "sliding": _BLUE, "sink+recent": _GREEN, "random": _PURPLE, "streaming": _ORANGE, "h2o": _VERMILION,
    "block_markov": _SKY,
}
#: The policies' registry names (``lib.kv.policies``) take the colour of the label they stand for.
COLORS.update({"sink": COLORS["sink+recent"], "streaming_llm": COLORS["streaming"]})


def color(meaning: str) -> str:
    """The colour of ``meaning`` (a key of :data:`COLORS`), the same in matplotlib and plotly."""
    if meaning not in COLORS:
        raise ValueError(f"`meaning` must be one of the colours in lib.explore.style.COLORS, got {meaning!r}.")
    return COLORS[meaning]


#: Plotly settings of a log axis that labels decades only (1, 10, 100, ...), never every minor tick.
PLOTLY_LOG_AXIS = {"type": "log", "dtick": 1, "exponentformat": "power", "minor": {"showgrid": False}}


def axes(width: float = 6.4, height: float = 3.8):
    """A matplotlib figure and axes of the book's shape (constrained layout, light major grid)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.grid(True, which="major", alpha=0.3)
    return fig, ax


def done(fig):
    """Close ``fig`` in pyplot and return it, so a page cell ending with the call shows it exactly once."""
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def log_decades(ax, x: bool = False, y: bool = True):
    """Put log scales on ``ax`` (after plotting) whose labels are decades only; minor ticks stay, unlabelled.

    An axis that spans less than one decade keeps matplotlib's labels of its minor ticks, so that it is never left
    without any number.
    """
    from matplotlib.ticker import LogLocator, NullFormatter

    for on, axis, scale, limits in ((x, ax.xaxis, ax.set_xscale, ax.get_xlim),
                                    (y, ax.yaxis, ax.set_yscale, ax.get_ylim)):
        if not on:
            continue
        scale("log")
        lo, hi = sorted(limits())
        if lo > 0 and hi / lo >= 10:
            axis.set_major_locator(LogLocator(base=10, numticks=12))
            axis.set_minor_locator(LogLocator(base=10, subs=tuple(range(2, 10)), numticks=12))
            axis.set_minor_formatter(NullFormatter())
    return ax
