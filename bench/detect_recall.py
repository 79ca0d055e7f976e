"""Recall and false positives per image of each detector backend on hard faces, with the time per image, side by side in one run.

Sets: the WIDER FACE validation photos in `data/hard_faces` (faces of the official hard subset, at least 24 px; smaller ones ignored),
and controlled hard cases made from the shared PASCAL photos with `hard_case` (faces shrunk to 12-40 px, turned up to +-45 degrees,
half covered, JPEG quality 5-10, blurred). A detection counts when it overlaps an unmatched true box with IoU >= 0.3, as in the detect
notebook. Times are wall-clock seconds per image in this one process (one core for dlib; onnxruntime uses `--threads`,
which sets OMP_NUM_THREADS, or one thread per core), and CPU seconds of this process per image, steadier on a shared machine. A benchmark, not a test: `python bench/detect_recall.py [--quick] [--threads N] [--csv out.csv]`.
"""
import argparse, os, time
import numpy as np, pandas as pd
from face_context.core import data_path, load_image, Box
from face_context.detect import detect_faces, read_imglab, match_boxes, wider_subset, hard_case, centerface_session

BACKENDS = {  # name: detect_faces keyword arguments
    'hog': dict(model='hog'),
    'centerface': dict(model='centerface'),
    'centerface@0.3': dict(model='centerface', min_score=0.3),
    'centerface+turns': dict(model='centerface', rotations=(-30, 30)),
    'centerface up1': dict(model='centerface', upsample=1),
    'hog+centerface': dict(model='hog+centerface'),
    'yunet': dict(model='yunet'),
    'yunet+turns': dict(model='yunet', rotations=(-30, 30)),
    'yunet+centerface': dict(model='yunet+centerface'),
}
CASES = [('small', s) for s in (12, 16, 20, 24, 32, 40)] + [('turned', a) for a in (-45, -30, -15, 15, 30, 45)] + \
        [('occluded', .5), ('jpeg', 10), ('jpeg', 5), ('blur', .05), ('blur', .1)]

def controlled(quick=False):
    "`{name: [(array, truth), ...]}` per controlled case, from the PASCAL photos with ground truth."
    pf = data_path('pascal_faces')
    gt = {**read_imglab(pf/'training.xml'), **read_imglab(pf/'testing.xml')}
    photos = [(load_image(pf/f), t) for f, t in sorted(gt.items()) if t][:4 if quick else None]
    return {f'{k} {v}': [hard_case(a, t, k, v) for a, t in photos] for k, v in CASES}

def score(items, kw):
    "Faces, true positives, false positives, images and seconds of one backend over `(array, truth, ignore)` items."
    tp = fp = n = 0; t = c = 0.
    for a, truth, ign in items:
        t0, c0 = time.perf_counter(), time.process_time()
        found = [f.box for f in detect_faces(a, **kw)]
        t, c = t + time.perf_counter() - t0, c + time.process_time() - c0
        r = match_boxes(found, truth, ignore=ign); tp += r[0]; fp += r[1]; n += len(truth)
    return dict(faces=n, tp=tp, fp=fp, images=len(items), seconds=t, cpu=c)

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--quick', action='store_true'); ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--csv'); args = ap.parse_args()
    if args.threads: os.environ['OMP_NUM_THREADS'] = str(args.threads)
    wider = [(load_image(p), t, i) for p, (t, i) in wider_subset(24).items()][:20 if args.quick else None]
    sets = {'WIDER val (>= 24 px)': wider, **{f'controlled: {k}': [(a, t, []) for a, t in v] for k, v in controlled(args.quick).items()}}
    detect_faces(wider[0][0], model='hog+centerface+yunet')  # load the models once
    print(f'load average {os.getloadavg()[0]:.2f}; onnxruntime providers {centerface_session().get_providers()}')
    rows = [dict(set=s, backend=b, **score(items, kw)) for s, items in sets.items() for b, kw in BACKENDS.items()]
    df = pd.DataFrame(rows)
    df['recall'], df['fp/img'], df['s/img'], df['cpu s/img'] = df.tp/df.faces.clip(lower=1), df.fp/df.images, df.seconds/df.images, df.cpu/df.images
    pd.set_option('display.width', 200)
    print(df[['set', 'backend', 'faces', 'recall', 'fp/img', 's/img', 'cpu s/img']].round(3).to_string(index=False))
    big = df[~df.set.isin(['controlled: small 12', 'controlled: small 16', 'controlled: small 20'])].groupby('backend')[['faces', 'tp', 'fp', 'images', 'seconds', 'cpu']].sum()
    big['recall'], big['fp/img'], big['images/s'] = big.tp/big.faces, big.fp/big.images, big.images/big.seconds
    big['speed vs hog'] = big['images/s']/big.loc['hog', 'images/s']
    big['cpu speed vs hog'] = big.loc['hog', 'cpu']/big.cpu
    print('\nall sets, faces >= 24 px (goal for masking: recall >= 0.95 at <= 0.1 FP/image; speed >= 2x hog):')
    print(big[['faces', 'recall', 'fp/img', 'images/s', 'speed vs hog', 'cpu speed vs hog']].round(3).to_string())
    print(f'load average at the end {os.getloadavg()[0]:.2f}')
    if args.csv: df.to_csv(args.csv, index=False)

if __name__ == '__main__': main()
