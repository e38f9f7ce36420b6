"""`./dev up` and `./dev test`: see the README."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from faceclock_dev.stack import Stack, stack_from_environment
from faceclock_dev.supervisor import Supervisor
from faceclock_dev.testing import REPO_ROOT


def _announce_when_ready(stack: Stack, stop: threading.Event) -> None:
    """Polls every service's /readyz and says once, plainly, that the system is up."""
    status_url = f"http://127.0.0.1:{stack.ports.gateway}/api/v1/status"
    deadline = time.monotonic() + 300
    last: dict[str, str] = {}
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            reply = httpx.get(status_url, timeout=3)
            last = reply.json().get("services", {})
            if reply.status_code == 200:
                base = f"http://127.0.0.1:{stack.ports.gateway}"
                sys.stdout.write(
                    "\n" + "=" * 72 + f"\n FaceClock is ready: {base}\n"
                    " Sign in as admin / admin12345 (development only).\n"
                    f" Services: {', '.join(f'{k} {v}' for k, v in sorted(last.items()))}\n"
                    f" E-mail goes to {stack.var_dir / 'mail'} (.eml files). Ctrl-C stops everything.\n"
                    + "=" * 72 + "\n")
                sys.stdout.flush()
                return
        except (httpx.HTTPError, ValueError):
            pass
        stop.wait(1.0)
    if not stop.is_set():
        sys.stdout.write(f"\nFaceClock did not become ready in time; last status: {last}\n")


def up() -> int:
    stack = stack_from_environment(Path(os.environ.get("FACECLOCK_VAR_DIR") or REPO_ROOT / "var"))
    database = ("MySQL " + (stack.mysql_url or "") if stack.mysql_url
                else f"SQLite files in {stack.var_dir}")
    broker = "Redis" if stack.redis_url else "the embedded SQLite broker"
    print(f"==> starting FaceClock: databases: {database}; Celery broker: {broker}", flush=True)
    stack.create_mysql_databases()
    supervisor = Supervisor(stack.processes(), cwd=REPO_ROOT, base_env=os.environ)
    stop = threading.Event()
    announcer = threading.Thread(target=_announce_when_ready, args=(stack, stop), daemon=True)
    returncode = supervisor.run(on_started=announcer.start)
    stop.set()
    return returncode


BROWSER_PACKAGES = {
    "chromium": Path("/usr/bin/chromium"),
    # Without a CJK font the Chinese pages render as empty boxes in screenshots.
    "fonts-noto-cjk": Path("/usr/share/fonts/opentype/noto"),
}


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it (and a CJK font) once where we may."""
    missing = [name for name, marker in BROWSER_PACKAGES.items() if not marker.exists()]
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"==> installing {', '.join(missing)} for the browser tests (first run only)", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        print(f"Missing for the browser tests: run `sudo apt-get install {' '.join(missing)}`.")


def test(pytest_args: list[str]) -> int:
    ensure_chromium()
    env = dict(os.environ)
    env.setdefault("FACECLOCK_SHARED_DIR", str(REPO_ROOT.parent / "shared"))
    command = [sys.executable, "-m", "pytest", *pytest_args]
    return subprocess.call(command, cwd=REPO_ROOT, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(prog="./dev", description="FaceClock developer commands")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start the whole system as local processes")
    sub.add_parser("test", help="run the test suite (extra arguments go to pytest)",
                   add_help=False)
    args, rest = parser.parse_known_args()
    if args.command == "up":
        sys.exit(up())
    sys.exit(test(rest))


if __name__ == "__main__":
    main()
