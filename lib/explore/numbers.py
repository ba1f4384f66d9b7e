"""Numbers a page's prose shows: one call per hidden cell, ``{glue:text}`` in the text.

A page computes its numbers through its view and hands them over in one hidden cell (``:tags: [remove-cell]``)::

    numbers("achievability", v_level=v, clip_p=p)

after which the prose reads ``{glue:text}`achievability-v-level:.2f```. Keys become glue names as
``<page>-<key with hyphens>``, so a number's name says which page defined it.
"""
from __future__ import annotations

import numbers as _numbers

import numpy as np

__all__ = ["numbers", "glue_name"]


def glue_name(page: str, key: str) -> str:
    """The glue name of ``key`` on ``page``: ``glue_name("regime-map", "d_over_B")`` is ``"regime-map-d-over-B"``."""
    return f"{page}-{key.replace('_', '-')}"


def numbers(page: str, **values) -> dict:
    """Glue every value under :func:`glue_name` (no output), and return ``{glue name: value}``.

    Parameters
    ----------
    page : str
        The page's label prefix, e.g. ``"achievability"``.
    **values
        The numbers (Python or numpy scalars become floats or ints) or short strings.

    Returns
    -------
    dict
        The names glued and their values, so a test can check them.
    """
    from myst_nb import glue

    glued = {}
    for key, value in values.items():
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, (_numbers.Number, str)) or isinstance(value, bool):
            raise TypeError(f"`{key}` must be a number or a string to show in the prose, got {value!r}")
        name = glue_name(page, key)
        glue(name, value, display=False)
        glued[name] = value
    return glued
