"""Views of the primer page ``primer-lower-bound-methods``: four lower bounds on one Gaussian mean problem.

The mathematics is :mod:`lib.infotheory.minimax`.
"""
from __future__ import annotations

import math

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, peak
from lib.infotheory import minimax as mm

__all__ = ["four_methods", "page_numbers"]

_RHO = np.geomspace(0.05, 100.0, 49)
_DASH = {"van Trees": None, "Le Cam": "dot", "Assouad": "dashdot", "Fano": "longdash"}


def four_methods() -> Explorer:
    r"""Each method's lower bound over the cube [−r, r]^d, in units of the sample mean's risk dσ²/n, against the
    cube's half-width in standard errors; the best available estimator's risk min{1, ρ²} on top.

    Returns
    -------
    Explorer
        ``primer-lower-bound-methods``: a slider for d; one trace per method of
        :data:`lib.infotheory.minimax.METHODS` (:func:`~lib.infotheory.minimax.lower_bound_ratios`) and the upper
        curve :math:`\min\{1, \rho^2\}`, against :math:`\rho = r\sqrt n/\sigma`.
    """

    def compute(d):
        rows = mm.lower_bound_ratios(int(d), _RHO)
        traces = [Trace("upper: min{sample mean, estimate 0}", _RHO, rows["upper"], dash="dash", color="#000000")]
        traces += [Trace(m, _RHO, rows[m], dash=_DASH[m]) for m in mm.METHODS]
        wide = {m: rows[m][-1] for m in mm.METHODS}
        return View(traces, note=f"d = {int(d)}, wide cube: van Trees {wide['van Trees']:.3f}, Assouad "
                                 f"{wide['Assouad']:.3f}, Le Cam {wide['Le Cam']:.4f}, Fano {wide['Fano']:.4f} "
                                 "of dσ²/n")

    return Explorer("primer-lower-bound-methods",
                    [Param("d", 1, 1024, default=64, values=[1, 4, 16, 64, 256, 1024], integer=True, log=True,
                           label="dimension d")],
                    compute, x_label="half-width of the cube r√n/σ (standard errors)",
                    y_label="lower bound / (dσ²/n)", log_x=True, log_y=True,
                    caption="Four lower bounds on the minimax risk over the cube [−r, r]^d (van Trees, Le Cam, "
                            "Assouad, Fano), in units of the sample mean's risk dσ²/n, against the cube's half-width "
                            "in standard errors; the top curve is the better of the sample mean and the estimate 0.",
                    try_this=TryThis(
                        "Which methods keep up with the dimension?",
                        [Move({"d": 1}, "in one dimension Le Cam's two-point bound is at its best", peak("Le Cam"),
                              "up"),
                         Move({"d": 1024}, "at d = 1024 Le Cam's bound has fallen by three orders of magnitude",
                              peak("Le Cam"), "down"),
                         Move({"d": 1}, "back at d = 1, the van Trees curve has not moved: per dσ²/n it does not "
                              "depend on d", peak("van Trees"), "same")],
                        why="Le Cam tests two points and loses a factor d; van Trees and Assouad work coordinate by "
                            "coordinate and keep the rate dσ²/n."))


def page_numbers() -> dict:
    r"""The numbers the page's prose shows: the wide-cube constants and a small-cube comparison at d = 64.

    Returns
    -------
    dict
        Fractions of :math:`d\sigma^2/n`: ``le_cam`` (:math:`\max_c 2c^2\Phi(-c)`), ``assouad``
        (:math:`\max_c c^2\Phi(-c)`), ``fano_64`` (Fano at d = 64) and ``fano_limit`` (:math:`\ln 2/128`, its
        large-d limit), all for a wide cube; ``small_van_trees`` and ``small_assouad`` at :math:`\rho = 0.5`,
        d = 64; ``bayes_two_point`` (the two-point prior's Bayes risk at :math:`\delta = 1`) and ``le_cam_at_one``
        (:math:`1 - \mathrm{TV}` at :math:`\delta = 1`), with :math:`n = \sigma = 1`.
    """
    small = mm.lower_bound_ratios(64, [0.5])
    return {
        "le_cam": mm.le_cam_constant(),
        "assouad": mm.assouad_bound(1, 1, 1.0),
        "fano_64": mm.fano_bound(64, 1, 1.0) / 64,
        "fano_limit": math.log(2) / 128,
        "small_van_trees": float(small["van Trees"][0]), "small_assouad": float(small["Assouad"][0]),
        "bayes_two_point": mm.two_point_bayes_risk(1.0),
        "le_cam_at_one": 1.0 * (1 - mm.two_point_tv(1.0)),
    }
