#!/usr/bin/python3
"""`augur serve` end to end, from another language, with real parts.

The augur binary serves the gRPC API (augur.v1.AnalysisService, grpc.health.v1.Health,
reflection) and its HTTP listener; Debian's prometheus on 127.0.0.1 holds an hour of
augur-scenarios data (healthy, latency-regression) backfilled with promtool, ending now. The
client is Python's grpcio with stubs generated at test time by protoc from the project's .proto
files, so the wire format is checked against an independent implementation.

Run with /usr/bin/python3 (Debian's python3-grpcio and python3-protobuf belong to it). ctest
passes the paths below in the environment (tests/CMakeLists.txt); the defaults suit a dev build:
  AUGUR_BINARY           the augur binary
  AUGUR_SCENARIOS        the augur-scenarios binary
  AUGUR_PROTO_DIR        proto/ (augur/v1/analysis.proto)
  AUGUR_TEST_PROTO_DIR   tests/proto (grpc/health/v1, grpc/reflection/v1alpha)
  AUGUR_TEMPLATE         examples/demo/http-canary.yaml
  AUGUR_TEST_TIME_SCALE  multiplies every wait (ASan builds are slower); default 1
"""

import http.server
import importlib
import json
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AUGUR = os.environ.get("AUGUR_BINARY", os.path.join(SOURCE_DIR, "build/dev/bin/augur"))
SCENARIOS = os.environ.get("AUGUR_SCENARIOS",
                           os.path.join(SOURCE_DIR, "build/dev/bin/augur-scenarios"))
PROTO_DIR = os.environ.get("AUGUR_PROTO_DIR", os.path.join(SOURCE_DIR, "proto"))
TEST_PROTO_DIR = os.environ.get("AUGUR_TEST_PROTO_DIR", os.path.join(SOURCE_DIR, "tests/proto"))
TEMPLATE = os.environ.get("AUGUR_TEMPLATE",
                          os.path.join(SOURCE_DIR, "examples/demo/http-canary.yaml"))
SCALE = float(os.environ.get("AUGUR_TEST_TIME_SCALE", "1"))

TEMPLATE_NAME = "http-canary"
LOOKBACK_S = 30 * 60

import grpc  # noqa: E402  (Debian's python3-grpcio)
from google.protobuf import descriptor_pb2, duration_pb2  # noqa: E402

# Filled by generate_stubs().
pb = pb_grpc = health_pb = health_grpc = refl_pb = refl_grpc = None


def generate_stubs(out_dir):
    """protoc --python_out/--grpc_python_out into out_dir, then import the modules."""
    global pb, pb_grpc, health_pb, health_grpc, refl_pb, refl_grpc
    protos = [
        (PROTO_DIR, "augur/v1/analysis.proto"),
        (TEST_PROTO_DIR, "grpc/health/v1/health.proto"),
        (TEST_PROTO_DIR, "grpc/reflection/v1alpha/reflection.proto"),
    ]
    os.makedirs(out_dir, exist_ok=True)
    includes = ["-I" + PROTO_DIR, "-I" + TEST_PROTO_DIR]
    if os.path.isdir("/usr/include/google/protobuf"):
        includes.append("-I/usr/include")  # duration.proto, timestamp.proto
    cmd = (["protoc"] + includes +
           ["--python_out=" + out_dir, "--grpc_python_out=" + out_dir,
            "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"] +
           [os.path.join(d, p) for d, p in protos])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("protoc failed: %s\n%s" % (" ".join(cmd), done.stderr))
    sys.path.insert(0, out_dir)
    # The standard protocols' modules are grpc.health.v1 and grpc.reflection.v1alpha, inside the
    # installed `grpc` package (a regular package): let it find the generated ones too.
    grpc.__path__.append(os.path.join(out_dir, "grpc"))
    pb = importlib.import_module("augur.v1.analysis_pb2")
    pb_grpc = importlib.import_module("augur.v1.analysis_pb2_grpc")
    health_pb = importlib.import_module("grpc.health.v1.health_pb2")
    health_grpc = importlib.import_module("grpc.health.v1.health_pb2_grpc")
    refl_pb = importlib.import_module("grpc.reflection.v1alpha.reflection_pb2")
    refl_grpc = importlib.import_module("grpc.reflection.v1alpha.reflection_pb2_grpc")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    """(status, body) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout * SCALE) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


class Prometheus:
    """Debian's prometheus on 127.0.0.1 serving a TSDB backfilled from OpenMetrics text."""

    def __init__(self, work, openmetrics_file):
        self.work = work
        self.tsdb = os.path.join(work, "tsdb")
        done = subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics",
                               openmetrics_file, self.tsdb], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("promtool failed:\n" + done.stdout + done.stderr)
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1h\n  query_log_file: %s/query.log\n" % work)
        self.proc = None
        last_log = ""
        for attempt in range(5):  # a port found free may be taken before prometheus binds it
            self.port = free_port()
            log_path = os.path.join(work, "prometheus-%d.log" % attempt)
            self.log = open(log_path, "wb")
            self.proc = subprocess.Popen(
                ["prometheus", "--config.file=" + config, "--storage.tsdb.path=" + self.tsdb,
                 "--storage.tsdb.retention.time=30d",
                 "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
                stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + 30 * SCALE
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    if http_get(self.url + "/-/ready", timeout=1)[0] == 200:
                        return
                except OSError:
                    pass
                time.sleep(0.05)
            self.stop()
            with open(log_path, "rb") as f:
                last_log = f.read()[-2000:].decode("utf-8", "replace")
            if "address already in use" not in last_log:
                break
        raise RuntimeError("prometheus did not become ready:\n" + last_log)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class DelayingProxy:
    """An HTTP proxy to one upstream that holds every answer back for `delay` seconds."""

    def __init__(self, upstream, delay):
        proxy = self
        self.requests = 0
        self.lock = threading.Lock()
        self.first_request = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def forward(self, method):
                with proxy.lock:
                    proxy.requests += 1
                proxy.first_request.set()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                request = urllib.request.Request(upstream + self.path, data=body, method=method)
                for h in ("Content-Type", "Accept"):
                    if self.headers.get(h):
                        request.add_header(h, self.headers[h])
                time.sleep(delay)
                try:
                    with urllib.request.urlopen(request, timeout=30) as r:
                        status, ctype, data = r.status, r.headers.get("Content-Type"), r.read()
                except urllib.error.HTTPError as e:
                    status, ctype, data = e.code, e.headers.get("Content-Type"), e.read()
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.forward("GET")

            def do_POST(self):
                self.forward("POST")

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class AugurServer:
    """One `augur serve` process; its stderr is collected line by line."""

    def __init__(self, work, name, templates, prometheus_url, data_dir, extra=()):
        self.name = name
        self.argv = [AUGUR, "serve", "--grpc-listen", "127.0.0.1:0",
                     "--http-listen", "127.0.0.1:0", "--templates", templates,
                     "--prometheus", prometheus_url, "--data-dir", data_dir] + list(extra)
        self.lines = []
        self.cond = threading.Condition()
        self.log_path = os.path.join(work, name + ".stderr")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.channel = None
        serving = self.wait_for("serving", 30)
        if serving is None:
            self.kill()
            raise RuntimeError("%s did not start:\n%s" % (name, self.stderr_text()))
        self.grpc_port = int(re.search(r"port (\d+)", serving["grpc"]).group(1))
        self.http_port = int(re.search(r"port (\d+)", serving["http"]).group(1))
        self.channel = grpc.insecure_channel("127.0.0.1:%d" % self.grpc_port)
        self.stub = pb_grpc.AnalysisServiceStub(self.channel)

    def _read(self):
        with open(self.log_path, "wb") as log:
            for raw in self.proc.stderr:
                log.write(raw)
                log.flush()
                with self.cond:
                    self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                    self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def records(self):
        """The stderr lines that parse as JSON objects."""
        out = []
        with self.cond:
            lines = list(self.lines)
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                out.append(record)
        return out

    def wait_for(self, msg, timeout, after=0):
        """The first JSON log record with this msg (from line `after` on), or None."""
        deadline = time.monotonic() + timeout * SCALE
        with self.cond:
            while True:
                for line in self.lines[after:]:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(record, dict) and record.get("msg") == msg:
                        return record
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.cond.wait(min(left, 0.2))

    def line_count(self):
        with self.cond:
            return len(self.lines)

    def stderr_text(self):
        with self.cond:
            return "\n".join(self.lines)

    def non_json_lines(self):
        bad = []
        with self.cond:
            lines = list(self.lines)
        for line in lines:
            try:
                if not isinstance(json.loads(line), dict):
                    bad.append(line)
            except ValueError:
                bad.append(line)
        return bad

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.http_port, path)

    def wait_exit(self, timeout):
        return self.proc.wait(timeout * SCALE)

    def kill(self):
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(10)
        self.proc.stderr.close()


def duration(seconds):
    d = duration_pb2.Duration()
    d.FromNanoseconds(int(seconds * 1e9))
    return d


def analyze_request(service, **overrides):
    request = pb.AnalyzeRequest(control="stable", experiment="canary",
                                lookback=duration(LOOKBACK_S))
    request.template.name = TEMPLATE_NAME
    request.args["service"] = service
    for key, value in overrides.items():
        setattr(request, key, value)
    return request


def start_run_request(service, interval_s, lifetime_s, run_id=""):
    request = pb.StartRunRequest(control="stable", experiment="canary", run_id=run_id)
    request.template.name = TEMPLATE_NAME
    request.args["service"] = service
    request.schedule.interval.CopyFrom(duration(interval_s))
    request.schedule.lifetime.CopyFrom(duration(lifetime_s))
    request.schedule.window_mode = pb.WINDOW_MODE_SLIDING
    request.schedule.lookback.CopyFrom(duration(LOOKBACK_S))
    return request


def watch(stub, name, timeout):
    """Every event of WatchRun until the stream closes."""
    return list(stub.WatchRun(pb.WatchRunRequest(name=name), timeout=timeout * SCALE))


class ServeIntegrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="augur-serve-it-")
        cls.prometheus = None
        cls.server = None
        try:
            generate_stubs(os.path.join(cls.work, "stubs"))
            om = os.path.join(cls.work, "scenarios.om")
            done = subprocess.run([SCENARIOS, "--end", "now", "--duration", "1h",
                                   "--scenario", "healthy", "--scenario", "latency-regression",
                                   "--output", om], capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError("augur-scenarios failed:\n" + done.stderr)
            prometheus_work = os.path.join(cls.work, "prometheus")
            os.makedirs(prometheus_work)
            cls.prometheus = Prometheus(prometheus_work, om)
            cls.templates = cls.template_dir("templates")
            cls.server = AugurServer(cls.work, "shared", cls.templates, cls.prometheus.url,
                                     os.path.join(cls.work, "data-shared"))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.kill()
        if cls.prometheus is not None:
            cls.prometheus.stop()
        if os.environ.get("AUGUR_TEST_KEEP") != "1":
            shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def template_dir(cls, name):
        path = os.path.join(cls.work, name)
        os.makedirs(path)
        shutil.copy(TEMPLATE, os.path.join(path, os.path.basename(TEMPLATE)))
        return path

    def setUp(self):
        self.servers = []  # started by this test; killed in tearDown whatever happened

    def tearDown(self):
        for server in self.servers:
            server.kill()
        for server in self.servers + [self.server]:
            self.assertEqual(server.non_json_lines(), [],
                             "%s: stderr lines that are not JSON objects" % server.name)

    def start_server(self, name, templates=None, prometheus_url=None, data_dir=None, extra=()):
        server = AugurServer(self.work, name, templates or self.templates,
                             prometheus_url or self.prometheus.url,
                             data_dir or os.path.join(self.work, "data-" + name), extra)
        self.servers.append(server)
        return server

    # a. Health, reflection and the HTTP listener.
    def test_a_health_reflection_http(self):
        health = health_grpc.HealthStub(self.server.channel)
        for service in ("", "augur.v1.AnalysisService"):
            answer = health.Check(health_pb.HealthCheckRequest(service=service), timeout=10 * SCALE)
            self.assertEqual(answer.status, health_pb.HealthCheckResponse.SERVING, service)
        with self.assertRaises(grpc.RpcError) as unknown:
            health.Check(health_pb.HealthCheckRequest(service="no.such.Service"),
                         timeout=10 * SCALE)
        self.assertEqual(unknown.exception.code(), grpc.StatusCode.NOT_FOUND)

        reflection = refl_grpc.ServerReflectionStub(self.server.channel)
        answers = list(reflection.ServerReflectionInfo(
            iter([refl_pb.ServerReflectionRequest(list_services="")]), timeout=10 * SCALE))
        self.assertEqual(len(answers), 1)
        self.assertEqual(answers[0].WhichOneof("message_response"), "list_services_response")
        names = {s.name for s in answers[0].list_services_response.service}
        self.assertIn("augur.v1.AnalysisService", names)
        self.assertIn("grpc.health.v1.Health", names)

        # The descriptor the server reflects is the one this client was generated from.
        answers = list(reflection.ServerReflectionInfo(
            iter([refl_pb.ServerReflectionRequest(
                file_containing_symbol="augur.v1.AnalysisService")]), timeout=10 * SCALE))
        self.assertEqual(answers[0].WhichOneof("message_response"), "file_descriptor_response")
        files = [descriptor_pb2.FileDescriptorProto.FromString(b)
                 for b in answers[0].file_descriptor_response.file_descriptor_proto]
        served = [f for f in files if f.name == "augur/v1/analysis.proto"]
        self.assertEqual(len(served), 1, [f.name for f in files])
        ours = descriptor_pb2.FileDescriptorProto()
        pb.DESCRIPTOR.CopyToProto(ours)
        self.assertEqual([m.name for m in served[0].service[0].method],
                         [m.name for m in ours.service[0].method])

        self.assertEqual(http_get(self.server.url("/healthz"))[0], 200)
        self.assertEqual(http_get(self.server.url("/readyz"))[0], 200)
        status, body = http_get(self.server.url("/metrics"))
        self.assertEqual(status, 200)
        self.assertRegex(body, r"(?m)^augur_build_info\{")

    # b. Analyze by template name.
    def test_b_analyze(self):
        stub = self.server.stub
        healthy = stub.Analyze(analyze_request("healthy"), timeout=60 * SCALE)
        self.assertEqual(pb.Verdict.Name(healthy.verdict), "VERDICT_PROMOTE", healthy.reason)
        self.assertEqual(healthy.template, TEMPLATE_NAME)
        self.assertEqual(healthy.control, "stable")
        self.assertEqual(healthy.experiment, "canary")
        window = healthy.window.end.ToSeconds() - healthy.window.start.ToSeconds()
        self.assertAlmostEqual(window, LOOKBACK_S, delta=1)
        self.assertGreaterEqual(len(healthy.metrics), 7)

        slow = stub.Analyze(analyze_request("latency-regression"), timeout=60 * SCALE)
        self.assertEqual(pb.Verdict.Name(slow.verdict), "VERDICT_ABORT", slow.reason)
        p99 = [m for m in slow.metrics if m.metric == "p99-latency"]
        self.assertEqual(len(p99), 1, [m.metric for m in slow.metrics])
        self.assertEqual(pb.Classification.Name(p99[0].classification), "CLASSIFICATION_HIGH",
                         p99[0].reason)
        self.assertTrue(p99[0].critical)
        self.assertIn("latency-regression", p99[0].queries.get("experiment", ""))

        request = analyze_request("healthy")
        request.template.name = "no-such-template"
        with self.assertRaises(grpc.RpcError) as e:
            stub.Analyze(request, timeout=30 * SCALE)
        self.assertEqual(e.exception.code(), grpc.StatusCode.NOT_FOUND, e.exception.details())
        self.assertIn("no-such-template", e.exception.details())

        with self.assertRaises(grpc.RpcError) as e:
            stub.Analyze(analyze_request("healthy", control=""), timeout=30 * SCALE)
        self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT,
                         e.exception.details())
        self.assertIn("control", e.exception.details())

        with self.assertRaises(grpc.RpcError) as e:
            stub.Analyze(analyze_request("healthy"), timeout=0.001)
        self.assertEqual(e.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED,
                         e.exception.details())
        # The server is none the worse for it.
        again = stub.Analyze(analyze_request("healthy"), timeout=60 * SCALE)
        self.assertEqual(pb.Verdict.Name(again.verdict), "VERDICT_PROMOTE", again.reason)

    # c. Runs: StartRun, then WatchRun to the end.
    def test_c_runs(self):
        stub = self.server.stub
        healthy = stub.StartRun(start_run_request("healthy", 2, 8), timeout=30 * SCALE)
        slow = stub.StartRun(start_run_request("latency-regression", 2, 8), timeout=30 * SCALE)
        self.assertEqual(healthy.state, pb.RUN_STATE_RUNNING)
        self.assertEqual(healthy.verdict, pb.VERDICT_HOLD)
        self.assertEqual(healthy.intervals_total, 4)
        self.assertEqual(healthy.name, "runs/" + healthy.run_id)

        results = {}

        def watch_into(key, name):
            try:
                results[key] = watch(stub, name, 60)
            except grpc.RpcError as e:
                results[key] = e

        threads = [threading.Thread(target=watch_into, args=("slow", slow.name))]
        threads[0].start()
        watch_into("healthy", healthy.name)
        threads[0].join()

        for key in ("healthy", "slow"):
            if isinstance(results[key], grpc.RpcError):
                self.fail("WatchRun(%s): %s %s" % (key, results[key].code(), results[key].details()))

        events = results["healthy"]
        kinds = [e.WhichOneof("event") for e in events]
        self.assertEqual(kinds, ["interval"] * 4 + ["run"], events)
        intervals = [e.interval for e in events[:4]]
        self.assertEqual([i.index for i in intervals], [1, 2, 3, 4])
        for i in intervals:
            self.assertEqual(i.error, "", i.reason)
            self.assertEqual(i.result.template, TEMPLATE_NAME)
            self.assertAlmostEqual(i.window.end.ToSeconds() - i.window.start.ToSeconds(),
                                   LOOKBACK_S, delta=0.01)
        ends = [i.window.end.ToNanoseconds() for i in intervals]
        self.assertEqual([b - a for a, b in zip(ends, ends[1:])], [2 * 10**9] * 3)
        run = events[-1].run
        self.assertEqual(pb.RunState.Name(run.state), "RUN_STATE_SUCCEEDED", run.reason)
        self.assertEqual(pb.Verdict.Name(run.verdict), "VERDICT_PROMOTE", run.reason)
        self.assertEqual(run.intervals_done, 4)
        self.assertEqual([i.index for i in run.intervals], [1, 2, 3, 4])

        events = results["slow"]
        kinds = [e.WhichOneof("event") for e in events]
        self.assertEqual(kinds, ["interval", "run"], events)
        self.assertEqual(events[0].interval.index, 1)
        self.assertEqual(pb.Verdict.Name(events[0].interval.verdict), "VERDICT_ABORT",
                         events[0].interval.reason)
        run = events[-1].run
        self.assertEqual(pb.RunState.Name(run.state), "RUN_STATE_SUCCEEDED", run.reason)
        self.assertEqual(pb.Verdict.Name(run.verdict), "VERDICT_ABORT", run.reason)
        self.assertEqual(run.intervals_done, 1)
        self.assertEqual(run.intervals_total, 4)

        # GetRun agrees with the stream.
        got = stub.GetRun(pb.GetRunRequest(name=healthy.run_id), timeout=30 * SCALE)
        self.assertEqual(got.verdict, pb.VERDICT_PROMOTE)
        self.assertEqual(list(got.intervals), intervals)

    # d. kill -9 during a run, restart on the same data directory.
    def test_d_kill_9_and_resume(self):
        data_dir = os.path.join(self.work, "data-kill")
        first = self.start_server("kill-before", data_dir=data_dir)
        run = first.stub.StartRun(start_run_request("healthy", 2, 12, run_id="survives-kill-9"),
                                  timeout=30 * SCALE)
        self.assertEqual(run.intervals_total, 6)
        deadline = time.monotonic() + 30 * SCALE
        before = None
        while time.monotonic() < deadline:
            got = first.stub.GetRun(pb.GetRunRequest(name=run.name), timeout=10 * SCALE)
            if got.intervals:
                before = got
                break
            time.sleep(0.05)
        self.assertIsNotNone(before, "no interval judged in time")
        self.assertEqual(before.state, pb.RUN_STATE_RUNNING)
        os.kill(first.proc.pid, signal.SIGKILL)
        self.assertEqual(first.wait_exit(10), -signal.SIGKILL)
        first.kill()

        second = self.start_server("kill-after", data_dir=data_dir)
        resumed = second.wait_for("run resumed", 10)
        self.assertIsNotNone(resumed, second.stderr_text())
        self.assertEqual(resumed.get("run_id"), "survives-kill-9")
        events = watch(second.stub, run.name, 60)
        kinds = [e.WhichOneof("event") for e in events]
        self.assertEqual(kinds, ["interval"] * 6 + ["run"], events)
        intervals = [e.interval for e in events[:6]]
        self.assertEqual([i.index for i in intervals], [1, 2, 3, 4, 5, 6])
        for old in before.intervals:
            new = intervals[old.index - 1]
            self.assertEqual(new.judged_at, old.judged_at, "interval %d judged again" % old.index)
            self.assertEqual(new, old)
        final = events[-1].run
        self.assertEqual(pb.RunState.Name(final.state), "RUN_STATE_SUCCEEDED", final.reason)
        self.assertEqual(pb.Verdict.Name(final.verdict), "VERDICT_PROMOTE", final.reason)
        self.assertEqual([i.index for i in final.intervals], [1, 2, 3, 4, 5, 6])
        self.assertEqual(final.create_time, run.create_time)
        judged = [r["interval"] for r in second.records() if r.get("msg") == "interval judged"]
        self.assertEqual(sorted(judged), sorted(set(judged)))
        self.assertTrue(set(judged).isdisjoint(i.index for i in before.intervals), judged)

    # e. SIGTERM with a call in flight.
    def test_e_sigterm_drains(self):
        proxy = DelayingProxy(self.prometheus.url, delay=1.5)
        self.addCleanup(proxy.stop)
        server = self.start_server("drain", prometheus_url=proxy.url)
        outcome = {}

        def call():
            try:
                outcome["result"] = server.stub.Analyze(analyze_request("healthy"),
                                                        timeout=60 * SCALE)
            except grpc.RpcError as e:
                outcome["error"] = e

        caller = threading.Thread(target=call)
        caller.start()
        self.assertTrue(proxy.first_request.wait(30 * SCALE), "the call never reached the backend")
        time.sleep(0.3)
        mark = server.line_count()
        server.proc.send_signal(signal.SIGTERM)
        self.assertIsNotNone(server.wait_for("draining", 10, after=mark), server.stderr_text())
        readyz = []
        while caller.is_alive():
            try:
                readyz.append(http_get(server.url("/readyz"), timeout=2)[0])
            except OSError as e:  # the listener closes once the calls are done
                readyz.append(repr(e))
            if 503 in readyz:
                break
            time.sleep(0.05)
        caller.join(60 * SCALE)
        self.assertFalse(caller.is_alive())
        self.assertIn(503, readyz, "/readyz while draining: %s" % readyz)
        self.assertNotIn("error", outcome,
                         outcome.get("error") and "%s %s" % (outcome["error"].code(),
                                                             outcome["error"].details()))
        self.assertEqual(pb.Verdict.Name(outcome["result"].verdict), "VERDICT_PROMOTE",
                         outcome["result"].reason)
        code = server.wait_exit(60)
        self.assertEqual(code, 0, server.stderr_text())
        msgs = [r.get("msg") for r in server.records()]
        self.assertIn("draining", msgs)
        self.assertIn("stopped", msgs)
        self.assertGreater(msgs.index("stopped"), msgs.index("draining"))
        self.assertGreaterEqual(proxy.requests, 2)

    # f. SIGHUP reloads the templates; a broken one keeps the set loaded before.
    def test_f_sighup_reload(self):
        templates = self.template_dir("templates-reload")
        server = self.start_server("reload", templates=templates)

        def names():
            answer = server.stub.ListTemplates(pb.ListTemplatesRequest(), timeout=10 * SCALE)
            return sorted(t.name for t in answer.templates)

        self.assertEqual(names(), [TEMPLATE_NAME])
        with open(TEMPLATE) as f:
            text = f.read()
        second = text.replace("name: " + TEMPLATE_NAME, "name: http-canary-second", 1)
        self.assertNotEqual(second, text)
        with open(os.path.join(templates, "second.yaml"), "w") as f:
            f.write(second)
        mark = server.line_count()
        server.proc.send_signal(signal.SIGHUP)
        reloaded = server.wait_for("templates reloaded", 10, after=mark)
        self.assertIsNotNone(reloaded, server.stderr_text())
        self.assertEqual(reloaded.get("templates"), 2)
        self.assertEqual(names(), [TEMPLATE_NAME, "http-canary-second"])

        with open(os.path.join(templates, "third.yaml"), "w") as f:
            f.write("apiVersion: augur/v1\nkind: AnalysisTemplate\nmetadata:\n  name: broken\n"
                    "spec:\n  metrics:\n    - name: x\n      judge: {noSuchJudge: {}}\n")
        mark = server.line_count()
        server.proc.send_signal(signal.SIGHUP)
        failed = server.wait_for("template reload failed; keeping the templates loaded before",
                                 10, after=mark)
        self.assertIsNotNone(failed, server.stderr_text())
        self.assertEqual(failed.get("level"), "error")
        self.assertIn("third.yaml", failed.get("error", ""))
        self.assertEqual(names(), [TEMPLATE_NAME, "http-canary-second"])
        self.assertEqual(server.proc.poll(), None)

    # g. --check.
    # h. Argo Rollouts' web provider: the request it sends for a jsonBody (POST, JSON content
    # type, Go's client headers), and the field its jsonPath {$.verdict} reads.
    def test_h_argo_web_provider(self):
        def post(body, raw=None):
            data = raw if raw is not None else json.dumps(body).encode()
            request = urllib.request.Request(
                self.server.url("/v1/analyze"), data=data, method="POST",
                headers={"Content-Type": "application/json", "User-Agent": "Go-http-client/1.1",
                         "Accept-Encoding": "gzip"})
            try:
                with urllib.request.urlopen(request, timeout=60 * SCALE) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())

        body = {"template": TEMPLATE_NAME, "args": {"service": "healthy"}, "control": "stable",
                "experiment": "canary", "lookback": "%ds" % LOOKBACK_S, "strategy": "canary"}
        status, result = post(body)
        self.assertEqual(status, 200, result)
        self.assertEqual(result["verdict"], "PROMOTE", result.get("reason"))
        self.assertEqual(result["template"], TEMPLATE_NAME)
        self.assertFalse(any("series" in m for m in result["metrics"]))

        body["args"]["service"] = "latency-regression"
        status, result = post(body)
        self.assertEqual(status, 200, result)
        self.assertEqual(result["verdict"], "ABORT", result.get("reason"))
        self.assertIn("p99-latency", result["reason"])

        status, result = post(None, raw=b"{not json")
        self.assertEqual(status, 400, result)
        self.assertEqual(result["error"], "request body: not JSON")
        status, result = post(dict(body, experiment=""))
        self.assertEqual(status, 400, result)
        self.assertIn("experiment", result["error"])

    # i. Argo Rollouts' kayenta provider against the real server and Prometheus: config lookup,
    # start, poll until complete, read result.judgeResult.score.score.
    def test_i_argo_kayenta_provider(self):
        def call(method, path, body=None):
            request = urllib.request.Request(
                self.server.url(path), method=method,
                data=json.dumps(body).encode() if body is not None else None,
                headers={"Content-Type": "application/json"} if body is not None else {})
            with urllib.request.urlopen(request, timeout=30 * SCALE) as r:
                self.assertEqual(r.status, 200)
                return json.loads(r.read())

        def score(service):
            configs = call("GET", "/canaryConfig?application=demo&configurationAccountName=store")
            ids = [c["id"] for c in configs if c["name"] == TEMPLATE_NAME]
            self.assertEqual(len(ids), 1, configs)
            end = int(time.time())
            start = end - LOOKBACK_S
            iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
            scope = lambda s: {"scope": s, "location": "", "step": 15, "start": iso(start),
                               "end": iso(end), "extendedScopeParams": {"service": service}}
            started = call("POST", "/canary/%s?application=demo&metricsAccountName=prom"
                                   "&configurationAccountName=store&storageAccountName=store"
                           % ids[0],
                           {"scopes": {"default": {"controlScope": scope("stable"),
                                                   "experimentScope": scope("canary")}},
                            "thresholds": {"pass": 95, "marginal": 75}})
            execution_id = started["canaryExecutionId"]
            deadline = time.time() + 60 * SCALE
            while True:
                execution = call("GET", "/canary/" + execution_id)
                self.assertIsInstance(execution["complete"], bool)
                if execution["complete"] or time.time() > deadline:
                    break
                time.sleep(0.2)
            self.assertTrue(execution["complete"], execution)
            self.assertEqual(execution["status"], "succeeded", execution)
            return int(execution["result"]["judgeResult"]["score"]["score"]), execution

        healthy, execution = score("healthy")
        self.assertGreaterEqual(healthy, 95, execution)       # Argo: Successful
        regressed, execution = score("latency-regression")
        self.assertLess(regressed, 75, execution)             # Argo: Failed

    # j. Flagger's webhooks, with Flagger's body, against the real server and Prometheus.
    def test_j_flagger_webhooks(self):
        def hook(name, service):
            body = {"name": "podinfo", "namespace": "test", "phase": "Progressing",
                    "checksum": "75f5d8b9c4",
                    "metadata": {"template": TEMPLATE_NAME, "control": "stable",
                                 "experiment": "canary", "lookback": "%ds" % LOOKBACK_S,
                                 "arg.service": service}}
            request = urllib.request.Request(
                self.server.url("/flagger/" + name), data=json.dumps(body).encode(),
                method="POST", headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60 * SCALE) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()

        # Flagger accepts a status of at most 202; anything else fails the check.
        status, text = hook("rollout", "healthy")
        self.assertEqual(status, 200, text)
        self.assertTrue(text.startswith("PROMOTE: "), text)
        status, text = hook("confirm-promotion", "healthy")
        self.assertEqual(status, 200, text)
        status, text = hook("rollout", "latency-regression")
        self.assertEqual(status, 409, text)
        self.assertIn("p99-latency", text)
        status, text = hook("rollback", "latency-regression")
        self.assertEqual(status, 200, text)
        status, text = hook("rollback", "healthy")
        self.assertEqual(status, 412, text)
        # Every other hook type Flagger has, with its body.
        expected = {
            ("confirm-rollout", "latency-regression"): 200,  # nothing to judge yet
            ("pre-rollout", "latency-regression"): 200,      # the metadata names a template
            ("confirm-traffic-increase", "healthy"): 200,
            ("confirm-traffic-increase", "latency-regression"): 409,
            ("confirm-promotion", "latency-regression"): 409,
            ("post-rollout", "latency-regression"): 200,
            ("event", "healthy"): 200,
        }
        for (name, service), want in expected.items():
            status, text = hook(name, service)
            self.assertEqual(status, want, "%s %s: %s" % (name, service, text))

    def test_g_check(self):
        base = [AUGUR, "serve", "--check", "--templates", self.templates, "--prometheus",
                self.prometheus.url, "--data-dir", os.path.join(self.work, "data-check"),
                "--http-listen", "127.0.0.1:0"]
        good = subprocess.run(base + ["--grpc-listen", "127.0.0.1:0"], capture_output=True,
                              text=True, timeout=60 * SCALE)
        self.assertEqual(good.returncode, 0, good.stderr)
        bad = subprocess.run(base + ["--grpc-listen", "nonsense"], capture_output=True, text=True,
                             timeout=60 * SCALE)
        self.assertEqual(bad.returncode, 64, bad.stderr)
        self.assertRegex(bad.stderr, r"grpc-?[lL]isten")
        self.assertIn("nonsense", bad.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
