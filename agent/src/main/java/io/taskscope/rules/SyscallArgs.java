package io.taskscope.rules;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What rules need from a syscall event's arguments, which the decoder gives as strace prints them:
 * Falco's parameter names per syscall ({@code evt.arg.newpath} is renameat's fourth argument), strace's
 * quoted strings back to raw text, socket addresses, and paths made absolute as Falco's {@code fd.name} is.
 */
final class SyscallArgs {
    private SyscallArgs() {}

    /** Falco's parameter names in strace's argument order; the return value is "res" or "fd". */
    static final Map<String, List<String>> NAMES = Map.ofEntries(
            Map.entry("open", List.of("name", "flags", "mode")),
            Map.entry("openat", List.of("dirfd", "name", "flags", "mode")),
            Map.entry("openat2", List.of("dirfd", "name", "how", "size")),
            Map.entry("creat", List.of("name", "mode")),
            Map.entry("execve", List.of("filename", "argv", "envp")),
            Map.entry("execveat", List.of("dirfd", "pathname", "argv", "envp", "flags")),
            Map.entry("rename", List.of("oldpath", "newpath")),
            Map.entry("renameat", List.of("olddirfd", "oldpath", "newdirfd", "newpath")),
            Map.entry("renameat2", List.of("olddirfd", "oldpath", "newdirfd", "newpath", "flags")),
            Map.entry("link", List.of("oldpath", "newpath")),
            Map.entry("linkat", List.of("olddir", "oldpath", "newdir", "newpath", "flags")),
            Map.entry("symlink", List.of("target", "linkpath")),
            Map.entry("symlinkat", List.of("target", "linkdirfd", "linkpath")),
            Map.entry("unlink", List.of("path")),
            Map.entry("unlinkat", List.of("dirfd", "name", "flags")),
            Map.entry("mkdir", List.of("path", "mode")),
            Map.entry("mkdirat", List.of("dirfd", "path", "mode")),
            Map.entry("rmdir", List.of("path")),
            Map.entry("chmod", List.of("filename", "mode")),
            Map.entry("fchmodat", List.of("dirfd", "filename", "mode")),
            Map.entry("truncate", List.of("path", "length")),
            Map.entry("chdir", List.of("path")),
            Map.entry("connect", List.of("fd", "addr", "addrlen")),
            Map.entry("bind", List.of("fd", "addr", "addrlen")),
            Map.entry("listen", List.of("fd", "backlog")),
            Map.entry("accept", List.of("fd", "addr", "addrlen")),
            Map.entry("accept4", List.of("fd", "addr", "addrlen", "flags")),
            Map.entry("socket", List.of("domain", "type", "proto")),
            Map.entry("ptrace", List.of("request", "pid", "addr", "data")),
            Map.entry("process_vm_readv", List.of("pid", "local_iov", "liovcnt", "remote_iov", "riovcnt", "flags")),
            Map.entry("process_vm_writev", List.of("pid", "local_iov", "liovcnt", "remote_iov", "riovcnt", "flags")),
            Map.entry("memfd_create", List.of("name", "flags")),
            Map.entry("kill", List.of("pid", "sig")),
            Map.entry("setuid", List.of("uid")),
            Map.entry("setgid", List.of("gid")),
            Map.entry("sendto", List.of("fd", "data", "size", "flags", "tuple")));

    /** Syscalls whose return value is a new file descriptor (Falco calls it "fd", the others "res"). */
    static final java.util.Set<String> RETURNS_FD = java.util.Set.of("open", "openat", "openat2", "creat", "accept",
            "accept4", "socket", "memfd_create");

    /** Syscalls that open a file: fd.name is their path, made absolute. */
    static final java.util.Set<String> OPENS = java.util.Set.of("open", "openat", "openat2", "creat");

    /** Index of a named argument, -1 when the syscall has no such parameter. */
    static int index(String syscall, String name) {
        List<String> names = NAMES.get(syscall);
        if (names != null) {
            int i = names.indexOf(name);
            if (i >= 0) return i;
            if (name.equals("tuple")) return names.indexOf("addr");
        }
        return -1;
    }

    /** strace's {@code "a\"b\x01"...} back to its text; anything that is not a quoted string is returned as is. */
    static String unquote(String s) {
        if (s == null || s.isEmpty() || s.charAt(0) != '"') return s;
        ByteArrayOutputStream b = new ByteArrayOutputStream(s.length());
        int i = 1;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') break;
            if (c != '\\' || i >= s.length()) {
                byte[] u = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                b.write(u, 0, u.length);
                continue;
            }
            char n = s.charAt(i++);
            switch (n) {
                case 'n' -> b.write('\n');
                case 't' -> b.write('\t');
                case 'r' -> b.write('\r');
                case 'v' -> b.write(0x0b);
                case 'f' -> b.write('\f');
                case 'x' -> {
                    int end = Math.min(s.length(), i + 2);
                    b.write(Integer.parseInt(s.substring(i, end), 16));
                    i = end;
                }
                default -> {
                    if (n >= '0' && n <= '7') {
                        int end = i - 1;
                        while (end < s.length() && end < i + 2 && s.charAt(end) >= '0' && s.charAt(end) <= '7') end++;
                        b.write(Integer.parseInt(s.substring(i - 1, end), 8));
                        i = end;
                    } else {
                        b.write(n);
                    }
                }
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** A path made absolute against {@code cwd} (when known) and normalised; null stays null. */
    static String resolve(String cwd, String path) {
        if (path == null) return null;
        String p = path;
        if (!p.startsWith("/")) {
            if (cwd == null) return path;
            p = cwd + "/" + p;
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String c : p.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(c);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static final Pattern INET = Pattern.compile(
            "sa_family=AF_INET, sin_port=htons\\((\\d+)\\), sin_addr=inet_addr\\(\"([0-9.]+)\"\\)");
    private static final Pattern INET6 = Pattern.compile(
            "sa_family=AF_INET6, sin6_port=htons\\((\\d+)\\).*inet_pton\\(AF_INET6, \"([0-9a-fA-F:.]+)\"");
    private static final Pattern UNIX = Pattern.compile("sa_family=AF_UNIX, sun_path=(@?\"(?:[^\"\\\\]|\\\\.)*\")");

    /** A socket address as strace prints it. */
    record SockAddr(char typechar, String type, String ip, int port, String path) {}

    static SockAddr sockaddr(String s) {
        if (s == null) return null;
        Matcher m = INET.matcher(s);
        if (m.find()) return new SockAddr('4', "ipv4", m.group(2), Integer.parseInt(m.group(1)), null);
        m = INET6.matcher(s);
        if (m.find()) return new SockAddr('6', "ipv6", m.group(2), Integer.parseInt(m.group(1)), null);
        m = UNIX.matcher(s);
        if (m.find()) {
            String p = m.group(1);
            return new SockAddr('u', "unix", null, -1, p.startsWith("@") ? "@" + unquote(p.substring(1)) : unquote(p));
        }
        return null;
    }
}
