#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest against the meson project.

Same application id and command, the GNOME runtime, exactly the sandbox
permissions the app needs (no file system access: files go through the
portal), a checksummed archive for every library the runtime lacks, and the
app itself built with meson. With --self-test, broken copies of the manifest
must each be refused, so the check is known to bite.
"""
import argparse
import copy
import json
import pathlib
import re
import sys

FINISH_ARGS = {
    "--socket=wayland",
    "--socket=fallback-x11",
    "--share=ipc",
    "--device=dri",
    "--share=network",
}
RUNTIME, SDK, MIN_RUNTIME_VERSION = "org.gnome.Platform", "org.gnome.Sdk", 47

# pkg-config names that org.gnome.Platform provides.
IN_RUNTIME = {
    "glib-2.0", "gio-2.0", "gio-unix-2.0", "gmodule-2.0", "gobject-2.0", "gthread-2.0",
    "gtk4", "libadwaita-1", "json-glib-1.0", "libsoup-3.0", "sqlite3", "threads",
    "cairo", "cairo-svg", "pango", "gdk-pixbuf-2.0", "libxml-2.0", "zlib", "libjpeg", "libpng",
}
# pkg-config name -> manifest module name, for what the runtime lacks.
MODULE_FOR = {"vips": "libvips"}


def meson_dependencies(source_root):
    """Every dependency('name', ...) in the project's meson.build files."""
    names = set()
    skip = {"subprojects"}
    for path in source_root.rglob("meson.build"):
        rel = path.relative_to(source_root).parts
        if rel[0].startswith("_build") or rel[0].startswith(".") or rel[0] in skip:
            continue
        names.update(re.findall(r"\bdependency\(\s*'([^']+)'", path.read_text()))
    return names


def meson_executables(source_root):
    text = (source_root / "src" / "meson.build").read_text()
    return set(re.findall(r"\bexecutable\(\s*'([^']+)'", text))


def check(manifest, deps, executables, app_id, command):
    """Returns the list of problems, empty when the manifest is right."""
    problems = []
    mid = manifest.get("id", manifest.get("app-id"))
    if mid != app_id:
        problems.append(f"id is {mid!r}, meson.build says {app_id!r}")
    if manifest.get("command") != command:
        problems.append(f"command is {manifest.get('command')!r}, not {command!r}")
    if command not in executables:
        problems.append(f"meson builds no executable named {command!r}")
    if manifest.get("runtime") != RUNTIME or manifest.get("sdk") != SDK:
        problems.append(f"runtime/sdk must be {RUNTIME}/{SDK}")
    version = str(manifest.get("runtime-version", ""))
    if not version.isdigit() or int(version) < MIN_RUNTIME_VERSION:
        problems.append(f"runtime-version {version!r} is not a current GNOME release (>= {MIN_RUNTIME_VERSION})")

    args = manifest.get("finish-args", [])
    if set(args) != FINISH_ARGS or len(args) != len(FINISH_ARGS):
        extra = sorted(set(args) - FINISH_ARGS)
        missing = sorted(FINISH_ARGS - set(args))
        problems.append(f"finish-args: unexpected {extra}, missing {missing}")
    if any(a.startswith("--filesystem") for a in args):
        problems.append("no --filesystem access: files go through the portal")

    modules = {m["name"]: m for m in manifest.get("modules", []) if isinstance(m, dict)}
    for dep in sorted(deps - IN_RUNTIME):
        name = MODULE_FOR.get(dep)
        if name is None or name not in modules:
            problems.append(f"dependency {dep!r} of meson.build is not in the runtime and has no module")
            continue
        for src in modules[name].get("sources", []):
            if src.get("type") == "archive" and not re.fullmatch(r"[0-9a-f]{64}", src.get("sha256", "")):
                problems.append(f"module {name!r}: archive {src.get('url')} has no sha256")
        if not any(s.get("type") == "archive" for s in modules[name].get("sources", [])):
            problems.append(f"module {name!r} must be a released archive with a sha256")

    app = manifest.get("modules", [None])[-1]
    if not isinstance(app, dict) or app.get("buildsystem") != "meson":
        problems.append("the last module must be the app itself, buildsystem meson")
    elif not any(s.get("type") == "dir" for s in app.get("sources", [])):
        problems.append("the app module must build this source tree (a dir source)")
    return problems


def broken_copies(manifest):
    """(what was broken, manifest) pairs the check must refuse."""
    def mutate(what, change):
        m = copy.deepcopy(manifest)
        change(m)
        return what, m

    def drop_vips(m):
        m["modules"] = [x for x in m["modules"] if x.get("name") != "libvips"]

    def drop_sha(m):
        for x in m["modules"]:
            for s in x.get("sources", []):
                s.pop("sha256", None)

    return [
        mutate("home access", lambda m: m["finish-args"].append("--filesystem=home")),
        mutate("no network", lambda m: m["finish-args"].remove("--share=network")),
        mutate("other id", lambda m: m.update({"id": "org.example.Other"})),
        mutate("other command", lambda m: m.update({"command": "lab"})),
        mutate("old runtime", lambda m: m.update({"runtime-version": "3.38"})),
        mutate("no libvips module", drop_vips),
        mutate("no checksum", drop_sha),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", required=True, type=pathlib.Path)
    parser.add_argument("--source-root", required=True, type=pathlib.Path)
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--self-test", action="store_true")
    opts = parser.parse_args()

    manifest = json.loads(opts.manifest.read_text())
    deps = meson_dependencies(opts.source_root)
    exes = meson_executables(opts.source_root)
    if "vips" not in deps:
        print("could not find dependency('vips') in meson.build; is --source-root right?")
        return 1

    if not opts.self_test:
        problems = check(manifest, deps, exes, opts.app_id, opts.command)
        for p in problems:
            print(f"{opts.manifest.name}: {p}")
        print("manifest agrees with meson.build" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0

    failed = 0
    for what, broken in broken_copies(manifest):
        problems = check(broken, deps, exes, opts.app_id, opts.command)
        print(f"{'refused' if problems else 'NOT refused'}: {what}" + (f" ({problems[0]})" if problems else ""))
        failed += not problems
    missing_dep = check(manifest, deps | {"libfoo"}, exes, opts.app_id, opts.command)
    print(f"{'refused' if missing_dep else 'NOT refused'}: a new dependency without a module")
    failed += not missing_dep
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
