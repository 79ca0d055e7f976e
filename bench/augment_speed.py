"""Epoch-time cost of `FaceOcclusion`: training epochs of the same small CNN on the same 400 AT&T photos (64 px) with faces masked by
`FaceOcclusion` (white; and white with 1 decoy) against no augmentation (the same loader with occlusion off), interleaved in one run,
medians over the rounds. The order is shuffled every round: a fixed order measured the later configurations ~10% slower
than the same configuration run first.
AT&T photos are close-ups: no decoy fits beside the face, so the decoy row measures the cost of finding that out
(a placed decoy costs ~150-250 us of rejection sampling per image).
Goal: <= 1.05x. A benchmark, not a test: `python bench/augment_speed.py`.
"""
import os, random, time, statistics
import pandas as pd
from fastai.vision.all import Learner, CrossEntropyLossFlat
from face_context.core import data_path
from face_context.detect import detect_folder
from face_context.augment import face_dls
from face_context.train import small_cnn

def epoch_time(dls, epochs=2):
    learn = Learner(dls, small_cnn(dls.c), loss_func=CrossEntropyLossFlat())
    with learn.no_bar(), learn.no_logging():
        t = time.perf_counter(); learn.fit(epochs, 1e-3); return (time.perf_counter()-t)/epochs

def main(rounds=7):
    att = data_path('att_faces')
    files = sorted(att.rglob('*.pgm'))
    idx = detect_folder(files, workers=2, upsample=2, progress=False)
    table = pd.DataFrame(dict(id=[f.relative_to(att).as_posix() for f in files], category=[f.parent.name for f in files]))
    mk = lambda occ: face_dls(table, index=idx, folder=att, occlusion=occ, size=64, bs=64, num_workers=0)
    dls = {'no augmentation': mk(False), 'FaceOcclusion white': mk(dict(fill='white')), 'FaceOcclusion +decoy': mk(dict(fill='white', decoys=1))}
    print(f'load average {os.getloadavg()[0]:.2f}; {len(files)} images')
    epoch_time(dls['no augmentation'], 1)   # warm-up
    t = {k: [] for k in dls}
    rng = random.Random(0)
    for _ in range(rounds):
        for k in rng.sample(list(dls), len(dls)): t[k].append(epoch_time(dls[k]))
    base = statistics.median(t['no augmentation'])
    for k, v in t.items(): print(f'{k:20s} {statistics.median(v):6.2f} s/epoch  ratio {statistics.median(v)/base:5.3f}x (goal <= 1.05x)')

if __name__ == '__main__': main()
