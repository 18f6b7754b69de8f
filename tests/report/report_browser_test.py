#!/usr/bin/python3
"""augur report's HTML in a real browser and its JUnit in a real XML parser.

Renders tests/data/report/result.json (the document report_test keeps in step with the code)
with the augur binary, then:
  * parses the JUnit XML with xml.etree.ElementTree and checks the counts and test cases against
    the result's own metrics;
  * opens the HTML in headless Chromium (Debian's chromium): the DOM must hold two charts per
    metric with series, the browser must log no console message (a page without scripts or
    external resources has none; a missing resource or a script error would), and a screenshot
    PNG is written to the test's output folder.
A canary page with a console error checks that the console check can fail.
Environment: AUGUR_BINARY, AUGUR_REPORT_RESULT, AUGUR_REPORT_OUTPUT_DIR.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

AUGUR = os.environ["AUGUR_BINARY"]
RESULT = os.environ["AUGUR_REPORT_RESULT"]
OUT = os.environ["AUGUR_REPORT_OUTPUT_DIR"]


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def render(fmt, output):
    run = subprocess.run([AUGUR, "report", RESULT, "--format", fmt, "--output", output],
                         capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        fail(f"augur report --format {fmt} exited {run.returncode}: {run.stderr}")


def chromium(profile, *args):
    binary = shutil.which("chromium")
    if binary is None:
        fail("chromium is not installed (scripts/lib.sh lists it)")
    run = subprocess.run([binary, "--headless=new", "--no-sandbox", "--disable-gpu",
                          "--disable-dev-shm-usage", "--hide-scrollbars", "--enable-logging=stderr",
                          "--v=0", f"--user-data-dir={profile}", *args],
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        fail(f"chromium exited {run.returncode}: {run.stderr[-2000:]}")
    return run


def console_messages(stderr):
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(RESULT) as f:
        doc = json.load(f)
    metrics = doc["metrics"]

    # JUnit, through a real XML parser.
    junit_path = os.path.join(OUT, "report.junit.xml")
    render("junit", junit_path)
    root = ET.parse(junit_path).getroot()
    suites = root.findall("testsuite")
    if root.tag != "testsuites" or len(suites) != 1:
        fail(f"expected <testsuites> with one <testsuite>, got <{root.tag}> with {len(suites)}")
    suite = suites[0]
    cases = suite.findall("testcase")
    if [c.get("name") for c in cases] != [m["name"] for m in metrics]:
        fail(f"test cases {[c.get('name') for c in cases]} are not the metrics")
    want_failures = sum(1 for m in metrics
                        if m["classification"] in ("HIGH", "LOW") and not m["dry_run"])
    want_errors = sum(1 for m in metrics if m["classification"] == "ERROR" and not m["dry_run"])
    want_skipped = len(metrics) - want_failures - want_errors - sum(
        1 for m in metrics if m["classification"] == "PASS")
    got = {k: int(suite.get(k)) for k in ("tests", "failures", "errors", "skipped")}
    want = {"tests": len(metrics), "failures": want_failures, "errors": want_errors,
            "skipped": want_skipped}
    if got != want:
        fail(f"suite counts {got}, expected {want}")
    for case, m in zip(cases, metrics):
        failed = case.find("failure") is not None
        if failed != (m["classification"] in ("HIGH", "LOW") and not m["dry_run"]):
            fail(f"{m['name']}: <failure> present={failed} for {m['classification']}")
        if m["classification"] == "NODATA" and case.find("skipped") is None:
            fail(f"{m['name']}: NODATA is not <skipped>")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    if props.get("verdict") != doc["verdict"]:
        fail(f"verdict property {props.get('verdict')} != {doc['verdict']}")
    print(f"junit: {len(cases)} test cases, {got['failures']} failures, {got['skipped']} skipped")

    # HTML, in Chromium.
    html_path = os.path.join(OUT, "report.html")
    render("html", html_path)
    with tempfile.TemporaryDirectory() as profile:
        # The check must be able to fail: a page with a console error is caught.
        canary = os.path.join(profile, "canary.html")
        with open(canary, "w") as f:
            f.write('<!DOCTYPE html><html><body><script>console.error("canary")</script>'
                    "</body></html>")
        if not console_messages(chromium(profile, "--dump-dom", "file://" + canary).stderr):
            fail("the console check missed a page's console.error")

        run = chromium(profile, "--dump-dom", "file://" + os.path.abspath(html_path))
        messages = console_messages(run.stderr)
        if messages:
            fail("console messages: " + "; ".join(messages))
        dom = run.stdout
        with_series = sum(
            1 for m in metrics
            if any(p[1] is not None and math.isfinite(p[1])
                   for side in m.get("series", {}).values() for p in side))
        charts = dom.count('<svg class="chart ')
        if charts != 2 * with_series:
            fail(f"{charts} charts in the DOM, expected {2 * with_series} (2 per metric with series)")
        if doc["verdict"] not in dom:
            fail("the verdict is not on the page")

        png = os.path.join(OUT, "report.png")
        if os.path.exists(png):
            os.remove(png)
        chromium(profile, "--window-size=1280,3000", f"--screenshot={png}",
                 "file://" + os.path.abspath(html_path))
        with open(png, "rb") as f:
            head = f.read(8)
        if head != b"\x89PNG\r\n\x1a\n" or os.path.getsize(png) < 10000:
            fail(f"{png} is not a screenshot ({os.path.getsize(png)} bytes)")
    print(f"html: {charts} charts, no console messages, screenshot {png}")
    print("PASS")


if __name__ == "__main__":
    main()
