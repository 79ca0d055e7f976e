"""Write README.md from nbs/index.ipynb (what `nbdev-readme` does, without Quarto, which cannot be installed here).

Markdown cells are copied as they are; code cells become fenced Python blocks with their text outputs; cells marked `#| hide` are left
out. Run from anywhere: `python tools/readme.py`. With `--check`, only report (exit 1) when README.md is out of step.
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def _hidden(src): return any(l.strip().replace(' ', '') in ('#|hide', '#|exec_doc:false') or l.strip().startswith('#| hide') for l in src.splitlines())

def _code(src): return '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()

def _outputs(cell):
    out = []
    for o in cell.get('outputs', []):
        if o.get('output_type') == 'stream': out.append(''.join(o['text']))
        elif 'text/plain' in o.get('data', {}) and 'image/png' not in o['data']: out.append(''.join(o['data']['text/plain']))
    return ''.join(out).rstrip()

def render(nb_path=root/'nbs'/'index.ipynb'):
    "README text for the notebook at `nb_path`."
    parts = []
    for c in json.loads(Path(nb_path).read_text())['cells']:
        src = _src(c)
        if _hidden(src) or not src.strip(): continue
        if c['cell_type'] == 'markdown': parts.append(src.strip())
        elif c['cell_type'] == 'code':
            parts.append(f"```python\n{_code(src)}\n```")
            if out := _outputs(c): parts.append(f"```\n{out}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    txt, dst = render(), root/'README.md'
    if '--check' in sys.argv:
        ok = dst.exists() and dst.read_text() == txt
        print('README.md is in step with nbs/index.ipynb' if ok else 'README.md is out of step: run python tools/readme.py')
        sys.exit(0 if ok else 1)
    dst.write_text(txt)
    print(f'wrote {dst}')
