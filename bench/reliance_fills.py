"""Which fill makes the flip test measure face reliance? On the identity-shortcut benchmark the true face reliance is known: the share
of swapped images whose prediction changes when the face is replaced by the background behind it (the `noface` image). For each fill
of `face_context.mask.FILLS` this compares the flip test's estimate (faces masked minus same-area controls masked) with that truth, on
three identity sets (AT&T, LFW, Caltech) and two face sizes (close-ups of 10 people; small faces, 20% of the scene's height, of 4
people), for four methods × 2 seeds: 48 trainings. Prints the mean absolute error per set, size and fill; writes OUT/reliance_fills.csv.
A benchmark, not a test: `python bench/reliance_fills.py OUT --workers 2` (about 40 min on 2 cores).
"""
import argparse, time, concurrent.futures as cf
from pathlib import Path
import pandas as pd, torch
from face_context.bench import load_shortcut, train_method, _true_reliance
from face_context.interpret import FaceRelianceReport
from face_context.mask import FILLS
from identity_sets import SETTINGS, face_sets, dataset_dir, _make   # bench/identity_sets.py, beside this script

SIZES = ('close-ups', 'small, 4 people')
METHODS = ('baseline', 'occlusion_white', 'occlusion_blur', 'gradcam_template')
_D = {}

def _one(job):
    "Train one method; its true face reliance and, per fill, the flip rates of faces and of controls."
    (s, size), root, m, seed = job
    torch.set_num_threads(1); t = time.time()
    d = _D.setdefault(root, load_shortcut(root))
    row, learn = train_method(d, m, seed=seed, n_reliance=0)
    sw = d.paths('swapped')[:200]; imgs, bx = [d.load(p) for p in sw], [d.boxes(p) for p in sw]
    out = dict(set=s, size=size, method=m, seed=seed, valid=row['valid_acc'], swapped=row['swapped_acc'], truth=_true_reliance(learn, d, 200))
    for f in FILLS:
        u = FaceRelianceReport(learn, imgs, bx, fill=f, cams=False, n_boot=0, seed=seed).df.query('usable')
        out[f'face_{f}'], out[f'control_{f}'] = u.flip_face.mean(), u.flip_decoy.mean()
        out[f] = out[f'face_{f}']-out[f'control_{f}']
    return {**out, 'wall_s': time.time()-t}

def main(out, workers=2, seeds=2):
    out = Path(out); out.mkdir(parents=True, exist_ok=True); t0 = time.time()
    faces = face_sets(out)
    sets = {(s, z): dataset_dir(out, s, z) for s in faces for z in SIZES}
    for (s, z), root in sets.items(): _make((faces[s], root, SETTINGS[z]))   # made once, reused by a later run
    jobs = [(k, root, m, seed) for seed in range(seeds) for k, root in sets.items() for m in METHODS]
    rows = []
    with cf.ProcessPoolExecutor(workers) as ex:
        for r in ex.map(_one, jobs):
            rows.append(r); pd.DataFrame(rows).to_csv(out/'reliance_fills.csv', index=False)
            print(f"{time.time()-t0:5.0f} s {r['set']} {r['size']} {r['method']} {r['seed']}: truth {r['truth']:.3f} " +
                  ' '.join(f'{f} {r[f]:.3f}' for f in FILLS), flush=True)
    d = pd.DataFrame(rows); err = d[list(FILLS)].sub(d.truth, axis=0).abs()
    print('mean absolute error of the flip test against the true face reliance'); print(err.groupby([d['set'], d['size']]).mean().round(3).to_string())
    print(err.mean().round(3).to_string()); print('controls flipped'); print(d[[f'control_{f}' for f in FILLS]].mean().round(3).to_string())
    print(f'total {time.time()-t0:.0f} s')

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('out'); p.add_argument('--workers', type=int, default=2); p.add_argument('--seeds', type=int, default=2)
    a = p.parse_args(); main(a.out, a.workers, a.seeds)
