"""Build the docs site (tools/docs.py) and read it as a reader would, in headless Chromium driven by Playwright.

Checks: no page shows a `#|` directive, Quarto's `{target=` syntax, a front-matter line, a class signature written `def X(` or
fastai's inherited callback events; every local link (and its `#anchor`)
resolves; the pages of the notebooks that draw show at least one picture that loaded; the home page shows the quick start.
`python tools/site_test.py [--no-build] [--shots DIR]` (`--shots` saves a screenshot of each page checked for pictures).
Needs `pip install playwright` and Chromium at /usr/bin/chromium (Playwright cannot download its own browser here).
"""
import functools, re, sys, threading
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import urljoin, urlsplit, unquote

sys.path.insert(0, str(Path(__file__).parent))
import docs

CHROMIUM = '/usr/bin/chromium'
# pages whose notebooks draw and store their pictures (`python tools/docs.py --outputs NB`)
DRAWING = ['mask.html', 'augment.html', 'interpret.html', 'bench.html', 'embed.html', 'tutorials/stage_not_face.html', 'tutorials/crop_train_inspect.html', 'tutorials/embedding_robustness.html']
QUICK_START = ['pip install -e . && face-context demo', 'bash tools/test.sh']
DEBRIS = [(re.compile(r'#\|'), '#| directive'), (re.compile(r'\{target='), "Quarto's {target=...}"),
          (re.compile(r'(^|\n|--- )\s*(output-file|description|title):\s'), 'a front-matter line'),
          (re.compile(r'\b(before|after)_fit:NoneType'), "fastai's inherited callback events in a signature"),
          (re.compile(r'\bdef (FaceOcclusion|FaceIndex|FaceMaskInput|FaceReviewer)\('), 'a class signature written as `def`')]

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

def serve(folder):
    "Serve `folder` on 127.0.0.1 in a thread; returns the server (its base URL is `server.url`)."
    srv = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    srv.url = f'http://127.0.0.1:{srv.server_address[1]}/'
    return srv

def check(site, shots=None):
    "All the checks on the built `site` folder; returns the list of problems (empty when the site is fine)."
    from playwright.sync_api import sync_playwright
    pages = sorted(str(p.relative_to(site)) for p in site.rglob('*.html'))
    problems, srv = [], serve(site)
    ids = {}  # page -> element ids, to check #anchors
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            pg = browser.new_page(viewport={'width': 1300, 'height': 900})
            links = []
            for name in pages:
                r = pg.goto(srv.url + name)
                if not r or r.status != 200: problems.append(f'{name}: HTTP {r and r.status}'); continue
                text = pg.inner_text('body')
                for rx, what in DEBRIS:
                    if m := rx.search(text): problems.append(f'{name}: shows {what}: {text[max(0, m.start()-40):m.end()+40]!r}')
                ids[name] = set(pg.eval_on_selector_all('[id]', 'els => els.map(e => e.id)'))
                for href in pg.eval_on_selector_all('a[href]', 'els => els.map(e => e.getAttribute("href"))'):
                    if not re.match(r'^[a-z]+:', href): links.append((name, href))
                for src in pg.eval_on_selector_all('img', 'els => els.map(e => e.getAttribute("src"))'):
                    if not re.match(r'^(data|https?):', src): links.append((name, src))
                if name in DRAWING:
                    n = pg.eval_on_selector_all('main img', 'els => els.filter(e => e.complete && e.naturalWidth > 0).length')
                    if n == 0: problems.append(f'{name}: no picture shown')
                    if shots: pg.screenshot(path=str(Path(shots)/f'site_{name.replace("/", "_")}.png'))
                if name == 'index.html':
                    for s in QUICK_START:
                        if s not in text: problems.append(f'index.html: the quick start is missing {s!r}')
                    if shots: pg.screenshot(path=str(Path(shots)/'site_index.png'))
            for name, href in links:
                u = urlsplit(urljoin(srv.url + name, href))
                target = unquote(u.path)[1:] or 'index.html'
                if not (site/target).is_file(): problems.append(f'{name}: broken link {href}'); continue
                if u.fragment and target.endswith('.html') and u.fragment not in ids.get(target, set()):
                    problems.append(f'{name}: link {href}: no #{u.fragment} on {target}')
            browser.close()
    finally: srv.shutdown()
    print(f'site test: {len(pages)} pages, {len(links)} local links checked')
    return problems

if __name__ == '__main__':
    args = sys.argv[1:]
    shots = args[args.index('--shots')+1] if '--shots' in args else None
    if shots: Path(shots).mkdir(parents=True, exist_ok=True)
    site = docs.out_dir if '--no-build' in args else docs.build()
    problems = check(site, shots)
    print('\n'.join(problems) if problems else 'site test: passed')
    sys.exit(1 if problems else 0)
