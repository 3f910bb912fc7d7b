# Writes the fixture /proc trees "task" (a Fargate task seen from its monitor container) and "host"
# (kernel threads). Run from this directory. Symlinks (ns/*, root, cwd, exe, self) are listed in "links"
# and "self.link" files and made by io.taskscope.testing.ProcFixture, because build tools copy
# resources without them. After generating, task/44 (the monitor) was given CAP_SYS_PTRACE and Seccomp 0.
import os
TASK="9f1b3c5d7e9f4a1b8c2d4e6f8a0b1c2d"
def stat(pid, comm, state, ppid, pgrp, session, flags, utime, stime, nice, threads, start, vsize, rss, tty=0, tpgid=-1):
    f = [ppid, pgrp, session, tty, tpgid, flags, 100, 0, 2, 0, utime, stime, 0, 0, 20 - nice if False else 20+nice, nice, threads, 0, start, vsize, rss,
         18446744073709551615, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    return f"{pid} ({comm}) {state} " + " ".join(str(x) for x in f) + "\n"
def status(name, pid, ppid, uid, gid, nspid, threads, rss, caps=("0000000000000000","00000000a80425fb","00000000a80425fb","00000000a80425fb","0000000000000000"), nnp=0, seccomp=2, tracer=0, state="S (sleeping)"):
    u = "\t".join([str(uid)]*4); g = "\t".join([str(gid)]*4)
    ns = "\t".join(str(x) for x in nspid)
    return f"""Name:\t{name}
Umask:\t0022
State:\t{state}
Tgid:\t{pid}
Ngid:\t0
Pid:\t{pid}
PPid:\t{ppid}
TracerPid:\t{tracer}
Uid:\t{u}
Gid:\t{g}
FDSize:\t64
Groups:\t{gid}
NStgid:\t{ns}
NSpid:\t{ns}
NSpgid:\t{ns}
NSsid:\t{ns}
VmPeak:\t   10000 kB
VmSize:\t    9000 kB
VmLck:\t       0 kB
VmHWM:\t    {rss} kB
VmRSS:\t    {rss} kB
Threads:\t{threads}
SigQ:\t0/96365
CapInh:\t{caps[0]}
CapPrm:\t{caps[1]}
CapEff:\t{caps[2]}
CapBnd:\t{caps[3]}
CapAmb:\t{caps[4]}
NoNewPrivs:\t{nnp}
Seccomp:\t{seccomp}
Seccomp_filters:\t{1 if seccomp==2 else 0}
Cpus_allowed_list:\t0-1
voluntary_ctxt_switches:\t10
nonvoluntary_ctxt_switches:\t1
"""
def cg(leaf):
    # Fargate platform 1.4 on cgroup v1 plus the v2 line of a hybrid host
    lines = [f"{i}:{c}:/ecs/{TASK}/{leaf}" for i, c in [(11,"pids"),(4,"memory"),(2,"cpu,cpuacct")]]
    return "\n".join(lines) + "\n0::/\n"
procs = []
def p(pid, comm, cmd, ppid, uid, ctr, start, state="S", threads=1, flags=4194560, nspid=None, rss=2048, links=True, **kw):
    procs.append(dict(pid=pid, comm=comm, cmd=cmd, ppid=ppid, uid=uid, ctr=ctr, start=start, state=state, threads=threads, flags=flags, nspid=nspid or [pid], rss=rss, links=links, kw=kw))
MNT={"pause":4026532201,"app":4026532301,"web":4026532401,"monitor":4026532501}
LEAF={"pause":"pause","app":f"{TASK}-2495160603","web":f"{TASK}-1116234402","monitor":f"{TASK}-3741870225"}
p(1,"pause",["/pause"],0,0,"pause",150, caps=True)
p(6,"php-fpm",["php-fpm: master process (/usr/local/etc/php-fpm.conf)"],0,0,"app",300)
p(7,"php-fpm",["php-fpm: pool www"],6,82,"app",320)
p(12,"amazon-ssm-agen",["/managed-agents/execute-command/amazon-ssm-agent"],0,0,"app",350, threads=8)
p(18,"nginx",["nginx: master process nginx -g daemon off;"],0,101,"web",400)
p(19,"nginx",["nginx: worker process"],18,101,"web",420)
p(30,"my (odd) proc) x",["./my (odd) proc) x","--flag"],18,101,"web",500)
p(42,"sleep",["sleep","infinity"],0,0,"monitor",600)
p(43,"sh",["sh"],42,0,"monitor",700)
p(44,"java",["java","-jar","/opt/taskscope/taskscope.jar","ps"],43,0,"monitor",800, threads=20)
p(45,"php-fpm",[],6,82,"app",900,state="Z",links=False)
p(50,"sleep",["sleep","1000"],43,0,"monitor",950, nspid=[50,1])
os.makedirs("task", exist_ok=True)
for q in procs:
    d=f"task/{q['pid']}"; os.makedirs(d, exist_ok=True)
    pg = q['pid'] if q['ppid'] in (0,) else q['ppid']
    open(f"{d}/stat","w").write(stat(q['pid'], q['comm'], q['state'], q['ppid'], pg, pg, q['flags'], 12, 3, 0, q['threads'], q['start'], 9000*1024, q['rss']//4))
    open(f"{d}/status","w").write(status(q['comm'], q['pid'], q['ppid'], q['uid'], q['uid'], q['nspid'], q['threads'], q['rss'], state="Z (zombie)" if q['state']=="Z" else "S (sleeping)"))
    open(f"{d}/cmdline","wb").write(b"".join(a.encode()+b"\0" for a in q['cmd']))
    open(f"{d}/cgroup","w").write(cg(LEAF[q['ctr']]))
    if q['links']:
        m = MNT[q['ctr']]
        ln = [f"ns/mnt mnt:[{m}]", f"ns/pid pid:[4026532100]", f"ns/pid_for_children pid:[{4026532100 if q['pid']!=50 else 4026532999}]",
              f"ns/net net:[4026532110]", f"ns/uts uts:[{m+1}]", f"ns/ipc ipc:[4026532120]", f"ns/user user:[4026531837]",
              f"ns/cgroup cgroup:[4026531835]", f"ns/time time:[4026531834]", f"root ../roots/{q['ctr']}", f"cwd ../roots/{q['ctr']}", (f"exe ../agentbin/amazon-ssm-agent" if q['pid'] == 12 else f"exe /usr/bin/{q['comm']}")]
        # pid 12's exe is the file roots/monitor/managed-agents/execute-command/amazon-ssm-agent also links to:
        # ECS bind-mounts the one agent binary into every container (see Task.genuineAgent); agentbin/ and
        # that link (a "links" file there) are kept by hand, as is the web container's look-alike.
        open(f"{d}/links","w").write("\n".join(ln)+"\n")
# pid 50 is in a nested PID namespace
links50 = open("task/50/links").read().replace("ns/pid pid:[4026532100]", "ns/pid pid:[4026532999]")
open("task/50/links", "w").write(links50)
# vanished mid-read: listed, but nothing left to read
os.makedirs("task/46", exist_ok=True); open("task/46/.keep","w").write("")
os.makedirs("task/47", exist_ok=True); open("task/47/stat","w").write(stat(47,"gone","S",1,47,47,4194560,0,0,0,1,999,0,0))
open("task/stat","w").write("cpu  100 0 100 1000 0 0 0 0 0 0\nbtime 1763900000\nprocesses 500\n")
open("task/uptime","w").write("1000.00 1900.00\n")
open("task/meminfo","w").write("MemTotal:       24683628 kB\nMemFree:        23000000 kB\n")
open("task/self.link","w").write("44\n")
for ctr, pw, grp in [("web","root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/nonexistent:/bin/false\n","root:x:0:\nnginx:x:101:\n"),
                     ("app","root:x:0:0:root:/root:/bin/sh\nwww-data:x:82:82:Linux User,,,:/home/www-data:/sbin/nologin\n","root:x:0:\nwww-data:x:82:\n"),
                     ("monitor","root:x:0:0:root:/root:/bin/sh\n","root:x:0:\n"),("pause","","")]:
    os.makedirs(f"task/roots/{ctr}/etc", exist_ok=True)
    if pw:
        open(f"task/roots/{ctr}/etc/passwd","w").write(pw); open(f"task/roots/{ctr}/etc/group","w").write(grp)
    else:
        open(f"task/roots/{ctr}/.keep","w").write("")
os.makedirs("host", exist_ok=True)
for pid, comm, cmd, ppid, flags in [(1,"systemd",["/sbin/init"],0,4194560),(2,"kthreadd",[],0,2129984),(3,"kworker/0:0-events",[],2,69238880),(100,"bash",["-bash"],1,4194560)]:
    d=f"host/{pid}"; os.makedirs(d, exist_ok=True)
    open(f"{d}/stat","w").write(stat(pid, comm, "S" if pid!=3 else "I", ppid, pid, pid, flags, 1, 1, 0 if pid!=3 else -20, 1, 10*pid, 0 if not cmd else 9000*1024, 0 if not cmd else 512))
    open(f"{d}/status","w").write(status(comm, pid, ppid, 0, 0, [pid], 1, 0 if not cmd else 2048))
    open(f"{d}/cmdline","wb").write(b"".join(a.encode()+b"\0" for a in cmd))
    open(f"{d}/cgroup","w").write("0::/init.scope\n" if cmd else "0::/\n")
    if cmd:
        open(f"{d}/links","w").write("ns/mnt mnt:[4026531832]\nroot ../roots/host\n")
os.makedirs("host/roots/host/etc", exist_ok=True); open("host/roots/host/etc/passwd","w").write("root:x:0:0:root:/root:/bin/bash\n")
open("host/self.link","w").write("100\n")
open("host/stat","w").write("btime 1763900000\n"); open("host/uptime","w").write("5000.00 1.00\n"); open("host/meminfo","w").write("MemTotal: 1000000 kB\n")
# Added by hand after generating: task/sys/kernel/{osrelease,cap_last_cap}, host/sys/kernel/{osrelease,cap_last_cap},
# and task/<pid>/environ ("HOSTNAME=x\0") for every live process (doctor reads them).
