"""The box-day table and RESULT line from the policies' JSON lines (bench/box-day/run.sh): one line per
run; a policy run several times (fixed media and the autopilot with --runs) is reported by its medians,
its batches by its worst run."""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.getcwd(), "bench", "lib"))
from results_md import replace_section  # noqa: E402

runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
cmd, load = sys.argv[2], sys.argv[3]
by_policy: dict[str, list[dict]] = {}
for run in runs:
    by_policy.setdefault(run["policy"], []).append(run)


def summary(policy: str) -> dict:
    """The policy's medians; its batches and batches on time from its worst run."""
    group = by_policy[policy]
    worst = min(group, key=lambda o: (o["batches_on_time"], sum(b["in_window"] for b in o["batches"])))
    out = dict(worst)
    for key in ("idle_share", "idle_gpu_seconds", "render_wait_p50_s", "render_wait_p95_s", "renders_started",
                "switches", "wall_s"):
        out[key] = statistics.median(o[key] for o in group)
    out["runs"] = len(group)
    out["p95_runs"] = [o["render_wait_p95_s"] for o in group]
    return out


outcomes = {policy: summary(policy) for policy in ("media", "llm", "split", "autopilot")}
auto = outcomes["autopilot"]
fixed = [outcomes[p] for p in ("media", "llm", "split")]
best = min(fixed, key=lambda o: o["idle_share"])
media = outcomes["media"]
batches = len(auto["batches"])

rows = []
for policy in ("media", "llm", "split", "autopilot"):
    o = outcomes[policy]
    windows = ", ".join(f"{b['name']} {b['in_window']}/{b['lines']}" for b in o["batches"])
    p95 = f"{o['render_wait_p95_s']:.2f}"
    if o["runs"] > 1:
        p95 += " (" + ", ".join(f"{v:.2f}" for v in o["p95_runs"]) + ")"
    rows.append(f"| {policy} | {o['runs']} | {o['idle_share']:.3f} | {o['idle_gpu_seconds']:.0f} | "
                f"{o['render_wait_p50_s']:.1f} | {p95} | {o['renders_started']:.0f}/{o['renders']} | {windows} | "
                f"{o['batches_on_time']}/{len(o['batches'])} | {o['switches']:.0f} | {o['wall_s']:.0f} |")

targets = [
    ("idle share ≤ half the best fixed mode's", auto["idle_share"] <= best["idle_share"] / 2),
    ("every batch on time", auto["batches_on_time"] == batches),
    ("render p95 ≤ 1.2 × fixed media's", auto["render_wait_p95_s"] <= 1.2 * media["render_wait_p95_s"]),
]
result = (f"RESULT autopilot_idle_share={auto['idle_share']:.3f} best_fixed_idle_share={best['idle_share']:.3f} "
          f"render_wait_p95_s={auto['render_wait_p95_s']:.2f} media_render_wait_p95_s={media['render_wait_p95_s']:.2f} "
          f"batches_on_time={auto['batches_on_time']}/{batches}")
o = by_policy["autopilot"][-1]
timeline = ", ".join(f"{s['to']} at {s['started_s']:.0f}-{s['finished_s']:.0f} s" for s in o.get("switch_log", []))
repeated = (f"fixed media and the autopilot ran {auto['runs']} times each, in turn (medians; batches from each "
            f"policy's worst run), llm and split once" if auto["runs"] > 1 else "one run per policy")
text = f"""## Box day (`bench/run box-day`)

Command: `{cmd}` — a day compressed into {o['day_seconds']:.0f} s on {o['gpus']} emulated GPUs (renders of
{o['render_seconds']:.1f} s; the LLM server decodes 64 tokens/s per GPU, 16-token lines, one slot per GPU), load
average {load} at the start; {repeated}, the same seeded day: a morning batch there at the start, due at
30% of the day; {o['renders']} renders from 25% to 75% (the office's hours) with a 3× lunchtime peak (40-55%)
that needs every GPU; a late batch at 75%, due at 95%, a window that split mode's half of the LLM capacity cannot
meet. Idle share = GPU-seconds idle while any job waited ÷ (GPUs × wall); render wait = submit → claim (a render
never started waits until the end of the run). Batch lines run as backfill with their windows registered
(`setBatchWindow`), promoted as the gateway's coordinator does. The autopilot starts in media with min dwell
10 s, min gain 5 s, confirm 2 s; its switches (last run): {timeline or "none"}. No peer: no serving tool compared
switches a box between image and LLM work by itself.

| policy | runs | idle share | idle GPU-s | render wait p50 s | render wait p95 s (runs) | renders started | batch lines in window | batches on time | switches | wall s |
|---|---|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n\nTargets: " + "; ".join(f"{name} {'✓' if ok else '✗'}" for name, ok in targets) + f"""

{result}
"""
replace_section("box-day", text)
os.makedirs(os.path.join("bench", "results"), exist_ok=True)
with open(os.path.join("bench", "results", "box-day.jsonl"), "a") as f:
    for run in runs:
        f.write(json.dumps({**run, "cmdline": cmd, "date": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")
print(result)
