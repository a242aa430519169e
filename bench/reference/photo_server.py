#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An HTTP server of photos on 127.0.0.1, independent of concurrency-lab.

Serves N generated photo-like JPEGs (about 1-3 MB, made with Pillow) as
/photo-01.jpg ... with a fixed latency before each answer, like a far
server, and failure paths: /missing.jpg (404), /error.jpg (500),
/page.html (200, text/html), /truncated.jpg (Content-Length of a whole
photo, half the bytes, then the connection closes) and /stall.jpg (never
answers). Writes the photos to FOLDER (to compare downloads with), then
prints its port on stdout and serves until killed.
Usage: photo_server.py FOLDER [N=20] [LATENCY_MS=200]
"""
import http.server
import os
import random
import socketserver
import sys
import time

from PIL import Image


GRAIN = []


def make_photo(index):
    """A deterministic photo-like picture: smooth colour fields and grain."""
    rng = random.Random(index)
    size = rng.choice([(2400, 1600), (2048, 1536), (1920, 1280), (1600, 2400)])
    if not GRAIN:
        # Noise is slow to make: once, then a different crop per photo.
        GRAIN.extend(Image.effect_noise((2600, 2600), 38) for _ in range(3))
    bands = []
    for grain in GRAIN:
        field = Image.effect_noise((size[0] // 200, size[1] // 200), 60).resize(size, Image.BICUBIC)
        x, y = rng.randrange(2600 - size[0]), rng.randrange(2600 - size[1])
        bands.append(Image.blend(field, grain.crop((x, y, x + size[0], y + size[1])), 0.35))
    return Image.merge("RGB", bands)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    photos = {}
    latency = 0.2

    def log_message(self, *args):
        pass

    def answer(self, status, content_type, body, length=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/stall.jpg":
            time.sleep(3600)
            return
        time.sleep(self.latency)
        photo = self.photos.get(self.path)
        if photo is not None:
            self.answer(200, "image/jpeg", photo)
        elif self.path == "/error.jpg":
            self.answer(500, "text/html", b"<h1>500 Internal Server Error</h1>")
        elif self.path == "/page.html":
            self.answer(200, "text/html", b"<!DOCTYPE html><h1>Not a photo</h1>")
        elif self.path == "/truncated.jpg":
            whole = next(iter(self.photos.values()))
            self.answer(200, "image/jpeg", whole[: len(whole) // 2], length=len(whole))
            self.close_connection = True
        else:
            self.answer(404, "text/html", b"<h1>404 Not Found</h1>")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    folder = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    Handler.latency = (int(sys.argv[3]) if len(sys.argv) > 3 else 200) / 1000
    os.makedirs(folder, exist_ok=True)
    for i in range(1, n + 1):
        name = f"photo-{i:02d}.jpg"
        path = os.path.join(folder, name)
        make_photo(i).save(path, "JPEG", quality=92)
        with open(path, "rb") as f:
            Handler.photos["/" + name] = f.read()
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
