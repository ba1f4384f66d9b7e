/* The library's unit tests under Node and the site's own Pyodide runtime (numpy 2.0.2, scipy 1.14.1), in one
 * process: a difference between the browser's numpy/scipy and the native pins fails `make test`, not a reader's
 * page. Usage: node run_unit_tests.js RUNTIME_DIR TEST_WHEELS_DIR REPO_DIR [pytest args...]
 * The repository is mounted read-only in spirit: no bytecode, no pytest cache is written into it. */
"use strict";
const fs = require("fs");
const path = require("path");

async function main() {
  const [runtime, wheels, repo] = process.argv.slice(2, 5).map((p) => path.resolve(p));
  const args = process.argv.slice(5);
  const { loadPyodide } = require(path.join(runtime, "pyodide.js"));
  const started = Date.now();
  const py = await loadPyodide({ indexURL: runtime + path.sep, packageCacheDir: runtime + path.sep });
  const verified = JSON.parse(fs.readFileSync(path.join(runtime, "VERIFIED.json"), "utf8"));
  await py.loadPackage(verified.packages, { messageCallback: () => {} });  // every package the runtime verified
  const site = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  for (const name of fs.readdirSync(wheels).filter((n) => n.endsWith(".whl"))) {
    py.unpackArchive(new Uint8Array(fs.readFileSync(path.join(wheels, name))), "wheel", { extractDir: site });
  }
  py.FS.mkdirTree("/repo");
  py.FS.mount(py.FS.filesystems.NODEFS, { root: repo }, "/repo");
  console.log(`pyodide ${py.version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  py.globals.set("pytest_args", py.toPy(args));
  const rc = py.runPython(`
import os, sys
sys.dont_write_bytecode = True
os.chdir("/repo")
sys.path.insert(0, "/repo")
import numpy, scipy, pytest
print(f"numpy {numpy.__version__}, scipy {scipy.__version__}, python {sys.version.split()[0]}", flush=True)
int(pytest.main(["-p", "no:cacheprovider", "--noconftest", *pytest_args]))
`);
  process.exit(rc);
}

main().catch((err) => { console.error(err); process.exit(2); });
