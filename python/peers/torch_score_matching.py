"""Batched PyTorch peer for score matching (seed 001's task): B runs trained as one batched computation.

What a careful PyTorch user writes from the seed notebook when they want many runs at once: the
runs stacked along a batch axis (as covsweep's lanes are), each with its own data, the Cholesky
factor L of the covariance from the raw parameter as the parameterization says, the precision
P = Sigma^-1 by torch.cholesky_inverse(L) (the notebook's jnp.linalg.inv(L L^T), without forming
and inverting Sigma), and the notebook's loss per point, 0.5 |P (x - mu)|^2 - tr(P), averaged over
the run's points; autograd, and torch.optim.SGD with covsweep's settings for this task (momentum
0; `covsweep bench` uses lr 1e-6, so lanes stay healthy while they are timed). A run whose factor
fails (cholesky_ex's flag, or a tril diagonal entry <= 0) or whose loss is not finite stops: its
factor is replaced by I so it cannot poison the batch's gradients, and its parameters are frozen.

Parameterizations: full (Sigma = P, torch's covariance_matrix=), tril (L = tril(P), torch's
scale_tril=), log-cholesky (L = strict tril(P) + diag(exp(diag(P)))).
Data: per run m ~ U[0,1)^d, T ~ U[0,1)^(d x d), n = max(50, d + 1) draws of N(m, T T^T) (covsweep's
generator, with torch's random numbers). Start: mu = 0, Sigma = I.

Prints lane-steps/s on one torch thread unless TORCH_THREADS says otherwise, as torch_lanes.py does.
Usage: python3 torch_score_matching.py B D [STEPS [PARAMETERIZATION]]
"""
import os
import sys
import time

import torch

PARAMETERIZATIONS = ("full", "tril", "log-cholesky")


def start(lanes, d, parameterization, dtype=torch.float32):
    """mu = 0 and the raw block of Sigma = I, for every lane."""
    mu = torch.zeros(lanes, d, dtype=dtype)
    eye = torch.eye(d, dtype=dtype).repeat(lanes, 1, 1)
    raw = torch.zeros_like(eye) if parameterization == "log-cholesky" else eye
    return mu, raw


def factor(raw, parameterization):
    """L of every lane's Sigma, and whether it is a valid factor."""
    if parameterization == "full":
        L, info = torch.linalg.cholesky_ex(raw)
        return L, info == 0
    if parameterization == "tril":
        L = torch.tril(raw)
        return L, (torch.diagonal(L, dim1=-2, dim2=-1) > 0).all(-1)
    if parameterization == "log-cholesky":
        L = torch.tril(raw, -1) + torch.diag_embed(torch.exp(torch.diagonal(raw, dim1=-2, dim2=-1)))
        return L, torch.isfinite(L).all(-1).all(-1)
    raise ValueError(f"unknown parameterization {parameterization!r} (one of {', '.join(PARAMETERIZATIONS)})")


def losses(x, mu, L):
    """Per lane: mean over its points of 0.5 |P (x_i - mu)|^2 - tr(P), P = (L L^T)^-1."""
    P = torch.cholesky_inverse(L)  # (B, d, d)
    score = (x - mu[:, None, :]) @ P  # (B, n, d): rows (P (x_i - mu))^T, P symmetric
    return 0.5 * (score * score).sum(-1).mean(-1) - torch.diagonal(P, dim1=-2, dim2=-1).sum(-1)


def train(x, mu, raw, parameterization, lr, steps, on_step=None):
    """
    `steps` SGD steps of every lane from (mu, raw) on its points x (B, n, d), lr a number or one per
    lane. on_step(step, loss, mu, raw, alive) sees each step's loss at the parameters before its
    update. Returns which lanes are still alive.
    """
    lanes, d = mu.shape
    mu = mu.clone().requires_grad_()
    raw = raw.clone().requires_grad_()
    rate = torch.as_tensor(lr, dtype=x.dtype).expand(lanes)
    opt = torch.optim.SGD([mu, raw], lr=1.0, momentum=0.0)
    eye = torch.eye(d, dtype=x.dtype)
    alive = torch.ones(lanes, dtype=torch.bool)
    for step in range(steps):
        L, ok = factor(raw, parameterization)
        alive = alive & ok
        L = torch.where(alive[:, None, None], L, eye)
        loss = losses(x, mu, L)
        alive = alive & torch.isfinite(loss)
        if on_step:
            on_step(step, loss.detach(), mu.detach(), raw.detach(), alive)
        opt.zero_grad(set_to_none=True)
        torch.where(alive, loss, torch.zeros_like(loss)).sum().backward()
        with torch.no_grad():
            # Each lane's own learning rate (SGD's lr is 1), and dead lanes frozen.
            scale = torch.where(alive, rate, torch.zeros_like(rate))
            mu.grad.mul_(scale[:, None])
            raw.grad.mul_(scale[:, None, None])
        opt.step()
    return alive


def data(lanes, d, generator):
    """Every lane's points: n = max(50, d + 1) draws of N(m, T T^T), m ~ U[0,1)^d, T ~ U[0,1)^(d x d)."""
    n = max(50, d + 1)
    m = torch.rand(lanes, d, generator=generator)
    T = torch.rand(lanes, d, d, generator=generator)
    z = torch.randn(lanes, n, d, generator=generator)
    return m[:, None, :] + z @ T.transpose(-1, -2)


def main():
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
    lanes, d = int(sys.argv[1]), int(sys.argv[2])
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    parameterization = sys.argv[4] if len(sys.argv) > 4 else "full"
    if parameterization not in PARAMETERIZATIONS:
        sys.exit(f"unknown parameterization {parameterization!r} (one of {', '.join(PARAMETERIZATIONS)})")
    x = data(lanes, d, torch.Generator().manual_seed(0))
    mu, raw = start(lanes, d, parameterization)
    t0 = time.perf_counter()
    alive = train(x, mu, raw, parameterization, 1e-6, steps)
    dt = time.perf_counter() - t0
    print(f"torch-lanes B={lanes} d={d} lane-steps/s {lanes * steps / dt:.0f} alive {int(alive.sum())}")


if __name__ == "__main__":
    main()
