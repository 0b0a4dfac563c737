#!/usr/bin/env python3
"""Load test for antred over its Unix socket (Python 3 standard library only).

Starts antred on a temporary directory (shipped services and counters, one
dispenser with a preview printer or none), then:
  - opens --monitors Monitor subscriptions: half read every event, half never read;
  - runs --connections connections in total, at most --concurrency at a time,
    each doing --calls mixed Issue / CallNext / Status calls plus one
    org.varlink.service.GetInfo (the floor: a round trip that touches no queue);
  - closes the silent monitors while a burst of Issue calls is sending them
    events, then the reading ones, and checks the daemon still answers and
    stops on SIGTERM.

Prints p50/p99 latency per call kind next to the GetInfo floor, and antred's
RSS before, at peak and after. Exits non-zero unless nothing was lost: every
call answered (CallNext may answer NoTicketWaiting), Issue numbers distinct and
consecutive per prefix, the database holding exactly the tickets issued, every
reading monitor having seen every issued event, all within --time-limit.

  scripts/load-test.py                                   # full size
  scripts/load-test.py --connections 200 --monitors 40   # the CI smoke
"""

import argparse
import json
import os
import random
import re
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--connections", type=int, default=1000, help="connections in total (default 1000)")
    p.add_argument("--concurrency", type=int, default=16, help="connections open at once (default 16)")
    p.add_argument("--calls", type=int, default=4, help="queue calls per connection (default 4)")
    p.add_argument("--monitors", type=int, default=200, help="Monitor subscribers, half never read (default 200)")
    p.add_argument("--time-limit", type=float, default=60,
                   help="seconds for the traffic and for the monitors to catch up (default 60)")
    p.add_argument("--call-timeout", type=float, default=10, help="seconds to wait for one reply (default 10)")
    p.add_argument("--printer", choices=["preview", "none"], default="preview",
                   help="preview: Issue prints to a preview printer; none: Issue without paper")
    p.add_argument("--antred", default=None, help="antred binary (default .build/debug/antred, else release)")
    p.add_argument("--max-peak-rss-mb", type=float, default=0,
                   help="fail if antred's peak RSS exceeds this (default: report only)")
    p.add_argument("--seed", type=int, default=8, help="random seed for the call mix")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (config, db, log)")
    return p.parse_args()


# ---------------------------------------------------------------------------
# Varlink over a Unix socket: NUL-terminated JSON.

class Closed(Exception):
    pass


class Connection:
    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.buffer = b""
        # With a timeout the socket is non-blocking, and a Unix socket whose
        # listen queue is full refuses at once (EAGAIN) instead of waiting:
        # wait for room as a blocking client would, within the timeout.
        give_up = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                return
            except BlockingIOError:
                if time.monotonic() > give_up:
                    self.sock.close()
                    raise TimeoutError(f"listen queue full for {timeout:.0f} s")
                time.sleep(0.005)
            except OSError:
                self.sock.close()
                raise

    def send(self, method, parameters=None, more=False):
        message = {"method": method}
        if parameters:
            message["parameters"] = parameters
        if more:
            message["more"] = True
        self.sock.sendall(json.dumps(message).encode() + b"\0")

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed("antred closed the connection")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method, parameters=None):
        started = time.perf_counter()
        self.send(method, parameters)
        reply = self.receive()
        return reply, time.perf_counter() - started

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# The daemon under test.

def toml_string(value):
    # JSON string escapes (\", \\, \uXXXX) are valid TOML basic strings.
    return json.dumps(value)


def toml_array(values):
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def write_config(directory, shipped, args):
    socket_path = os.path.join(directory, "antred.sock")
    database = os.path.join(directory, "antre.db")
    office = shipped["office"]
    lines = ["[office]", f"name = {toml_string(office['name'])}",
             f"timezone = {toml_string(office.get('timezone', 'Asia/Jakarta'))}", "",
             "[socket]", f"path = {toml_string(socket_path)}",
             # Monitors, workers, the floor probes and headroom for the checks.
             f"max_connections = {args.monitors + args.concurrency + 16}",
             "idle_timeout_s = 120", "",
             "[storage]", f"database = {toml_string(database)}", ""]
    for service in shipped["service"]:
        lines += ["[[service]]", f"id = {toml_string(service['id'])}", f"name = {toml_string(service['name'])}",
                  f"prefix = {toml_string(service['prefix'])}",
                  f"requirements = {toml_array(service.get('requirements', []))}", ""]
    for counter in shipped.get("counter", []):
        lines += ["[[counter]]", f"id = {toml_string(counter['id'])}",
                  f"services = {toml_array(counter.get('services', []))}", ""]
    dispenser = None
    if args.printer == "preview":
        dispenser = "load"
        preview = os.path.join(directory, "preview")
        os.makedirs(preview)
        lines += ["[[dispenser]]", f"id = {toml_string(dispenser)}", 'input = "none"',
                  f"printer = {toml_string('preview:' + preview)}", ""]
    path = os.path.join(directory, "antre.toml")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path, socket_path, database, dispenser


def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class RSSSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            value = rss_kb(self.pid)
            if value is None:
                return
            self.peak = max(self.peak, value, rss_kb(self.pid, "VmHWM") or 0)
            self.stop.wait(0.1)


def wait_for_socket(path, process, deadline):
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"antred exited at start with status {process.returncode}"
        try:
            connection = Connection(path, 2)
            connection.call("org.varlink.service.GetInfo")
            connection.close()
            return None
        except (OSError, Closed, ValueError):
            time.sleep(0.05)
    return "antred did not answer on its socket within 20 s"


# ---------------------------------------------------------------------------
# Monitors.

class MonitorReader(threading.Thread):
    """Reads every reading monitor in one thread and records issued numbers."""

    def __init__(self, connections):
        super().__init__(daemon=True)
        self.selector = selectors.DefaultSelector()
        self.seen = [set() for _ in connections]
        self.errors = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.buffers = [b""] * len(connections)
        for index, connection in enumerate(connections):
            connection.sock.setblocking(False)
            self.selector.register(connection.sock, selectors.EVENT_READ, index)

    def run(self):
        while not self.stop.is_set():
            for key, _ in self.selector.select(timeout=0.1):
                index = key.data
                try:
                    chunk = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except OSError as error:
                    chunk, reason = b"", str(error)
                else:
                    reason = "antred closed the stream"
                if not chunk:
                    self.selector.unregister(key.fileobj)
                    with self.lock:
                        self.errors.append(f"reading monitor {index}: {reason}")
                    continue
                self.buffers[index] += chunk
                *messages, self.buffers[index] = self.buffers[index].split(b"\0")
                for raw in messages:
                    self.record(index, raw)

    ISSUED = re.compile(rb'"kind":"issued".*?"number":"([^"]+)"|"number":"([^"]+)".*?"kind":"issued"')

    def record(self, index, raw):
        if raw.startswith(b'{"error"'):
            message = json.loads(raw)
            with self.lock:
                self.errors.append(f"reading monitor {index}: error {message['error']} {message.get('parameters')}")
            return
        # 100 monitors x thousands of events: parsing each as JSON would make
        # this script, not antred, the bottleneck on 2 cores. Quotes inside
        # JSON strings are escaped, so the pattern only matches real keys.
        match = self.ISSUED.search(raw)
        if match:
            with self.lock:
                self.seen[index].add((match.group(1) or match.group(2)).decode())

    def snapshot(self):
        with self.lock:
            return [set(s) for s in self.seen], list(self.errors)


def open_monitors(path, count, timeout, reading, silent):
    for index in range(count):
        connection = Connection(path, timeout)
        if index % 2 == 1:
            # A small receive buffer: the daemon has to hold (or drop) what a
            # client that never reads leaves behind, after a few events.
            connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.send("io.antre.Queue.Monitor", more=True)
        (reading if index % 2 == 0 else silent).append(connection)


# ---------------------------------------------------------------------------
# Traffic.

class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = {"GetInfo": [], "Issue": [], "CallNext": [], "Status": []}
        self.issued = []          # numbers from Issue replies
        self.no_ticket = 0        # CallNext answered NoTicketWaiting
        self.failures = []        # unanswered or wrongly answered calls
        self.connections_done = 0

    def fail(self, text):
        with self.lock:
            if len(self.failures) < 1000:
                self.failures.append(text)


def one_connection(args, path, services, counters, dispenser, rng, results, deadline):
    try:
        connection = Connection(path, args.call_timeout)
    except OSError as error:
        results.fail(f"connect: {describe(error)}")
        return
    try:
        kinds = ["GetInfo"] + rng.choices(["Issue", "CallNext", "Status"], weights=[5, 3, 2], k=args.calls)
        rng.shuffle(kinds)
        for kind in kinds:
            if time.monotonic() > deadline:
                return
            if kind == "GetInfo":
                method, parameters = "org.varlink.service.GetInfo", None
            elif kind == "Issue":
                parameters = {"service": rng.choice(services)}
                if dispenser:
                    parameters["dispenser"] = dispenser
                method = "io.antre.Queue.Issue"
            elif kind == "CallNext":
                method, parameters = "io.antre.Queue.CallNext", {"counter": rng.choice(counters)}
            else:
                method, parameters = "io.antre.Queue.Status", None
            try:
                reply, seconds = connection.call(method, parameters)
            except (OSError, Closed, ValueError) as error:
                results.fail(f"{kind}: no answer ({describe(error)})")
                return
            error = reply.get("error")
            with results.lock:
                results.latency[kind].append(seconds)
                if error == "io.antre.Queue.NoTicketWaiting" and kind == "CallNext":
                    results.no_ticket += 1
                elif error:
                    results.failures.append(f"{kind}: error {error} {reply.get('parameters')}")
                elif kind == "Issue":
                    results.issued.append(reply["parameters"]["ticket"]["number"])
        with results.lock:
            results.connections_done += 1
    finally:
        connection.close()


def run_traffic(args, path, services, counters, dispenser, deadline, results):
    next_index = [0]
    index_lock = threading.Lock()

    def worker(seed):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            with index_lock:
                if next_index[0] >= args.connections:
                    return
                next_index[0] += 1
            one_connection(args, path, services, counters, dispenser, rng, results, deadline)

    threads = [threading.Thread(target=worker, args=(args.seed * 1000 + n,), daemon=True)
               for n in range(args.concurrency)]
    for thread in threads:
        thread.start()
    # Past the deadline no call starts; the ones in flight get their timeout,
    # so the daemon is not stopped under a call of ours.
    for thread in threads:
        thread.join(max(0.1, deadline + args.call_timeout - time.monotonic()))
    return all(not t.is_alive() for t in threads)


# ---------------------------------------------------------------------------
# Checks and report.

def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def check_numbers(issued, failures):
    by_prefix = {}
    for number in issued:
        prefix, _, digits = number.partition("-")
        by_prefix.setdefault(prefix, []).append(int(digits))
    if len(set(issued)) != len(issued):
        duplicates = sorted({n for n in issued if issued.count(n) > 1})
        failures.append(f"duplicate numbers handed out: {duplicates[:10]}")
    for prefix, sequences in sorted(by_prefix.items()):
        if sorted(sequences) != list(range(1, len(sequences) + 1)):
            missing = sorted(set(range(1, max(sequences) + 1)) - set(sequences))
            failures.append(f"prefix {prefix}: numbers not consecutive from 1 (missing {missing[:10]})")


def check_database(database, issued, failures):
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
        rows = db.execute("SELECT prefix, sequence FROM ticket").fetchall()
        db.close()
    except sqlite3.Error as error:
        failures.append(f"database: cannot read tickets ({error})")
        return
    stored = sorted(f"{prefix}-{sequence:03d}" for prefix, sequence in rows)
    if stored != sorted(issued):
        extra = sorted(set(stored) - set(issued))
        lost = sorted(set(issued) - set(stored))
        failures.append(f"database has {len(stored)} tickets, {len(issued)} were issued "
                        f"(not answered to anyone: {extra[:10]}; answered but not stored: {lost[:10]})")


def find_antred(args):
    if args.antred:
        return args.antred if os.access(args.antred, os.X_OK) else None
    for config in ("debug", "release"):
        candidate = os.path.join(ROOT, ".build", config, "antred")
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def describe(error):
    return str(error) or type(error).__name__


class LoadRun:
    """One run: the daemon, its monitors and traffic, and what went wrong."""

    def __init__(self, args, antred, shipped):
        self.args = args
        self.antred = antred
        self.services = [s["id"] for s in shipped["service"]]
        self.counters = [c["id"] for c in shipped.get("counter", [])]
        self.directory = tempfile.mkdtemp(prefix="antre-load-")
        self.config, self.path, self.database, self.dispenser = write_config(self.directory, shipped, args)
        self.log_path = os.path.join(self.directory, "antred.log")
        self.failures = []
        self.results = Results()
        self.process = None
        self.sampler = None
        self.reading, self.silent, self.reader = [], [], None
        self.rss_before = self.rss_after = None
        self.started = time.monotonic()
        self.deadline = self.started + args.time_limit

    def run(self):
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen([self.antred, "--config", self.config, "--log-level", "warning"],
                                            stdout=log, stderr=subprocess.STDOUT)
            try:
                error = wait_for_socket(self.path, self.process, time.monotonic() + 20)
                if error:
                    self.failures.append(error)
                else:
                    self.rss_before = rss_kb(self.process.pid)
                    self.sampler = RSSSampler(self.process.pid)
                    self.sampler.start()
                    self.subscribe_monitors()
                    self.traffic()
                    self.silent_monitors_leave_during_issues()
                    self.check_monitors()
                    self.monitors_leave()
            finally:
                self.stop_daemon()
        check_numbers(self.results.issued, self.failures)
        check_database(self.database, self.results.issued, self.failures)
        peak = self.sampler.peak if self.sampler else None
        if self.args.max_peak_rss_mb and peak and peak / 1024 > self.args.max_peak_rss_mb:
            self.failures.append(f"peak RSS {peak / 1024:.0f} MB above --max-peak-rss-mb "
                                 f"{self.args.max_peak_rss_mb:.0f}")
        return report(self.args, self.failures, self.results, self.rss_before, peak, self.rss_after,
                      self.log_path, self.directory, self.started)

    def issue_parameters(self, service):
        return {"service": service, **({"dispenser": self.dispenser} if self.dispenser else {})}

    def subscribe_monitors(self):
        try:
            open_monitors(self.path, self.args.monitors, self.args.call_timeout, self.reading, self.silent)
        except OSError as error:
            self.failures.append(f"opening {self.args.monitors} Monitor connections: {describe(error)}")
        self.reader = MonitorReader(self.reading)
        self.reader.start()
        # Subscriptions start asynchronously: issue one ticket and wait until
        # every reading monitor has it before the traffic starts.
        time.sleep(0.3)
        try:
            first = Connection(self.path, self.args.call_timeout)
            try:
                reply, _ = first.call("io.antre.Queue.Issue", self.issue_parameters(self.services[0]))
            finally:
                first.close()
        except (OSError, Closed, ValueError) as error:
            self.failures.append(f"first Issue: no answer ({describe(error)})")
            return
        if "error" in reply:
            self.failures.append(f"first Issue: error {reply['error']} {reply.get('parameters')}")
            return
        number = reply["parameters"]["ticket"]["number"]
        self.results.issued.append(number)
        wait_until = min(self.deadline, time.monotonic() + 10)
        while time.monotonic() < wait_until:
            seen, _ = self.reader.snapshot()
            if all(number in s for s in seen):
                break
            time.sleep(0.05)

    def traffic(self):
        finished = run_traffic(self.args, self.path, self.services, self.counters, self.dispenser,
                               self.deadline, self.results)
        if not finished or self.results.connections_done < self.args.connections:
            self.failures.append(f"{self.results.connections_done} of {self.args.connections} connections "
                                 f"completed all their calls within {self.args.time_limit:.0f} s")

    def silent_monitors_leave_during_issues(self):
        # Clients that go away while events are being sent to them (an officer
        # pressing Ctrl-C on `antre monitor`): the daemon must not stall.
        # Bounded on its own (not by the traffic's deadline) so the daemon is
        # never stopped with a call of ours in flight.
        burst = threading.Thread(target=self.issue_burst, args=(20,), daemon=True)
        burst.start()
        for connection in self.silent:
            connection.close()
        self.silent = []
        burst.join(self.args.call_timeout * 3)
        if burst.is_alive():
            self.failures.append(f"20 Issue calls did not finish within {self.args.call_timeout * 3:.0f} s "
                                 "while the silent monitors disconnected")

    def issue_burst(self, count):
        rng = random.Random(self.args.seed)
        try:
            connection = Connection(self.path, self.args.call_timeout)
        except OSError as error:
            self.results.fail(f"connect: {describe(error)}")
            return
        try:
            for _ in range(count):
                reply, seconds = connection.call("io.antre.Queue.Issue",
                                                 self.issue_parameters(rng.choice(self.services)))
                with self.results.lock:
                    self.results.latency["Issue"].append(seconds)
                    if "error" in reply:
                        self.results.failures.append(f"Issue: error {reply['error']} {reply.get('parameters')}")
                    else:
                        self.results.issued.append(reply["parameters"]["ticket"]["number"])
        except (OSError, Closed, ValueError) as error:
            self.results.fail(f"Issue while monitors left: no answer ({describe(error)})")
        finally:
            connection.close()

    def check_monitors(self):
        # Reading monitors catch up: until the deadline, and at least 5 s.
        catch_up = max(self.deadline, time.monotonic() + 5)
        issued = set(self.results.issued)
        while time.monotonic() < catch_up:
            seen, _ = self.reader.snapshot()
            if all(issued <= s for s in seen):
                break
            time.sleep(0.1)
        self.reader.stop.set()
        self.reader.join(2)
        seen, errors = self.reader.snapshot()
        self.failures += errors[:10]
        behind = [(i, len(issued - s)) for i, s in enumerate(seen) if not issued <= s]
        if behind:
            self.failures.append(f"{len(behind)} of {len(seen)} reading monitors missed issued events "
                                 f"(monitor, missing): {behind[:5]}")

    def monitors_leave(self):
        # The reading monitors go away too; the daemon must keep answering.
        for connection in self.reading:
            connection.close()
        time.sleep(1)
        self.rss_after = rss_kb(self.process.pid)
        try:
            probe = Connection(self.path, 5)
            try:
                probe.call("io.antre.Queue.Status")
            finally:
                probe.close()
        except (OSError, Closed, ValueError) as error:
            self.failures.append(f"antred does not answer after the monitors left: {describe(error)}")

    def stop_daemon(self):
        if self.sampler:
            self.sampler.stop.set()
        if self.process.poll() is not None:
            self.failures.append(f"antred exited during the run with status {self.process.returncode}")
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.failures.append("antred did not stop within 10 s of SIGTERM (killed)")
            self.process.kill()
            self.process.wait()


def main():
    args = parse_args()
    antred = find_antred(args)
    if not antred:
        sys.exit("antred not built: run `swift build --product antred` (or pass --antred PATH)")
    with open(os.path.join(ROOT, "config", "antre.toml"), "rb") as f:
        shipped = tomllib.load(f)
    return LoadRun(args, antred, shipped).run()


def report(args, failures, results, rss_before, peak, rss_after, log_path, directory, started):
    failures = failures + results.failures
    elapsed = time.monotonic() - started
    print(f"antred load: {args.connections} connections ({args.concurrency} at a time, "
          f"{args.calls} calls + GetInfo each), {args.monitors} monitors "
          f"({(args.monitors + 1) // 2} reading), printer {args.printer}, {elapsed:.1f} s")
    # The floor: a GetInfo round trip on the same socket under the same load
    # (framing, dispatch, scheduling), so the rest is the queue's own cost.
    floor = [v * 1000 for v in results.latency["GetInfo"]]
    floor50, floor99 = percentile(floor, .5), percentile(floor, .99)
    print(f"{'call':<16}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'p50-floor':>11}{'p99-floor':>11}")
    for kind, values in results.latency.items():
        ms = [v * 1000 for v in values]
        p50, p99 = percentile(ms, .5), percentile(ms, .99)
        line = f"{kind + (' (floor)' if kind == 'GetInfo' else ''):<16}{len(ms):>7}{p50:>9.2f}{p99:>9.2f}" \
               f"{max(ms, default=float('nan')):>9.2f}"
        if kind != "GetInfo":
            line += f"{p50 - floor50:>+11.2f}{p99 - floor99:>+11.2f}"
        print(line)
    print(f"issued {len(results.issued)} tickets; CallNext found no ticket {results.no_ticket} times")

    def mb(kb):
        return "?" if kb is None else f"{kb / 1024:.1f} MB"
    print(f"antred RSS: before {mb(rss_before)}, peak {mb(peak)}, after {mb(rss_after)}")
    if failures:
        print(f"FAILED ({len(failures)}):")
        for failure in failures[:30]:
            print(f"  - {failure}")
        if len(failures) > 30:
            print(f"  ... {len(failures) - 30} more")
        print(f"antred log and database kept in {directory} (log: {log_path})")
        return 1
    print("OK: every call answered, numbers distinct and consecutive, database matches, monitors saw every ticket")
    if args.keep:
        print(f"kept {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
