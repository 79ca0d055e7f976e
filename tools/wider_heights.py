"""Put the true original heights into `data/hard_faces/wider_val.json` and rescale its boxes' y to them.

The 416x416 copies in `data/hard_faces/wider_val` do not record their originals' heights, which the official boxes need (x is scaled by
416/1024, y by 416/H). They were first guessed from common aspect ratios, fitted to detections; 58 of the 82 guesses were wrong. The
true sizes are in the public repository `sovrasov/wider-face-pascal-voc-annotations` (MIT), whose `WIDER_val_annotations/*.xml` record
each validation photo's `<size>`, read from the images when that repository converted the official annotations.

Usage: `python tools/wider_heights.py VOC_GIT_DIR [--commit SHA]` (a clone, or a bare git directory, of that repository). Rewrites
`orig_height`, sets `height_from` to "voc", and scales each box's y by old/new height (to 0.1 px, as the file stores them).
"""
import argparse, json, re, subprocess
from pathlib import Path

def voc_size(git_dir, commit, name):
    "(width, height) recorded for WIDER val photo `name` in the VOC annotations at `commit`."
    xml = subprocess.run(['git', '--git-dir', str(git_dir), 'show', f'{commit}:WIDER_val_annotations/{Path(name).stem}.xml'],
                         capture_output=True, text=True, check=True).stdout
    return tuple(int(re.search(f'<{k}>(\\d+)</{k}>', xml).group(1)) for k in ('width', 'height'))

def main(git_dir, commit, fn=Path(__file__).parents[1]/'data'/'hard_faces'/'wider_val.json'):
    d, changed = json.loads(Path(fn).read_text()), 0
    for name, r in d.items():
        w, h = voc_size(git_dir, commit, name)
        assert w == 1024, (name, w)
        k = r['orig_height']/h
        r['boxes'] = [[b[0], round(b[1]*k, 1), b[2], round(b[3]*k, 1)] for b in r['boxes']]
        changed += r['orig_height'] != h
        r['orig_height'], r['height_from'] = h, 'voc'
    Path(fn).write_text('{\n' + ',\n'.join(f'{json.dumps(k)}: {json.dumps(v, separators=(",", ":"))}' for k, v in d.items()) + '\n}\n')
    print(f'{fn}: {changed} of {len(d)} heights corrected')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('git_dir'); ap.add_argument('--commit', default='3085682b58d771b0f0c3af91aff9ae38f3096111')
    a = ap.parse_args(); main(a.git_dir, a.commit)
