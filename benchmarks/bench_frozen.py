"""The packaged app against the source install: build time, size, start-up to window shown.

    .venv/bin/python benchmarks/bench_frozen.py [--runs 7] [--dist benchmarks/out/frozen/dist/lectern]

Builds dist/lectern with build.spec into benchmarks/out/frozen/ (unless --dist names
an existing build), then starts each variant RUNS times on a private Xvfb display
and times spawn -> the main window is mapped (an X MapNotify event, watched with
`xev`). Each variant gets its own temp data
dir; its first start (no manifest yet: it scans the bundled content) is reported
apart from the warm starts. Also times `lectern --version` (the CLI's start-up) and
a whole `lectern self-test`. Needs Xvfb, xev and xdotool (apt-get install xvfb
x11-utils xdotool).
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out" / "frozen"
SHOWN_TIMEOUT_S = 30
TARGET_S = 0.6


def build(out: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
         "--distpath", str(out / "dist"), "--workpath", str(out / "work"), str(REPO / "build.spec")],
        check=True,
    )
    return out / "dist" / "lectern", time.perf_counter() - started


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


class Xvfb:
    """A private X server, and `xev` reporting every top-level window it maps.

    Event-driven rather than polled: a poller would steal CPU from the app being
    timed, and a burst of short-lived X connections can fill the server's accept
    queue so that the app itself fails to connect. On this private server the only
    client that maps a window is the app under test, so its first MapNotify is the
    moment the main window is shown.
    """

    def __init__(self) -> None:
        self.display = next(f":{n}" for n in range(91, 200) if not Path(f"/tmp/.X{n}-lock").exists())
        self.server = subprocess.Popen(
            ["Xvfb", self.display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["xdotool", "getdisplaygeometry"], env=self.env, capture_output=True).returncode:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb {self.display} did not start")
            time.sleep(0.05)
        self.maps: queue.Queue[float] = queue.Queue()
        self.xev = subprocess.Popen(
            ["xev", "-root", "-event", "substructure"], env=self.env, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        threading.Thread(target=self._read_events, daemon=True).start()

    @property
    def env(self) -> dict:
        return dict(os.environ, DISPLAY=self.display)

    def _read_events(self) -> None:
        for line in self.xev.stdout:
            if line.startswith("MapNotify"):
                self.maps.put(time.perf_counter())

    def wait_for_map(self, app: subprocess.Popen, since: float) -> float:
        """Seconds from ``since`` to the first window mapped after it."""
        deadline = since + SHOWN_TIMEOUT_S
        while time.perf_counter() < deadline:
            try:
                mapped = self.maps.get(timeout=0.05)
            except queue.Empty:
                if app.poll() is not None:
                    raise RuntimeError(f"{app.args[0]} exited with {app.returncode} before showing a window")
                continue
            if mapped >= since:
                return mapped - since
        raise RuntimeError(f"{app.args[0]}: no window after {SHOWN_TIMEOUT_S} s")

    def close(self) -> None:
        for process in (self.xev, self.server):
            process.terminate()
            process.wait(timeout=10)


def time_to_window(x: Xvfb, command: list[str], env: dict) -> float:
    """Seconds from spawn until the app's window is mapped; the app is then terminated."""
    started = time.perf_counter()
    app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return x.wait_for_map(app, started)
    finally:
        app.terminate()
        app.wait(timeout=30)


def time_command(command: list[str], env: dict, failures: list[str]) -> float:
    """Wall time of a command; a non-zero exit is noted in ``failures`` (its time still counts)."""
    started = time.perf_counter()
    result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if result.returncode:
        failures.append(f"{' '.join(command[-1:])} exited {result.returncode}")
    return time.perf_counter() - started


def bare_env(home: Path, display: str | None = None) -> dict:
    """What a user's desktop session gives a program: a locale, a HOME, maybe a DISPLAY."""
    env = {"LANG": "C.UTF-8", "HOME": str(home), "PATH": "/usr/bin:/bin"}
    if display:
        env["DISPLAY"] = display
    return env


def describe(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:6.0f} ms  (min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dist", type=Path, help="an existing dist/lectern folder (skips the build)")
    args = parser.parse_args()
    for tool in ("Xvfb", "xev", "xdotool"):
        if shutil.which(tool) is None:
            sys.exit(f"bench_frozen: needs {tool} (apt-get install xvfb x11-utils xdotool)")

    dist, build_s = (args.dist, None) if args.dist else build(OUT)
    variants = {
        "frozen (dist/lectern/lectern)": [str(dist / "lectern")],
        "unfrozen (.venv/bin/lectern)": [str(Path(sys.executable).parent / "lectern")],
    }
    rows: list[tuple[str, str]] = []
    if build_s is not None:
        rows.append(("build (pyinstaller build.spec)", f"{build_s:6.1f} s"))
    rows.append(("one-folder size", f"{folder_mb(dist):6.1f} MB (budget 150 MB)"))

    x = Xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="lectern-bench-") as tmp:
            for name, command in variants.items():
                home = Path(tmp) / name.split()[0]
                home.mkdir()
                env = bare_env(home, x.display)
                launch = command + ["--data-dir", str(home / "data")]
                rows.append((f"{name}: first start to window", describe([time_to_window(x, launch, env)])))
                warm = [time_to_window(x, launch, env) for _ in range(args.runs)]
                rows.append((f"{name}: start to window shown", describe(warm)))
                failed: list[str] = []
                version = [time_command(command + ["--version"], env, failed) for _ in range(args.runs)]
                rows.append((f"{name}: lectern --version", describe(version)))
                selftest = [time_command(command + ["self-test"], bare_env(home), failed) for _ in range(3)]
                note = f"  FAILED: {failed[0]}" if failed else ""
                rows.append((f"{name}: lectern self-test (offscreen)", describe(selftest) + note))
    finally:
        x.close()

    width = max(len(label) for label, _ in rows)
    print(f"{'measurement':<{width}}  median")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"target: start to window shown <= {TARGET_S * 1000:.0f} ms (frozen, bundled content)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
