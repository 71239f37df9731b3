#!/usr/bin/env python3
"""Hydration benchmark: a file of --size-mib MiB (random bytes, in /tmp) served on loopback by
bench/hydration/range_server.py (sendfile, threaded, single ranges). Per run, in turn:

  curl:     curl -s -o OUT URL                   (one stream; no hash, no fsync)
  velocity: velocity hydrate --mode bench ...    (parallel ranges, sha256, safetensors-free
            one-entry manifest, fsync, rename, snapshot), into a fresh store
  sha256sum FILE  vs  velocity hydrate verify --mode bench (re-hash of the stored blob)

Figures are medians over --runs. download_ratio = curl time / velocity time (rates, so >1 means
velocity is faster); hash_ratio = sha256sum time / velocity verify time. The file is in the page
cache for every reader (written just before); outputs are removed between runs.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_md  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def timed(cmd, **kwargs):
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr[-2000:]}{result.stdout[-2000:]}")
    return elapsed, result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--velocity", required=True)
    parser.add_argument("--cmdline", required=True)
    parser.add_argument("--loadavg", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--ranges", type=int, default=4)
    parser.add_argument("--chunk-mib", type=int, default=64)
    args = parser.parse_args()
    size = args.size_mib << 20

    work = tempfile.mkdtemp(prefix="velocity-bench-hydration.", dir="/tmp")
    free = shutil.disk_usage(work).free
    need = 3 * size + (512 << 20)
    if free < need:
        shutil.rmtree(work)
        sys.exit(f"/tmp has {free >> 20} MiB free; the benchmark needs {need >> 20} MiB (source, two copies)")
    server = None
    try:
        srv = os.path.join(work, "srv")
        os.makedirs(srv)
        source = os.path.join(srv, "blob.bin")
        say(f"writing {args.size_mib} MiB of random bytes to {source}")
        with open(source, "wb") as f:
            left = size
            while left:
                n = min(left, 64 << 20)
                f.write(os.urandom(n))
                left -= n
        sha_times, digest = [], None
        for _ in range(args.runs):
            t, out = timed(["sha256sum", source])
            sha_times.append(t)
            digest = out.split()[0]
        port_file = os.path.join(work, "port")
        server = subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(HERE), "hydration", "range_server.py"), srv, "--port-file", port_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file):
                break
            time.sleep(0.05)
        port = int(open(port_file).read())
        url = f"http://127.0.0.1:{port}/blob.bin"
        manifests = os.path.join(work, "manifests")
        os.makedirs(manifests)
        with open(os.path.join(manifests, "bench.yaml"), "w") as f:
            f.write(
                "mode: bench\nmodels:\n  - name: blob\n    kind: checkpoint\n"
                f"    source: {url}\n    size: {size}\n    sha256: \"{digest}\"\n    destination: checkpoints/blob.bin\n")
        curl_times, sync_times, ours_times, verify_times = [], [], [], []
        for run in range(1, args.runs + 1):
            out = os.path.join(work, "curl.bin")
            t, _ = timed(["curl", "-s", "-f", "-o", out, url])
            curl_times.append(t)
            # What curl's bytes still owe the disk: velocity's time includes its fsync.
            t, _ = timed(["sync", out])
            sync_times.append(t)
            os.remove(out)
            store = os.path.join(work, "store")
            t, report = timed([
                args.velocity, "hydrate", "--mode", "bench", "--root", store, "--manifests", manifests, "--json",
                "--ranges", str(args.ranges), "--chunk-mib", str(args.chunk_mib)])
            fetched = json.loads(report)["fetchedBytes"]
            if fetched != size:
                sys.exit(f"velocity fetched {fetched} bytes, expected {size}")
            ours_times.append(t)
            t, _ = timed([args.velocity, "hydrate", "verify", "--mode", "bench", "--root", store, "--manifests", manifests, "--json"])
            verify_times.append(t)
            shutil.rmtree(store)
            say(f"run {run}: curl {curl_times[-1]:.2f}s, velocity hydrate {ours_times[-1]:.2f}s, "
                f"sha256sum {sha_times[run - 1]:.2f}s, velocity verify {verify_times[-1]:.2f}s")
        m = statistics.median
        mib = args.size_mib
        curl_t, ours_t, sha_t, ver_t = m(curl_times), m(ours_times), m(sha_times), m(verify_times)
        sync_t = m(sync_times)
        same_work = m([c + s + h for c, s, h in zip(curl_times, sync_times, sha_times)])
        download_ratio = curl_t / ours_t
        hash_ratio = sha_t / ver_t
        curl_version = subprocess.run(["curl", "--version"], stdout=subprocess.PIPE, text=True).stdout.split("\n")[0]
        sha_version = subprocess.run(["sha256sum", "--version"], stdout=subprocess.PIPE, text=True).stdout.split("\n")[0]
        text = f"""## Hydration benchmark: velocity hydrate vs curl, and sha256 vs sha256sum

Command: `{args.cmdline}` · {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · load average at start {args.loadavg} · median of {args.runs} runs.

| step ({mib} MiB file, loopback) | time s | MiB/s |
|---|---:|---:|
| `curl -s -o` (one stream, no hash, no fsync) | {curl_t:.2f} | {mib / curl_t:,.0f} |
| `velocity hydrate` ({args.ranges} ranges × {args.chunk_mib} MiB, sha256, fsync, rename, snapshot) | {ours_t:.2f} | {mib / ours_t:,.0f} |
| `curl -s -o` then `sync FILE` | {m([c + s for c, s in zip(curl_times, sync_times)]):.2f} | {mib / m([c + s for c, s in zip(curl_times, sync_times)]):,.0f} |
| `curl -s -o`, `sync FILE`, `sha256sum` (the same guarantees as velocity, scripted) | {same_work:.2f} | {mib / same_work:,.0f} |
| `sha256sum` | {sha_t:.2f} | {mib / sha_t:,.0f} |
| `velocity hydrate verify` (swift-crypto SHA-256 over the blob) | {ver_t:.2f} | {mib / ver_t:,.0f} |

Ratios (rates, velocity ÷ peer): download {download_ratio:.2f}× curl alone, {same_work / ours_t:.2f}× curl + sync + sha256sum; sha256 {hash_ratio:.2f}× sha256sum.

- Server: `bench/hydration/range_server.py` (Python, a thread per connection, `os.sendfile`; single byte ranges), on 127.0.0.1, the same for both clients. The file is random bytes in /tmp, in the page cache for every reader.
- velocity's time is the whole command: process start, manifest, free-space check, download into `.incomplete`, sha256 (after the download on this 2-core machine, overlapped on larger ones; see HydrationConfiguration.hashing), fsync, rename into `blobs/sha256/`, snapshot switch; curl's is the download alone. Per-run raw times: curl {', '.join(f'{t:.2f}' for t in curl_times)}; sync after curl {', '.join(f'{t:.2f}' for t in sync_times)}; velocity {', '.join(f'{t:.2f}' for t in ours_times)}; sha256sum {', '.join(f'{t:.2f}' for t in sha_times)}; verify {', '.join(f'{t:.2f}' for t in verify_times)}.
- {curl_version}; {sha_version}; Python {platform.python_version()}.

RESULT download_ratio={download_ratio:.2f} hash_ratio={hash_ratio:.2f}
"""
        results_md.replace_section("hydration", text)
        print(text.rstrip().split("\n")[-1])
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
