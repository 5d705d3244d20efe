"""Seed 000's PyTorch model (two 2-D Gaussian "category" units feeding a bias-free linear layer,
trial-by-trial SGD with momentum 0.3) as a covsweep command task. covsweep runs it once per run
with the run's config; it reports each trial's loss and how the run ended.

- parameterization "full": the covariance matrices are the raw parameters (the seed's code);
  "tril": scale_tril = tril(P), the forum's fix. Any other name ends the run as an error.
- A covariance that torch refuses (Cholesky error, or MultivariateNormal's argument check)
  ends the run as singular; a non-finite loss as diverged.

Needs torch (python3-torch); the covsweep client comes on PYTHONPATH from covsweep.
"""

import torch
import torch.nn as nn

import covsweep_client as cs

run = cs.Run()
cfg = run.config
task = cfg["task"]
torch.manual_seed(cfg["seed"])

# The seed's two categories (means, variances and covariances as in the post).
mus = torch.tensor([[-0.5, 0.25], [-0.25, -0.6]])
covs = torch.tensor([[[0.0185, -0.005], [-0.005, 0.065]], [[0.0125, 0.005], [0.005, 0.005]]])
n = int(task["n_per_class"])
inputs = torch.cat([torch.distributions.MultivariateNormal(mus[k], covs[k]).sample((n,)) for k in range(2)])
targets = torch.cat([torch.zeros(n, dtype=torch.long), torch.ones(n, dtype=torch.long)])

param = cfg["parameterization"]
if param not in ("full", "tril"):
    run.error(0, f'parameterization "{param}" is not implemented by this script; use full or tril')
    raise SystemExit(0)

mu = nn.Parameter(torch.tensor([[-0.25, 0.05], [-0.15, -0.25]]))
raw = nn.Parameter((torch.eye(2) * 0.02).repeat(2, 1, 1) if param == "full" else (torch.eye(2) * 0.02**0.5).repeat(2, 1, 1))
fc1 = nn.Linear(2, 2, bias=False)
with torch.no_grad():
    fc1.weight.zero_()

opt = cfg["optimizer"]
optimizer = torch.optim.SGD(
    [
        {"params": fc1.parameters(), "lr": cfg["lr"]["weights"]},
        {"params": [mu], "lr": cfg["lr"]["mean"]},
        {"params": [raw], "lr": cfg["lr"]["cov"]},
    ],
    lr=cfg["lr"]["weights"],
    momentum=opt.get("momentum", 0.3),
    nesterov=opt.get("nesterov", False),
)
criterion = nn.CrossEntropyLoss()


def units():
    if param == "full":
        return torch.distributions.MultivariateNormal(mu, covariance_matrix=raw)
    return torch.distributions.MultivariateNormal(mu, scale_tril=torch.tril(raw))


step = 0
try:
    for epoch in range(int(task["epochs"])):
        order = torch.randperm(len(inputs))
        for x, target in zip(inputs[order], targets[order]):
            optimizer.zero_grad()
            out = fc1(torch.exp(units().log_prob(x)))
            loss = criterion(out.unsqueeze(0), target.unsqueeze(0))
            if not run.progress(step, loss.item()):
                raise SystemExit(0)
            loss.backward()
            optimizer.step()
            step += 1
except (RuntimeError, ValueError) as e:  # torch's Cholesky error or its covariance argument check
    run.singular(step, str(e).splitlines()[0])
    raise SystemExit(0)

with torch.no_grad():
    cov = units().covariance_matrix
    errors = {f"cov_error_{k + 1}": float(torch.linalg.norm(cov[k] - covs[k])) for k in range(2)}
run.ok(step, metrics=errors)
