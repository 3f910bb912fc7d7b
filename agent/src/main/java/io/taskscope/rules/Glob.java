package io.taskscope.rules;

import java.util.regex.Pattern;

/**
 * A shell-style pattern: {@code *} matches within one path segment, {@code **} across segments,
 * {@code ?} one character, {@code [abc]} a class. Patterns without wildcards compare as text.
 */
public record Glob(String pattern, Pattern regex) {
    public static Glob of(String pattern) {
        StringBuilder re = new StringBuilder();
        boolean wild = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> {
                    wild = true;
                    if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                        i++;
                        // "/**/" also matches "/" so that /var/www/**/x.php covers /var/www/x.php
                        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                            i++;
                            re.append("(?:.*/)?");
                        } else {
                            re.append(".*");
                        }
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> {
                    wild = true;
                    re.append("[^/]");
                }
                case '[' -> {
                    int end = pattern.indexOf(']', i + 2);
                    if (end < 0) throw new IllegalArgumentException("unclosed '[' in pattern '" + pattern + "'");
                    wild = true;
                    String body = pattern.substring(i + 1, end);
                    if (body.startsWith("!")) body = "^" + body.substring(1);
                    re.append('[').append(body.replace("\\", "\\\\")).append(']');
                    i = end;
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new Glob(pattern, wild ? Pattern.compile(re.toString(), Pattern.DOTALL) : null);
    }

    public boolean matches(String s) {
        if (s == null) return false;
        return regex == null ? pattern.equals(s) : regex.matcher(s).matches();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
