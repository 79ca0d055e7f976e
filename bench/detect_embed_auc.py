"""How much the face embedding's same/different AUC on the AT&T faces changes when CenterFace's or YuNet's boxes (in HOG's convention)
replace dlib HOG's as the boxes `embed_faces` aligns (YuNet needs the `yunet` extra).

For each of the 400 AT&T photos (40 people x 10), the largest face of each detector is embedded (dlib's 5-point alignment, as
face_recognition). All pairs of photos where every detector found a face are scored by embedding distance; the AUC of "same person"
against that distance is printed for each detector, on the same pairs, and on each detector's own pairs. A benchmark, not a test:
`python bench/detect_embed_auc.py`.
"""
import itertools, numpy as np
from face_context.core import data_path, load_image
from face_context.detect import detect_faces
from face_context.embed import embed_faces, auroc, pair_distances

def main():
    paths = sorted(data_path('att_faces').rglob('*.pgm'))
    emb = {m: {} for m in ('hog', 'centerface', 'yunet')}
    for p in paths:
        a = load_image(p)
        for m in emb:
            fs = detect_faces(a, model=m, clip=False)
            if fs: emb[m][p] = embed_faces(a, [max(fs, key=lambda f: f.box.area)])[0]
    both = sorted(set.intersection(*map(set, emb.values())))
    print(f'{len(paths)} photos; a face found by ' + ', '.join(f'{m} in {len(e)}' for m, e in emb.items()) + f', by all in {len(both)}')
    def auc(keys, m):
        X, ids = np.array([emb[m][k] for k in keys]), np.array([k.parent.name for k in keys])
        d = pair_distances(X, X); i, j = np.triu_indices(len(keys), 1)
        return auroc(-d[i, j], ids[i] == ids[j]), len(i)
    for m in emb:
        a_both, n_both = auc(both, m); a_own, n_own = auc(sorted(emb[m]), m)
        print(f'{m:>10}: AUC {a_both:.5f} on the {n_both} pairs all detectors cover; {a_own:.5f} on its own {n_own} pairs')

if __name__ == '__main__': main()
