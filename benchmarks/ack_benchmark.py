"""How fast Idea Coach acks a burst while Slack's Web API is slow, next to a bare Bolt app that only acks.

    uv run python -m benchmarks.ack_benchmark [--delay 0.5] [--seconds 10] [--command-rate 40]
                                              [--submission-rate 10] [--rounds 1] [--port 19600]

Starts, side by side: a fake Web API answering every call after --delay seconds (default 500 ms);
Idea Coach in HTTP mode (`python -m bot.cli serve --http`: gunicorn 1 worker x 8 threads, on a
throwaway SQLite file); and a bare Bolt app that only acks (benchmarks/bare_app.py, gunicorn 1 worker
x 8 threads, Bolt's defaults). One open-loop client sends signed requests at a fixed rate whatever
the answers do (as Slack does): `/idea` at --command-rate a second, then intake-modal submissions at
--submission-rate a second, --seconds each, alternating between the two apps round by round. After
each round it waits for the app's work after the ack (views.open, DMs, cards) to finish. The rounds
start once Idea Coach's scheduler has run its start-up sweep (15 s after start) and the digest it
catches up on has arrived, so no round pays for the digest or counts it as an intake card.

Printed per kind and app: ack p50/p99 and Idea Coach's over the bare app's; acks over 3 s and
requests with no answer within 10 s; for commands, the time from the command to views.open
arriving at the fake Slack (p50/p99, and how many took over 1.5 s or never came); for submissions,
how many intake cards arrived; CPU per request (user+system time of the app's processes over the
round, including its work after the ack, and the two apart). Then the peak RSS and PSS of every process
of each app (sampled every 0.2 s from /proc), and their sum.

Needs Linux (/proc). Ports --port (Idea Coach) and --port+1 (bare app) on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.config import load_strategy
from bot.scheduler import FIRST_SWEEP_DELAY
from bot.views.intake import intake_modal
from tests.support.driver import fill_state
from tests.support.fake_slack import TEAM_ID, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
PMO_CHANNEL = "CPMO00001"
ANSWERS = {
    "title": "Text members when a loan document is missing",
    "problem": "Loan files stall for days because members don't know a pay stub is missing.",
    "proposal": "Send an automatic text the moment the loan officer flags a missing document.",
    "beneficiaries": ["members"],
    "goals": ["loan-cycle-time"],
    "success_signal": "Median days waiting on documents drops from 4 to 1.",
    "help_offer": "yes",
}
TICK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


# --- the two servers and their processes ---------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    peak_rss: dict[int, int] = field(default_factory=dict)  # pid -> KiB
    peak_pss: dict[int, int] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)

    def pids(self) -> list[int]:
        """The server's process and every descendant (gunicorn's master and its workers)."""
        found, frontier = [self.process.pid], [self.process.pid]
        while frontier:
            parent = frontier.pop()
            try:
                children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
            except OSError:
                children = []
            found.extend(int(child) for child in children)
            frontier.extend(int(child) for child in children)
        return found

    def cpu_seconds(self) -> tuple[float, float]:
        """User and system CPU time of the server's live processes."""
        user = system = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            user, system = user + int(fields[11]), system + int(fields[12])  # utime, stime
        return user / TICK, system / TICK

    def sample_memory(self) -> None:
        for pid in self.pids():
            rss = pss = None
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Rss:"):
                        rss = int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss = int(line.split()[1])
            except OSError:
                continue
            if rss is None or pss is None:
                continue
            self.peak_rss[pid] = max(rss, self.peak_rss.get(pid, 0))
            self.peak_pss[pid] = max(pss, self.peak_pss.get(pid, 0))
            if pid not in self.labels:
                role = "master" if pid == self.process.pid else "child"
                self.labels[pid] = f"{role} {pid}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(name: str, argv: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = ROOT) -> Server:
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return Server(name, port, process)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    sys.exit(f"ack_benchmark: {name} did not start on port {port}; see {log}")


# --- the open-loop client ------------------------------------------------------------------------


@dataclass
class Sent:
    sent_at: float  # time.time() when the request went out
    ack_seconds: float | None = None  # None: no answer within the timeout
    status: int | None = None
    trigger_id: str = ""
    body: bytes = b""


def sign(body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body),
    }


def command_body(number: int, trigger_id: str) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "credit",
            "channel_id": "CGENERAL1",
            "channel_name": "general",
            "user_id": f"UBENCH{number % 50:04d}",
            "user_name": "bench",
            "command": "/idea",
            "text": f"Idea number {number}",
            "api_app_id": "A0IDEACOACH",
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.invalid/commands/{TEAM_ID}/{number}/x",
            "trigger_id": trigger_id,
        }
    )


def submission_body(number: int, trigger_id: str, view: dict) -> str:
    user = f"UBENCH{number % 50:04d}"
    submitted = dict(view, id=f"VBENCH{number:06d}", hash=f"h.{number}", team_id=TEAM_ID, app_id="A0IDEACOACH")
    submitted["state"] = {"values": fill_state(view, ANSWERS | {"title": f"Idea number {number}"})}
    submitted.setdefault("private_metadata", "")
    payload = {
        "type": "view_submission",
        "token": "legacy",
        "api_app_id": "A0IDEACOACH",
        "team": {"id": TEAM_ID, "domain": "credit"},
        "user": {"id": user, "username": "bench", "name": "bench", "team_id": TEAM_ID},
        "is_enterprise_install": False,
        "enterprise": None,
        "trigger_id": trigger_id,
        "view": submitted,
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})


def send(port: int, body: str, record: Sent, timeout: float) -> None:
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("POST", "/slack/events", body=body.encode(), headers=sign(body))
        response = connection.getresponse()
        record.body = response.read()
        record.status = response.status
        record.ack_seconds = time.perf_counter() - started
        connection.close()
    except OSError:
        record.ack_seconds = None


def open_loop(port: int, kind: str, rate: float, seconds: float, offset: int, view: dict, timeout: float):
    """Send `rate` requests a second for `seconds` at fixed times, each on its own thread. This process's
    garbage collector is off meanwhile: its full collections (about 0.1 s, this process also being the fake
    Slack) delayed sending and timing alike, and showed as one app's slow acks."""
    gc.collect()
    gc.disable()
    try:
        return _send_at_fixed_times(port, kind, rate, seconds, offset, view, timeout)
    finally:
        gc.enable()


def _send_at_fixed_times(port: int, kind: str, rate: float, seconds: float, offset: int, view: dict, timeout: float):
    total = int(rate * seconds)
    records, threads = [], []
    start = time.perf_counter()
    for index in range(total):
        number = offset + index
        trigger_id = f"{number}.{TEAM_ID}.bench{number:06d}"
        body = command_body(number, trigger_id) if kind == "command" else submission_body(number, trigger_id, view)
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        record = Sent(sent_at=time.time(), trigger_id=trigger_id)
        records.append(record)
        thread = threading.Thread(target=send, args=(port, body, record, timeout), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return records


# --- one round -------------------------------------------------------------------------------------


@dataclass
class Round:
    app: str
    kind: str
    records: list[Sent]
    cpu_user: float
    cpu_system: float
    opened_after: list[float | None] = field(default_factory=list)  # command -> views.open, per command
    cards: int = 0


def settle(fake: FakeSlack, quiet: float = 2.0, limit: float = 60.0) -> None:
    """Wait until the fake Slack has had no call for `quiet` seconds (the app's post-ack work is done)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        last = fake.arrivals[-1][0] if fake.arrivals else 0
        if time.time() - last > quiet + fake.answer_delay:
            return
        time.sleep(0.2)


def wait_for_digest(fake: FakeSlack, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if any(a[1] == "chat.postMessage" and a[2].get("channel") == PMO_CHANNEL for a in fake.arrivals):
            return
        time.sleep(0.2)
    raise SystemExit("Idea Coach's start-up digest never arrived at the fake Slack")


def run_round(server: Server, fake: FakeSlack, kind: str, args, offset: int, view: dict) -> Round:
    rate = args.command_rate if kind == "command" else args.submission_rate
    first_arrival = len(fake.arrivals)
    cpu_before = server.cpu_seconds()
    records = open_loop(server.port, kind, rate, args.seconds, offset, view, args.timeout)
    settle(fake)
    cpu_after = server.cpu_seconds()
    result = Round(server.name, kind, records, cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1])
    arrivals = fake.arrivals[first_arrival:]
    if kind == "command":
        opened = {a[2].get("trigger_id"): a[0] for a in arrivals if a[1] == "views.open"}
        result.opened_after = [opened[r.trigger_id] - r.sent_at if r.trigger_id in opened else None for r in records]
    else:
        result.cards = sum(1 for a in arrivals if a[1] == "chat.postMessage" and a[2].get("channel") == PMO_CHANNEL)
    return result


# --- report --------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def describe(rounds: list[Round], kind: str) -> list[str]:
    lines, p99s = [], {}
    for app in ("idea-coach", "bare"):
        mine = [r for r in rounds if r.app == app and r.kind == kind]
        records = [rec for r in mine for rec in r.records]
        acks = [rec.ack_seconds for rec in records if rec.ack_seconds is not None and rec.status == 200]
        unanswered = len(records) - len(acks)
        user = sum(r.cpu_user for r in mine) / max(len(records), 1)
        system = sum(r.cpu_system for r in mine) / max(len(records), 1)
        line = f"  {app:<10} {len(records)} sent; "
        if acks:
            p99s[app] = pct(acks, 99)
            line += f"ack p50 {ms(pct(acks, 50))}, p99 {ms(p99s[app])}, max {ms(max(acks))}; "
        line += f"acks over 3 s: {sum(1 for a in acks if a > 3)}; no answer within {ARGS.timeout:.0f} s: {unanswered}; "
        line += f"CPU {(user + system) * 1000:.1f} ms/request (user {user * 1000:.1f}, system {system * 1000:.1f})"
        lines.append(line)
        if app == "idea-coach" and kind == "command":
            opened = [o for r in mine for o in r.opened_after]
            got = [o for o in opened if o is not None]
            if got:
                lines.append(
                    f"  {'':<10} command -> views.open p50 {ms(pct(got, 50))}, p99 {ms(pct(got, 99))}; "
                    f"over 1.5 s: {sum(1 for o in got if o > 1.5)}; never opened: {len(opened) - len(got)}"
                )
        if app == "idea-coach" and kind == "submission":
            refused = [rec.body for rec in records if rec.body]
            lines.append(
                f"  {'':<10} intake cards posted: {sum(r.cards for r in mine)} of {len(records)}; "
                f"answered with errors: {len(refused)} {refused[:1]}"
            )
    if len(p99s) == 2 and p99s["bare"] > 0:
        lines.append(f"  ack p99 ratio idea-coach / bare: {p99s['idea-coach'] / p99s['bare']:.2f}")
    return lines


def memory_lines(server: Server) -> list[str]:
    parts = [
        f"{server.labels.get(pid, pid)}: RSS {server.peak_rss[pid] / 1024:.0f} MiB, "
        f"PSS {server.peak_pss[pid] / 1024:.0f} MiB"
        for pid in sorted(server.peak_rss)
    ]
    total_rss = sum(server.peak_rss.values()) / 1024
    total_pss = sum(server.peak_pss.values()) / 1024
    return [f"  {server.name:<10} peak {'; '.join(parts)}; sum RSS {total_rss:.0f} MiB, PSS {total_pss:.0f} MiB"]


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.5, help="seconds the fake Web API takes to answer")
    parser.add_argument("--seconds", type=float, default=10, help="length of each round")
    parser.add_argument("--command-rate", type=float, default=40, help="/idea commands a second")
    parser.add_argument("--submission-rate", type=float, default=10, help="modal submissions a second")
    parser.add_argument("--rounds", type=int, default=1, help="times to alternate the four rounds")
    parser.add_argument("--timeout", type=float, default=10, help="client gives up on an answer after this")
    parser.add_argument("--port", type=int, default=19600, help="Idea Coach's port; the bare app uses port+1")
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    parser.add_argument("--kinds", default="command,submission", help="which rounds to run (comma-separated)")
    parser.add_argument(
        "--app-root", type=Path, default=ROOT, help="checkout whose Idea Coach to run (e.g. a worktree of main)"
    )
    parser.add_argument("--extra-env", action="append", default=[], help="NAME=VALUE for Idea Coach")
    return parser.parse_args(argv)


ARGS = parse_args([])


def main(argv: list[str] | None = None) -> None:
    global ARGS
    ARGS = args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ack-bench-"))
    fake = FakeSlack().start()
    fake.slow_down(args.delay)
    env = os.environ | {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": args.database_url or f"sqlite:///{work / 'bench.db'}",
        "PMO_CHANNEL_ID": PMO_CHANNEL,
        "PMO_STAFF_IDS": "UCOACH0001,UCOACH0002",
        "STRATEGY_FILE": str(ROOT / "strategy.yml"),
    }
    env.pop("SLACK_APP_TOKEN", None)
    coach_env = env | dict(item.split("=", 1) for item in args.extra_env)
    python = sys.executable
    coach_argv = [python, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", str(args.port)]
    coach_argv += ["--threads", "8"]
    bare_argv = [python, "-m", "gunicorn", "-b", f"127.0.0.1:{args.port + 1}", "-w", "1", "-k", "gthread"]
    bare_argv += ["--threads", "8", "--no-control-socket", "benchmarks.bare_app:application"]
    started = time.monotonic()
    servers = [
        start_server("idea-coach", coach_argv, coach_env, args.port, work / "idea-coach.log", args.app_root),
        start_server("bare", bare_argv, env, args.port + 1, work / "bare.log"),
    ]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.2):
            for server in servers:
                server.sample_memory()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    view = intake_modal(load_strategy(ROOT / "strategy.yml"), title="")
    rounds: list[Round] = []
    offset = 0
    try:
        # Idea Coach's scheduler runs its start-up sweep FIRST_SWEEP_DELAY after start, with a digest
        # catch-up that draws a chart in a child process for a few seconds and then posts the digest:
        # wait for that post, so rounds measure acks only (and count only intake cards).
        time.sleep(max(FIRST_SWEEP_DELAY.total_seconds() - (time.monotonic() - started), 0))
        wait_for_digest(fake)
        settle(fake, quiet=2)
        for _ in range(args.rounds):
            for kind in args.kinds.split(","):
                for server in servers:
                    rounds.append(run_round(server, fake, kind, args, offset, view))
                    offset += 100_000
    finally:
        sampling.set()
        sampler.join()
        for server in servers:
            server.stop()
        fake.stop()
    print_report(args, rounds, servers, work)


def print_report(args, rounds: list[Round], servers: list[Server], work: Path) -> None:
    load = os.getloadavg()
    print(f"Idea Coach from {args.app_root}")
    print(f"ack benchmark: Web API delay {args.delay * 1000:.0f} ms, {args.seconds:.0f} s rounds x {args.rounds}")
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (at the end)")
    kinds = args.kinds.split(",")
    if "command" in kinds:
        print(f"/idea commands at {args.command_rate:.0f}/s:")
        print("\n".join(describe(rounds, "command")))
    if "submission" in kinds:
        print(f"intake submissions at {args.submission_rate:.0f}/s:")
        print("\n".join(describe(rounds, "submission")))
    print("peak memory:")
    for server in servers:
        print("\n".join(memory_lines(server)))
    print(f"server logs: {work}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
