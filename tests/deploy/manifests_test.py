#!/usr/bin/python3
"""The deployment files: every Kubernetes manifest and controller example parses, and carries
the fields that matter, checked against augur itself.

* deploy/kubernetes/: the Deployment's probes hit /healthz and /readyz on the HTTP port, its
  ports are 7070 (gRPC) and 7071 (HTTP), the termination grace covers the preStop sleep plus the
  configured shutdownGracePeriod, resources are requested; Services target ports the container
  names; the PodDisruptionBudget selects the Deployment's pods; the ConfigMap's augur.yaml and
  templates pass `augur validate` (the real binary) and the config reads templates where the
  Deployment mounts them; kustomization.yaml lists every file.
* examples/argo-rollouts and examples/flagger: the URLs are augur's adapter routes on the HTTP
  port, the web provider reads {$.verdict} and maps PROMOTE/ABORT, the kayenta provider uses
  Argo's `threshold`, every template they name exists in examples/templates, Flagger hooks call
  the route of their own type with timeouts below the interval.
* deploy/Dockerfile: Debian bookworm stages, a non-root user, both ports, and a runtime stage that
  installs the Debian package of every shared library the release binary needs (readelf, dpkg).
Environment: AUGUR_BINARY (the binary to validate with), AUGUR_RELEASE_BINARY (optional: the
release build whose shared libraries the image must provide), AUGUR_SOURCE_DIR.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml  # Debian's python3-yaml

SOURCE = os.environ["AUGUR_SOURCE_DIR"]
AUGUR = os.environ["AUGUR_BINARY"]
# The release build (what the image ships) when it has been built (scripts/demo builds it).
RELEASE = os.environ.get("AUGUR_RELEASE_BINARY") or (
    os.path.join(SOURCE, "build", "release", "bin", "augur")
    if os.path.exists(os.path.join(SOURCE, "build", "release", "bin", "augur")) else "")


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def seconds(duration):
    """A Prometheus-style duration ("25s", "1m", "1m30s") in seconds."""
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration):
        total += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def templates_by_name(directory):
    names = {}
    for path in glob.glob(os.path.join(directory, "*.yaml")):
        for doc in load_all(path):
            if doc.get("kind") == "AnalysisTemplate":
                names[doc["metadata"]["name"]] = doc
    return names


class KubernetesManifests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(SOURCE, "deploy", "kubernetes")
        cls.docs = {}
        for path in sorted(glob.glob(os.path.join(cls.dir, "*.yaml"))):
            for doc in load_all(path):
                cls.docs.setdefault(doc["kind"], []).append(doc)
        cls.deployment = cls.docs["Deployment"][0]
        cls.pod = cls.deployment["spec"]["template"]["spec"]
        cls.container = cls.pod["containers"][0]
        cls.configmaps = {c["metadata"]["name"]: c for c in cls.docs["ConfigMap"]}

    def test_every_file_parses_and_is_listed(self):
        files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.dir, "*.yaml")))
        kustomization = load_all(os.path.join(self.dir, "kustomization.yaml"))[0]
        self.assertEqual(sorted(kustomization["resources"] + ["kustomization.yaml"]), files)
        for kind in ("Namespace", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget",
                     "PersistentVolumeClaim"):
            self.assertIn(kind, self.docs)

    def test_ports_and_probes(self):
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        self.assertEqual(ports, {"grpc": 7070, "http": 7071})
        self.assertEqual(self.container["livenessProbe"]["httpGet"], {"path": "/healthz",
                                                                      "port": "http"})
        self.assertEqual(self.container["readinessProbe"]["httpGet"], {"path": "/readyz",
                                                                       "port": "http"})
        for service in self.docs["Service"]:
            for port in service["spec"]["ports"]:
                self.assertIn(port["targetPort"], ports, service["metadata"]["name"])
                self.assertEqual(port["port"], ports[port["targetPort"]])
            self.assertEqual(service["spec"]["selector"],
                             self.deployment["spec"]["selector"]["matchLabels"])
        requests = self.container["resources"]["requests"]
        self.assertIn("cpu", requests)
        self.assertIn("memory", requests)

    def test_grace_covers_the_drain(self):
        config = yaml.safe_load(self.configmaps["augur-config"]["data"]["augur.yaml"])
        drain = seconds(config["server"]["shutdownGracePeriod"])
        pre_stop = self.container["lifecycle"]["preStop"]["exec"]["command"]
        self.assertEqual(pre_stop[0], "sleep")
        total = float(pre_stop[1]) + drain
        self.assertGreater(self.pod["terminationGracePeriodSeconds"], total,
                           "SIGKILL would cut the drain short")

    def test_disruption_budget_selects_the_pods(self):
        pdb = self.docs["PodDisruptionBudget"][0]
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"],
                         self.deployment["spec"]["template"]["metadata"]["labels"])

    def test_the_config_and_templates_pass_augur_validate(self):
        config_text = self.configmaps["augur-config"]["data"]["augur.yaml"]
        config = yaml.safe_load(config_text)
        mounts = {m["mountPath"]: m for m in self.container["volumeMounts"]}
        for directory in config["templates"]:
            self.assertIn(directory, mounts, "the config reads templates from an unmounted path")
        self.assertIn("/etc/augur/augur.yaml", mounts)
        self.assertEqual(self.container["args"], ["serve", "--config", "/etc/augur/augur.yaml"])
        self.assertIn(config["server"]["dataDir"], mounts)
        with tempfile.TemporaryDirectory() as work:
            paths = []
            for name, text in [("augur.yaml", config_text)] + sorted(
                    self.configmaps["augur-templates"]["data"].items()):
                path = os.path.join(work, name)
                with open(path, "w") as f:
                    f.write(text)
                paths.append(path)
            run = subprocess.run([AUGUR, "validate", *paths], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)


class ControllerExamples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.templates = templates_by_name(os.path.join(SOURCE, "examples", "templates"))

    def test_argo_web_provider(self):
        doc = load_all(os.path.join(SOURCE, "examples", "argo-rollouts",
                                    "analysis-template-web.yaml"))[0]
        self.assertEqual(doc["kind"], "AnalysisTemplate")
        metric = doc["spec"]["metrics"][0]
        web = metric["provider"]["web"]
        self.assertRegex(web["url"], r":7071/v1/analyze$")
        self.assertEqual(web["method"], "POST")
        self.assertEqual(web["jsonPath"], "{$.verdict}")
        self.assertEqual(metric["successCondition"], 'result == "PROMOTE"')
        self.assertEqual(metric["failureCondition"], 'result == "ABORT"')
        self.assertIn(web["jsonBody"]["template"], self.templates)
        self.assertEqual(set(web["jsonBody"]) - {"template", "args", "control", "experiment",
                                                 "lookback", "start", "end", "step", "strategy",
                                                 "provider"}, set())

    def test_argo_kayenta_provider(self):
        doc = load_all(os.path.join(SOURCE, "examples", "argo-rollouts",
                                    "analysis-template-kayenta.yaml"))[0]
        kayenta = doc["spec"]["metrics"][0]["provider"]["kayenta"]
        self.assertRegex(kayenta["address"], r":7071$")
        self.assertIn("threshold", kayenta)  # Argo's field; `thresholds` is not read
        self.assertNotIn("thresholds", kayenta)
        # Its template (beside it) must load, and give every argument a default: Argo's kayenta
        # spec has no way to pass one.
        beside = templates_by_name(os.path.join(SOURCE, "examples", "argo-rollouts"))
        self.assertIn(kayenta["canaryConfigName"], beside)
        template = beside[kayenta["canaryConfigName"]]
        for arg in template["spec"].get("args", []):
            self.assertIn("default", arg, arg["name"])
        paths = glob.glob(os.path.join(SOURCE, "examples", "argo-rollouts", "checkout-*.yaml"))
        run = subprocess.run([AUGUR, "validate", *paths], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertEqual(len(kayenta["scopes"]), 1)

    def test_flagger_canary(self):
        doc = load_all(os.path.join(SOURCE, "examples", "flagger", "canary.yaml"))[0]
        self.assertEqual(doc["kind"], "Canary")
        analysis = doc["spec"]["analysis"]
        interval = seconds(analysis["interval"])
        types = set()
        for hook in analysis["webhooks"]:
            self.assertRegex(hook["url"], r":7071/flagger/%s$" % re.escape(hook["type"]))
            self.assertLess(seconds(hook["timeout"]), interval)
            metadata = hook["metadata"]
            self.assertIn(metadata["template"], self.templates)
            for key in metadata:
                self.assertTrue(key in ("template", "control", "experiment", "lookback", "step",
                                        "strategy", "provider") or key.startswith("arg."), key)
            types.add(hook["type"])
        self.assertEqual(types, {"rollout", "confirm-traffic-increase", "confirm-promotion",
                                 "rollback"})


class Dockerfile(unittest.TestCase):
    def test_stages_user_ports_and_runtime_libraries(self):
        with open(os.path.join(SOURCE, "deploy", "Dockerfile")) as f:
            text = f.read()
        stages = re.findall(r"^FROM (\S+)", text, re.M)
        self.assertEqual(stages, ["debian:bookworm", "debian:bookworm-slim"])
        self.assertRegex(text, r"(?m)^USER 10001")
        self.assertRegex(text, r"(?m)^EXPOSE 7070 7071$")
        runtime = text.split("FROM debian:bookworm-slim", 1)[1]
        installed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", runtime.split("&&")[1]))
        if not RELEASE:
            return
        # Every shared library the release binary needs comes from a package the runtime stage
        # installs, or from one every bookworm-slim image has.
        base = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]",
                            subprocess.run(["readelf", "-d", RELEASE], capture_output=True,
                                           text=True, check=True).stdout)
        for lib in needed:
            found = subprocess.run(["dpkg", "-S", lib], capture_output=True, text=True)
            packages = {line.split(":")[0] for line in found.stdout.splitlines()}
            self.assertTrue(packages & (installed | base),
                            "%s (from %s) is not installed by the runtime stage" %
                            (lib, ", ".join(sorted(packages)) or "no package"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
