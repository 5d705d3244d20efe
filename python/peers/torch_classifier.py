"""Batched PyTorch peer for seed 000's task in every built-in parameterization: B runs as one batched computation.

../shared/peers/torch_lanes.py generalised from `full` to each of covsweep's parameterizations,
with the same program around the map: K Gaussian units per run stacked as [B, K, ...], each unit's
factor from its raw block as the parameterization says (torch_maps.py beside this file: cholesky_ex
of Sigma where there is one, torch.matrix_exp for matrix-exp, wavefronts of Givens rotations, ...),
exp(log_prob) units from a triangular solve (L^T (x - mu) for the precision's factor, (x - mu) / sd
for diag), a bias-free K x K layer, cross entropy, trial-by-trial SGD with momentum 0.3 (the
parameterization's direction and retraction around the step for spd-riemannian and full-clip),
dead lanes frozen: a run whose factor fails or whose loss is not finite keeps its parameters, and
its factor is replaced by I so it cannot poison the batch's gradients.

Timed set-up as torch_lanes.py's: 400 trials x ~ N(0, 0.04 I) shared by the runs, labels half 0
and half 1, per-run trial order, mu ~ N(0, 0.01), Sigma0 = 0.02 I (the parameterization's raw
block of it); learning rates 1e-6, as `covsweep bench` uses, so that lanes stay healthy while
they are timed (torch_lanes.py's 1e-4 on the covariance kills its `full` lanes at d = 8 within 50
steps, and a dead lane would cost full-jitter its retries every step).
Prints lane-steps/s on one torch thread unless TORCH_THREADS says otherwise.
Usage: python3 torch_classifier.py B D [STEPS [PARAMETERIZATION]]
"""
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_maps  # noqa: E402

PARAMETERIZATIONS = torch_maps.PARAMETERIZATIONS
UNITS = 2


def log_probs(x, mu, L, parameterization):
    """log N(x_b; mu_bk, Sigma_bk) [B, K] of each lane's trial x [B, d] under each unit."""
    d = x.shape[-1]
    diff = x[:, None, :] - mu  # (B, K, d)
    if parameterization == "diag":
        z, half_logdet = diff / L, torch.log(L).sum(-1)
    elif parameterization == "precision-cholesky":
        # L L^T = Sigma^-1: |L^T diff|^2 and log det Sigma^1/2 = -sum log L_jj.
        z = (L.transpose(-1, -2) @ diff.unsqueeze(-1)).squeeze(-1)
        half_logdet = -torch.log(torch.diagonal(L, dim1=-2, dim2=-1)).sum(-1)
    else:
        z = torch.linalg.solve_triangular(L, diff.unsqueeze(-1), upper=False).squeeze(-1)
        half_logdet = torch.log(torch.diagonal(L, dim1=-2, dim2=-1)).sum(-1)
    return -0.5 * d * math.log(2 * math.pi) - 0.5 * (z * z).sum(-1) - half_logdet


def train(X, Y, order, mu, raw, W, parameterization, lrs, momentum, steps, on_step=None):
    """
    `steps` steps of every lane: step s trains lane b on trial order[b, s] of X [n, d], Y [n].
    Starts from mu [B, K, d], raw [B, K, ...] and W [B, K, K]; lrs = (weights, means, covariance),
    each a number or one per lane; SGD with `momentum` (torch's rule, dampening 0). on_step(step,
    loss, (mu, raw, W), alive) sees each step's loss at the parameters before its update.
    Returns which lanes are still alive.
    """
    torch_maps.check(parameterization)
    lanes = mu.shape[0]
    params = [p.clone().requires_grad_() for p in (W, mu, raw)]
    W, mu, raw = params
    rates = [torch.as_tensor(lr, dtype=X.dtype).expand(lanes) for lr in lrs]
    velocity = [torch.zeros_like(p) for p in params]
    stand_in = torch_maps.identity_like(parameterization, raw.shape, X.dtype)
    alive = torch.ones(lanes, dtype=torch.bool)
    per_lane = lambda v, p: v.view(-1, *([1] * (p.dim() - 1)))  # noqa: E731
    for step in range(steps):
        idx = order[:, step]
        x, y = X[idx], Y[idx]
        L, ok = torch_maps.factor(raw, parameterization)
        alive = alive & ok.all(-1)
        L = torch.where(per_lane(alive, L), L, stand_in)
        logits = torch.einsum("bij,bj->bi", W, torch.exp(log_probs(x, mu, L, parameterization)))
        loss = torch.nn.functional.cross_entropy(logits, y, reduction="none")
        alive = alive & torch.isfinite(loss)
        if on_step:
            on_step(step, loss.detach(), (mu.detach(), raw.detach(), W.detach()), alive)
        torch.where(alive, loss, torch.zeros_like(loss)).sum().backward()
        with torch.no_grad():
            raw.grad.copy_(torch_maps.direction(parameterization, raw, raw.grad))
            before = raw.detach().clone()
            for p, rate, v in zip(params, rates, velocity):
                v.mul_(momentum).add_(p.grad)
                p.sub_(per_lane(torch.where(alive, rate, torch.zeros_like(rate)), p) * v)
                p.grad = None
            stepped = torch_maps.retract(parameterization, before, raw)
            raw.copy_(torch.where(per_lane(alive, raw), stepped, before))
    return alive


def main():
    lanes, d, steps, parameterization = torch_maps.peer_arguments()
    g = torch.Generator().manual_seed(0)
    X = torch.randn(400, d, generator=g) * 0.2
    Y = (torch.arange(400) >= 200).long()
    mu = torch.randn(lanes, UNITS, d, generator=g) * 0.1
    raw0 = torch_maps.raw_of_scaled_identity(parameterization, 0.02, d)
    raw = raw0.repeat(lanes, UNITS, *[1] * raw0.dim())
    W = torch.zeros(lanes, UNITS, UNITS)
    perm = torch.stack([torch.randperm(400, generator=g) for _ in range(lanes)])  # per-lane trial order
    order = perm[:, torch.arange(steps) % 400]
    t0 = time.perf_counter()
    alive = train(X, Y, order, mu, raw, W, parameterization, (1e-6, 1e-6, 1e-6), 0.3, steps)
    dt = time.perf_counter() - t0
    print(f"torch-lanes B={lanes} d={d} lane-steps/s {lanes * steps / dt:.0f} alive {int(alive.sum())}")


if __name__ == "__main__":
    main()
