#!/usr/bin/env python3
"""Counts test cases from meson's testlog.json and prints "N passed, N failed".

Each GLib test program reports its cases in TAP; a case is one "ok"/"not ok"
line. A program that crashed or failed without a failing case counts as one
failure, so nothing is hidden. Skipped cases are reported, never counted as
passed.
"""
import json
import re
import sys

passed = failed = skipped = 0
try:
    with open(sys.argv[1], encoding="utf-8") as log:
        entries = [json.loads(line) for line in log if line.strip()]
except OSError as error:
    print(f"no test log: {error}")
    print("0 passed, 1 failed")
    sys.exit(1)

for entry in entries:
    out = entry.get("stdout") or ""
    ok = len(re.findall(r"^ok \d+", out, re.M))
    not_ok = len(re.findall(r"^not ok \d+", out, re.M))
    skip = len(re.findall(r"^ok \d+.*# SKIP", out, re.M))
    ok -= skip
    if entry.get("result") not in ("OK", "EXPECTEDFAIL") and not_ok == 0:
        not_ok = 1
    if ok == 0 and not_ok == 0 and skip == 0:
        ok = 1 if entry.get("result") == "OK" else 0
    passed += ok
    failed += not_ok
    skipped += skip

# Extra steps of build-aux/test (sanitizer build, Flatpak check): one each.
passed += int(sys.argv[2]) if len(sys.argv) > 2 else 0
failed += int(sys.argv[3]) if len(sys.argv) > 3 else 0
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
