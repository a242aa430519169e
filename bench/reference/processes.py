#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for `--strategy=processes`: one multiprocessing.Process per job.

Starts JOBS processes running time.sleep(0) (the seed's do_something),
then joins them all, and prints the elapsed seconds. Python's default
start method on Linux (fork, Python 3.11) is used.
Usage: processes.py [JOBS=200]
"""
import multiprocessing
import sys
import time


def do_something(seconds):
    time.sleep(seconds)


def main():
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    start = time.perf_counter()
    processes = []
    for _ in range(jobs):
        p = multiprocessing.Process(target=do_something, args=[0])
        p.start()
        processes.append(p)
    for p in processes:
        p.join()
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
