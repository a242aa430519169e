# SPDX-License-Identifier: GPL-3.0-or-later
"""What the bench/ scripts share: finding and building the programs,
running `concurrency-lab run`, medians and aligned tables."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(TOP, "bench")
# The Python the references run on: Debian's, which has python3-pil and
# the rest of build-aux/apt-packages.txt (a pyenv python may lack them).
DEFAULT_PYTHON = "/usr/bin/python3"


def common_arguments(description, repeats):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--build-dir", default=os.path.join(TOP, "_build"),
                        help="meson build folder (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=repeats,
                        help="runs of each measurement; the median counts (default: %(default)s)")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the figures as JSON to FILE")
    return parser


def build(build_dir, *targets):
    """Builds @targets with ninja (configuring @build_dir first if needed)."""
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["meson", "setup", build_dir, TOP], check=True,
                       stdout=subprocess.DEVNULL)
    result = subprocess.run(["ninja", "-C", build_dir, *targets],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: could not build {' '.join(targets)} in {build_dir}:\n{result.stdout[-2000:]}")


def lab_path(build_dir):
    return os.path.join(build_dir, "src", "concurrency-lab")


def lab_runs(build_dir, *options):
    """Runs `concurrency-lab run OPTIONS --format=json`; returns its runs."""
    cmd = [lab_path(build_dir), "run", *options, "--format=json"]
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} exited {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout)["runs"]


def lab_run(build_dir, *options):
    """Runs `concurrency-lab run OPTIONS --format=json`; returns the first run."""
    return lab_runs(build_dir, *options)[0]


def python_reference(python, script, *args):
    """Runs bench/reference/SCRIPT, which prints its elapsed seconds."""
    cmd = [python, os.path.join(BENCH, "reference", script), *map(str, args)]
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} exited {result.returncode}: {result.stderr.strip()}")
    return float(result.stdout.split()[-1])


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "values": values}


def print_table(header, rows):
    """Prints @rows (lists of strings) under @header, columns aligned;
    the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def row(task, strategy, workers, ours, reference, reference_name, ratio, goal, passed,
        unit="s", ratio_text=None):
    """One line of bench/run's table, as each script's JSON lists it under
    "rows": @ours and @reference are medians in @unit ("s" or "B"), @ratio
    the figure the goal is about (a factor, shown as "N×" unless
    @ratio_text says otherwise), @goal its text; @passed None for a row
    that has no goal (a figure shown to explain another)."""
    return {"task": task, "strategy": strategy, "workers": workers, "ours": ours,
            "reference": reference, "reference_name": reference_name, "unit": unit,
            "ratio": ratio, "ratio_text": ratio_text or f"{ratio:.2f}×", "goal": goal,
            "passed": None if passed is None else bool(passed)}


def format_value(value, unit):
    if value is None:
        return "—"
    if unit == "B":
        return f"{value / 1e6:.1f} MB"
    return format_seconds(value)


def write_json(path, data):
    if path:
        data = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cores": os.cpu_count(), **data}
        with open(path, "w") as f:
            json.dump(data, f, indent=2)


def warn_if_busy():
    """Timings mean little when other programs hold the cores: say so."""
    load = os.getloadavg()[0]
    if load > 0.5 * os.cpu_count():
        print(f"warning: load average {load:.1f} on {os.cpu_count()} cores — other programs "
              "are running; wall-clock figures and speedups will be off", file=sys.stderr)
    return load


def format_seconds(s):
    if s >= 1:
        return f"{s:.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    if s >= 1e-6 or s == 0:
        return f"{s * 1e6:.1f} µs"
    return f"{s * 1e9:.0f} ns"
