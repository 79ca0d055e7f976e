"""Build the docs site without Quarto (which cannot be installed here), and store the pictures it shows.

    python tools/docs.py                      # build the site in _docs/ (open _docs/index.html)
    python tools/docs.py --outputs [NB...]    # run notebooks (default: all but index), keep only the pictures of the cells that draw

Building: nbdev's `proc_nbs()` writes `_proc/` (show_doc cells run, exported code hidden, backticked names linked) exactly as for the
Quarto build; this script then renders each processed notebook to one HTML page, doing by hand the few things Quarto does for nbdev:
the title and description from the front matter, `#| echo: false` / `#| output: asis` / `#| include: false` cells, heading anchors as
pandoc makes them (so nbdev's `page.html#name` links land), a sidebar in the notebooks' order with the tutorials grouped, a table of
contents per page and a page search. Quarto's attribute syntax (`{target="_blank" ...}`) is dropped, links to the published site are
made local, class signatures read `class X(` and the event arguments every fastai `Callback` inherits are left out of signatures.
The GitHub Pages workflow (.github/workflows/deploy.yaml) still builds the real site with Quarto from the same notebooks.

Pictures: nbdev's docs build does not run notebooks, so a page shows only the outputs stored in its notebook. `--outputs` runs the
given notebooks (the default, not-slow cells) and stores the outputs of the cells that draw, and only those: PNGs, downscaled to fit
640 x 400 px and quantised to 256 colours. Text, tables, widgets and progress bars are not stored, so no temporary path or
progress bar ends up in a notebook, and `nbdev-clean` keeps what is stored.
"""
import base64, html, io, json, os, re, shutil, sys, importlib, inspect
from pathlib import Path

root = Path(__file__).resolve().parent.parent
nbs, out_dir = root/'nbs', root/'_docs'
SITE_URL = 'https://face-context.github.io/face_context/'

# ---------------------------------------------------------------- stored outputs
# Every notebook but the index (whose text output the README shows): `python tools/docs.py --outputs` with no notebook named.
NOTEBOOKS = sorted(str(f.relative_to(root)) for f in nbs.rglob('*.ipynb') if f.name != 'index.ipynb' and '.ipynb_checkpoints' not in f.parts)

def _small_png(b64, max_w=640, max_h=400):
    "The PNG in `b64`, downscaled to fit `max_w` x `max_h` pixels and quantised to 256 colours, as base64."
    from PIL import Image
    im = Image.open(io.BytesIO(base64.b64decode(b64)))
    if im.mode not in ('RGB', 'RGBA'): im = im.convert('RGBA')
    s = min(1, max_w/im.width, max_h/im.height)
    if s < 1: im = im.resize((round(im.width*s), round(im.height*s)), Image.LANCZOS)
    im = im.convert('RGB').quantize(256) if im.mode == 'RGB' or im.getextrema()[3][0] == 255 else im.quantize(256)
    buf = io.BytesIO(); im.save(buf, 'PNG', optimize=True)
    return base64.b64encode(buf.getvalue()).decode()

def _pictures(outputs):
    "Only the image outputs of a cell, made small."
    res = []
    for o in outputs:
        d = o.get('data', {})
        if 'image/png' in d:
            res.append(dict(output_type='display_data', metadata={}, data={'image/png': _small_png(d['image/png']), 'text/plain': ['<Figure>']}))
    return res

def store_outputs(nb_path):
    "Run `nb_path` (not-slow cells) and store the pictures of the cells that draw; every other cell's outputs are cleared."
    from fastcore.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    nb_path = Path(nb_path).resolve()
    nb = read_nb(nb_path)
    os.environ.setdefault('MPLBACKEND', 'Agg')
    skip = lambda c: bool(re.search(r'^#\|\s*(slow\b|eval:\s*false)', c.source, flags=re.M))
    cwd = os.getcwd(); os.chdir(nb_path.parent)
    try:
        sh = CaptureShell(nb_path)
        sh.run('%matplotlib inline')
        sh.run("import matplotlib.pyplot as plt; plt.rcParams['figure.dpi'] = 72")
        for c in nb.cells:
            if c.cell_type != 'code': continue
            if skip(c): c.outputs = []; continue
            sh.cell(c)
            if sh.exc: raise RuntimeError(f'{nb_path.name}: cell failed:\n{c.source}\n{sh.exc}')
            c.outputs = _pictures(c.outputs)
            c.execution_count = None
    finally: os.chdir(cwd)
    write_nb(nb, nb_path)
    n = sum(len(c.get('outputs', [])) for c in nb.cells)
    print(f'{nb_path.name}: {n} pictures stored')

# ---------------------------------------------------------------- rendering
def _md():
    from markdown_it import MarkdownIt
    hl = lambda code, lang, attrs: _highlight(code, lang or 'text', pre=True)
    return MarkdownIt('commonmark', {'html': True, 'highlight': hl}).enable(['table', 'strikethrough'])

def slug(text):
    "Heading id as pandoc makes it (what nbdev's `page.html#name` links expect)."
    s = re.sub(r'<[^>]+>', '', html.unescape(text)).strip().lower()
    s = re.sub(r'[^\w\s.\-]', '', s)
    s = re.sub(r'\s+', '-', s)
    return re.sub(r'^[^a-z]+', '', s) or 'section'

def _quarto_free(md):
    "Markdown without Quarto's attribute and div syntax."
    md = re.sub(r'(\]\([^)]*\))\{[^}]*\}', r'\1', md)           # [text](url){target="_blank" ...}
    md = re.sub(r'^:::+\s*\{[^}]*\}\s*$', '<div class="callout">', md, flags=re.M)
    md = re.sub(r'^:::+\s*$', '</div>', md, flags=re.M)
    return md

def _math_protect(md):
    "Keep `$...$` from being read as markdown (emphasis in `a_b * c`); shown as text in a span."
    keep = []
    def sub(m): keep.append(m.group(0)); return f'@@MATH{len(keep)-1}@@'
    md = re.sub(r'(?<!\\)\$\$.+?\$\$|(?<![\\$\w])\$[^$\n]+?\$(?!\w)', sub, md, flags=re.S)
    return md, keep

_TEX = {r'\cdot': '·', r'\times': '×', r'\ln': 'ln', r'\log': 'log', r'\sum': '∑', r'\min': 'min', r'\max': 'max', r'\lambda': 'λ',
        r'\partial': '∂', r'\in': '∈', r'\approx': '≈', r'\le': '≤', r'\ge': '≥', r'\alpha': 'α', r'\beta': 'β', r'\sigma': 'σ',
        r'\mu': 'μ', r'\left': '', r'\right': '', r'\,': ' ', r'\;': ' ', r'\{': '{', r'\}': '}'}

def _tex(t):
    "Inline TeX as readable text: common macros as their symbols, `_x`/`^x` as sub- and superscripts (no MathJax: the site works offline)."
    t = html.escape(t)
    for k in sorted(_TEX, key=len, reverse=True): t = re.sub(re.escape(k) + r'(?![A-Za-z])', _TEX[k], t)
    t = re.sub(r'\\(?:text|mathrm|operatorname)\{([^}]*)\}', r'\1', t)
    t = re.sub(r'_\{([^}]*)\}|_(\w)', lambda m: f'<sub>{m.group(1) or m.group(2)}</sub>', t)
    t = re.sub(r'\^\{([^}]*)\}|\^(\w)', lambda m: f'<sup>{m.group(1) or m.group(2)}</sup>', t)
    return t

_EVENTS = re.compile(r'\b(?:before|after)_[a-z_]+:NoneType=None,?\s*')

def _signature(code, name, classes):
    "A show_doc signature as it should read: `class X(` for classes, no inherited callback events."
    code = _EVENTS.sub('', code)
    code = re.sub(r'\n\s*\n', '\n', code)
    code = re.sub(r'\(\s*\*,?\s*\)', '()', re.sub(r'\*,\s*\n(\s*\))', r'\n\1', code))
    code = re.sub(r'\(\s*\n\s*\):', '():', code)
    if name in classes: code = re.sub(rf'^def {re.escape(name)}\(', f'class {name}(', code, flags=re.M)
    return code

def _module_classes(nb):
    "Names of the classes of the module the notebook exports."
    for c in nb['cells']:
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), flags=re.M)
        if m:
            try: mod = importlib.import_module(f'face_context.{m.group(1)}')
            except Exception: return set()
            return {k for k, v in vars(mod).items() if inspect.isclass(v)}
    return set()

def _highlight(code, lang='python', pre=False):
    from pygments import highlight
    from pygments.lexers import get_lexer_by_name
    from pygments.formatters import HtmlFormatter
    try: lexer = get_lexer_by_name(lang)
    except Exception: lexer = get_lexer_by_name('text')
    if pre: return f'<pre class="highlight"><code>{highlight(code, lexer, HtmlFormatter(nowrap=True))}</code></pre>'
    return highlight(code, lexer, HtmlFormatter(cssclass='highlight'))

class Page:
    "One processed notebook rendered to HTML."
    def __init__(self, src, rel_src):
        self.src, self.nb = src, json.loads(Path(src).read_text())
        self.meta, self.figs = {}, []
        cells = self.nb['cells']
        if cells and cells[0]['cell_type'] == 'raw' and ''.join(cells[0]['source']).lstrip().startswith('---'):
            import yaml
            self.meta = yaml.safe_load(''.join(cells[0]['source']).strip().strip('-')) or {}
            cells = cells[1:]
        self.cells = cells
        self.title = str(self.meta.get('title', Path(rel_src).stem))
        self.description = self.meta.get('description', '')
        out = self.meta.get('output-file', Path(rel_src).with_suffix('.html').name)
        self.url = str(Path(rel_src).parent/out) if str(Path(rel_src).parent) != '.' else out
        self.url = 'index.html' if Path(rel_src).stem == 'index' and '/' not in self.url else self.url
        orig = nbs/rel_src
        self.classes = _module_classes(json.loads(orig.read_text())) if orig.exists() else set()

    def _md_html(self, md):
        md = _quarto_free(md)
        md, maths = _math_protect(md)
        h = _md().render(md)
        h = re.sub(r'@@MATH(\d+)@@', lambda m: f'<span class="math">{_tex(maths[int(m.group(1))].strip("$"))}</span>', h)
        return h

    def _show_doc(self, md):
        "A show_doc output: heading, signature (fixed), docstring."
        md = re.sub(r'^---\s*\n', '', md.lstrip())
        md = re.sub(r'^\[source\]\(([^)]*)\)(\{[^}]*\})?', r'<a class="source" href="\1">source</a>', md)
        name = (re.search(r'^#+\s+(\S+)', md, flags=re.M) or [None, ''])[1]
        md = re.sub(r'```python\n(.*?)```', lambda m: '```python\n' + _signature(m.group(1), name, self.classes) + '```', md, flags=re.S)
        return '<div class="doc">' + self._md_html(md) + '</div>'

    def _output(self, o, asis):
        d = o.get('data', {})
        if o['output_type'] == 'stream': return f'<pre class="out">{html.escape("".join(o["text"]))}</pre>'
        if o['output_type'] == 'error': return f'<pre class="out err">{html.escape(o.get("ename", ""))}: {html.escape(o.get("evalue", ""))}</pre>'
        j = lambda k: ''.join(d[k]) if isinstance(d[k], list) else d[k]
        if 'image/png' in d:
            self.figs.append(base64.b64decode(j('image/png')))
            return f'<img class="fig" src="@@FIG{len(self.figs)-1}@@" alt="figure">'
        if 'image/svg+xml' in d: return j('image/svg+xml')
        if 'application/vnd.jupyter.widget-view+json' in d: return '<p class="widget-note">(an interactive widget: run the notebook in Jupyter to use it)</p>'
        if 'text/markdown' in d: return self._show_doc(j('text/markdown')) if asis else self._md_html(j('text/markdown'))
        if 'text/html' in d: return f'<div class="out-html">{j("text/html")}</div>'
        if 'text/plain' in d: return f'<pre class="out">{html.escape(j("text/plain"))}</pre>'
        return ''

    def body(self):
        parts = []
        for c in self.cells:
            src = ''.join(c['source'])
            if c['cell_type'] == 'markdown':
                if src.strip().startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
                parts.append(self._md_html(src)); continue
            if c['cell_type'] != 'code': continue
            dirs = {m.group(1): m.group(2).strip() for m in re.finditer(r'^#\|\s*([\w-]+):?\s*(.*)$', src, flags=re.M)}
            if dirs.get('include') == 'false' or 'hide' in dirs: continue
            code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
            h = ''
            if code and dirs.get('echo') != 'false': h += _highlight(code)
            if dirs.get('output') != 'false':
                h += ''.join(self._output(o, dirs.get('output') == 'asis') for o in c.get('outputs', []))
            if h: parts.append(f'<div class="cell">{h}</div>')
        return '\n'.join(parts)

def _link_local(h, depth):
    "Links to the published site (nbdev's backticked names) made relative to this page."
    up = '../'*depth
    return h.replace(f'href="{SITE_URL}', f'href="{up}')

def _drop_dead_anchors(h, url, ids):
    "Links to a name the target page does not document (a private helper nbdev linked) point at the page instead."
    base = Path(url).parent
    def sub(m):
        href, frag = m.group(1), m.group(2)
        target = url if not href else os.path.normpath(str(base/href))
        return m.group(0) if frag in ids.get(target, {frag}) else f'href="{href or "#"}"'
    return re.sub(r'href="([^"#:]*)#([^"]+)"', sub, h)

def _anchors(h):
    "Give every heading a pandoc-style id; return the HTML and the (level, id, text) list for the table of contents."
    toc, seen = [], set()
    def sub(m):
        lvl, attrs, inner = m.group(1), m.group(2), m.group(3)
        i = base = slug(inner); k = 1
        while i in seen: i = f'{base}-{k}'; k += 1
        seen.add(i); toc.append((int(lvl), i, re.sub(r'<[^>]+>', '', inner)))
        return f'<h{lvl}{attrs} id="{i}">{inner}</h{lvl}>'
    return re.sub(r'<h([1-6])([^>]*)>(.*?)</h\1>', sub, h, flags=re.S), toc

def _order(rel):
    "Sidebar order: home, the numbered notebooks, then the tutorials."
    p = Path(rel)
    return (p.stem != 'index', len(p.parts) > 1, str(p))

def _sidebar(pages, cur, depth):
    up = '../'*depth
    li = lambda p: f'<li{" class=active" if p is cur else ""}><a href="{up}{p.url}">{html.escape(p.title)}</a></li>'
    top = [p for p in pages if '/' not in p.url]
    groups = {}
    for p in pages:
        if '/' in p.url: groups.setdefault(p.url.split('/')[0], []).append(p)
    h = '<ul>' + ''.join(li(p) for p in top) + '</ul>'
    for g, ps in groups.items(): h += f'<div class="group">{html.escape(g.capitalize())}</div><ul>' + ''.join(li(p) for p in ps) + '</ul>'
    return h

TEMPLATE = '''<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – face_context</title><meta name="description" content="{desc_attr}">
<link rel="stylesheet" href="{up}site.css"></head>
<body>
<nav class="sidebar"><a class="brand" href="{up}index.html">face_context</a>
<input id="search" type="search" placeholder="Search" aria-label="Search"><ul id="hits"></ul>
{sidebar}</nav>
<main><header><h1 class="title">{title}</h1>{desc}</header>
{body}
</main>
<aside class="toc"><div class="toc-title">On this page</div>{toc}</aside>
<script>window.SITE_ROOT = "{up}";</script><script src="{up}search.js"></script>
</body></html>
'''

SEARCH_JS = r'''(function(){
  const box = document.getElementById('search'), hits = document.getElementById('hits'); let idx = null;
  box.addEventListener('input', async () => {
    if (!idx) idx = await (await fetch(SITE_ROOT + 'search.json')).json().catch(() => []);
    const q = box.value.trim().toLowerCase(); hits.innerHTML = '';
    if (q.length < 2) return;
    for (const e of idx.filter(e => e.text.toLowerCase().includes(q)).slice(0, 12)) {
      const li = document.createElement('li'), a = document.createElement('a');
      a.href = SITE_ROOT + e.url; a.textContent = e.title; li.appendChild(a); hits.appendChild(li);
    }
  });
})();
'''

def _css():
    from pygments.formatters import HtmlFormatter
    return (nbs/'styles.css').read_text() + '\n' + (Path(__file__).parent/'site.css').read_text() + '\n' + HtmlFormatter().get_style_defs('.highlight')

def build(proc=True):
    "Process the notebooks with nbdev and write the site to `_docs/`."
    os.chdir(root)
    if proc:
        from nbdev.serve import proc_nbs
        proc_nbs()
    srcs = sorted((root/'_proc').rglob('*.ipynb'), key=lambda f: _order(f.relative_to(root/'_proc')))
    pages = [Page(f, f.relative_to(root/'_proc')) for f in srcs]
    if out_dir.exists(): shutil.rmtree(out_dir)
    (out_dir/'figs').mkdir(parents=True)
    search, done = [], []
    for p in pages:
        depth = p.url.count('/')
        body, toc = _anchors(_link_local(p.body(), depth))
        done.append((p, depth, body, toc))
    ids = {p.url: set(re.findall(r' id="([^"]+)"', b)) for p, _, b, _ in done}
    for p, depth, body, toc in done:
        up = '../'*depth
        body = _drop_dead_anchors(body, p.url, ids)
        stem = p.url.replace('/', '_').removesuffix('.html')
        for i, png in enumerate(p.figs):
            (out_dir/'figs'/f'{stem}_{i}.png').write_bytes(png)
            body = body.replace(f'@@FIG{i}@@', f'{up}figs/{stem}_{i}.png')
        toc_h = '<ul>' + ''.join(f'<li class="l{l}"><a href="#{i}">{html.escape(html.unescape(t))}</a></li>' for l, i, t in toc if l in (2, 3)) + '</ul>'
        desc = f'<p class="description">{html.escape(p.description)}</p>' if p.description else ''
        page = TEMPLATE.format(title=html.escape(p.title), desc_attr=html.escape(p.description, quote=True), desc=desc, up=up,
                               sidebar=_sidebar(pages, p, depth), body=body, toc=toc_h)
        (out_dir/p.url).parent.mkdir(parents=True, exist_ok=True)
        (out_dir/p.url).write_text(page)
        text = re.sub(r'\s+', ' ', html.unescape(re.sub(r'<[^>]+>', ' ', body)))
        search.append(dict(url=p.url, title=p.title, text=f'{p.title} {p.description} {text}'))
    (out_dir/'site.css').write_text(_css())
    (out_dir/'search.js').write_text(SEARCH_JS)
    (out_dir/'search.json').write_text(json.dumps(search))
    print(f'docs site: {len(pages)} pages in {out_dir} (open {out_dir/"index.html"})')
    return out_dir

if __name__ == '__main__':
    args = sys.argv[1:]
    if args and args[0] == '--outputs':
        for f in args[1:] or NOTEBOOKS: store_outputs(f)
    else: build(proc='--no-proc' not in args)
