"""Detection speed: `detect_folder` (2 worker processes) against a plain single-process `face_recognition.face_locations` loop.

Same >= 40 real photos for both (the shared PASCAL group photos and portraits, photos over 1200 px resized to 1200 px on their longer side,
copied into a temporary folder), HOG at upsample 1. Prints images/s for each and their ratio (goal >= 1.8x on 2 cores), a cached re-run
against a fresh run (goal >= 50x), and peak memory. A benchmark, not a test: run it on an idle machine, `python bench/detect.py`.
It also prints the CPU time other processes took while the loops ran: the ratio is only meaningful when that is near 0.
"""
import os, resource, shutil, sys, tempfile, time
from pathlib import Path
from PIL import Image
from face_context.core import data_path, load_image
from face_context.detect import detect_faces, detect_folder

def collect(dst, n_min=40, max_side=1200):
    "Copy the shared photos into `dst`, resizing big ones, until there are at least `n_min`."
    srcs = sorted(data_path('pascal_faces').glob('*.jpg')) + sorted(p for p in data_path('portraits').rglob('*') if p.suffix in ('.jpg', '.jpeg', '.png'))
    out, i = [], 0
    while len(out) < n_min:
        for p in srcs:
            im = Image.fromarray(load_image(p)); im.thumbnail((max_side, max_side))
            fn = dst/f'{i:03d}_{p.stem}.jpg'; im.save(fn, quality=95); out.append(fn); i += 1
    return out

def _busy():
    "CPU seconds the whole machine has spent busy (Linux /proc/stat), and those of this process and its finished children."
    v = list(map(int, open('/proc/stat').readline().split()[1:]))
    ours = sum(getattr(resource.getrusage(w), a) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for a in ('ru_utime', 'ru_stime'))
    return (sum(v[:8])-v[3]-v[4])/os.sysconf('SC_CLK_TCK'), ours

def timed(f):
    "`f()`, its wall-clock seconds, and the CPU seconds other processes used meanwhile."
    (m0, o0), t = _busy(), time.perf_counter()
    r = f()
    t, (m1, o1) = time.perf_counter()-t, _busy()
    return r, t, max(0., (m1-m0)-(o1-o0))

def main():
    tmp = Path(tempfile.mkdtemp())
    (tmp/'imgs').mkdir()
    files = collect(tmp/'imgs')
    print(f'{len(files)} images, {sum(f.stat().st_size for f in files)/1e6:.1f} MB, load average {os.getloadavg()[0]:.2f}')
    import face_recognition   # here, so that bench/scale.py can use `timed` where face_recognition is not installed
    detect_faces(load_image(files[0]))  # load dlib's model once, as face_recognition does at import

    fr, t_fr, o_fr = timed(lambda: [face_recognition.face_locations(face_recognition.load_image_file(f)) for f in files])
    idx, t_ours, o_ours = timed(lambda: detect_folder(tmp/'imgs', workers=2, cache=tmp/'index.json', progress=False))
    again, t_cached, _ = timed(lambda: detect_folder(tmp/'imgs', workers=2, cache=tmp/'index.json', progress=False))
    assert again.n_detected == 0 and again.n_reused == len(files)

    n_ours, n_fr = sum(map(len, idx.df.boxes)), sum(map(len, fr))
    ru_self, ru_kids = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f'face_recognition loop, 1 process : {len(files)/t_fr:6.2f} images/s ({t_fr:.1f} s, {n_fr} faces)')
    print(f'detect_folder, 2 workers         : {len(files)/t_ours:6.2f} images/s ({t_ours:.1f} s, {n_ours} faces)')
    print(f'speed-up ratio                   : {t_fr/t_ours:6.2f}x (goal >= 1.8x)')
    print(f'cached re-run                    : {t_cached:.3f} s, {t_ours/t_cached:.0f}x faster than the fresh run (goal >= 50x)')
    print(f'peak memory (max RSS)            : this process {ru_self/1024:.0f} MB, largest worker {ru_kids/1024:.0f} MB, '
          f'together at most {(ru_self+2*ru_kids)/1024:.0f} MB (forked workers share most pages with this process)')
    print(f'other processes meanwhile        : {o_fr:.1f} CPU s during the loop, {o_ours:.1f} CPU s during detect_folder '
          f'(load average at the end {os.getloadavg()[0]:.2f})')
    shutil.rmtree(tmp)

if __name__ == '__main__': main()
