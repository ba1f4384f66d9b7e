r"""Gauss–Legendre nodes and weights, computed once per order (the Bayes risks and the nested quantiser reuse them).

The primer's exact integrals (:mod:`lib.infotheory.vantrees`, :mod:`lib.infotheory.wynerziv`) call
:func:`numpy.polynomial.legendre.leggauss` at fixed orders thousands of times per figure; its eigenvalue solve
and Newton polish cost more than the integrals themselves, so the rule is cached here.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from lib.checks import count

__all__ = ["gauss_legendre"]


def gauss_legendre(nodes):
    r"""The Gauss–Legendre rule of order ``nodes`` on :math:`[-1, 1]`, cached and read-only.

    Parameters
    ----------
    nodes : int
        Number of nodes (>= 1).

    Returns
    -------
    tuple of ndarray
        ``(x, w)`` with :math:`\int_{-1}^1 f(x)\,dx \approx \sum_i w_i f(x_i)`, exact for polynomials of degree
        at most :math:`2\,\text{nodes} - 1`; the same arrays as :func:`numpy.polynomial.legendre.leggauss`.

    Examples
    --------
    >>> x, w = gauss_legendre(3)
    >>> round(float(w @ x**4), 12)
    0.4
    """
    return _rule(count(nodes, "nodes"))


@lru_cache(maxsize=32)
def _rule(nodes: int):
    x, w = np.polynomial.legendre.leggauss(nodes)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w
