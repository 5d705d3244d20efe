"""Writes peer-score-matching.json: the score-matching peer (python/peers/torch_score_matching.py),
run through its own `train` on fixed data, for test/bench/peer-score-matching.test.ts to compare
covsweep's trajectories with, without torch.

Cases: every parameterization of the peer (torch_maps.PARAMETERIZATIONS) at d = 2 (score-matching.csv, seed 001's data) and d = 5
(score-matching-d5.csv, written here), each as one batch of two lanes with learning rates 3e-3 and
1e-2, 20 steps. Each case also carries its float64 shadow (the same run in float64 from the same
float32 data), which says how far float32 rounding alone moves it.

Usage: python3 test/golden/peer_score_matching.py (with torch; COVSWEEP_PYTHON names such a python)
"""
import csv
import importlib.util
import json
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
PEER = HERE.parent.parent / "python" / "peers" / "torch_score_matching.py"
spec = importlib.util.spec_from_file_location("torch_score_matching", PEER)
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)

STEPS = 20
LRS = [3e-3, 1e-2]


def read_csv(path):
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    return torch.tensor([[float(v) for v in r] for r in rows], dtype=torch.float32)


def write_d5():
    """50 draws of N(m, T T^T) at d = 5, float32 values written so that they read back exactly."""
    g = torch.Generator().manual_seed(5)
    x = peer.data(1, 5, g)[0, :50].float()
    with open(HERE / "score-matching-d5.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([f"x{j + 1}" for j in range(5)])
        for row in x.tolist():
            w.writerow([f"{v:.9g}" for v in row])
    return read_csv(HERE / "score-matching-d5.csv")


def run(x, parameterization, dtype):
    lanes = len(LRS)
    xs = x.to(dtype)[None].expand(lanes, -1, -1).contiguous()
    mu, raw = peer.start(lanes, x.shape[1], parameterization, dtype)
    seen = {"losses": [], "mean": None, "raw": None}

    def on_step(step, loss, mu, raw, alive):
        seen["losses"].append(loss.tolist())
        if step == STEPS - 1:
            seen["mean"] = mu.reshape(lanes, -1).tolist()
            seen["raw"] = raw.reshape(lanes, -1).tolist()

    alive = peer.train(xs, mu, raw, parameterization, LRS, STEPS, on_step)
    seen["alive"] = alive.tolist()
    return seen


def main():
    torch.set_num_threads(1)
    cases = []
    for data, x in [("score-matching.csv", read_csv(HERE / "score-matching.csv")), ("score-matching-d5.csv", write_d5())]:
        for parameterization in peer.PARAMETERIZATIONS:
            f32 = run(x, parameterization, torch.float32)
            f64 = run(x, parameterization, torch.float64)
            assert all(f32["alive"]) and all(f64["alive"]), "every lane of a case must stay alive"
            cases.append(
                {
                    "data": data,
                    "dim": x.shape[1],
                    "parameterization": parameterization,
                    "lrs": LRS,
                    "steps": STEPS,
                    "float32": f32,
                    "float64": f64,
                }
            )
    out = {"torch": torch.__version__, "peer": "python/peers/torch_score_matching.py", "cases": cases}
    (HERE / "peer-score-matching.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
