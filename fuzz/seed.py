#!/usr/bin/env python3
"""Seeds fuzz/corpus/{lex,parse,exec} from the table cases (tests/template-cases/*.yaml).

exec inputs are `TEMPLATE \\0 HELPERS \\0 VALUES` as fuzz_targets/exec.rs expects."""
import glob
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "tests", "template-cases", "expected")


def write(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


for path in sorted(glob.glob(os.path.join(CASES, "*.json"))):
    with open(path) as f:
        doc = json.load(f)
    for c in doc["cases"]:
        t = c.get("template", "")
        h = c.get("helpers") or ""
        v = c.get("values") or ""
        write("lex", t.encode())
        write("parse", t.encode())
        if not c.get("nondeterministic"):
            write("exec", (t + "\0" + h + "\0" + v).encode())
