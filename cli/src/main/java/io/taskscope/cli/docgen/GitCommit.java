package io.taskscope.cli.docgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The commit a checkout is at, read from its .git (no git binary needed: the image's build stage has none). */
final class GitCommit {
    private GitCommit() {}

    static String of(Path repo) {
        try {
            Path dotGit = repo.resolve(".git");
            Path gitDir = dotGit;
            if (Files.isRegularFile(dotGit)) { // a worktree: "gitdir: /path/.git/worktrees/NAME"
                String line = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
                if (!line.startsWith("gitdir:")) return "unknown";
                gitDir = repo.resolve(line.substring("gitdir:".length()).trim());
            }
            if (!Files.isDirectory(gitDir)) return "unknown";
            Path common = gitDir;
            Path commondir = gitDir.resolve("commondir");
            if (Files.isRegularFile(commondir)) {
                common = gitDir.resolve(Files.readString(commondir, StandardCharsets.UTF_8).trim()).normalize();
            }
            String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).trim();
            if (!head.startsWith("ref:")) return shortSha(head);
            String ref = head.substring(4).trim();
            for (Path dir : new Path[] {gitDir, common}) {
                Path loose = dir.resolve(ref);
                if (Files.isRegularFile(loose)) return shortSha(Files.readString(loose, StandardCharsets.UTF_8).trim());
            }
            Path packed = common.resolve("packed-refs");
            if (Files.isRegularFile(packed)) {
                for (String l : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                    if (l.endsWith(" " + ref)) return shortSha(l.substring(0, l.indexOf(' ')));
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown";
    }

    private static String shortSha(String sha) {
        return sha.matches("[0-9a-f]{40,64}") ? sha.substring(0, 12) : "unknown";
    }
}
