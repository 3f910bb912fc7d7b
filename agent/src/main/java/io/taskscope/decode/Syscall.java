package io.taskscope.decode;

import java.util.Set;

/**
 * One row of an architecture's syscall table.
 *
 * @param classes strace's trace classes without the leading '%': "file", "desc", "network", ...,
 *                "stat"/"lstat"/"fstat", "%stat" (any stat), "statfs"/"fstatfs", "%statfs", "pure"
 */
public record Syscall(int number, String name, int nargs, Set<String> classes) {
    public boolean in(String cls) {
        return classes.contains(cls);
    }
}
