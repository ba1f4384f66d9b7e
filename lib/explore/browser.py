"""The Python side of live explorers in the reader's browser (Pyodide in a web worker, ``worker.js``).

An explorer is found again in the browser from where it was made, not from a list of modules: when a factory
function (``explorers.gaussian_kl()``, ``views.window_theorem(C=…, alpha=…)``) builds an :class:`Explorer`, the
explorer records the factory's importable module, qualified name and the factory's arguments
(:func:`factory_source`). The static page embeds that record; the worker calls :func:`live_view` with it, which
imports the module, calls the factory with the same arguments and then ``explorer.view(**values)``: the same
code a kernel runs, so nothing is computed in JavaScript. An explorer made at module level is found by its name
among the module's globals.

Example
-------
>>> import json
>>> from lib.explore import Explorer, Param, Trace, View
>>> def make(scale=2.0):
...     return Explorer("doc-browser", [Param("a", 0.0, 1.0, 0.5)],
...                     lambda a: View([Trace("line", [0, 1], [0, scale * a])]))
>>> make().source   # a function defined in a doctest cannot be imported again
{'reason': 'its factory lib.explore.browser.make cannot be imported again'}
"""
from __future__ import annotations

import importlib
import inspect
import json
import math
import time
from pathlib import Path

import numpy as np

from .figure import trace_data
from .live import live_y_range
from .spec import Param, View

__all__ = ["factory_source", "locate", "live_view", "nearest_declared"]

_HERE = Path(__file__).resolve().parent
_FOUND: dict = {}
_SCALARS = (bool, int, float, str, type(None))


def _plain(value):
    """``value`` as a JSON-ready scalar or list of scalars, or raise ``TypeError``."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise TypeError("a non-finite number")
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    raise TypeError(type(value).__name__)


def _resolve(module: str, qualname: str):
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def factory_source(name: str) -> dict:
    """Where the explorer ``name`` being made right now can be made again: ``{"module", "factory", "args"}``.

    Walks up the call stack to the first frame outside :mod:`lib.explore`. If that is a module-level
    statement, the record is ``{"module", "name"}``. If the factory cannot be imported back (a nested function)
    or an argument is not a plain number, string or list, the record is ``{"reason": …}``: that explorer stays
    on its precomputed states in the browser.

    Returns
    -------
    dict
        The record embedded in the static page.
    """
    frame = inspect.currentframe().f_back
    while frame is not None and (Path(frame.f_code.co_filename).resolve().parent == _HERE
                                 or (frame.f_code.co_filename == "<string>" and frame.f_code.co_name == "__init__")):
        frame = frame.f_back  # this package's frames and the dataclass __init__ of Explorer
    if frame is None:
        return {"reason": "made outside any module"}
    module = frame.f_globals.get("__name__", "")
    code = frame.f_code
    if code.co_name == "<module>":
        return {"module": module, "name": name}
    try:
        factory = _resolve(module, code.co_qualname)
    except (AttributeError, ImportError, ValueError):
        factory = None
    if getattr(factory, "__code__", None) is not code:
        return {"reason": f"its factory {module}.{code.co_qualname} cannot be imported again"}
    info = inspect.getargvalues(frame)
    names = [*info.args, *([info.varargs] if info.varargs else []), *([info.keywords] if info.keywords else [])]
    if info.varargs or info.keywords:
        return {"reason": f"its factory {module}.{code.co_qualname} takes *args or **kwargs"}
    try:
        args = {n: _plain(info.locals[n]) for n in names}
    except TypeError as err:
        return {"reason": f"an argument of {module}.{code.co_qualname} is not a plain value ({err})"}
    return {"module": module, "factory": code.co_qualname, "args": args}


def locate(source: dict):
    """The explorer that ``source`` (a :func:`factory_source` record) describes, made once and kept."""
    key = json.dumps(source, sort_keys=True)
    if key not in _FOUND:
        if "reason" in source:
            raise ValueError(f"this explorer cannot run live: {source['reason']}")
        if "factory" in source:
            explorer = _resolve(source["module"], source["factory"])(**source["args"])
        else:
            from .explorer import Explorer

            found = [v for v in vars(importlib.import_module(source["module"])).values()
                     if isinstance(v, Explorer) and v.name == source["name"]]
            if not found:
                raise LookupError(f"module {source['module']} has no explorer `{source['name']}`")
            explorer = found[0]
        _FOUND[key] = explorer
    return _FOUND[key]


def nearest_declared(explorer, values: dict) -> dict:
    """``values`` with every parameter that declares explicit ``values`` moved to the nearest of them (on a log
    scale for a log parameter)."""
    out = dict(values)
    for p in explorer.params:
        if isinstance(p, Param) and p.values is not None:
            grid = np.asarray(p.grid(), dtype=float)
            scale = np.log if p.log else (lambda a: a)
            out[p.name] = p.check(grid[int(np.argmin(np.abs(scale(grid) - scale(float(values[p.name])))))])
    return out


def live_view(request: str) -> str:
    """Compute one live state: the JSON ``request`` in, the JSON traces, note and y range out.

    ``request`` holds ``source`` (the page's record), ``values`` (slider values), ``seed`` (or null) and
    ``y_range`` (the range shown now, or null). The traces carry full double precision (the static states are
    rounded to 5 digits); the y range only widens, as in a kernel (:func:`lib.explore.live.live_y_range`).

    Returns
    -------
    str
        JSON ``{"traces": [{x, y, z?, error_y?}], "note", "y_range", "values", "ms"}``.
    """
    start = time.perf_counter()
    req = json.loads(request)
    explorer = locate(req["source"])
    values = {p.name: p.check(req["values"].get(p.name, p.default)) for p in explorer.params}
    try:
        view = explorer.view(seed=req.get("seed"), **values)
    except (IndexError, KeyError, LookupError) as err:  # a compute that exists only on its declared values
        snapped = nearest_declared(explorer, values)
        if snapped == values:
            raise
        view = explorer.view(seed=req.get("seed"), **snapped)
        moved = ", ".join(f"{k} = {values[k]:g}" for k in values if snapped[k] != values[k])
        view = View(view.traces, note=f"[no state at {moved} ({type(err).__name__}): showing the nearest declared "
                                      f"value] " + view.note)
        values = snapped
    y_range = live_y_range(explorer, req.get("y_range"), view)
    out = {"traces": [trace_data(t, digits=17) for t in view.traces], "note": view.note, "y_range": y_range,
           "values": values,
           "ms": 1000 * (time.perf_counter() - start)}
    return json.dumps(out, allow_nan=False)
