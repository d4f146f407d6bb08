#!/usr/bin/env python3
"""Groups the mismatches of one or more template-diff runs by cause signature.

Usage: triage.py OUT_DIR... [--show N] [--totals]

--totals prints the summed wall time, cases and mismatches of the runs (summary.json) instead.

Reads OUT_DIR/mismatches.jsonl and prints signature groups, biggest first, with the shortest
example of each. Signatures: for two errors, whether only the location/node differs
("err-location") or the message differs (Go's message with quotes and numbers masked); for two
outputs, "output"; otherwise which side failed and Go's masked message."""
import json
import re
import sys


def mask(msg):
    msg = re.sub(r'"(?:[^"\\]|\\.)*"', '"…"', msg)
    msg = re.sub(r"`[^`]*`", "`…`", msg)
    msg = re.sub(r"<[^>]*>", "<…>", msg)
    msg = re.sub(r"\d+", "N", msg)
    return msg[:160]


def last_message(err):
    # Helm's traced errors end with the innermost message on the last line.
    line = err.strip().splitlines()[-1].strip()
    return line.split("error calling ")[-1]


def signature(ex):
    go, rs = ex["go"], ex["rust"]
    if "Err" in go and "Err" in rs:
        g, r = last_message(go["Err"]), last_message(rs["Err"])
        if g == r:
            return "err-location"
        if mask(g) == mask(r):
            return "err-detail: " + mask(g)
        return "err-message: " + mask(g)
    if "Ok" in go and "Ok" in rs:
        return "output"
    if "Err" in go:
        return "go-only-error: " + mask(last_message(go["Err"]))
    return "rust-only-error: " + mask(last_message(rs["Err"]))


def main():
    args = sys.argv[1:]
    show = 3
    if "--show" in args:
        i = args.index("--show")
        show = int(args[i + 1])
        del args[i : i + 2]
    if "--totals" in args:
        args.remove("--totals")
        tot = {"wall_seconds": 0, "cases": 0, "matched": 0, "go_errors": 0, "oracle_restarts": 0}
        for d in args:
            with open(d + "/summary.json") as f:
                s = json.load(f)
            for k in tot:
                tot[k] += s[k]
            print(d, {k: s[k] for k in tot}, "classes:", len(s["classes"]))
        print("TOTAL", tot, "mismatched:", tot["cases"] - tot["matched"])
        return
    groups = {}
    for d in args:
        with open(d + "/mismatches.jsonl") as f:
            for line in f:
                rec = json.loads(line)
                ex = rec["example"]
                sig = signature(ex)
                g = groups.setdefault(sig, [])
                g.append((rec["class"], ex))
    for sig, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"== {len(items):4d}  {sig}")
        items.sort(key=lambda it: len(it[1]["template"]) + len(it[1]["helpers"]))
        for cls, ex in items[:show]:
            print(f"   [{cls}] T={ex['template']!r}")
            if ex["helpers"]:
                print(f"      H={ex['helpers'][:200]!r}")
            print(f"      V={ex['values'][:150]!r}")
            print(f"      GO={str(ex['go'])[:300]!r}")
            print(f"      RS={str(ex['rust'])[:300]!r}")


main()
