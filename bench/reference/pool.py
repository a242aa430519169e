#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for `--strategy=thread-pool` and `--strategy=process-pool`:
the seed's ThreadPoolExecutor and ProcessPoolExecutor.

Runs JOBS empty jobs (time.sleep(0), the seed's do_something) on the
executor with max_workers=WORKERS and prints the elapsed seconds, timed
with perf_counter around the `with` block as the seed does (the process
pool's worker start-up included, as in the run it is compared with).
Usage: pool.py thread|process JOBS WORKERS
"""
import concurrent.futures
import sys
import time

EXECUTORS = {
    "thread": concurrent.futures.ThreadPoolExecutor,
    "process": concurrent.futures.ProcessPoolExecutor,
}


def do_something(seconds):
    time.sleep(seconds)
    return seconds


def main():
    executor_class = EXECUTORS[sys.argv[1]]
    jobs, workers = int(sys.argv[2]), int(sys.argv[3])
    start = time.perf_counter()
    with executor_class(max_workers=workers) as executor:
        futures = [executor.submit(do_something, 0) for _ in range(jobs)]
        for f in concurrent.futures.as_completed(futures):
            f.result()
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
