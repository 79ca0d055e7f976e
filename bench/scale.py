"""Ray Data against the local engine, and a worker node killed midway.

Same 200 photos for both engines: the shared PASCAL group photos and portraits, resized to at most 640 px and cycled (different names)
up to 200, copied into a temporary folder; HOG at upsample 1.

1. Throughput: `detect_folder(workers=2)` against `detect_ray` on a local two-node Ray cluster started with the `ray start` command
   (a head with 1 CPU and a second node with 1 CPU and its own resource `second_node`), two actors. Rounds alternate local/Ray; each
   prints images/s, and Ray's overhead = 1 - (Ray images/s)/(local images/s) (goal <= 15%). Ray's time includes creating its actors
   (each loads face_context and dlib) but not starting the cluster, which a cluster does once. Checks that both nodes ran batches, and
   prints when the driver handed the job to Ray Data and when each actor's constructor and batches ran, in seconds into the job.
   Single rounds spread widely on this machine (-4.5% to 26% overhead in one run; the local engine alone at 12-18 images/s), so it
   reports the median of the rounds after the first, and the first job on the new cluster (which also starts Ray Data's helper actors) apart.
   `--ab` also runs, in every round and in turn first, actors that build their own HOG detector instead of loading the driver's pickled one.
2. Kill a node: a fresh run on the same cluster; once a few shards are written, the second node is killed (its `ray start --block`
   process group, SIGKILL). Prints whether the run finished, then reruns and checks that the index holds each image once.

Run it where `pip install ".[ray]"` installed face_context, as on a Ray worker node, not in the dev environment: there, jupyterlab's
`jsonschema[format-nongpl]` brings `rfc3987-syntax`, which compiles a grammar whenever `ray` is imported, and every Ray worker
imports `ray` as it starts (2.4-2.7 s a worker on this machine, against 0.6 s without it). The script prints that import time first.

A benchmark, not a test: `python bench/scale.py` (about 6 minutes on 2 idle cores, 9 with `--ab --rounds 10`; `--n 48 --rounds 1
--kill-after 2` for a quick look). It makes Ray's token file (`~/.ray/auth_token`) if the machine has none. It prints the CPU time other processes took while
each engine ran (for Ray, its actors and its own processes among them): the ratio only means something when the local engine's is near 0.
"""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time
from pathlib import Path
# One token for the nodes `ray start` makes and for this driver (Ray >= 2.59 turns token auth on for some clusters and not others,
# and a driver that disagrees with its cluster is refused); the token is ~/.ray/auth_token, made by `ray get-auth-token --generate`.
os.environ.setdefault('RAY_AUTH_MODE', 'token')
import numpy as np
from PIL import Image
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from face_context.core import data_path, load_image
from face_context.detect import detect_folder, FaceIndex, _read_shards, _fs
from face_context.scale import detect_ray, FaceBatch, ray_up
from detect import timed   # bench/detect.py: wall time and other processes' CPU time

def collect(dst, n=200, max_side=640):
    srcs = sorted(data_path('pascal_faces').glob('*.jpg')) + sorted(p for p in data_path('portraits').rglob('*') if p.suffix in ('.jpg', '.jpeg', '.png'))
    out = []
    while len(out) < n:
        for p in srcs[:n-len(out)]:
            im = Image.fromarray(load_image(p)); im.thumbnail((max_side, max_side))
            fn = dst/f'{len(out):03d}_{p.stem}.jpg'; im.save(fn, quality=95); out.append(fn)
    return out

class TracedBatch(FaceBatch):
    "FaceBatch that notes which node ran each batch, in a file per actor, and when each actor and batch started and ended."
    def __init__(self, trace=None, build_hog=False, **kw):
        t = time.time(); super().__init__(**{**kw, 'hog': None} if build_hog else kw); self.trace = trace
        with open(f'{trace}/{os.getpid()}.time', 'a') as f: f.write(f'init {t} {time.time()}\n')
    def __call__(self, batch):
        import ray
        with open(f'{self.trace}/{os.getpid()}.txt', 'a') as f: f.write(ray.get_runtime_context().get_node_id()+'\n')
        t = time.time(); r = super().__call__(batch)
        with open(f'{self.trace}/{os.getpid()}.time', 'a') as f: f.write(f'batch {t} {time.time()}\n')
        return r

def timeline(trace, t0, t1):
    "Seconds from the job's start to each actor's constructor, to its first batch; from its last batch to the job's end; busy share."
    out = []
    for f in sorted(Path(trace).glob('*.time')):
        ev = [(k, float(a), float(b)) for k, a, b in (l.split() for l in f.read_text().splitlines())]
        init = [e for e in ev if e[0] == 'init']; bs = [e for e in ev if e[0] == 'batch']
        if not bs: continue
        ctor = f'ctor {init[0][1]-t0:.1f}-{init[0][2]-t0:.1f}' if init else 'ctor ?'
        out.append(f'{ctor}, batches {bs[0][1]-t0:.1f}-{bs[-1][2]-t0:.1f} of {t1-t0:.1f} s (busy {sum(b-a for _, a, b in bs):.1f} s)')
    return '; '.join(out)

def ray_import_s():
    "Seconds a fresh Python (as a Ray worker starts) takes to import `ray`, and whether `rfc3987_syntax` is installed."
    t = time.perf_counter(); subprocess.run([sys.executable, '-c', 'import ray'], check=True)
    t = time.perf_counter()-t; rfc = subprocess.run([sys.executable, '-c', 'import rfc3987_syntax'], capture_output=True).returncode == 0
    return t, rfc

RAY = shutil.which('ray', path=str(Path(sys.executable).parent)) or 'ray'   # this Python's `ray` (a venv's), else the one on PATH

def auth_token():
    "Make the token file `ray start` and the driver share, on a machine that has none yet."
    if not (Path.home()/'.ray'/'auth_token').exists(): subprocess.run([RAY, 'get-auth-token', '--generate'], check=True, capture_output=True)

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def start_node(p, *args):
    "Start a node (`ray start` args), retried until `ray.nodes()` shows `p` alive nodes; its process."
    import ray
    for i in range(4):
        dash = ['--include-dashboard=false'] if '--head' in args else []   # `ray start` refuses it on a worker node
        proc = subprocess.Popen([RAY, 'start', '--block', '--disable-usage-stats', *dash, *args], start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, 'PYTHONPATH': os.pathsep.join(sys.path)})
        t = time.time()
        while proc.poll() is None and time.time()-t < 120:
            try:
                if not ray.is_initialized(): ray_up(address=ADDR, tries=1)
                if sum(n['Alive'] for n in ray.nodes()) >= p: return proc
            except Exception: pass
            time.sleep(2)
        if proc.poll() is None: os.killpg(proc.pid, signal.SIGKILL)
        print(f'  node {p} did not start (try {i+1}); retrying', flush=True)
    raise RuntimeError('could not start the Ray node')

def nodes_used(trace):
    ids = [l for f in Path(trace).glob('*.txt') for l in f.read_text().split()]
    return {n: ids.count(n) for n in set(ids)}

SUBMITTED = []
def run_ray(src, out, trace, build_hog=False, **kw):
    "`detect_ray` with `TracedBatch`; `build_hog`: each actor builds the HOG detector instead of loading the driver's pickled one."
    import ray.data
    if not SUBMITTED:   # note when the driver hands the job to Ray Data
        orig = ray.data.Dataset.materialize
        def materialize(self, *a, **k): SUBMITTED.append(time.time()); return orig(self, *a, **k)
        ray.data.Dataset.materialize = materialize; SUBMITTED.append(0)
    shutil.rmtree(trace, ignore_errors=True); Path(trace).mkdir()
    return detect_ray(src, out, batch_size=8, workers=2, batch_fn=TracedBatch, batch_kwargs=dict(trace=str(trace), build_hog=build_hog), **kw)

ADDR = None

def main(n=200, rounds=6, kill_after=5, modes=('pickled',)):
    global ADDR
    tmp = Path(tempfile.mkdtemp())
    (tmp/'imgs').mkdir(); files = collect(tmp/'imgs', n)
    print(f'{len(files)} photos, {sum(f.stat().st_size for f in files)/1e6:.1f} MB, load average {os.getloadavg()[0]:.2f}', flush=True)
    t, rfc = ray_import_s()
    print(f'{sys.executable}: a fresh Python imports ray in {t:.1f} s; rfc3987_syntax installed: {rfc}', flush=True)
    auth_token(); port = free_port(); ADDR = f'127.0.0.1:{port}'
    ports = lambda: [f'--metrics-export-port={free_port()}', f'--dashboard-agent-grpc-port={free_port()}', f'--dashboard-agent-listen-port={free_port()}', f'--runtime-env-agent-port={free_port()}']
    head = start_node(1, '--head', f'--port={port}', '--num-cpus=1', *ports())
    node2 = start_node(2, f'--address={ADDR}', '--num-cpus=1', '--resources={"second_node": 1}', *ports())
    import ray
    head_id = ray.get_runtime_context().get_node_id()
    print('cluster:', {n['NodeID'][:8]: n['Resources'] for n in ray.nodes() if n['Alive']}, flush=True)
    rows = []
    try:
        for r in range(rounds):
            loc, t_loc, o_loc = timed(lambda: detect_folder(tmp/'imgs', workers=2, progress=False))
            for m in (modes if r % 2 == 0 else modes[::-1]):
                t0 = time.time()
                ri, t_ray, o_ray = timed(lambda: run_ray(tmp/'imgs', tmp/f'shards{r}{m}', tmp/'trace', build_hog=m == 'built'))
                t1 = time.time()
                used = nodes_used(tmp/'trace')
                same = all(a == b for a, b in zip(loc.df.boxes, ri.df.boxes))
                rows.append((r, m, len(files)/t_loc, o_loc, len(files)/t_ray, o_ray, 1-t_loc/t_ray, len(used), same))
                print(f'round {r}: local {len(files)/t_loc:.2f} img/s, ray (HOG {m}) {len(files)/t_ray:.2f} img/s, overhead {1-t_loc/t_ray:.1%}, '
                      f'batches per node {sorted(used.values())}, same boxes {same}, load {os.getloadavg()[0]:.1f}', flush=True)
                print(f'  seconds into the job: handed to Ray Data {SUBMITTED[-1]-t0:.1f}; actors: {timeline(tmp/"trace", t0, t1)}', flush=True)
        print('\n| round | actors\' HOG detector | local img/s | others\' CPU s | Ray img/s | others\' CPU s | Ray overhead | nodes used | same boxes |\n|---|---|---|---|---|---|---|---|---|')
        for r in rows: print(f'| {r[0]} | {r[1]} | {r[2]:.2f} | {r[3]:.0f} | {r[4]:.2f} | {r[5]:.0f} | {r[6]:.1%} | {r[7]} | {r[8]} |')
        print(f'first job on the new cluster (HOG {rows[0][1]}): overhead {rows[0][6]:.1%}')
        for m in modes:
            later = sorted(r[6] for r in rows if r[1] == m and r[0] > 0)
            print(f'HOG {m}, rounds after the first: median overhead {np.median(later):.1%} '
                  f'(range {later[0]:.1%} to {later[-1]:.1%}, {len(later)} rounds); goal <= 15%', flush=True)
        kill_test(tmp, files, node2, head_id, kill_after)
    finally:
        ray.shutdown()
        for p in (node2, head):
            if p.poll() is None: os.killpg(p.pid, signal.SIGKILL)

def kill_test(tmp, files, node2, head_id, kill_after=5):
    "Kill the second node once `kill_after` shards are written; report the run, rerun, check each image is in the index once."
    out, killed = tmp/'killed', {}
    def killer():
        while len(list(out.glob('*.parquet'))) < kill_after and node2.poll() is None: time.sleep(0.2)
        killed['shards'] = len(list(out.glob('*.parquet'))); os.killpg(node2.pid, signal.SIGKILL); killed['t'] = time.time()
    threading.Thread(target=killer, daemon=True).start()
    t0 = time.time()
    try: first = run_ray(tmp/'imgs', out, tmp/'trace'); status = f'finished ({first.n_detected} detected)'
    except Exception as e: status = f'failed: {type(e).__name__}: {str(e)[:200]}'
    print(f'\nkill a node: second node killed after {killed.get("shards")} shards, {killed.get("t", t0)-t0:.1f} s in; first run {status} in {time.time()-t0:.1f} s', flush=True)
    rows = FaceIndex.load(out).df
    print(f'after the first run: {rows.path.nunique()} of {len(files)} images have a row', flush=True)
    again = run_ray(tmp/'imgs', out, tmp/'trace')
    final, raw = FaceIndex.load(out).df, _read_shards(*_fs(out))[0]
    print(f'shards hold {len(raw)} rows in all (rows written twice: {len(raw)-len({r["path"] for r in raw})}; a later row of the same image supersedes the earlier)')
    ok = final.path.nunique() == len(files) == len(final) and set(final.path) == {str(f.resolve()) for f in files}
    print(f'rerun: {again.n_detected} detected, {again.n_reused} reused; index has {len(final)} rows for {final.path.nunique()} images '
          f'of {len(files)}: each image once = {ok}; errors {int(final.error.notna().sum())}', flush=True)

if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=200); ap.add_argument('--rounds', type=int, default=6); ap.add_argument('--kill-after', type=int, default=5)
    ap.add_argument('--ab', action='store_true', help="also run Ray with each actor building its own HOG detector, in alternate order each round")
    a = ap.parse_args(); main(a.n, a.rounds, a.kill_after, ('pickled', 'built') if a.ab else ('pickled',))
