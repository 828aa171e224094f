"""How long after a database outage does `make run` do background work again?

Against a running `make run` (embedded PostgreSQL under var/pgdata, worker in-process): stop
PostgreSQL (pg_ctl, fast mode: every connection is cut), keep it down OUTAGE seconds, start it
again, then measure from that moment until
  - /api/health answers 200,
  - the in-process worker reports `running` (its supervisor restarted it),
  - a job queued after the restart has run (a sign-up's verification mail is `sent`).
No restart of the service. Usage (as root, the embedded server runs as user `pgserver`):

    make run PORT=8091 &   # then
    .venv/bin/python bench/worker_outage.py --url http://127.0.0.1:8091 --outage 10
"""

from __future__ import annotations

import argparse
import subprocess
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PGDATA = ROOT / "var" / "pgdata"
PG_CTL = next((ROOT / ".venv").glob("lib/python*/site-packages/pgserver/pginstall/bin/pg_ctl"))


def pg_ctl(*args: str) -> None:
    command = [str(PG_CTL), "-D", str(PGDATA), *args]
    subprocess.run(["su", "pgserver", "-s", "/bin/sh", "-c", " ".join(command)], check=True)


def until(check, timeout: float = 60) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit("timed out")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8091")
    parser.add_argument("--outage", type=float, default=10)
    args = parser.parse_args()
    http = httpx.Client(base_url=args.url, timeout=5)
    assert http.get("/api/health").status_code == 200

    pg_ctl("stop", "-m", "fast")
    down_at = time.monotonic()
    time.sleep(args.outage)
    health = http.get("/api/health")
    worker = http.get("/api/health/live")
    print(
        f"during the outage: /api/health {health.status_code}, /api/health/live {worker.status_code}"
    )
    pg_ctl("start", "-w", "-l", str(PGDATA / "restart.log"), "-o", f"\"-h '' -k {PGDATA}\"")
    back_at = time.monotonic()
    print(f"database down for {back_at - down_at:.1f} s")

    healthy = until(lambda: http.get("/api/health").status_code == 200)
    print(f"/api/health 200 after {healthy:.2f} s")
    running = until(
        lambda: http.get("/api/health").json()["data"]["inProcessWorker"]["status"] == "running"
    )
    print(f"worker running again after {running:.2f} s")
    email = f"outage-{uuid.uuid4().hex[:8]}@example.com"
    queued_at = time.monotonic()
    http.post(
        "/api/auth/register",
        json={"name": "Outage Check", "email": email, "password": "a long passphrase"},
    ).raise_for_status()

    def mail_sent() -> bool:
        mails = http.get("/dev/mailbox.json", params={"to": email}).json()["data"]
        return bool(mails) and mails[0]["status"] == "sent"

    until(mail_sent)
    done = time.monotonic()
    print(
        f"a job queued then ran {done - queued_at:.2f} s later, {done - back_at:.2f} s after the database came back"
    )


if __name__ == "__main__":
    main()
