"""Records torch.optim.AdamW + transformers' warm-up schedules + clip_grad_norm_ on fixed
gradients, so the Java optimizer is compared to the reference step by step.

Run: tools/reference/.venv/bin/python tools/reference/make_optimizer_fixtures.py
"""
import json
import pathlib

import torch
import transformers
from transformers import (get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
                          get_linear_schedule_with_warmup)

OUT = pathlib.Path(__file__).resolve().parents[2] / "trainer-image/src/test/resources/optim/adamw.json"
STEPS, WARMUP, PEAK, DECAY, MAX_NORM = 12, 3, 0.05, 0.01, 1.0


def main():
    torch.manual_seed(7)
    weight = torch.nn.Parameter(torch.randn(4, 3))
    bias = torch.nn.Parameter(torch.randn(3))
    initial = [weight.detach().clone(), bias.detach().clone()]
    grads = [[torch.randn(4, 3) * (20.0 if t == 5 else 0.5), torch.randn(3) * 0.5] for t in range(STEPS)]
    optimizer = torch.optim.AdamW([weight, bias], lr=PEAK, weight_decay=DECAY)
    scheduler = get_cosine_schedule_with_warmup(optimizer, WARMUP, STEPS)
    steps = []
    for t in range(STEPS):
        weight.grad, bias.grad = grads[t][0].clone(), grads[t][1].clone()
        norm = torch.nn.utils.clip_grad_norm_([weight, bias], MAX_NORM)
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        steps.append({"lr": lr, "grad_norm": norm.item(),
                      "weight": weight.detach().flatten().tolist(), "bias": bias.detach().tolist()})

    schedules = {}
    for name, make in (("constant", get_constant_schedule_with_warmup),
                       ("linear", lambda o, w, n: get_linear_schedule_with_warmup(o, w, n)),
                       ("cosine", lambda o, w, n: get_cosine_schedule_with_warmup(o, w, n))):
        o = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=PEAK)
        s = make(o, WARMUP) if name == "constant" else make(o, WARMUP, STEPS)
        rates = []
        for _ in range(STEPS):
            rates.append(o.param_groups[0]["lr"])
            o.step()
            s.step()
        schedules[name] = rates

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "made_by": "tools/reference/make_optimizer_fixtures.py",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        "peak_lr": PEAK, "weight_decay": DECAY, "warmup": WARMUP, "total": STEPS, "max_norm": MAX_NORM,
        "initial_weight": initial[0].flatten().tolist(), "initial_bias": initial[1].tolist(),
        "grads": [{"weight": g[0].flatten().tolist(), "bias": g[1].tolist()} for g in grads],
        "steps": steps, "schedules": schedules,
    }, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
