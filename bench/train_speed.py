"""Step-time cost of the attention callbacks: seconds per epoch of `GradCamAttentionLoss` and `FaceGradientPenalty` against plain
training, side by side in one run, on the identity-shortcut data (2,000 AT&T composites at 64 px, the same small CNN, batch 64).
Goal: each <= 2.5x plain training. A benchmark, not a test: `python bench/train_speed.py`.
"""
import os, tempfile, statistics
from face_context.core import data_path
from face_context.bench import make_shortcut_dataset, load_shortcut, train_method

def main(epochs=2, rounds=3):
    tmp = tempfile.mkdtemp()
    make_shortcut_dataset(data_path('att_faces'), tmp, n_train=2000, size=64)
    data = load_shortcut(tmp)
    print(f'load average {os.getloadavg()[0]:.2f}')
    t = {m: [] for m in ('baseline', 'gradcam_loss', 'gradient_penalty')}
    for _ in range(rounds):                     # interleaved, so a busy moment hits every method alike
        for m in t: t[m].append(train_method(data, m, epochs=epochs)[0]['s_per_epoch'])
    base = statistics.median(t['baseline'])
    for m, v in t.items(): print(f'{m:18s} {statistics.median(v):6.2f} s/epoch  ratio {statistics.median(v)/base:5.2f}x (goal <= 2.5x)')

if __name__ == '__main__': main()
