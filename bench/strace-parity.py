#!/usr/bin/env python3
"""Differential test: real programs traced by strace and by taskscope, line by line.

Each program starts stopped (sh -c 'kill -STOP $$; exec PROG...'), the tracer attaches with -f -p PID -o FILE,
the harness sends SIGCONT once the tracer said "attached", and waits for the program and the tracer to end. Each
program runs three times per option set, strace, taskscope, strace again, in the same working directory
(recreated, so paths match). The outputs are normalised (pids to p1, p2...; addresses; inode numbers; times and
other values that change from run to run), strace's "<unfinished ...>"/"<... resumed>" pairs are joined, and lines
are compared per syscall as multisets.

Real programs do not print the same lines twice even under one tracer: how many bytes a read from a pipe returns,
which child's SIGCHLD a shell gets, sqlite's random journal salt. The two strace runs measure that noise:
  parity   strace's stable lines (printed in both of its runs) that taskscope printed identically / stable lines:
           the figure the target (99.5%) is about, and what --min judges
  raw      the first strace run's lines that taskscope printed identically / its lines
  noise    the first strace run's lines that the second printed identically (strace against itself)

  bench/strace-parity.py                  all programs, all option sets (several minutes)
  bench/strace-parity.py --quick          the CI subset
  bench/strace-parity.py --show 20        print up to 20 differing lines per option set (stable lines missing,
                                          and lines neither strace run printed)
  bench/strace-parity.py --min 99.5       exit 1 when an option set's parity is below 99.5%
  TS=./taskscope (default) selects the taskscope command; STRACE=strace the reference.
Run as root (ptrace). Only loopback traffic: curl talks to a server this script starts on 127.0.0.1.
"""
import argparse
import collections
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.environ.get("PARITY_WORK", "/tmp/taskscope-parity")  # outputs (--keep), and the programs' directory:
RUN = WORK + "/run"   # the traced programs' working directory, recreated for every run

FILTERS = {
    "%file": ["-e", "trace=%file"],
    "%desc": ["-e", "trace=%desc"],
    "%network": ["-e", "trace=%network"],
    "%process": ["-e", "trace=%process"],
    "all": [],
    "-y": ["-y"],
    "-s 256": ["-s", "256"],
}

# name -> (shell command run in RUN, quick?). Inputs are made by setup() before each run.
PROGRAMS = {
    "ls": ("ls -la /etc/ssl .", True),
    "cat": ("cat /etc/os-release", False),
    "cp-rm": ("cp /etc/services s && chmod 600 s && ln -s s l && rm s l", True),
    "mkdir-touch": ("mkdir -p a/b/c && touch -d 2020-01-01 a/b/c/f && stat a/b/c/f && rm -r a", False),
    "pipeline": ("cat /etc/services | grep tcp | sort -k2 | uniq | wc -l", True),
    "tar-c": ("tar czf t.tgz -C /usr/share/doc/bash .", False),
    "tar-x": ("tar cf t.tar -C /usr/share/doc/bash . && mkdir x && tar xf t.tar -C x", False),
    "tar-xz": ("tar czf t.tgz -C /usr/share/doc/bash . && mkdir x && tar xzf t.tgz -C x", False),
    "gzip": ("gzip -9 -c /etc/services > s.gz && gzip -dc s.gz | md5sum", False),
    "xz": ("xz -c /etc/services > s.xz && xz -dc s.xz | sha256sum", False),
    "find": ("find /usr/share/doc/bash /etc/ssl -maxdepth 2 -name '*.gz' -o -type l", False),
    "du-df": ("du -s /usr/share/doc/bash; df -h / >/dev/null", False),
    "git": ("export GIT_AUTHOR_DATE=@0 GIT_COMMITTER_DATE=@0; git init -q r && cd r && git config user.email a@b && git config user.name a && echo x > f "
            "&& git add f && git -c core.fsync=none commit -qm m && git log --oneline >/dev/null && git status -s", False),
    "python3": ("/usr/bin/python3 -S -c 'import os, json; print(json.dumps(sorted(os.listdir(\"/etc/ssl\"))))'", True),
    "perl": ("perl -e 'opendir(D, \"/etc\"); my @f = readdir(D); print scalar(@f) > 0, \"\\n\"'", False),
    "php": ("php -n -r 'echo count(scandir(\"/etc\")) > 0, PHP_EOL;'", False),
    "sqlite3": ("sqlite3 db 'create table t(a); insert into t values (1),(2); select sum(a) from t;'", False),
    "curl": ("curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:PORT/", True),
    "nginx-t": ("nginx -t -q -p . -c /etc/nginx/nginx.conf -g 'pid nginx.pid; error_log stderr;' 2>/dev/null || true", False),
    "openssl": ("openssl dgst -sha256 /etc/services", False),
    "sleep-timeout": ("timeout 0.5 sleep 5 || true", True),
    "id-uname": ("id; uname -a; hostname; nproc; date -u -d @0", False),
    "env-sh": ("env -i PATH=/usr/bin:/bin sh -c 'umask 027; echo $$ >/dev/null; exec true'", True),
    "sort-big": ("seq 1 20000 | sort -rn | head -3", False),
    "wc-md5": ("wc /etc/services; md5sum /etc/services; head -c 100 /dev/zero | od -c | tail -1", False),
    "python-threads": ("/usr/bin/python3 -S -c 'import threading; t = threading.Thread(target=sum, args=([1],)); "
                       "t.start(); t.join()'", False),
    "readlink-realpath": ("readlink -f /proc/self/exe; realpath /etc/../etc/hostname", False),
    "shell-loop": ("for i in 1 2 3; do echo $i > f$i; cat f$i; done; rm f1 f2 f3", False),
    "dd": ("dd if=/dev/zero of=z bs=4k count=8 status=none && sync z", False),
    "python-io": ("/usr/bin/python3 -S " + os.path.join(ROOT, "bench/parity-io.py"), True),
}


class Server(threading.Thread):
    """A loopback HTTP server for curl (never traced)."""

    def __init__(self):
        super().__init__(daemon=True)

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                body = b"hello\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]

    def run(self):
        self.httpd.serve_forever()


def setup():
    shutil.rmtree(RUN, ignore_errors=True)
    os.makedirs(RUN)


def trace_once(tool_cmd, opts, command, out_file):
    """Starts COMMAND stopped, attaches TOOL_CMD -f -p PID -o OUT_FILE, continues it; returns the program's status."""
    setup()
    env = dict(os.environ, LC_ALL="C", TZ="UTC", HOME=RUN)
    prog = subprocess.Popen(["/bin/sh", "-c", 'kill -STOP $$; exec /bin/sh -c "$0"', command], cwd=RUN, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid = prog.pid
    deadline = time.time() + 10
    while time.time() < deadline:  # stopped?
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "T":
                break
        time.sleep(0.002)
    tracer = subprocess.Popen(tool_cmd + ["-f"] + opts + ["-p", str(pid), "-o", out_file],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = []
    for line in tracer.stderr:  # both say "Process N attached"
        err.append(line)
        if "attached" in line:
            break
    else:
        os.kill(pid, signal.SIGCONT)
        prog.wait()
        raise RuntimeError("tracer did not attach: " + "".join(err))
    time.sleep(0.05)  # the tracer's own set-up after the attach message
    os.kill(pid, signal.SIGCONT)
    try:
        rc = prog.wait(timeout=60)
    except subprocess.TimeoutExpired:
        prog.kill()
        rc = prog.wait()
    try:
        tracer.wait(timeout=30)
    except subprocess.TimeoutExpired:
        tracer.terminate()
        tracer.wait()
    tracer.stderr.close()
    return rc, pid


PREFIX = re.compile(r"^(?:\[pid +(\d+)\] |(\d+) +)")
UNFINISHED = re.compile(r" <unfinished \.\.\.>$")
RESUMED = re.compile(r"^<\.\.\. ([a-z0-9_]+) resumed>")
NAME = re.compile(r"^([a-z0-9_]+)\(")

VALUE_RULES = [
    (re.compile(r"0x[0-9a-f]{5,}"), "0xADDR"),
    (re.compile(r"\b[0-9a-f]{8,16}-[0-9a-f]{8,16}(?= )"), "ADDR-ADDR"),  # /proc/PID/maps text a program reads (ASLR)
    (re.compile(r":\[\d+\]"), ":[INO]"),
    (re.compile(r"(poll\(.*, \d+, )[1-9]\d*\)"), r"\1T)"),  # poll's timeout: what is left of the caller's
    (re.compile(r"Date: [^\\]*GMT"), "Date: D"),  # the loopback server's reply
    (re.compile(r"\b\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\b"), "DATE"),  # a log line's wall-clock time (nginx -t)
    (re.compile(r"(tmp_obj_|/\.git/t|/\.git/objects/pack/tmp_\w+_)[A-Za-z0-9]{6,7}\b"), r"\1XXXXXX"),  # mkstemp names
    # a child's CPU ticks are timing (a traced child spends more of them: 0 in strace's runs, 1 in ours), and with
    # them strace's "/* 0.01 s */" comment, which is there only when there are any; its format is unit-tested
    (re.compile(r"(si_utime|si_stime)=\d+(?: /\* [\d.]+ s \*/)?"), r"\1=N"),
    (re.compile(r"tv_sec=\d+, tv_nsec=\d+"), "tv_sec=S, tv_nsec=NS"),
    (re.compile(r"tv_sec=\d+, tv_usec=\d+"), "tv_sec=S, tv_usec=US"),
    (re.compile(r"(f_bfree|f_bavail|f_ffree|f_files|f_blocks)=\d+"), r"\1=N"),
    (re.compile(r"(uptime|loads|totalram|freeram|sharedram|bufferram|totalswap|freeswap|procs|totalhigh|freehigh)"
                r"=(\[[^\]]*\]|\d+)"), r"\1=N"),
    (re.compile(r"htons\((\d{5})\)"), lambda m: "htons(EPH)" if int(m.group(1)) >= 32768 else m.group(0)),
    # epoll_event's data as u64: a program that sets only the fd (u32) leaves stack bytes, addresses, above it
    (re.compile(r"u64=(\d{10,})"), lambda m: "u64=U64" if int(m.group(1)) >= 1 << 32 else m.group(0)),
]
RANDOM_OPEN = re.compile(r'^(?:open|openat)\(.*"/dev/u?random", .*\) = (\d+)')
FD_CALL = re.compile(r"^(read|close)\((\d+)(?:<[^>]*>)?, ")
SIGRETURN = re.compile(r"^(rt_sigreturn\(.*\))\s+= .*$")

PER_CALL = {  # syscalls whose data differs from run to run
    "getrandom": re.compile(r'"(?:[^"\\]|\\.)*"(?:\.\.\.)?'),
    "read": None, "write": None,
}


def normalise(path, root_pid):
    """Lines of one output, normalised; returns a list of (syscall key, line). Unprefixed lines are ROOT_PID's."""
    try:
        with open(path, errors="replace") as f:
            raw = f.read().splitlines()
    except FileNotFoundError:
        return []
    pids = {}

    def pid_name(p):
        if p not in pids:
            pids[p] = "p%d" % (1 + sum(1 for v in pids.values() if v.startswith("p")))
        return pids[p]

    pending = {}
    lines = []
    for line in raw:
        m = PREFIX.match(line)
        pid = None
        if m:
            pid = m.group(1) or m.group(2)
            line = line[m.end():]
        else:
            pid = str(root_pid)
        if line.startswith("strace: ") or line.startswith("taskscope: "):
            continue
        if UNFINISHED.search(line):
            pending[pid] = UNFINISHED.sub("", line)
            continue
        r = RESUMED.match(line)
        if r:
            line = pending.pop(pid, r.group(1) + "(") + line[r.end():]
        lines.append((pid, line))
    # Processes are numbered by their pids' order, which is the order they were forked in (the kernel hands out
    # pids increasingly), so siblings running at once are matched whatever order their lines came in.
    for pid in sorted({p for p, _ in lines}, key=lambda p: (int(p) - int(root_pid)) % (1 << 22)):  # pids wrap
        pid_name(pid)
    out = []
    random_fds = set()  # (pid, fd) open on /dev/urandom or /dev/random: what is read there is random, in both tools
    for pid, line in lines:
        n = NAME.match(line)
        key = n.group(1) if n else line[:3]
        m = RANDOM_OPEN.match(line)
        if m:
            random_fds.add((pid, m.group(1)))
        m = FD_CALL.match(line) if key in ("read", "close") else None
        if m and (pid, m.group(2)) in random_fds:
            if key == "close":
                random_fds.discard((pid, m.group(2)))
            else:
                line = PER_CALL["getrandom"].sub('"RANDOM"', line, count=1)
        # rt_sigreturn returns what the interrupted call returned: which call the signal interrupted is timing
        line = SIGRETURN.sub(r"\1 = R", line)
        for p in sorted(pids, key=len, reverse=True):
            # only where strace prints a pid: a return value, an argument, si_pid=, SCM_CREDENTIALS' {pid=N, [N]; and
            # where the program itself shows one: /proc/N paths, a string that starts with it ("N", echo $$'s "N\n"),
            # a log line's "[emerg] N";
            # never inside other numbers (st_size=13137)
            line = re.sub(r"(?:(?<== )|(?<=si_pid=)|(?<=\{pid=)|(?<=\[)|(?<=\()|(?<=, )|(?<=/proc/)|(?<=\")|(?<=\] ))%s(?![\w.])" % p,
                          lambda m, v=pids[p]: v, line)
        for rx, rep in VALUE_RULES:
            line = rx.sub(rep, line)
        if key == "getrandom":
            line = PER_CALL["getrandom"].sub('"RANDOM"', line)
        line = re.sub(r"\s+= ", " = ", line)  # column alignment
        out.append((key, pids.get(pid, "p?") + " " + line))
    return out


def compare(ref, got):
    """Per-syscall multiset comparison: (matched, total, per-key {key: (matched, total)}, missing lines, extra lines)."""
    rc = collections.Counter(ref)
    gc = collections.Counter(got)
    per = collections.defaultdict(lambda: [0, 0])
    missing, extra = [], []
    for (key, line), n in rc.items():
        m = min(n, gc.get((key, line), 0))
        per[key][0] += m
        per[key][1] += n
        if m < n:
            missing.append((key, line, n - m))
    for (key, line), n in gc.items():
        if n > rc.get((key, line), 0):
            extra.append((key, line, n - rc.get((key, line), 0)))
    matched = sum(v[0] for v in per.values())
    total = sum(v[1] for v in per.values())
    return matched, total, per, missing, extra


def stable(a, b):
    """The lines both strace runs printed (multiset intersection), in A's order."""
    left = collections.Counter(b)
    out = []
    for x in a:
        if left[x] > 0:
            left[x] -= 1
            out.append(x)
    return out


def unexplained(got, a, b):
    """Lines taskscope printed more often than either strace run did: (key, line, excess) for --show."""
    gc, ac, bc = collections.Counter(got), collections.Counter(a), collections.Counter(b)
    return [(k, l, n - max(ac[(k, l)], bc[(k, l)])) for (k, l), n in gc.items() if n > max(ac[(k, l)], bc[(k, l)])]


class Score:
    """Matched and total lines, overall and per syscall."""

    def __init__(self):
        self.m = self.t = 0
        self.per = collections.defaultdict(lambda: [0, 0])

    def add(self, m, t, per):
        self.m += m
        self.t += t
        for k, (km, kt) in per.items():
            self.per[k][0] += km
            self.per[k][1] += kt

    def pct(self):
        return 100.0 * self.m / self.t if self.t else 100.0

    def worst(self, n=8):
        w = sorted(((k, v) for k, v in self.per.items() if v[0] < v[1]), key=lambda kv: kv[1][0] - kv[1][1])[:n]
        return ", ".join("%s %d/%d" % (k, v[0], v[1]) for k, v in w)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="only the CI subset of programs")
    ap.add_argument("--programs", help="comma-separated program names (default: all, or the quick subset)")
    ap.add_argument("--filters", help="comma-separated option sets of: " + ", ".join(FILTERS).replace("%", "%%"))
    ap.add_argument("--show", type=int, default=0, help="print up to N differing lines per option set")
    ap.add_argument("--min", type=float, default=0.0, help="exit 1 when an option set's parity is below this %%")
    ap.add_argument("--keep", action="store_true", help="keep the outputs under " + WORK)
    ap.add_argument("--rescore", action="store_true", help="compare the outputs a --keep run left, without tracing")
    a = ap.parse_args()
    a.keep = a.keep or a.rescore
    strace = os.environ.get("STRACE", "strace").split()
    ts = os.environ.get("TS", os.path.join(ROOT, "taskscope")).split() + ["trace"]
    names = a.programs.split(",") if a.programs else [n for n, (_, q) in PROGRAMS.items() if q or not a.quick]
    filters = a.filters.split(",") if a.filters else list(FILTERS)
    server = Server()
    server.start()
    os.makedirs(WORK, exist_ok=True)
    totals = {}
    failures = 0
    runs = ((strace, ".strace"), (ts, ".other"), (strace, ".strace2"))  # interleaved: strace's runs bracket ours
    for fname in filters:
        parity, raw, noise = Score(), Score(), Score()
        all_missing, all_extra = [], []
        for name in names:
            cmd = PROGRAMS[name][0].replace("PORT", str(server.port))
            base = os.path.join(WORK, "%s.%s" % (name, re.sub(r"[^a-z0-9]+", "_", fname)))
            if a.rescore:
                with open(base + ".pids") as f:
                    done = list(map(int, f.read().split()))
                if len(done) != 6:
                    sys.exit("%s: left by an older version of this script (two runs, not three); run again without --rescore"
                             % (base + ".pids"))
            else:
                done = []
                for tool, suffix in runs:
                    done += trace_once(tool, FILTERS[fname], cmd, base + suffix)
                with open(base + ".pids", "w") as f:
                    f.write(" ".join(map(str, done)) + "\n")
            (rc1, pid1), (rc2, pid2), (rc3, pid3) = zip(done[0::2], done[1::2])
            if rc1 != rc2 or rc1 != rc3:
                print("%s %s: exit status differs: strace %s, taskscope %s, strace %s" % (name, fname, rc1, rc2, rc3))
                failures += 1
            first = normalise(base + ".strace", pid1)
            got = normalise(base + ".other", pid2)
            second = normalise(base + ".strace2", pid3)
            for lines, what in ((first, "strace"), (got, "taskscope"), (second, "strace (second run)")):
                if not lines:  # no output would count as 100% (nothing stable to miss)
                    print("%s %s: %s printed nothing" % (name, fname, what))
                    failures += 1
            m, t, per, missing, _ = compare(stable(first, second), got)
            parity.add(m, t, per)
            raw.add(*compare(first, got)[:3])
            noise.add(*compare(first, second)[:3])
            all_missing += [(name,) + x for x in missing]
            all_extra += [(name,) + x for x in unexplained(got, first, second)]
        totals[fname] = parity.pct()
        print("%-9s %6.2f%%  (%d of %d stable lines)  raw %6.2f%%  noise %6.2f%%  %s" % (
            fname, parity.pct(), parity.m, parity.t, raw.pct(), noise.pct(), parity.worst()))
        sys.stdout.flush()
        if a.show:
            for name, key, line, n in all_missing[:a.show]:
                print("    - %-14s %s%s" % (name, line[:220], " (x%d)" % n if n > 1 else ""))
            for name, key, line, n in all_extra[:a.show]:
                print("    + %-14s %s%s" % (name, line[:220], " (x%d)" % n if n > 1 else ""))
    server.httpd.shutdown()
    if not a.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    overall = min(totals.values()) if totals else 100.0
    print("lowest: %.2f%%" % overall)
    if failures or overall < a.min:
        sys.exit(1)


if __name__ == "__main__":
    main()
