#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for `--task=download`: the seed's requests + ThreadPoolExecutor.

Downloads every URL of URLS_FILE with requests.get() on
ThreadPoolExecutor(max_workers=WORKERS) into OUTPUT, as the seed's
download_image() does, and prints the elapsed seconds and the CPU
seconds of the process, both measured around the `with` block.
Usage: download_requests.py URLS_FILE OUTPUT [WORKERS=10]
"""
import concurrent.futures
import os
import sys
import time

import requests


def download_image(img_url, output):
    img_bytes = requests.get(img_url).content
    img_name = img_url.split("/")[-1]
    with open(os.path.join(output, img_name), "wb") as img_file:
        img_file.write(img_bytes)


def main():
    with open(sys.argv[1]) as f:
        img_urls = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    output = sys.argv[2]
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    os.makedirs(output, exist_ok=True)

    start, cpu0 = time.perf_counter(), time.process_time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as executor:
        for result in executor.map(lambda url: download_image(url, output), img_urls):
            pass
    print(f"{time.perf_counter() - start:.6f} {time.process_time() - cpu0:.6f}")


if __name__ == "__main__":
    main()
