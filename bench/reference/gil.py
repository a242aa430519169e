#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for `run --gil`: the notebook's CPU-bound lesson in CPython.

Counts primes by trial division, the primes task's loop written in
Python, JOBS jobs of SIZE numbers each just above one billion: in a plain
loop, on a ThreadPoolExecutor(WORKERS) and on a ProcessPoolExecutor(WORKERS).
Prints the three elapsed times in seconds on one line.
Usage: gil.py JOBS SIZE WORKERS
"""
import concurrent.futures
import sys
import time

BASE = 1_000_000_000


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


def count_primes(job, size):
    first = BASE + job * size
    return sum(1 for n in range(first, first + size) if is_prime(n))


def timed(executor_class, jobs, size, workers):
    start = time.perf_counter()
    if executor_class is None:
        for job in range(jobs):
            count_primes(job, size)
    else:
        with executor_class(max_workers=workers) as executor:
            list(executor.map(count_primes, range(jobs), [size] * jobs))
    return time.perf_counter() - start


def main():
    jobs, size, workers = map(int, sys.argv[1:4])
    loop = timed(None, jobs, size, workers)
    threads = timed(concurrent.futures.ThreadPoolExecutor, jobs, size, workers)
    processes = timed(concurrent.futures.ProcessPoolExecutor, jobs, size, workers)
    print(f"{loop:.6f} {threads:.6f} {processes:.6f}")


if __name__ == "__main__":
    main()
