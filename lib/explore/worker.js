/* The page's web worker for live explorers: Pyodide (site copy under live/pyodide/), numpy, scipy and the
 * book's lib wheel, all from this site. It only relays: every number is computed by lib.explore.browser.
 * Messages in:  {type: "compute", id, request}   (request: JSON text for lib.explore.browser.live_view)
 * Messages out: {type: "progress", stage, fraction} ... {type: "ready", ms, bytes}
 *               {type: "result", id, result} | {type: "error", id, message} | {type: "failed", message}
 * Served from the site as live/worker.js (html_extra_path, by _ext/book_sphinx.py). */
"use strict";
var base = new URL("./", self.location.href).href;
var started = performance.now();
var pending = [];
var bridge = null;

function progress(stage, fraction) { self.postMessage({type: "progress", stage: stage, fraction: fraction}); }

function transferred() {
  return performance.getEntriesByType("resource").reduce(function (n, e) { return n + (e.transferSize || 0); }, 0);
}

async function start() {
  progress("manifest", 0.02);
  var manifest = await (await fetch(base + "manifest.json", {cache: "no-cache"})).json();
  progress("Python runtime (WebAssembly, ≈ 14 MB)", 0.05);
  importScripts(base + "pyodide/pyodide.js");
  var pyodide = await self.loadPyodide({indexURL: base + "pyodide/"});
  progress("numpy and scipy (≈ 23 MB)", 0.4);
  await pyodide.loadPackage(manifest.packages, {messageCallback: function () {}});
  progress("the book's library", 0.8);
  await pyodide.loadPackage(base + manifest.wheel, {messageCallback: function () {}});
  var data = await (await fetch(base + manifest.data)).arrayBuffer();
  pyodide.runPython("import pathlib, lib; DATA_ROOT = str(pathlib.Path(lib.__file__).resolve().parents[1])");
  pyodide.unpackArchive(data, "zip", {extractDir: pyodide.globals.get("DATA_ROOT")});
  progress("importing scipy.stats", 0.9);
  pyodide.runPython("import scipy.stats, lib.explore.browser");
  bridge = pyodide.pyimport("lib.explore.browser").live_view;
  self.postMessage({type: "ready", ms: performance.now() - started, bytes: transferred()});
  pending.splice(0).forEach(compute);
}

function compute(msg) {
  try {
    self.postMessage({type: "result", id: msg.id, result: bridge(msg.request)});
  } catch (err) {
    var text = String(err && err.message || err);
    var lines = text.trim().split("\n");
    self.postMessage({type: "error", id: msg.id, message: lines[lines.length - 1]});
  }
}

self.onmessage = function (event) {
  var msg = event.data;
  if (msg.type !== "compute") return;
  if (bridge) compute(msg); else pending.push(msg);
};

start().catch(function (err) {
  self.postMessage({type: "failed", message: "could not start Python: " + String(err && err.message || err)});
});
