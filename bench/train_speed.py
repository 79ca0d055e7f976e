"""Step-time cost of the attention callbacks: seconds per epoch of `GradCamAttentionLoss` and `FaceGradientPenalty` against plain
training, side by side in one run, on the identity-shortcut data (2,000 AT&T composites at the runner's default 96 px, the same small
CNN, batch 64). `FaceGradientPenalty` is measured with the runner's estimator ('random': a finite difference along a random face
direction) and with the exact double-backprop one, for reference. Goal: each callback as the runner uses it <= 2.5x plain training.
The order is shuffled each round; medians over the rounds. A benchmark, not a test: `python bench/train_speed.py`.
"""
import os, random, tempfile, statistics
from face_context.core import data_path
from face_context.bench import make_shortcut_dataset, load_shortcut, train_method

RUNS = {'baseline': dict(method='baseline'), 'gradcam_loss': dict(method='gradcam_loss'),
        'gradient_penalty (random)': dict(method='gradient_penalty', penalty_estimator='random'),
        'gradient_penalty (exact)': dict(method='gradient_penalty', penalty_estimator='exact')}

def main(epochs=2, rounds=3):
    tmp = tempfile.mkdtemp()
    make_shortcut_dataset(data_path('att_faces'), tmp, n_train=2000, size=96)
    data = load_shortcut(tmp)
    print(f'load average {os.getloadavg()[0]:.2f}')
    t, rng = {k: [] for k in RUNS}, random.Random(0)
    for _ in range(rounds):
        for k in rng.sample(list(RUNS), len(RUNS)): t[k].append(train_method(data, **RUNS[k], epochs=epochs, n_reliance=0)[0]['s_per_epoch'])
    base = statistics.median(t['baseline'])
    for k, v in t.items(): print(f'{k:26s} {statistics.median(v):6.2f} s/epoch  ratio {statistics.median(v)/base:5.2f}x (goal <= 2.5x)')

if __name__ == '__main__': main()
