"""A real program for bench/strace-parity.py: Python's own calls for vectored I/O, messages with control data,
epoll, wait4 with a rusage, waitid, getrusage, prctl and arch_prctl (the calls the other programs of the harness do
not make)."""
import array
import ctypes
import os
import platform
import resource
import select
import socket

r, w = os.pipe()
os.writev(w, [b"hello ", b"iovec ", b"world\n"])
os.readv(r, [bytearray(4), bytearray(64)])          # readv prints data up to the returned count
os.writev(w, [b"x" * 40, b""])                       # cut at -s
os.readv(r, [bytearray(8), bytearray(8)])
s1, s2 = socket.socketpair()
s2.sendmsg([b"fd", b"s"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [r, w]))])
s1.recvmsg(16, socket.CMSG_SPACE(8))                 # SCM_RIGHTS received: new fds
s1.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s2.sendmsg([b"cred"])
s1.recvmsg(2, socket.CMSG_SPACE(12), socket.MSG_DONTWAIT)   # SCM_CREDENTIALS
s1.recvmsg(2, 0, socket.MSG_DONTWAIT)               # the rest, without its credentials: MSG_CTRUNC
try:
    s1.recvmsg(2, 0, socket.MSG_DONTWAIT)           # fails: EAGAIN, strace prints {msg_namelen=N}
except BlockingIOError:
    pass
d1 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
d1.bind("\0taskscope-parity-io")
d2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
d2.sendmsg([b"dgram"], [], 0, d1.getsockname())
d1.recvmsg(64)
ep = select.epoll()
ep.register(s1.fileno(), select.EPOLLIN | select.EPOLLET)
ep.register(w, select.EPOLLOUT)
ep.poll(1)
ep.unregister(w)
ep.poll(0)
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(15, b"parity-io", 0, 0, 0)                # PR_SET_NAME
name = ctypes.create_string_buffer(16)
libc.prctl(16, name, 0, 0, 0)                        # PR_GET_NAME
libc.prctl(38, 1, 0, 0, 0)                           # PR_SET_NO_NEW_PRIVS
if platform.machine() == "x86_64":
    fs = ctypes.c_ulong()
    libc.syscall(158, 0x1003, ctypes.byref(fs))      # arch_prctl(ARCH_GET_FS, [0x7f...])
pid = os.fork()
if pid == 0:
    os._exit(3)
os.wait4(pid, 0)
resource.getrusage(resource.RUSAGE_SELF)
resource.getrusage(resource.RUSAGE_CHILDREN)
pid = os.fork()
if pid == 0:
    os._exit(4)
os.waitid(os.P_PID, pid, os.WEXITED)                 # the child's siginfo
try:
    os.waitid(os.P_PID, pid, os.WEXITED)             # gone: ECHILD, the buffer's address
except ChildProcessError:
    pass
