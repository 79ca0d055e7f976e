"""The identity-shortcut benchmark per identity set and face size, and the identity leakage of each fill, in one run on a many-core
machine. Sets: `att_faces` (AT&T: 40 people, 10 grey photos each), `lfw_subset` (scikit-image's 100 LFW faces, each its own identity
with its mirror image as the second photo) and `caltech_faces` (Caltech Faces 1999: 19 people, 10 colour photos each). Settings: close-ups
(`face_frac` 0.45: faces ~36% of the scene's width for AT&T), small faces (`face_frac` 0.2: ~16%), and faces whose size follows the
class (`face_frac` (0.2, 0.45): one class's people small, the other's close up; baseline, white, decoys and oracle only), and small faces
of 4 people instead of 10 (`n_identities=4`), where the baseline memorises small faces too. The runner's defaults (96 px, 10 identities,
2,000 training images, 12 epochs) are the same for every set.
Each training runs in its own single-thread process (`face_context.bench._train_one`); rows are appended to OUT/results.csv and
OUT/leakage.csv as they finish, and OUT/tables.md holds one table per set and setting. AT&T close-ups (the default benchmark) get 3
seeds, the others `--seeds`; jobs are queued seed by seed, so that a run cut short still has every method. A benchmark, not a test:
`python bench/identity_sets.py OUT --workers 16 --seeds 2`.
"""
import argparse, time, concurrent.futures as cf
from pathlib import Path
import pandas as pd, torch
from face_context.core import data_path
from face_context.bench import METHODS, make_shortcut_dataset, load_shortcut, fill_leakage, results_table, _train_one, _lfw_faces

FILLS = (None, 'white', 'black', 'mean', 'blur', 'pixelate', 'noise')

SETTINGS = {'close-ups': dict(face_frac=0.45), 'small': dict(face_frac=0.2), 'size follows class': dict(face_frac=(0.2, 0.45)),
            'small, 4 people': dict(face_frac=0.2, n_identities=4)}
VARIANT = ('baseline', 'occlusion_white', 'occlusion_decoys', 'oracle')   # the methods run where face size follows the class

def face_sets(work):
    "The three identity sets: {name: folder of one sub-folder per identity} (`lfw_subset` written under `work`)."
    return {'att_faces': data_path('att_faces'), 'lfw_subset': _lfw_faces(Path(work)/'faces_lfw'), 'caltech_faces': data_path('caltech_faces')}

def dataset_dir(work, s, f): return str(Path(work)/f'{s}_{f}'.replace(' ', '_').replace(',', ''))   # set `s` in setting `f`

def _make(job):
    faces, dst, kw = job
    if not (Path(dst)/'index.csv').exists(): make_shortcut_dataset(faces, dst, **kw)
    return dst

def _leak(job):
    data_dir, fill = job
    torch.set_num_threads(1)
    return fill_leakage(load_shortcut(data_dir), fill)

def _run(job):
    kind, key, args = job
    t = time.time()
    r = _train_one(args) if kind == 'train' else _leak(args)
    return kind, key, {**r, 'wall_s': time.time()-t}

def main(out, workers=16, seeds=2, work='/tmp/identity_sets'):
    out, work, t0 = Path(out), Path(work), time.time()
    out.mkdir(parents=True, exist_ok=True)
    faces = face_sets(work)
    sets = {(s, f): dataset_dir(work, s, f) for s in faces for f in SETTINGS}
    with cf.ProcessPoolExecutor(workers) as ex: list(ex.map(_make, [(faces[s], d, SETTINGS[f]) for (s, f), d in sets.items()]))
    print(f'datasets {time.time()-t0:.0f} s', flush=True)
    tr = lambda k, s: [('train', k, (sets[k], m, s, 12, 64, 1)) for m in (VARIANT if k[1] == 'size follows class' else METHODS)]   # one seed of every method
    lk = lambda k: [('leak', k, (sets[k], f)) for f in FILLS]
    att, lfw, cal = [(s, 'close-ups') for s in faces]
    rest = [(s, f) for s in faces for f in SETTINGS if f != 'close-ups']
    jobs = tr(att, 0) + lk(att) + tr(att, 1) + tr(att, 2) + tr(lfw, 0) + lk(lfw) + tr(cal, 0) + lk(cal)   # in this order, so that a
    jobs += [j for k in rest for j in tr(k, 0)] + [j for s in range(1, seeds) for k in [lfw, cal]+rest for j in tr(k, s)]   # cut-short run has every method
    rows, leaks = [], []
    with cf.ProcessPoolExecutor(workers) as ex:
        for fu in cf.as_completed([ex.submit(_run, j) for j in jobs]):
            try: kind, (s, f), r = fu.result()
            except Exception as e: print('failed:', repr(e), flush=True); continue
            (rows if kind == 'train' else leaks).append({'set': s, 'setting': f, **r})
            pd.DataFrame(rows).to_csv(out/'results.csv', index=False); pd.DataFrame(leaks).to_csv(out/'leakage.csv', index=False)
            print(f'{time.time()-t0:5.0f} s {kind} {s} {f} ' + (f"{r['method']} {r['seed']} valid {r['valid_acc']:.3f} swapped {r['swapped_acc']:.3f} reliance {r['face_reliance']:.3f}" if kind == 'train' else f"{r['fill']} identity {r['identity_acc']:.3f} chance {r['chance']:.3f}"), flush=True)
    res, md = pd.DataFrame(rows), []
    for (s, f), g in res.groupby(['set', 'setting'], sort=False): md += [f'### {s}, {f}', results_table(g.reset_index(drop=True)), '']
    (out/'tables.md').write_text('\n'.join(md)); print('\n'.join(md)); print(pd.DataFrame(leaks)); print(f'total {time.time()-t0:.0f} s')

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('out'); p.add_argument('--workers', type=int, default=16); p.add_argument('--seeds', type=int, default=2)
    a = p.parse_args(); main(a.out, a.workers, a.seeds)
