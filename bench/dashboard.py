#!/usr/bin/env python3
"""Times `hpo dashboard` beside optuna-dashboard on the same SQLite files.

For each study size (default 1000, 10000 and 100000 trials) this script writes an SQLite file
with hpo (`cargo run --release -p hpo-dashboard --example bench_study`), serves it with both
dashboards, and measures:

* in headless Chromium (through chromedriver, spoken to directly over WebDriver's HTTP
  protocol): the study page from navigation until it is complete, cold (first visit after
  the server started) and warm (the median of three reloads), and the bytes transferred
  (the Performance API's transferSize of the page and every resource it fetched).
  hpo's page is complete when every figure has loaded (the page sets a `hpo-figures-ready`
  performance mark); optuna-dashboard's when its study request (`/api/studies/ID?after=0`)
  has finished and its first plotly figure is on the page.
* over plain HTTP: optuna-dashboard's study request (what its page waits for), cold and warm,
  with its size, and hpo's study page plus every figure and the table fetched one after
  another, with their total size.
* hpo's page with every figure drawn anew (settings not asked before, so nothing comes from its
  figure cache): what a page costs while the study changes.
* each server's resident memory after the loads.

Usage (from the repository root, after `cargo build --release -p hpo-cli` and
`cargo build --release -p hpo-dashboard --examples`):

    .venv/bin/python bench/dashboard.py [--sizes 1000,10000,100000] [--out bench/results/dashboard.json]

Needs chromium and chromedriver on PATH and optuna-dashboard 0.21 in the Python running it.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HPO = os.path.join(ROOT, "target", "release", "hpo")
GEN = os.path.join(ROOT, "target", "release", "examples", "bench_study")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def http_get(url, timeout=600):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body = r.read()
    return time.perf_counter() - start, len(body), body


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class WebDriver:
    """Just enough of the W3C WebDriver protocol: a session, navigation, scripts."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [shutil.which("chromedriver"), f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_listening(self.port, self.proc)
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": shutil.which("chromium"),
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                                 "--disable-dev-shm-usage", "--window-size=1400,1000"],
                    },
                    "timeouts": {"pageLoad": 600000, "script": 600000},
                }
            }
        }
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=900) as r:
            return json.loads(r.read())["value"]

    def goto(self, url):
        self.call("POST", f"/session/{self.session}/url", {"url": url})

    def run(self, script, *args):
        return self.call("POST", f"/session/{self.session}/execute/sync",
                         {"script": script, "args": list(args)})

    def wait(self, script, timeout=900):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = self.run(script)
            if v:
                return v
            time.sleep(0.02)
        raise RuntimeError(f"timed out waiting for: {script}")

    def close(self):
        try:
            self.call("DELETE", f"/session/{self.session}")
        finally:
            self.proc.kill()


# Bytes the page and everything it fetched took on the wire (0 for what came from the cache).
TRANSFER = """
const nav = performance.getEntriesByType('navigation')[0];
let bytes = nav ? nav.transferSize : 0;
for (const e of performance.getEntriesByType('resource')) bytes += e.transferSize;
return bytes;
"""

HPO_READY = """
const m = performance.getEntriesByName('hpo-figures-ready');
return m.length ? m[0].startTime : null;
"""

OPTUNA_READY = """
const api = performance.getEntriesByType('resource')
  .find(e => /\\/api\\/studies\\/\\d+\\?after=0/.test(e.name) && e.responseEnd > 0);
const plots = document.querySelectorAll('.js-plotly-plot').length;
return (api && plots > 0) ? Math.max(api.responseEnd, performance.now()) : null;
"""


def browser_times(driver, url, ready, reloads=3):
    """A cold load, then `reloads` more: cold ms, median warm ms, cold and warm bytes."""
    loads = []
    for _ in range(1 + reloads):
        driver.goto("about:blank")
        driver.goto(url)
        ms = driver.wait(ready)
        loads.append((ms, driver.run(TRANSFER)))
    warm = loads[1:]
    return {
        "loads_ms": [ms for ms, _ in loads],
        "cold_ms": loads[0][0],
        "warm_ms": statistics.median(ms for ms, _ in warm),
        "cold_bytes": loads[0][1],
        "warm_bytes": statistics.median(b for _, b in warm),
    }


def measure(size, workdir, driver, earlier=None):
    path = os.path.join(workdir, f"study-{size}.db")
    if not os.path.exists(path):
        subprocess.run([GEN, str(size), path], check=True)
    url = f"sqlite:///{path}"
    out = {"trials": size, "file_mib": os.path.getsize(path) / 2**20}
    if earlier is not None:
        # optuna-dashboard's side from an earlier run on the same file (it takes minutes).
        out.update({k: v for k, v in earlier.items() if k.startswith("optuna")})
    else:
        measure_optuna(url, out, driver)
    measure_hpo(url, out, driver)
    return out


def measure_optuna(url, out, driver):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from optuna_dashboard._cli import main; sys.exit(main())",
         url, "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(port, proc)
        base = f"http://127.0.0.1:{port}"
        studies = json.loads(http_get(f"{base}/api/studies")[2])
        sid = studies["study_summaries"][0]["study_id"]
        cold = http_get(f"{base}/api/studies/{sid}?after=0")
        warm = http_get(f"{base}/api/studies/{sid}?after=0")
        out["optuna_api"] = {"cold_ms": cold[0] * 1e3, "warm_ms": warm[0] * 1e3,
                             "bytes": warm[1]}
        # A fresh server for the browser's cold load.
        proc.kill()
        proc.wait()
        proc = subprocess.Popen(proc.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_listening(port, proc)
        # At 100 000 trials one load takes minutes: one warm reload then.
        out["optuna_browser"] = browser_times(
            driver, f"{base}/dashboard/studies/{sid}", OPTUNA_READY,
            reloads=1 if out["trials"] >= 50000 else 3)
        out["optuna_rss_mib"] = rss_mib(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def measure_hpo(url, out, driver):
    port = free_port()
    proc = subprocess.Popen([HPO, "dashboard", url, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, proc)
        base = f"http://127.0.0.1:{port}"
        out["hpo_browser"] = browser_times(driver, f"{base}/studies/1", HPO_READY)
        # What a study that changes costs: every figure drawn anew (settings not seen before,
        # so none comes from the figure cache; the storage's trials are already read).
        redraws = []
        for i, settings in enumerate(["pruned=1", "log=1", "pruned=1&log=1"]):
            driver.goto("about:blank")
            driver.goto(f"{base}/studies/1?{settings}")
            redraws.append(driver.wait(HPO_READY))
        out["hpo_browser"]["redraw_ms"] = statistics.median(redraws)
        # Over plain HTTP: the page, then each figure and the table, one after another.
        t, n, page = http_get(f"{base}/studies/1")
        total_ms, total_bytes = t * 1e3, n
        parts = {}
        for ref in page.decode().split('data-live="')[1:]:
            path = ref.split('"', 1)[0].replace("&amp;", "&")
            t, n, _ = http_get(base + path)
            parts[path] = {"ms": t * 1e3, "bytes": n}
            total_ms += t * 1e3
            total_bytes += n
        out["hpo_http"] = {"sequential_ms": total_ms, "bytes": total_bytes, "parts": parts}
        out["hpo_rss_mib"] = rss_mib(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "dashboard.json"))
    ap.add_argument("--workdir", default=None, help="where the SQLite files go (kept)")
    ap.add_argument("--reuse-optuna", default=None, metavar="JSON",
                    help="take optuna-dashboard's numbers from an earlier run's JSON (same files)")
    args = ap.parse_args()
    earlier = {}
    if args.reuse_optuna:
        with open(args.reuse_optuna) as f:
            earlier = {r["trials"]: r for r in json.load(f)["results"]}
    for exe in (HPO, GEN):
        if not os.path.exists(exe):
            sys.exit(f"{exe} is missing: cargo build --release -p hpo-cli; "
                     "cargo build --release -p hpo-dashboard --examples")
    load_before = os.getloadavg()
    workdir = args.workdir or tempfile.mkdtemp(prefix="hpo-dashboard-bench-")
    os.makedirs(workdir, exist_ok=True)
    driver = WebDriver()
    results = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            r = measure(size, workdir, driver, earlier.get(size) if args.reuse_optuna else None)
            print(json.dumps(r), flush=True)
            results.append(r)
    finally:
        driver.close()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    env = {"cpus": os.cpu_count(), "load_before": load_before, "load_after": os.getloadavg(),
           "optuna_numbers_from": args.reuse_optuna or "this run"}
    try:
        import optuna_dashboard
        env["optuna_dashboard"] = optuna_dashboard.__version__
    except Exception:  # noqa: BLE001 - the version is a note, not a requirement
        pass
    with open(args.out, "w") as f:
        json.dump({"env": env, "results": results}, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
