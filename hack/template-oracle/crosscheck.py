#!/usr/bin/env python3
"""Cross-check the oracle's expectations against the real helm binary.

usage: hack/template-oracle/crosscheck.py [--helm PATH] [case-file-stem ...]

The oracle links Helm's engine as a library; this script checks that the result is what the
released helm v4.1.4 binary (hack/get-helm.sh) does. `helm template` cannot show arbitrary text
(it parses every rendered manifest as YAML), so each case's template becomes the chart's
templates/NOTES.txt and is rendered with `helm install release <chart> -n default
--dry-run=client`, which prints the rendered notes (whitespace-trimmed) after "NOTES:".

Compared: deterministic cases whose expectation does not depend on the template's own name
(.Template, extra templates, {{ block }} parse order) or on the oracle's own values error
prefix, and without CR characters (helm's notes printing turns CRLF into LF). Errors are compared as
"helm's stderr contains the expected error, with t.yaml renamed NOTES.txt".
Exit status 1 when any compared case differs.
"""
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXPECTED = os.path.join(ROOT, "tests", "template-cases", "expected")


def comparable(c):
    if "output" not in c and "error" not in c:
        return False  # nondeterministic
    if c.get("template_name") or c.get("templates") or c.get("files"):
        return False
    if ".Template" in c["template"] or ".Template" in c.get("helpers", ""):
        return False
    if "error" in c and c["error"].startswith(("values:", "chart_values:")):
        return False
    # {{ block }} redefinitions depend on parse order, which depends on the template's name
    # (control/block-overridden-parse-order shows it); helm's notes printing turns CRLF into LF.
    if "block" in c["template"] or "\r" in c["template"]:
        return False
    return True


def run_case(helm, c):
    with tempfile.TemporaryDirectory() as tmp:
        chart = os.path.join(tmp, "oracle")
        os.makedirs(os.path.join(chart, "templates"))
        files = {
            "Chart.yaml": "apiVersion: v2\nname: oracle\nversion: 0.1.0\n",
            "values.yaml": c.get("chart_values", ""),
            "templates/NOTES.txt": c["template"],
        }
        if c.get("helpers"):
            files["templates/_helpers.tpl"] = c["helpers"]
        for name, text in files.items():
            with open(os.path.join(chart, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)
        user = os.path.join(tmp, "user-values.yaml")
        with open(user, "w", encoding="utf-8", newline="") as f:
            f.write(c.get("values", ""))
        r = subprocess.run(
            [helm, "install", "release", chart, "-n", "default", "--dry-run=client", "-f", user],
            capture_output=True, text=True, cwd=tmp)
    if "error" in c:
        want = c["error"].replace("oracle/templates/t.yaml", "oracle/templates/NOTES.txt")
        if r.returncode == 0 or want not in r.stderr:
            return f"expected error {want!r}\n  helm rc={r.returncode} stderr={r.stderr!r}"
        return None
    if r.returncode != 0:
        return f"helm failed: {r.stderr!r}"
    marker = "\nNOTES:\n"
    got = r.stdout.split(marker, 1)[1] if marker in r.stdout else ""
    if got.strip() != c["output"].strip():
        return f"expected {c['output'].strip()!r}\n  helm     {got.strip()!r}"
    return None


def main():
    args = sys.argv[1:]
    helm = os.path.join(ROOT, ".cache", "tools", "bin", "helm")
    if args[:1] == ["--helm"]:
        helm, args = args[1], args[2:]
    todo = []
    for path in sorted(glob.glob(os.path.join(EXPECTED, "*.json"))):
        stem = os.path.basename(path)[:-5]
        if args and stem not in args:
            continue
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        todo += [(stem, c) for c in doc["cases"] if comparable(c)]
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda sc: (sc, run_case(helm, sc[1])), todo)
        for (stem, c), err in results:
            if err:
                bad += 1
                print(f"DIFF {stem}/{c['name']}: {err}")
    print(f"{len(todo) - bad} agree, {bad} differ (of {len(todo)} comparable cases)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
