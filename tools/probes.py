"""Reliability probes: bad files, faults and hostile inputs against the `face-context` command and the library.

Run `python tools/probes.py` (root is needed for the tmpfs and the capability-dropping probes; they count as not run otherwise).
Prints one line per probe and `N probes, K ok`. Each probe builds its own input in a temporary folder."""
import os, sys, io, json, time, shutil, signal, pickle, struct, tempfile, subprocess, traceback
from pathlib import Path
import numpy as np, pandas as pd
from PIL import Image
from face_context.core import data_path, load_image
from face_context.detect import detect_folder, FaceIndex, detect_faces

T = Path(tempfile.mkdtemp(prefix='probes_'))
FC = [sys.executable, '-c', 'from face_context.cli import main; main()']
ROOT = os.geteuid() == 0
AS_USER = ['setpriv', '--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'] if ROOT else []
FACE = data_path('portraits', 'identities', 'train', 'obama', 'obama.jpg')
OTHER = data_path('portraits', 'identities', 'train', 'biden', 'biden.jpg')
PF = data_path('pascal_faces')

def fc(*a, pre=(), timeout=300, **kw): return subprocess.run([*pre, *FC, *map(str, a)], capture_output=True, text=True, timeout=timeout, **kw)
def one_line(r, *want): return r.returncode == 1 and 'Traceback' not in r.stderr and all(w in r.stderr.strip().splitlines()[-1] for w in want)
def folder(name, files=()):
    d = T/name; d.mkdir(parents=True)
    for i, f in enumerate(files): shutil.copy(f, d/f'{i}{Path(f).suffix}')
    return d

PROBES = []
def probe(item, what):
    def deco(f): PROBES.append((item, what, f)); return f
    return deco

def _bad_file(name, data):
    d = folder(name, [FACE]); (d/'bad.jpg').write_bytes(data)
    idx = detect_folder(d, workers=0, progress=False)
    e = idx.df.set_index(idx.df.path.map(lambda p: Path(p).name)).error['bad.jpg']
    return isinstance(e, str) and e.startswith(str(d/'bad.jpg')), e
@probe('-', 'zero-byte file: error row')
def _(): return _bad_file('zero', b'')
@probe('-', 'truncated JPEG: error row')
def _(): return _bad_file('trunc', FACE.read_bytes()[:2000])
@probe('-', 'text file named .jpg: error row')
def _(): return _bad_file('text', b'hello')
@probe('-', 'decompression bomb refused')
def _():
    d = folder('bomb'); Image.new('L', (400, 400)).save(d/'b.png'); lim = Image.MAX_IMAGE_PIXELS; Image.MAX_IMAGE_PIXELS = 400*400//4
    try: e = detect_folder(d, workers=0, progress=False).df.error[0]
    finally: Image.MAX_IMAGE_PIXELS = lim
    return 'decompression bomb' in str(e), e

@probe(1, 'split: label ../../../escaped stays inside DST')
def _():
    d = folder('sp1', [FACE, OTHER, FACE, OTHER]); pd.DataFrame(dict(id=['0', '1', '2', '3'], category=['../../../escaped', 'a', 'a', 'b'])).to_csv(d/'index.csv', index=False)
    r = fc('split', d/'index.csv', T/'sp1out'/'x'/'y', '--no-leakage')
    return r.returncode == 0 and not list(T.rglob('escaped')), r.stdout[-200:] + r.stderr[-300:]
@probe(1, 'split: absolute label refused')
def _():
    d = folder('sp2', [FACE, OTHER, FACE]); lab = str(T/'abs_label'); pd.DataFrame(dict(id=['0', '1', '2'], category=[lab, 'a', 'a'])).to_csv(d/'index.csv', index=False)
    r = fc('split', d/'index.csv', T/'sp2out', '--no-leakage')
    return r.returncode == 0 and not Path(lab).exists(), r.stderr[-300:]
@probe(1, 'split: absolute-path id outside the folder refused')
def _():
    d = folder('sp3', [FACE, OTHER, FACE]); s = T/'secret.txt'; s.write_text('secret')
    pd.DataFrame(dict(id=['0', '1', '2', str(s)], category=['a', 'a', 'b', 'b'])).to_csv(d/'index.csv', index=False)
    r = fc('split', d/'index.csv', T/'sp3out', '--no-leakage', '--suffix', '')
    return r.returncode == 0 and not [p for p in (T/'sp3out').rglob('secret*')], r.stderr[-300:]
@probe(2, 'mask: index row <root>/../victim/photo.jpg neither read nor written')
def _():
    src = folder('m2src', [FACE]); v = folder('victim'); shutil.copy(FACE, v/'photo.jpg'); before = (v/'photo.jpg').read_bytes()
    idx = detect_folder(src, workers=0, progress=False)
    evil = FaceIndex(pd.concat([idx.df, idx.df.iloc[[0]].assign(path=f'{src}/../victim/photo.jpg')]), root=idx.root)
    for r in evil.df.itertuples(): pass
    j = T/'evil.json'; evil.save(j)
    r = fc('mask', src, T/'m2out', '--index', j, '--workers', 0)
    return (v/'photo.jpg').read_bytes() == before and 'Traceback' not in r.stderr, (r.stdout[-300:] + r.stderr[-300:])
@probe(3, 'mask: index built for another folder refused')
def _():
    a, b = folder('m3a', [FACE]), folder('m3b', [OTHER]); fc('detect', a, '--index', T/'m3a.json', '--workers', 0)
    r = fc('mask', b, T/'m3out', '--index', T/'m3a.json', '--workers', 0)
    return one_line(r, 'is the face index of') and not (T/'m3out').exists(), r.stderr[-300:]
@probe(4, 'face_dls: CSV ids ../ and absolute refused')
def _():
    from face_context.augment import face_dls
    d = folder('dls', [FACE, OTHER]); pd.DataFrame(dict(id=['0', '../secret'], category=['a', 'b'])).to_csv(d/'t.csv', index=False)
    try: face_dls(d/'t.csv', suffix='.jpg', workers=0); return False, 'read ../secret'
    except ValueError as e: return 'outside' in str(e), str(e)

def _kill_parent(sig):
    d = folder(f'kill{sig}', [PF/'2008_001322.jpg']*30)
    a = subprocess.Popen([*FC, 'detect', str(d), '--index', str(T/f'kill{sig}.json'), '--workers', '2'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    j = Path(f"{T/f'kill{sig}.json'}.journal")
    t0 = time.time()
    while a.poll() is None and sum(len(f.read_text().splitlines()) for f in j.glob('*.jsonl')) < 2 and time.time()-t0 < 120: time.sleep(0.05)
    kids = [int(p) for p in Path(f'/proc/{a.pid}/task/{a.pid}/children').read_text().split()]
    os.kill(a.pid, sig); a.wait(); time.sleep(5)
    alive = [k for k in kids if Path(f'/proc/{k}').exists() and Path(f'/proc/{k}/stat').read_text().split(') ')[1][0] != 'Z']
    for k in alive: os.kill(k, signal.SIGKILL)
    return not alive and len(kids) == 2, f'workers {kids}, alive 5 s after the parent: {alive}'
@probe(5, 'kill -9 on the parent: workers exit')
def _(): return _kill_parent(signal.SIGKILL)
@probe(5, 'kill -TERM on the parent: workers exit')
def _(): return _kill_parent(signal.SIGTERM)

def _odd(name, make):
    d = folder(name, [FACE]); make(d)
    r = fc('detect', d, '--index', T/f'{name}.json', '--workers', 2, timeout=120)
    idx = FaceIndex.load(T/f'{name}.json')
    return r.returncode == 0, idx
@probe(6, 'FIFO named pipe.jpg: error row, no hang')
def _():
    ok, idx = _odd('fifo', lambda d: os.mkfifo(d/'pipe.jpg'))
    return ok and idx.df.error.str.contains('not a regular file').sum() == 1, idx.df.error.tolist()
@probe(7, 'symlink loop self.jpg -> self.jpg: error row')
def _():
    ok, idx = _odd('loop', lambda d: (d/'self.jpg').symlink_to('self.jpg'))
    return ok and idx.df.error.str.contains('symbolic link loop').sum() == 1, idx.df.error.tolist()
@probe(7, 'dangling link: error row naming the link')
def _():
    ok, idx = _odd('dangle', lambda d: (d/'gone_link.jpg').symlink_to(T/'nowhere.jpg'))
    e = idx.df.error.dropna().tolist()
    return ok and len(e) == 1 and 'gone_link.jpg: broken link' in e[0], e
@probe(7, 'directory loop sub/up -> ..: each image once')
def _():
    ok, idx = _odd('dloop', lambda d: ((d/'sub').mkdir(), (d/'sub'/'up').symlink_to('..')))
    return ok and len(idx) == 1, f'{len(idx)} rows'
@probe(7, 'mask and crop on a folder with a link loop: no traceback')
def _():
    d = folder('lmc', [FACE]); (d/'self.jpg').symlink_to('self.jpg')
    r1, r2 = fc('mask', d, T/'lm_out', '--workers', 0), fc('crop', d, T/'lc_out', '--workers', 0)
    return r1.returncode == 0 and r2.returncode == 0, r1.stderr[-200:] + r2.stderr[-200:]
@probe(8, 'unreadable file (no root override): error row')
def _():
    if not ROOT: return None, 'needs root for setpriv'
    d = folder('unread', [FACE]); shutil.copy(FACE, d/'secret.jpg'); (d/'secret.jpg').chmod(0)
    r = fc('detect', d, '--index', T/'unread.json', '--workers', 0, pre=AS_USER)
    idx = FaceIndex.load(T/'unread.json') if r.returncode == 0 else None
    return idx is not None and idx.df.error.str.contains('Permission denied').sum() == 1, r.stderr[-300:]
@probe(9, 'ImageLoadError pickles; split leakage check with a corrupt image')
def _():
    from face_context.core import ImageLoadError
    e = pickle.loads(pickle.dumps(ImageLoadError('a.jpg', 'bad')))
    d = folder('leak'); (d/'a').mkdir(); [shutil.copy(f, d/'a'/f'{i}.jpg') for i, f in enumerate([FACE, OTHER, FACE])]; (d/'a'/'broken.jpg').write_bytes(b'\xff\xd8 no')
    r = fc('split', d, T/'leak_out', '--workers', 2)
    return e.src == 'a.jpg' and r.returncode == 0, r.stdout[-300:] + r.stderr[-300:]
@probe(10, 'two detect runs on one index: second says "index in use", first completes')
def _():
    d = folder('two', [PF/'2008_001322.jpg']*60); idx = T/'two.json'   # upsampled twice, so that the first run outlasts the second's start
    a = subprocess.Popen([*FC, 'detect', str(d), '--index', str(idx), '--workers', '1', '--upsample', '2'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    j = Path(f'{idx}.journal'); t0 = time.time()
    while a.poll() is None and not list(j.glob('*.jsonl')) and time.time()-t0 < 120: time.sleep(0.05)
    b = fc('detect', d, '--index', idx, '--workers', 1); a.wait()
    return one_line(b, 'index in use') and a.returncode == 0 and len(FaceIndex.load(idx)) == 60, f'second run: rc {b.returncode} {b.stderr[-200:]}'

def _tmpfs(name):
    m = T/name; m.mkdir()
    if not ROOT or subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', str(m)]).returncode: return None
    fd = os.open(m/'filler', os.O_WRONLY | os.O_CREAT)   # fill it: nothing more fits
    try:
        while True: os.write(fd, b'\0'*1024)
    except OSError: pass
    finally: os.close(fd)
    return m
def _full(cmd):
    m = _tmpfs(f'full_{cmd}')
    if m is None: return None, 'needs root to mount a tmpfs'
    try:
        src = folder(f'fsrc_{cmd}', [FACE, OTHER, PF/'2008_001322.jpg'])
        r = fc(cmd, src, *(['--index', m/'i.json'] if cmd == 'detect' else [m/'out']), '--workers', 0)
        return one_line(r, 'No space left on device'), r.stderr.strip().splitlines()[-1:]
    finally: subprocess.run(['umount', str(m)])
for c in ('detect', 'mask', 'crop'): probe(11, f'full disk: {c} says so in one line')(lambda c=c: _full(c))
def _ro(cmd):
    if not ROOT: return None, 'needs root for setpriv'
    ro = T/f'ro_{cmd}'; ro.mkdir(); ro.chmod(0o555); src = folder(f'rsrc_{cmd}', [FACE])
    r = fc(cmd, src, *(['--index', ro/'i.json'] if cmd == 'detect' else [ro/'out']), '--workers', 0, pre=AS_USER)
    return one_line(r, 'Permission denied'), r.stderr.strip().splitlines()[-1:]
for c in ('detect', 'mask', 'crop'): probe(11, f'read-only destination: {c} says so in one line')(lambda c=c: _ro(c))
@probe(11, 'masked export killed halfway: whole images, manifest of them; the rerun completes')
def _():
    src = folder('mk', [FACE]*40); idx = T/'mk.json'; fc('detect', src, '--index', idx, '--workers', 2); out = T/'mk_out'
    a = subprocess.Popen([*FC, 'mask', str(src), str(out), '--index', str(idx), '--workers', '0', '--fill', 'blur'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while a.poll() is None and len(list(out.glob('*.jpg'))) < 5 and time.time()-t0 < 120: time.sleep(0.01)
    a.kill(); a.wait()
    imgs = list(out.glob('*.jpg'))
    whole = all(load_image(p) is not None for p in imgs)
    man = pd.read_csv(out/'manifest.csv') if (out/'manifest.csv').exists() else None
    r = fc('mask', src, out, '--index', idx, '--workers', 0, '--fill', 'blur')
    return whole and man is not None and len(man) >= len(imgs)-1 and r.returncode == 0 and len(list(out.glob('*.jpg'))) == 40, f'{len(imgs)} images, manifest {None if man is None else len(man)} rows'
@probe(12, 'animated GIF: refused by name, not masked as its first frame')
def _():
    d = folder('gif'); fr = [Image.open(FACE).convert('RGB')]; fr.append(fr[0].transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    fr[0].save(d/'a.gif', save_all=True, append_images=fr[1:])
    r = fc('mask', d, T/'gif_out', '--workers', 0)
    return 'has 2 frames' in r.stdout and not (T/'gif_out'/'a.gif').exists(), r.stdout[-300:]
@probe(12, '2-page TIFF: refused by name')
def _():
    d = folder('tif'); fr = [Image.open(FACE).convert('RGB')]*2; fr[0].save(d/'a.tif', save_all=True, append_images=fr[1:])
    e = detect_folder(d, workers=0, progress=False).df.error[0]
    return 'has 2 frames' in str(e), e
@probe(13, 'crop: photo.png and photo.webp give two files, and the count says 2')
def _():
    d = folder('tw'); Image.open(FACE).save(d/'photo.png'); Image.open(OTHER).save(d/'photo.webp')
    r = fc('crop', d, T/'tw_out', '--workers', 0)
    return '2 crops written' in r.stdout and len(list((T/'tw_out').glob('*.png'))) == 2, r.stdout[-200:]
@probe(14, 'stale index: a replaced image is detected again and masked')
def _():
    d = folder('stale'); shutil.copy(FACE, d/'p.jpg'); fc('detect', d, '--index', T/'stale.json', '--workers', 0)
    shutil.copy(OTHER, d/'p.jpg')
    r = fc('mask', d, T/'stale_out', '--index', T/'stale.json', '--workers', 0)
    return r.returncode == 0 and (T/'stale_out'/'p.jpg').exists() and detect_faces(T/'stale_out'/'p.jpg') == [], r.stdout[-200:]
@probe(15, 'split --how symlink output can be masked and cropped')
def _():
    d = folder('sl'); (d/'a').mkdir(); (d/'b').mkdir()
    for i in range(4): shutil.copy(FACE, d/'a'/f'{i}.jpg'); shutil.copy(OTHER, d/'b'/f'{i}.jpg')
    fc('split', d, T/'sl_split', '--how', 'symlink', '--no-leakage')
    r1, r2 = fc('mask', T/'sl_split', T/'sl_mask', '--workers', 0), fc('crop', T/'sl_split', T/'sl_crop', '--workers', 0)
    return r1.returncode == 0 and r2.returncode == 0 and len(list((T/'sl_mask').rglob('*.jpg'))) == 8, r1.stderr[-200:] + r2.stderr[-200:]
@probe(16, 'masked DST holds no face index, no source path, no real box')
def _():
    d = folder('priv', [FACE, OTHER]); r = fc('mask', d, T/'priv_out', '--workers', 0, '--decoys', 2)
    text = ''.join(p.read_text(errors='ignore') for p in (T/'priv_out').rglob('*.csv'))
    man = pd.read_csv(T/'priv_out'/'manifest.csv')
    return (not list((T/'priv_out').rglob('*.json')) and str(d) not in text and 'faces' not in man.columns and 'decoys' not in man.columns), list(man.columns)
@probe(17, 'report: a pickle that runs code is refused before unpickling; --help says trust')
def _():
    class Evil:
        def __reduce__(self): return (os.system, (f"touch {T/'PWNED'}",))
    (T/'evil.pkl').write_bytes(pickle.dumps(Evil())); d = folder('rep'); (d/'a').mkdir(); shutil.copy(FACE, d/'a'/'x.jpg')
    r = fc('report', T/'evil.pkl', d, T/'rep_out'); h = fc('report', '--help')
    return not (T/'PWNED').exists() and r.returncode == 1 and 'trust' in h.stdout, r.stderr[-200:]
@probe(17, 'report: fastai\'s pickle warning is shown')
def _():
    import torch; torch.save({'a': 1}, T/'dict.pkl'); d = T/'rep'
    r = fc('report', T/'dict.pkl', d, T/'rep_out2')
    return 'insecure pickle' in r.stderr, r.stderr[-300:]
@probe(18, '12000x12000 PNG: detection within a pixel budget (with --huge: 85 s and 7 GB before)')
def _():
    if '--huge' not in sys.argv: return None, 'run with --huge'
    d = folder('huge'); Image.new('RGB', (12000, 12000), 'white').save(d/'h.png')
    t0 = time.time(); r = subprocess.run(['/usr/bin/time', '-v', *FC, 'detect', str(d), '--index', str(T/'huge.json'), '--workers', '0'], capture_output=True, text=True, timeout=600)
    rss = [l for l in r.stderr.splitlines() if 'Maximum resident' in l]
    kb = int(rss[0].split()[-1]) if rss else -1
    return r.returncode == 0 and 0 < kb < 3_000_000, f'{time.time()-t0:.0f} s, peak RSS {kb/1e6:.1f} GB'
@probe(19, 'split --help: each option has its own help')
def _():
    h = fc('split', '--help').stdout.split('options:')[1]
    import re
    w = re.search(r'--workers \S+\s+(.*?)(?=\n\s+--|\Z)', h, re.S).group(1)
    return 'symlink' not in w and 'processes' in w, w.strip()
@probe('-', 'HTML report escapes names')
def _():
    from face_context.interpret import report_html
    import inspect; src = inspect.getsource(report_html)
    return 'html.escape' in src or 'escape(' in src, 'report_html escapes (source check)'
@probe('-', 'masked copy strips EXIF, XMP, ICC, text chunks, thumbnail')
def _():
    d = folder('meta'); im = Image.open(FACE); ex = im.getexif(); ex[0x010e] = 'secret'
    im.save(d/'a.jpg', exif=ex, icc_profile=b'\0'*128, xmp=b'<x:xmpmeta>secret</x:xmpmeta>')
    from PIL import PngImagePlugin; info = PngImagePlugin.PngInfo(); info.add_text('Comment', 'secret'); im.save(d/'b.png', pnginfo=info)
    fc('mask', d, T/'meta_out', '--workers', 0)
    data = b''.join(p.read_bytes() for p in (T/'meta_out').glob('*.*g'))
    return b'secret' not in data and b'Exif' not in data, f'{len(data)} bytes'
@probe('-', 'destination inside the source refused; missing source is one line')
def _():
    d = folder('ins', [FACE]); r1, r2 = fc('mask', d, d/'in', '--workers', 0), fc('mask', T/'nope', T/'x')
    return one_line(r1, 'inside the source folder') and one_line(r2, 'no such file or folder'), r1.stderr[-200:]

if __name__ == '__main__':
    rows, only = [], [a for a in sys.argv[1:] if not a.startswith('--')]   # probe numbers to run (default: all)
    for item, what, f in [p for i, p in enumerate(PROBES) if not only or str(i) in only]:
        t0 = time.time()
        try: ok, detail = f()
        except Exception as e: ok, detail = False, f'{type(e).__name__}: {e}'
        rows.append((item, what, ok, detail)); mark = 'ok' if ok else ('not run' if ok is None else 'NOT OK')
        print(f'{str(item):>3}  {mark:7}  {what}  ({time.time()-t0:.0f} s)' + ('' if ok else f'\n             {str(detail)[:300]}'), flush=True)
    print(f'{len(rows)} probes, {sum(r[2] is not None and bool(r[2]) for r in rows)} ok, {sum(r[2] is None for r in rows)} not run')
    shutil.rmtree(T, ignore_errors=True)
