#!/usr/bin/env python3
"""The PyTorch reference for bench/training.sh: the model a Strata candidate composes, written by hand
the way a researcher would write it in PyTorch eager mode, trained with the same recipe.

Model (Strata's CandidateModel with attention.mha, mixer.mlp, norm.layer|norm.rms and
residual.pre_norm|residual.post_norm): token + learned position embedding, per layer a multi-head
causal self-attention (one fused qkv linear) and an MLP (up, gelu|relu^2, down), each around a
residual with the norm before (pre) or after (post) the addition, a final norm, a linear LM head.
Every linear has a bias, as DJL's Linear does.

Recipe (Strata's TrialTrainer): AdamW (betas 0.9/0.999, eps 1e-8) with decoupled weight decay on
matrices only, linear warmup then cosine to min_lr_ratio, gradient clipping by global L2 norm,
weighted cross-entropy over the scored positions. Data: multi-query associative recall (MQAR)
batches generated on the fly, as Strata's task.mqar does: keys in [0, vocab/2) distinct per
sequence, values in [vocab/2, vocab), then every key queried once in random order; only the
positions holding a query key are scored.

Each step is timed from batch generation to the end of the optimizer update (as Strata times its
steps). Prints one JSON object per run on stdout:
  {"run": 1, "steps": 250, "median_step_ms": 4.2, "tokens_per_second": 123456.0, "final_loss": 0.1}
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, heads, seq):
        super().__init__()
        self.heads, self.head_dim = heads, d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.register_buffer("future", torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1))

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        scores = (q * self.head_dim ** -0.5) @ k.transpose(-2, -1)
        scores = scores.masked_fill(self.future[:t, :t], float("-inf"))
        return self.out((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))


class Mlp(nn.Module):
    def __init__(self, d, expansion, activation):
        super().__init__()
        self.up = nn.Linear(d, int(round(d * expansion)))
        self.down = nn.Linear(int(round(d * expansion)), d)
        self.activation = activation

    def forward(self, x):
        h = self.up(x)
        h = F.gelu(h) if self.activation == "gelu" else F.relu(h).square()
        return self.down(h)


def make_norm(kind, d):
    if kind == "layer":
        return nn.LayerNorm(d, eps=1e-5)
    return RmsNorm(d)


class RmsNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.gain


class Layer(nn.Module):
    def __init__(self, d, heads, expansion, activation, norm, residual, seq):
        super().__init__()
        self.attn, self.mlp = Attention(d, heads, seq), Mlp(d, expansion, activation)
        self.norm1, self.norm2 = make_norm(norm, d), make_norm(norm, d)
        self.pre = residual == "pre"

    def forward(self, x):
        if self.pre:
            x = x + self.attn(self.norm1(x))
            return x + self.mlp(self.norm2(x))
        x = self.norm1(x + self.attn(x))
        return self.norm2(x + self.mlp(x))


class Model(nn.Module):
    def __init__(self, vocab, seq, d, layers, norm, residual, final_norm):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(seq, d) * 0.02)
        self.layers = nn.ModuleList(Layer(d, h, e, a, norm, residual, seq) for h, e, a in layers)
        self.final_norm = make_norm(final_norm, d)
        self.head = nn.Linear(d, vocab)

    def forward(self, ids):
        x = self.tok(ids) + self.pos[: ids.shape[1]]
        for layer in self.layers:
            x = layer(x)
        return self.head(self.final_norm(x))


def mqar_batch(generator, batch, pairs, vocab):
    """(inputs, targets, weights) of one MQAR batch, every query scored with weight 1."""
    keys_n = vocab // 2
    keys = torch.rand(batch, keys_n, generator=generator).argsort(dim=1)[:, :pairs]
    values = torch.randint(keys_n, vocab, (batch, pairs), generator=generator)
    order = torch.rand(batch, pairs, generator=generator).argsort(dim=1)
    context = torch.stack([keys, values], dim=2).reshape(batch, 2 * pairs)
    queries = torch.stack([keys.gather(1, order), values.gather(1, order)], dim=2).reshape(batch, 2 * pairs)
    seq = torch.cat([context, queries], dim=1)
    inputs, targets = seq, torch.roll(seq, -1, dims=1)
    weights = torch.zeros(batch, 4 * pairs)
    weights[:, 2 * pairs::2] = 1.0
    return inputs, targets, weights


def lr_at(step, lr, warmup, steps, min_ratio):
    """Strata's Recipe.learningRateAt: linear warmup, then cosine from lr to lr * min_ratio."""
    if warmup > 0 and step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return lr * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def train(args, layers, run):
    torch.manual_seed(args.seed + run)
    generator = torch.Generator().manual_seed(args.seed + run)
    seq = 4 * args.pairs
    model = Model(args.vocab, seq, args.d_model, layers, args.norm, args.residual, args.final_norm or args.norm)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    plain = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": plain, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    times, loss_value = [], float("nan")
    for step in range(args.steps):
        t0 = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args.lr, args.warmup, args.steps, args.min_lr_ratio)
        inputs, targets, weights = mqar_batch(generator, args.batch, args.pairs, args.vocab)
        logits = model(inputs)
        nll = F.cross_entropy(logits.reshape(-1, args.vocab), targets.reshape(-1), reduction="none")
        loss = (nll * weights.reshape(-1)).sum() / weights.sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if args.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        loss_value = loss.item()  # Strata reads the loss every step too (to stop a NaN trial)
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    return {"run": run, "steps": args.steps, "median_step_ms": median * 1e3,
            "tokens_per_second": args.batch * seq / median, "final_loss": loss_value,
            "params": sum(p.numel() for p in model.parameters())}


def parse_layers(text):
    """'4:2:gelu,1:4:gelu' -> [(heads, expansion, activation), ...], one per layer."""
    layers = []
    for part in text.split(","):
        heads, expansion, activation = part.split(":")
        layers.append((int(heads), float(expansion), activation))
    return layers


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--d-model", type=int, required=True)
    p.add_argument("--layers", required=True, help="heads:expansion:activation per layer, comma-separated")
    p.add_argument("--norm", choices=["layer", "rms"], default="layer")
    p.add_argument("--final-norm", choices=["layer", "rms"], help="default: --norm")
    p.add_argument("--residual", choices=["pre", "post"], default="post")
    p.add_argument("--pairs", type=int, required=True, help="MQAR pairs; sequence length is 4 x pairs")
    p.add_argument("--vocab", type=int, required=True)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=250)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup", type=int, default=25)
    p.add_argument("--min-lr-ratio", type=float, default=0.1)
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    layers = parse_layers(args.layers)
    for run in range(1, args.runs + 1):
        print(json.dumps(train(args, layers, run)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
