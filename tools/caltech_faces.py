"""Build `data/caltech_faces/` from the Caltech Faces 1999 photos (896x592, one folder per person).

Usage: PYTHONPATH=. OMP_NUM_THREADS=1 python tools/caltech_faces.py SRC DST
SRC holds one folder per person (`01/image_0001.jpg`, ...), as in the repository named in `data/caltech_faces/README.md`.
For each person with at least `MIN_PHOTOS` photos: keep the photos where dlib's HOG detector (`detect_faces`, upsample 1)
finds exactly one face, take `PER_ID` of them evenly spaced in file order, crop a square of `PAD` x the box's width
centred on the box (moved up by `LIFT` x the width, to keep the hair), shifted inside the photo where it overhangs, resize it to `SIDE` px
(Lanczos) and save it as JPEG quality `QUALITY` under DST/<person>/<n>.jpg (n = 1..PER_ID).
"""
import sys
from pathlib import Path
import numpy as np
from PIL import Image
from face_context.detect import detect_faces

MIN_PHOTOS, PER_ID, PAD, LIFT, SIDE, QUALITY = 19, 10, 1.7, 0.1, 112, 90

def crop_face(arr, box):
    "Square crop around one face box, shifted inside the photo where it would overhang."
    h, w = arr.shape[:2]
    l, t, r, b = box
    s = int(round(min(PAD*(r-l), w, h)))
    cx, cy = (l+r)/2, (t+b)/2 - LIFT*(r-l)
    x0 = int(round(min(max(0, cx-s/2), w-s)))
    y0 = int(round(min(max(0, cy-s/2), h-s)))
    return Image.fromarray(arr[y0:y0+s, x0:x0+s])

def main(src, dst):
    src, dst = Path(src), Path(dst)
    for person in sorted(p for p in src.iterdir() if p.is_dir()):
        photos = sorted(person.glob('*.jpg'))
        if len(photos) < MIN_PHOTOS: continue
        ok = []
        for p in photos:
            arr = np.asarray(Image.open(p).convert('RGB'))
            faces = detect_faces(arr, model='hog')
            if len(faces) == 1: ok.append((p, arr, faces[0].box))
        pick = [ok[i] for i in np.linspace(0, len(ok)-1, PER_ID).round().astype(int)]
        (dst/person.name).mkdir(parents=True, exist_ok=True)
        for n, (p, arr, box) in enumerate(pick, 1):
            crop_face(arr, box).resize((SIDE, SIDE), Image.LANCZOS).save(dst/person.name/f'{n}.jpg', quality=QUALITY)
            print(person.name, n, p.name, tuple(box), flush=True)

if __name__ == '__main__': main(*sys.argv[1:3])
