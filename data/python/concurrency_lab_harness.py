#!/usr/bin/env python3
# concurrency_lab_harness.py — the seed's own Python, measured by Concurrency Lab
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The app starts this script with the run's parameters as one JSON object
# on stdin, and reads one line per event on stdout:
#
#   hello 1 <pid> <t>                 the harness is ready at t (protocol 1)
#   start <index> <worker> <start_ns>
#   job <index> <worker> <start_ns> <end_ns> <cpu_ns> <bytes> <value> <status>
#   fail <index> <worker> <start_ns> <end_ns> <cpu_ns> <bytes> <value> <status> <message>
#   done
#   error <message>                   nothing can run (a module is missing…)
#
# Times are time.monotonic_ns(): CLOCK_MONOTONIC, the app's clock, so a
# job's times fall on the run's own axis. <worker> is the native id of
# the thread that ran the job (in a worker process, its pid). Every line
# goes out in one os.write() of at most MAX_LINE bytes: lines from threads
# and worker processes sharing the pipe never mix (PIPE_BUF is 4096).
#
# Each strategy is exactly the construct its name says: a loop,
# threading.Thread per job, ThreadPoolExecutor(max_workers=N),
# multiprocessing.Process per job, ProcessPoolExecutor(max_workers=N),
# asyncio. Standard library only, except Pillow for blur and requests for
# download when it is there (urllib otherwise).
#
# `--check` prints what is available instead: "python <version>", then
# "module <name> yes|no" for PIL and requests.

import asyncio
import json
import os
import sys
import threading
import time

PROTOCOL = 1
MAX_LINE = 1024
PRIMES_BASE = 1000000000
CHUNK = 64 * 1024

CFG = {}


def clean(text):
    """One line of printable text, short enough for the protocol."""
    text = "".join(c if c.isprintable() else " " for c in str(text))
    return text[:400] or "error"


def emit(line):
    data = (line + "\n").encode("utf-8", "replace")
    if len(data) > MAX_LINE:
        data = data[:MAX_LINE - 1] + b"\n"
    os.write(1, data)


def set_parent_death_signal():
    """A worker process dies with the harness (Linux prctl, when ctypes can)."""
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


# --- the tasks: the seed's code --------------------------------------------

def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def task_primes(index):
    size = CFG["size"]
    first = PRIMES_BASE + index * size
    return sum(is_prime(n) for n in range(first, first + size)), 0, 0


def task_sleep(index):
    seconds = CFG["seconds"]
    time.sleep(seconds[index % len(seconds)])
    return 0, 0, 0


def output_path(name):
    return os.path.join(os.fsencode(bytes.fromhex(CFG["output"])), os.fsencode(name))


def save_atomically(dest, chunks):
    """Writes the chunks to a hidden file in the output folder, then renames it."""
    tmp = os.path.join(os.path.dirname(dest),
                       b"." + os.path.basename(dest) + b".%d-%d.part" % (os.getpid(), threading.get_native_id()))
    total = 0
    try:
        with open(tmp, "wb") as f:
            for chunk in chunks:
                total += len(chunk)
                f.write(chunk)
        os.rename(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return total


def url_of(index):
    why = CFG.get("url_errors", {}).get(str(index))
    if why:
        raise ValueError(why)
    return CFG["urls"][index]


def limited(chunks):
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > CFG["max_bytes"]:
            raise ValueError("larger than %d bytes" % CFG["max_bytes"])
        yield chunk


def task_download(index):
    url = url_of(index)
    dest = output_path(CFG["names"][index])
    timeout = CFG["timeout"]
    try:
        import requests
    except ImportError:
        requests = None
    if requests is not None:
        # The seed: requests.get(url).content, streamed to the file.
        with requests.get(url, timeout=timeout, stream=True) as r:
            if not 200 <= r.status_code < 300:
                raise ValueError("HTTP %d %s" % (r.status_code, r.reason))
            n = save_atomically(dest, limited(r.iter_content(CHUNK)))
            return 0, n, r.status_code
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            n = save_atomically(dest, limited(iter(lambda: r.read(CHUNK), b"")))
            return 0, n, r.status
    except urllib.error.HTTPError as e:
        raise ValueError("HTTP %d %s" % (e.code, e.reason))


def image_jobs():
    """The photos of the folder and their outputs, as the C task names them."""
    folder = os.fsencode(bytes.fromhex(CFG["images"]))
    suffixes = (b".jpg", b".jpeg", b".png", b".webp", b".tif", b".tiff")
    sources = sorted(os.path.join(folder, name) for name in os.listdir(folder)
                     if not name.startswith(b".") and name.lower().endswith(suffixes)
                     and os.path.isfile(os.path.join(folder, name)))
    taken, dests = set(), []
    for src in sources:
        base = os.path.basename(src)
        dot = base.rfind(b".")
        stem = base[:dot] if dot > 0 else base
        name, n = stem + b".jpg", 2
        while name in taken:
            name, n = stem + b"-%d.jpg" % n, n + 1
        taken.add(name)
        dests.append(os.path.join(os.fsencode(bytes.fromhex(CFG["output"])), name))
    return sources, dests


_images = None


def task_blur(index):
    global _images
    from PIL import Image, ImageFilter
    if _images is None:
        _images = image_jobs()
    sources, dests = _images
    if not sources:
        raise ValueError("no photos")
    i = index % len(sources)
    # The seed: GaussianBlur(15), then a 1200×1200 thumbnail.
    with Image.open(sources[i]) as img:
        img = img.filter(ImageFilter.GaussianBlur(15))
        img.thumbnail((1200, 1200))
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        tmp = dests[i] + b".%d-%d.part" % (os.getpid(), threading.get_native_id())
        img.save(tmp, "JPEG")
        os.rename(tmp, dests[i])
    return 0, os.path.getsize(dests[i]), 0


TASKS = {"sleep": task_sleep, "primes": task_primes, "download": task_download, "blur": task_blur}


def run_job(index):
    worker = threading.get_native_id()
    start = time.monotonic_ns()
    emit("start %d %d %d" % (index, worker, start))
    cpu0 = time.thread_time_ns()
    value = nbytes = status = 0
    error = None
    try:
        value, nbytes, status = TASKS[CFG["task"]](index)
    except Exception as e:
        error = "%s: %s" % (type(e).__name__, e) if str(e) else type(e).__name__
    end = time.monotonic_ns()
    cpu = time.thread_time_ns() - cpu0
    fields = "%d %d %d %d %d %d %d %d" % (index, worker, start, end, cpu, nbytes, value, status)
    emit("job " + fields if error is None else "fail %s %s" % (fields, clean(error)))


# --- asyncio: the same tasks on one event loop -----------------------------

async def fetch(url, timeout):
    """A GET over asyncio's own streams: HTTP/1.0, so the body ends with the connection."""
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("unsupported URL scheme %r" % parts.scheme)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(parts.hostname, port, ssl=parts.scheme == "https"), timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        writer.write(("GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: concurrency-lab-python\r\n"
                      "Connection: close\r\n\r\n" % (path, parts.netloc)).encode("ascii"))
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        status = int(status_line[1])
        if not 200 <= status < 300:
            raise ValueError("HTTP %d %s" % (status, status_line[2] if len(status_line) > 2 else ""))
        chunks = []
        while True:
            chunk = await asyncio.wait_for(reader.read(CHUNK), timeout)
            if not chunk:
                break
            chunks.append(chunk)
        return status, list(limited(chunks))
    finally:
        writer.close()


async def async_job(index):
    worker = threading.get_native_id()
    start = time.monotonic_ns()
    emit("start %d %d %d" % (index, worker, start))
    value = nbytes = status = 0
    error = None
    try:
        if CFG["task"] == "sleep":
            seconds = CFG["seconds"]
            await asyncio.sleep(seconds[index % len(seconds)])
        elif CFG["task"] == "download":
            status, chunks = await fetch(url_of(index), CFG["timeout"])
            nbytes = save_atomically(output_path(CFG["names"][index]), chunks)
        else:
            raise ValueError("asyncio cannot run %s" % CFG["task"])
    except Exception as e:
        error = "%s: %s" % (type(e).__name__, e) if str(e) else type(e).__name__
    end = time.monotonic_ns()
    # Every job shares one thread: its CPU is not its own.
    fields = "%d %d %d %d %d %d %d %d" % (index, worker, start, end, 0, nbytes, value, status)
    emit("job " + fields if error is None else "fail %s %s" % (fields, clean(error)))


async def run_async(n):
    await asyncio.gather(*(async_job(i) for i in range(n)))


# --- the strategies --------------------------------------------------------

def init_worker(cfg):
    CFG.update(cfg)
    set_parent_death_signal()


def process_main(cfg, index):
    init_worker(cfg)
    run_job(index)


def run_strategy(strategy, n, workers):
    if strategy == "sequential":
        for i in range(n):
            run_job(i)
    elif strategy == "threads":
        # One threading.Thread per job, at most `workers` alive at once.
        slots = threading.Semaphore(workers)

        def job(i):
            try:
                run_job(i)
            finally:
                slots.release()
        threads = []
        for i in range(n):
            slots.acquire()
            t = threading.Thread(target=job, args=(i,))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
    elif strategy == "thread-pool":
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run_job, range(n)))
    elif strategy == "processes":
        # One multiprocessing.Process per job, at most `workers` at once.
        import multiprocessing
        running = []
        for i in range(n):
            while len(running) >= workers:
                running.pop(0).join()
            p = multiprocessing.Process(target=process_main, args=(CFG, i))
            p.start()
            running.append(p)
        for p in running:
            p.join()
    elif strategy == "process-pool":
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=workers, initializer=init_worker, initargs=(CFG,)) as pool:
            list(pool.map(run_job, range(n)))
    elif strategy == "async":
        asyncio.run(run_async(n))
    else:
        raise ValueError("unknown strategy %r" % strategy)


def check():
    print("python %d.%d.%d" % sys.version_info[:3])
    for module in ("PIL", "requests"):
        try:
            __import__(module)
            print("module %s yes" % module)
        except Exception:
            print("module %s no" % module)


def main():
    if sys.argv[1:] == ["--check"]:
        check()
        return 0
    try:
        cfg = json.loads(sys.stdin.buffer.read(16 * 1024 * 1024))
        if not isinstance(cfg, dict):
            raise ValueError("the parameters are not an object")
        CFG.update(cfg)
        if CFG.get("protocol") != PROTOCOL:
            raise ValueError("the app speaks protocol %r, this harness %d" % (CFG.get("protocol"), PROTOCOL))
        if CFG["task"] not in TASKS:
            raise ValueError("no Python code for the task %r" % CFG["task"])
        if CFG["task"] == "blur":
            import PIL  # noqa: F401 — say it is missing before any job runs
        n, workers = int(CFG["jobs"]), max(1, int(CFG["workers"]))
    except Exception as e:
        emit("error " + clean("%s: %s" % (type(e).__name__, e)))
        return 3
    emit("hello %d %d %d" % (PROTOCOL, os.getpid(), time.monotonic_ns()))
    run_strategy(CFG["strategy"], n, workers)
    emit("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
