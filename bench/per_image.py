"""CPU seconds per image of each detector, and per face of the embeddings, on one thread: the figures 11_scale sizes a big job with.

    OMP_NUM_THREADS=1 python bench/per_image.py

Photos: the repo's PASCAL group photos and the portraits' training photos, decoded once and scaled to at most `--sides` px (CPU time of
`detect_faces` and `embed_faces` on the arrays, so decoding is not counted; it is timed apart).
"""
import argparse, os, time
import numpy as np
from PIL import Image
from face_context.core import data_path, load_image
from face_context.detect import detect_faces
from face_context.embed import embed_faces

def per_item(f, xs, clock=time.process_time):
    "Seconds per item of `f` over `xs` by `clock` (CPU time by default), after one untimed call."
    f(xs[0]); t = clock()
    for x in xs: f(x)
    return (clock() - t)/len(xs)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--n', type=int, default=10, help='photos of each kind')
    p.add_argument('--sides', default='640,1200')
    a = p.parse_args()
    paths = sorted(data_path('pascal_faces').glob('*.jpg'))[:a.n] + sorted(data_path('portraits', 'identities', 'train').rglob('*.jp*g'))[:a.n]
    print(f'{len(paths)} photos, one thread; decoding a JPEG: {per_item(load_image, paths)*1e3:.0f} ms')
    for side in map(int, a.sides.split(',')):
        arrs = []
        for q in paths:
            im = Image.fromarray(load_image(q)); im.thumbnail((side, side)); arrs.append(np.asarray(im))
        sz = np.mean([x.shape[0]*x.shape[1] for x in arrs])/1e6
        boxes = [[f.box for f in detect_faces(x)] for x in arrs]
        nf = sum(map(len, boxes))
        for m in ('hog', 'centerface'):
            c = per_item(lambda x: detect_faces(x, model=m), arrs)
            print(f'at most {side} px ({sz:.2f} Mpx on average): {m} {c:.3f} CPU s per image, {c/sz:.3f} per Mpx')
        t = time.process_time()
        for x, b in zip(arrs, boxes): embed_faces(x, b)
        print(f'at most {side} px: embeddings {(time.process_time() - t)/nf:.3f} CPU s per face ({nf/len(arrs):.1f} faces per image)')

if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '1')   # before onnxruntime and torch start their threads (both load lazily)
    main()
