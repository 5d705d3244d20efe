"""Writes peer-classifier.json: the classifier peer (python/peers/torch_classifier.py), run through
its own `train` on fixed data, for test/bench/peer-classifier.test.ts to compare covsweep's
trajectories with, without torch.

Cases: every parameterization of the peer (torch_maps.PARAMETERIZATIONS) at d = 2 and d = 4, on
peer-classifier-d2.csv and peer-classifier-d4.csv (40 trials of two categories, written here), two
units starting at INIT_MEANS with Sigma0 = COV_SCALE I, one epoch in file order (covsweep's
`shuffle: false`), SGD with momentum 0.3, each case one batch of two lanes with the learning rates
LRS. Each case also carries its float64 shadow (the same run in float64 from the same float32 data
and start), which says how far float32 rounding alone moves it.

Usage: python3 test/golden/peer_classifier.py (with torch; COVSWEEP_PYTHON names such a python)
"""
import csv
import importlib.util
import json
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
PEERS = HERE.parent.parent / "python" / "peers"


def load(name):
    spec = importlib.util.spec_from_file_location(name, PEERS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


peer = load("torch_classifier")
maps = peer.torch_maps

TRIALS = 40
MOMENTUM = 0.3
COV_SCALE = 0.1
# Per lane: (weights, mean, cov).
LRS = [(0.1, 0.01, 1e-3), (0.3, 0.03, 3e-3)]


def init_means(d):
    return [[0.1 * (-1) ** j for j in range(d)], [-0.05 * (-1) ** j for j in range(d)]]


def write_data(d):
    """TRIALS draws, alternately of N(+0.15, 0.04 I) (label 0) and N(-0.15, 0.04 I) (label 1), float32 values that read back exactly."""
    g = torch.Generator().manual_seed(100 + d)
    labels = torch.arange(TRIALS) % 2
    x = (torch.randn(TRIALS, d, generator=g) * 0.2 + 0.15 * (1 - 2 * labels[:, None])).float()
    path = HERE / f"peer-classifier-d{d}.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([f"x{j + 1}" for j in range(d)] + ["label"])
        for row, label in zip(x.tolist(), labels.tolist()):
            w.writerow([f"{v:.9g}" for v in row] + [label])
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    return (
        torch.tensor([[float(v) for v in r[:-1]] for r in rows], dtype=torch.float32),
        torch.tensor([int(r[-1]) for r in rows]),
    )


def run(x, y, parameterization, dtype):
    lanes, d = len(LRS), x.shape[1]
    mu = torch.tensor(init_means(d), dtype=torch.float64).float().to(dtype)[None].repeat(lanes, 1, 1)
    raw0 = maps.raw_of_scaled_identity(parameterization, COV_SCALE, d, dtype)
    raw = raw0.repeat(lanes, peer.UNITS, *[1] * raw0.dim())
    W = torch.zeros(lanes, peer.UNITS, peer.UNITS, dtype=dtype)
    order = torch.arange(TRIALS).repeat(lanes, 1)
    lrs = [[lr[g] for lr in LRS] for g in range(3)]
    seen = {"losses": []}

    def on_step(step, loss, params, alive):
        seen["losses"].append(loss.tolist())
        if step == TRIALS - 1:
            for name, p in zip(("means", "covariance", "weights"), params):
                seen[name] = p.reshape(lanes, -1).tolist()

    alive = peer.train(x.to(dtype), y, order, mu, raw, W, parameterization, lrs, MOMENTUM, TRIALS, on_step)
    seen["alive"] = alive.tolist()
    return seen


def main():
    torch.set_num_threads(1)
    cases = []
    for d in (2, 4):
        x, y = write_data(d)
        for parameterization in maps.PARAMETERIZATIONS:
            f32 = run(x, y, parameterization, torch.float32)
            f64 = run(x, y, parameterization, torch.float64)
            assert all(f32["alive"]) and all(f64["alive"]), f"every lane of {parameterization} d={d} must stay alive"
            cases.append(
                {
                    "data": f"peer-classifier-d{d}.csv",
                    "dim": d,
                    "parameterization": parameterization,
                    "init_means": init_means(d),
                    "init_cov_scale": COV_SCALE,
                    "momentum": MOMENTUM,
                    "lrs": [{"weights": w, "mean": m, "cov": c} for w, m, c in LRS],
                    "steps": TRIALS,
                    "float32": f32,
                    "float64": f64,
                }
            )
    out = {"torch": torch.__version__, "peer": "python/peers/torch_classifier.py", "cases": cases}
    (HERE / "peer-classifier.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
