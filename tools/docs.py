"""Build the docs pages without Quarto (which cannot be installed here): nbdev's `proc_nbs()` writes `_proc/`, then nbconvert renders
each processed notebook to HTML in `_docs/html/`, to look at in a browser (e.g. headless Chromium). Needs `pip install nbconvert`.

The GitHub Pages workflow (.github/workflows/deploy.yaml) builds the real site with Quarto from the same notebooks.
"""
import json, os, subprocess, sys, tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
KEEP = {'cell_type', 'metadata', 'source', 'outputs', 'execution_count', 'id', 'attachments'}

def main():
    os.chdir(root)
    from nbdev.serve import proc_nbs
    proc_nbs()
    tmp, out = Path(tempfile.mkdtemp()), root/'_docs'/'html'
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted((root/'_proc').rglob('*.ipynb')):
        nb = json.loads(f.read_text())
        for c in nb['cells']:  # nbdev's processed cells carry keys nbformat's schema refuses
            for k in set(c)-KEEP: c.pop(k)
            c.setdefault('metadata', {}).pop('execution', None)
            if c['cell_type'] == 'code': c.setdefault('outputs', []); c.setdefault('execution_count', None)
        (tmp/f.name).write_text(json.dumps(nb))
    subprocess.run([sys.executable, '-m', 'nbconvert', '--to', 'html', '--output-dir', str(out), *map(str, sorted(tmp.glob('*.ipynb')))], check=True)
    print(f'docs pages in {out}')

if __name__ == '__main__': main()
