"""Use the widgets notebook as a notebook user would: JupyterLab in headless Chromium, driven by Playwright.

Starts JupyterLab on 127.0.0.1 (a random port and token, a temporary folder holding a copy of nbs/09_widgets.ipynb, so the source
notebook is never saved over), runs all cells, then clicks one control of each widget and checks that its picture changed:
FaceReviewer's `next` (the next photo), RegionPainter's canvas (a cell painted red), MaskPreview's fill (another mask) and
CamBrowser's `next` (the next mistake). Stops JupyterLab at the end, whatever happened.
`python tools/lab_test.py [--shots DIR]` (`--shots` saves the before/after pictures and the whole notebook).
Needs `pip install playwright jupyterlab` and Chromium at /usr/bin/chromium.
"""
import json, os, re, secrets, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

root = Path(__file__).resolve().parent.parent
CHROMIUM = '/usr/bin/chromium'
NB = '09_widgets.ipynb'

def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _copy_notebook(dst):
    "The widgets notebook without its `nbdev_export` cell (there is no nbdev project in the temporary folder)."
    nb = json.loads((root/'nbs'/NB).read_text())
    drop = ('nbdev_export', 'shutil.rmtree(tmp')   # and its clean-up, so that the widgets can still read their photos when clicked
    nb['cells'] = [c for c in nb['cells'] if not any(d in ''.join(c['source']) for d in drop)]
    nb['metadata']['kernelspec'] = dict(name='python3', display_name='Python 3 (ipykernel)', language='python')  # nbdev-clean drops it
    (dst/NB).write_text(json.dumps(nb))

def start_lab(work):
    "JupyterLab serving `work` on 127.0.0.1; returns (process, base URL, token)."
    port, token = _free_port(), secrets.token_hex(16)
    settings = work/'.settings'/'@jupyterlab'/'notebook-extension'
    settings.mkdir(parents=True)
    (settings/'tracker.jupyterlab-settings').write_text(json.dumps({'windowingMode': 'none'}))  # every cell in the DOM
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get('PYTHONPATH', '')]), MPLBACKEND='module://matplotlib_inline.backend_inline')
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}', f'--IdentityProvider.token={token}',
           f'--ServerApp.root_dir={work}', f'--LabApp.user_settings_dir={work/".settings"}', f'--LabApp.workspaces_dir={work/".ws"}',
           '--allow-root', '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    proc = subprocess.Popen(cmd, env=env, stdout=open(work/'lab.log', 'w'), stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    for _ in range(120):
        try: urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=2); return proc, url, token
        except Exception: time.sleep(0.5)
        if proc.poll() is not None: break
    stop_lab(proc)
    raise RuntimeError(f'JupyterLab did not start:\n{(work/"lab.log").read_text()[-3000:]}')

def stop_lab(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try: proc.wait(20)
        except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL)

def _cell(page, text):
    "The code cell whose source contains `text`."
    return page.locator('.jp-CodeCell').filter(has=page.locator('.jp-InputArea', has_text=text)).last

def _changed(page, pic, act, settle, shots, name):
    "Screenshot the picture `pic`, do `act`, wait until the picture differs (up to `settle` s); True if it changed."
    pic.scroll_into_view_if_needed(); page.wait_for_timeout(500)
    before = pic.screenshot(path=str(shots/f'lab_{name}_before.png') if shots else None)
    act()
    t0 = time.time()
    while time.time()-t0 < settle:
        page.wait_for_timeout(500)
        try: after = pic.screenshot(timeout=5000)
        except Exception: continue   # the picture is being replaced (an output cleared and redrawn)
        if after != before:
            page.wait_for_timeout(1000)
            if shots:
                try: pic.screenshot(path=str(shots/f'lab_{name}_after.png'), timeout=5000)
                except Exception: Path(shots/f'lab_{name}_after.png').write_bytes(after)
            return True
    return False

def run(shots=None):
    from playwright.sync_api import sync_playwright
    work = Path(tempfile.mkdtemp(prefix='lab_test_'))
    _copy_notebook(work)
    proc, url, token = start_lab(work)
    problems, t0 = [], time.time()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.goto(f'{url}/lab/tree/{NB}?token={token}')
            page.wait_for_selector('.jp-Notebook .jp-CodeCell', timeout=60_000)
            sel = page.locator('.jp-Dialog').get_by_role('button', name='Select', exact=True)
            try: sel.wait_for(timeout=10_000); sel.click()   # Lab may ask which kernel, even with a kernelspec
            except Exception: pass
            page.get_by_text('Python 3 (ipykernel) | Idle').wait_for(timeout=90_000)
            try: page.get_by_role('button', name='No', exact=True).click(timeout=3000)   # the news toast covers the widgets
            except Exception: pass
            page.get_by_role('menuitem', name='Run', exact=True).click()
            page.get_by_role('menuitem', name='Run All Cells', exact=True).click()
            n = page.locator('.jp-CodeCell').count()
            prompts = lambda: page.eval_on_selector_all('.jp-CodeCell .jp-InputPrompt', 'els => els.map(e => e.textContent.trim())')
            page.wait_for_timeout(2000)
            while time.time()-t0 < 240 and any('*' in p for p in prompts()): page.wait_for_timeout(1000)
            ps = prompts()
            errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').filter(has_text='Traceback')
            if errors.count(): problems.append(f'a cell failed: {errors.first.inner_text()[:1500]}')
            if not all(re.search(r'\[\d+\]', p) for p in ps): problems.append(f'not every cell ran: prompts {ps}')
            if shots: page.screenshot(path=str(Path(shots)/'lab_after_run.png'))
            if problems: return problems
            print(f'lab test: notebook ran in JupyterLab, {time.time()-t0:.0f} s since start')
            checks = {  # name: (source of the widget's cell, its picture, the control to use)
                'FaceReviewer': ('rv.widget', lambda o: o.locator('img').first, lambda o: o.get_by_role('button', name='next').click()),
                'RegionPainter': ('rp.widget', lambda o: o.locator('canvas').last, lambda o: o.locator('canvas').last.click(position={'x': 8, 'y': 8})),
                'MaskPreview': ('mp.widget', lambda o: o.locator('img').first, lambda o: o.locator('select').first.select_option('black')),
                'CamBrowser': ('cb.widget', lambda o: o.locator('img').first, lambda o: o.get_by_role('button', name='next').click()),
            }
            for name, (src, pic, act) in checks.items():
                out = _cell(page, src).locator('.jp-Cell-outputArea')
                try: pic(out).wait_for(timeout=30_000)
                except Exception: problems.append(f'{name}: no picture shown'); continue
                if not _changed(page, pic(out), lambda: act(out), 20, shots, name): problems.append(f'{name}: the picture did not change')
            if shots: page.screenshot(path=str(Path(shots)/'lab_notebook.png'))
            browser.close()
    finally:
        stop_lab(proc)
        shutil.rmtree(work, ignore_errors=True)
    print(f'lab test: {time.time()-t0:.0f} s')
    return problems

if __name__ == '__main__':
    args = sys.argv[1:]
    shots = Path(args[args.index('--shots')+1]) if '--shots' in args else None
    if shots: shots.mkdir(parents=True, exist_ok=True)
    problems = run(shots)
    print('\n'.join(problems) if problems else 'lab test: passed')
    sys.exit(1 if problems else 0)
