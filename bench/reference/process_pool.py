#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for `--strategy=process-pool`: the seed's ProcessPoolExecutor.

Runs JOBS empty jobs (time.sleep(0)) on ProcessPoolExecutor(max_workers=WORKERS)
and prints the elapsed seconds, worker start-up included (as in the
concurrency-lab run it is compared with).
Usage: process_pool.py [JOBS=5000] [WORKERS=2]
"""
import concurrent.futures
import sys
import time


def do_something(seconds):
    time.sleep(seconds)
    return seconds


def main():
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    start = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as executor:
        futures = [executor.submit(do_something, 0) for _ in range(jobs)]
        for f in concurrent.futures.as_completed(futures):
            f.result()
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
