#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's image processing with Pillow, as a reference for the blur task.

  blur-pillow.py photos DIR NAME:WxH ...   write photo-like test images
  blur-pillow.py seed SRC_DIR DST_DIR      the seed's steps on every image
  blur-pillow.py compare REF_DIR OUT_DIR   mean absolute difference per image
  blur-pillow.py time SRC_DIR DST_DIR      per image: name, wall and CPU seconds

Used by tests/test-blur.c and bench/blur.
"""
import os
import random
import sys
import time

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat


def seed_process(src, dst):
    """Exactly what the seed's multiprocessing section does to a photo."""
    img = Image.open(src)
    img = img.filter(ImageFilter.GaussianBlur(15))
    img.thumbnail((1200, 1200))
    img.save(dst)


def make_photo(path, width, height, seed):
    """Smooth colour fields, some sharp shapes and sensor-like grain."""
    rnd = random.Random(seed)
    small = Image.new('RGB', (16, 12))
    small.putdata([tuple(rnd.randrange(30, 226) for _ in range(3)) for _ in range(16 * 12)])
    img = small.resize((width, height), Image.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(20, width // 3), rnd.randrange(20, height // 3)
        fill = tuple(rnd.randrange(256) for _ in range(3))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)((x, y, x + w, y + h), fill=fill)
    grain = Image.effect_noise((width, height), 24).convert('RGB')
    img = ImageChops.add(img, grain, 1.0, -128)
    ext = os.path.splitext(path)[1].lower()
    img.save(path, quality=90) if ext in ('.jpg', '.jpeg') else img.save(path)


def images(folder):
    return sorted(n for n in os.listdir(folder) if not n.startswith('.'))


def out_name(name):
    return os.path.splitext(name)[0] + '.jpg'


def main(argv):
    cmd = argv[1]
    if cmd == 'photos':
        os.makedirs(argv[2], exist_ok=True)
        for i, spec in enumerate(argv[3:]):
            name, size = spec.split(':')
            w, h = (int(v) for v in size.split('x'))
            make_photo(os.path.join(argv[2], name), w, h, i)
    elif cmd == 'seed':
        os.makedirs(argv[3], exist_ok=True)
        for name in images(argv[2]):
            seed_process(os.path.join(argv[2], name), os.path.join(argv[3], out_name(name)))
    elif cmd == 'compare':
        for name in images(argv[2]):
            ref = Image.open(os.path.join(argv[2], name)).convert('RGB')
            out = Image.open(os.path.join(argv[3], name))
            out.load()  # decodes all of it: a damaged JPEG fails here
            out = out.convert('RGB')
            if ref.size != out.size:
                print(f'{name} size {out.size[0]}x{out.size[1]} expected {ref.size[0]}x{ref.size[1]}')
                continue
            mad = sum(ImageStat.Stat(ImageChops.difference(ref, out)).mean) / 3
            print(f'{name} mad {mad:.3f}')
    elif cmd == 'time':
        os.makedirs(argv[3], exist_ok=True)
        for name in images(argv[2]):
            wall, cpu = time.perf_counter(), time.process_time()
            seed_process(os.path.join(argv[2], name), os.path.join(argv[3], out_name(name)))
            print(f'{name} {time.perf_counter() - wall:.6f} {time.process_time() - cpu:.6f}')
    else:
        sys.exit(f'unknown command {cmd}')


if __name__ == '__main__':
    main(sys.argv)
