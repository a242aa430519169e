#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the translations against the sources as they are now.

1. po/POTFILES.in lists every file with marked strings (C: _() N_() C_(),
   .ui: translatable="yes"), and every file it lists exists.
2. Each language of po/LINGUAS, merged with a template extracted from the
   sources right now, has at least --min-percent of the messages translated,
   and the committed .po has no fuzzy entry.
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

# The keywords of meson's i18n 'glib' preset.
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
]
MARKED_C = re.compile(r"\b(?:N?C?_)\(\s*\"")
MARKED_UI = re.compile(r'translatable="yes"')


def potfiles(root):
    lines = (root / "po" / "POTFILES.in").read_text().splitlines()
    return [l.strip() for l in lines if l.strip() and not l.startswith("#")]


def check_potfiles(root, listed):
    problems = [f"po/POTFILES.in lists {f}, which does not exist" for f in listed if not (root / f).exists()]
    candidates = list(root.glob("src/**/*.c")) + list(root.glob("ui/**/*.ui"))
    for path in sorted(candidates):
        rel = path.relative_to(root).as_posix()
        pattern = MARKED_UI if path.suffix == ".ui" else MARKED_C
        if rel not in listed and pattern.search(path.read_text(errors="replace")):
            problems.append(f"{rel} has strings marked for translation but is not in po/POTFILES.in")
    return problems


def statistics(po_file):
    """(translated, fuzzy, untranslated) as msgfmt counts them."""
    out = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po_file)],
                         capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    if out.returncode != 0:
        raise RuntimeError(f"msgfmt --check failed on {po_file}:\n{out.stderr}")
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", out.stderr):
        counts[kind] = int(number)
    return counts["translated"], counts["fuzzy"], counts["untranslated"]


def check_language(root, lang, pot, min_percent):
    problems = []
    po = root / "po" / f"{lang}.po"
    if not po.exists():
        return [f"po/LINGUAS names {lang} but po/{lang}.po is missing"]
    _, fuzzy, _ = statistics(po)
    if fuzzy:
        problems.append(f"po/{lang}.po has {fuzzy} fuzzy entries; review them and drop the fuzzy flag")
    with tempfile.TemporaryDirectory() as tmp:
        merged = pathlib.Path(tmp) / f"{lang}.po"
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", str(merged), str(po), str(pot)],
                       check=True)
        done, fuzzy, todo = statistics(merged)
    total = done + fuzzy + todo
    percent = 100.0 * done / total if total else 0.0
    print(f"{lang}: {done} of {total} messages of the current sources translated ({percent:.1f} %)")
    if percent < min_percent:
        problems.append(f"{lang}: only {percent:.1f} % translated (at least {min_percent} % wanted); "
                        f"run `meson compile -C BUILDDIR concurrency-lab-update-po` and translate po/{lang}.po")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-root", required=True, type=pathlib.Path)
    parser.add_argument("--min-percent", type=float, default=95.0)
    opts = parser.parse_args()
    root = opts.source_root.resolve()

    listed = potfiles(root)
    problems = check_potfiles(root, listed)
    with tempfile.TemporaryDirectory() as tmp:
        pot = pathlib.Path(tmp) / "messages.pot"
        subprocess.run(["xgettext", *XGETTEXT_ARGS, f"--directory={root}", "-o", str(pot), *listed], check=True)
        langs = (root / "po" / "LINGUAS").read_text().split()
        for lang in langs:
            problems += check_language(root, lang, pot, opts.min_percent)

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
