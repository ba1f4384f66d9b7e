"""Views of the primer page ``primer-attention``: one head's attention weights over its cache, cut to a window
with or without its sink token (the mathematics is :mod:`lib.attention`)."""
from __future__ import annotations

import numpy as np

from lib import attention as at
from lib.explore import Choice, Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value

__all__ = ["window_and_sink", "cut_numbers"]

_HEAD = at.toy_head(t=64, m=16, seed=0)
_LOGITS = at.rope_logits(_HEAD["q"], _HEAD["K"], _HEAD["query_position"], _HEAD["positions"])
POLICIES = {"window + sink": True, "window only": False}


def cut_numbers(sink_logit: float, w: int, keep_sink: bool) -> dict:
    r"""Full and cut attention of the toy head: weights, kept set, kept mass, output change and its bound.

    Parameters
    ----------
    sink_logit : float
        Extra logit added to token 0 (the sink).
    w : int
        Window: the last ``w`` of the 64 cached tokens are kept.
    keep_sink : bool
        Whether token 0 is kept as well.

    Returns
    -------
    dict
        ``weights`` (softmax of the RoPE logits plus the sink bias, :math:`a_j`), ``kept`` (the kept positions
        :math:`S`), ``mass`` (:math:`A_S = \sum_{j\in S} a_j`), ``change`` (:math:`\|o_S - o\|` between the cut and
        full outputs), ``bound`` (:math:`2(1 - A_S)\max_j\|v_j\|`, which ``change`` never exceeds) and
        ``sink_weight`` (:math:`a_0`).
    """
    bias = np.zeros(_LOGITS.size)
    bias[0] = sink_logit
    weights = at.softmax(_LOGITS + bias)
    full = weights @ _HEAD["V"]
    kept = np.arange(_LOGITS.size - w, _LOGITS.size)
    if keep_sink:
        kept = np.union1d([0], kept)
    cut, mass = at.kept_output(weights, _HEAD["V"], kept)
    v_max = float(np.linalg.norm(_HEAD["V"], axis=1).max())
    return {"weights": weights, "kept": kept, "mass": mass, "change": float(np.linalg.norm(cut - full)),
            "bound": at.truncation_bound(mass, v_max), "sink_weight": float(weights[0])}


def window_and_sink() -> Explorer:
    """Attention weights of a RoPE head over 64 cached tokens (token 0 a sink with an extra logit), and the
    weights after cutting the cache to the last w tokens, with or without the sink.

    Returns
    -------
    Explorer
        ``primer-attention-window``: sliders for the sink's extra logit and the window w, a choice of policy; traces
        ``full cache`` (the weights :math:`a_j`) and ``cut cache (renormalised)`` (:math:`a_j/A_S` on the kept set).
    """
    positions = _HEAD["positions"]

    def compute(sink_logit, w, policy):
        r = cut_numbers(sink_logit, int(w), POLICIES[policy])
        after = np.full(positions.size, np.nan)
        after[r["kept"]] = r["weights"][r["kept"]] / r["mass"]
        return View([Trace("full cache", positions, r["weights"], mode="lines+markers"),
                     Trace("cut cache (renormalised)", positions, after, mode="markers")],
                    note=f"sink weight {r['sink_weight']:.2f}; the kept tokens had mass {r['mass']:.2f}; output "
                         f"change {r['change']:.2f} ≤ bound 2(1 − mass)·max‖v‖ = {r['bound']:.2f}")

    return Explorer("primer-attention-window",
                    [Param("sink_logit", 0.0, 6.0, default=3.0, steps=7, label="sink's extra logit"),
                     # w < 64 always: with the whole context kept, keeping the sink or not would change nothing
                     Param("w", 2, 32, default=8, values=[2, 4, 8, 16, 32], integer=True, log=True,
                           label="window w (tokens)"),
                     Choice("policy", list(POLICIES), "window + sink", label="what the cache keeps")],
                    compute, x_label="token position j (query at t = 64)", y_label="attention weight",
                    log_y=False,
                    caption="Attention weights of one RoPE head over 64 cached tokens, before and after the cache is "
                            "cut to the last w tokens (with or without the sink, token 0); the note bounds the change "
                            "of the head's output by the attention mass the cut dropped.",
                    try_this=TryThis(
                        "Why must a window keep the sink?",
                        [Move({"policy": "window only"}, "the kept tokens' mass in the note collapses and the bound "
                              "on the output change grows", note_value("the kept tokens had mass"), "down"),
                         Move({"sink_logit": 6.0}, "a heavier sink draws even more weight, and the window without it "
                              "keeps almost none", note_value("the kept tokens had mass"), "down"),
                         Move({"policy": "window + sink"}, "keeping token 0 restores nearly all the mass and the "
                                                           "output "
                              "hardly changes", note_value("the kept tokens had mass"), "up")],
                        why="The output moves by at most 2(1 − kept mass)·max‖v‖: what matters is the mass kept, "
                            "and a sink holds much of it."))
