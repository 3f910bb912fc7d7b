#!/usr/bin/env python3
"""Attach latency and warm-up, taskscope trace against strace, interleaved, medians.

For each round and each tool: a fresh tracee runs a syscall loop (stat + getppid, bench/syscall-loop.c, started
with its go signal already sent); the tool starts as `TOOL -p PID -o FILE`; the harness polls the output file.
  attach      command start -> the kernel shows the tracer (TracerPid in /proc/PID/status)
  first line  command start -> the first syscall line is in the file (the first stop handled and printed)
  first 10k   time for the first 5,000 lines (10,000 stops) after the first line
  next 10k    time for the next 5,000 lines: the steady state the first 10,000 stops are compared with
  cpu to attach  CPU time the tool had used when the kernel showed it as the tracer (less dependent on other load)
  cpu to 1st line  CPU time the tool had used when its first line was in the file
  cpu ratio   the tool's CPU time (all its threads: the JIT compiler's too) over the first 10,000 stops / the next
A second table attaches to a mostly idle tracee (the same loop sleeping 1 ms after each iteration, as a server
between requests): there the tool has both CPUs of a 2-vCPU VM to itself, where the busy tracee keeps one.
The load average is printed before and after: on a shared VM wall-clock times depend on it, CPU times much less.
Run as root. ROUNDS (default 7), TS (default ./taskscope), STRACE (default strace), BASELINE (optional: another
taskscope launcher, e.g. a copy of an older checkout, measured in the same rounds as "baseline").
"""
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(os.environ.get("ROUNDS", "7"))
TS = os.environ.get("TS", os.path.join(ROOT, "taskscope")).split()
STRACE = os.environ.get("STRACE", "strace").split()
LINES = 5000


def tracer_pid(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("TracerPid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ms(pid):
    """CPU time (user + system) a process has used so far, ms: what the attach costs whatever the load."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def one(tool, loop, work, idle=False):
    out = os.path.join(work, "out")
    if os.path.exists(out):
        os.unlink(out)
    tracee = subprocess.Popen([loop, "100000000"] + (["1000"] if idle else []), stdout=subprocess.DEVNULL)
    time.sleep(0.05)
    os.kill(tracee.pid, signal.SIGUSR1)
    time.sleep(0.05)
    t0 = time.monotonic()
    tracer = subprocess.Popen(tool + ["-p", str(tracee.pid), "-o", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    attach = first = k1 = k2 = cpu = cpu1 = cpuk1 = cpuk2 = None
    lines = 0
    pos = 0
    deadline = t0 + 30
    try:
        while time.monotonic() < deadline and k2 is None and not (idle and first is not None):
            now = time.monotonic()
            if attach is None and tracer_pid(tracee.pid) != 0:
                attach = now - t0
                cpu = cpu_ms(tracer.pid)
            try:
                with open(out, "rb") as f:
                    f.seek(pos)
                    chunk = f.read()
            except FileNotFoundError:
                chunk = b""
            if chunk:
                n = chunk.count(b"\n")
                pos += len(chunk)
                if n and first is None:
                    first = now
                    cpu1 = cpu_ms(tracer.pid)
                    lines = 0
                    n -= 1
                lines += n
                if first is not None and k1 is None and lines >= LINES:
                    k1 = now
                    cpuk1 = cpu_ms(tracer.pid)
                elif k1 is not None and lines >= 2 * LINES:
                    k2 = now
                    cpuk2 = cpu_ms(tracer.pid)
            else:
                time.sleep(0.0005)
    finally:
        tracer.send_signal(signal.SIGINT)
        try:
            tracer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            tracer.kill()
            tracer.wait()
        tracee.kill()
        tracee.wait()
    if idle and first is not None:
        return attach, first - t0, 0, 0, cpu / 1000.0, cpu1 / 1000.0, 0, 0
    if first is None or k2 is None:
        return None
    return attach, first - t0, k1 - first, k2 - k1, cpu / 1000.0, cpu1 / 1000.0, (cpuk1 - cpu1) / 1000.0, (cpuk2 - cpuk1) / 1000.0


def main():
    work = tempfile.mkdtemp(prefix="taskscope-attach-")
    loop = os.path.join(work, "syscall-loop")
    subprocess.run(["gcc", "-O2", "-o", loop, os.path.join(ROOT, "bench/syscall-loop.c")], check=True)
    tools = {"strace": STRACE, "taskscope": TS + ["trace"]}
    if os.environ.get("BASELINE"):
        tools["baseline"] = os.environ["BASELINE"].split() + ["trace"]
    for name, cmd in tools.items():
        if name != "strace":  # the class-data archive is made before the first round
            subprocess.run(cmd[:-1] + ["--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    load_before = os.getloadavg()
    results = {k: [] for k in tools}
    idle = {k: [] for k in tools}
    for r in range(ROUNDS):
        for name, cmd in tools.items():
            res = one(cmd, loop, work)
            if res:
                results[name].append(res)
            res = one(cmd, loop, work, idle=True)
            if res:
                idle[name].append(res)
    print("%-10s %10s %12s %14s %14s %8s %14s %16s %12s" % ("tool", "attach ms", "1st line ms", "first 10k ms", "next 10k ms",
                                                      "ratio", "cpu to attach", "cpu to 1st line", "cpu ratio"))
    for name, rs in results.items():
        if not rs:
            print("%-10s no complete run" % name)
            continue
        med = [statistics.median(x[i] for x in rs) * 1000 for i in range(8)]
        cpu_ratio = "%.2f" % (med[6] / med[7]) if med[7] else "-"
        print("%-10s %10.0f %12.0f %14.0f %14.0f %8.2f %11.0f ms %13.0f ms %12s" % (name, med[0], med[1], med[2], med[3],
                                                                            med[2] / med[3], med[4], med[5], cpu_ratio))
    print("idle tracee %10s %12s %14s" % ("attach ms", "1st line ms", "cpu to 1st line"))
    for name, rs in idle.items():
        if rs:
            med = [statistics.median(x[i] for x in rs) * 1000 for i in range(6)]
            print("%-11s %10.0f %12.0f %11.0f ms" % (name, med[0], med[1], med[5]))
    print("(%d rounds, interleaved, medians; ratio = first 10,000 stops / next 10,000 stops; load average %s before, %s after)"
          % (ROUNDS, "/".join("%.1f" % x for x in load_before), "/".join("%.1f" % x for x in os.getloadavg())))
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
