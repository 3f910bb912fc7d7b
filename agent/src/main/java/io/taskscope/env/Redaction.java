package io.taskscope.env;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides what is a secret, for environments, command lines, syscall strings and
 * events. Where it applies: the agent redacts every event as its dispatch thread takes it (before rules and sinks), and
 * never reveals; each CLI command redacts at output unless {@code --show-secrets}. docs/security.md
 * lists the rules.
 *
 * <ul>
 *   <li><b>By name</b> ({@link #isSecret}): a variable or option whose name has a secret word among its
 *       parts (PASSWORD, PASSWD, PASS, PWD, SECRET, TOKEN, KEY, CREDENTIAL, AUTH, PAT, DSN, PRIVATE,
 *       COOKIE, WEBHOOK...), unless its last part says it holds a property of the secret, not the secret
 *       ({@code PASSWORD_MIN_LENGTH}, {@code TOKEN_TTL}, {@code DB_PASSWORD_FILE}); its whole value is
 *       masked.</li>
 *   <li><b>By value</b> ({@link #text}): the password of URL userinfo, token shapes (AWS key ids, GitHub,
 *       GitLab, Stripe, Slack, Google, npm, OpenAI keys, JWTs), PEM private keys, Bearer/Basic credentials,
 *       secret HTTP headers, Slack/Discord webhook URLs, and {@code name=value} pairs whose name is a
 *       secret; only the secret part is masked, the rest stays readable.</li>
 *   <li><b>Command lines</b> ({@link #commandLine}): the above per argument, plus the argument after
 *       {@code --password}, {@code --token}, {@code --secret}, {@code --api-key}... (separate form),
 *       mysql's {@code -pX}, sshpass's {@code -p X}, curl's {@code -u user:X}; inside {@code sh -c}
 *       scripts too.</li>
 * </ul>
 */
public final class Redaction {
    public static final String MASK = "<redacted>";

    /** Parts of a name that make its value a secret. */
    private static final Set<String> WORDS = Set.of("SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD", "PASS",
            "PWD", "PASSPHRASE", "TOKEN", "TOKENS", "KEY", "KEYS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "CREDS",
            "AUTH", "AUTHORIZATION", "PAT", "DSN", "PRIVATE", "COOKIE", "WEBHOOK", "SIGNATURE", "SALT");
    /** Parts that make an option a secret when its value is the next argument (a narrower set: --private is a switch). */
    private static final Set<String> FLAG_WORDS = Set.of("SECRET", "PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE",
            "TOKEN", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS");
    /** A last part that names a property of the secret (its length, lifetime, file, id...), not the secret. */
    private static final Set<String> DESCRIPTORS = Set.of("LENGTH", "LEN", "MIN", "MAX", "TTL", "EXPIRY", "EXPIRES",
            "EXPIRATION", "TIMEOUT", "LIFETIME", "DURATION", "AGE", "INTERVAL", "SECONDS", "MINUTES", "HOURS", "DAYS",
            "SECS", "MS", "FILE", "PATH", "DIR", "DIRECTORY", "POLICY", "COUNT", "SIZE", "BITS", "ENABLED", "ENABLE",
            "DISABLED", "DISABLE", "REQUIRED", "TYPE", "ALGORITHM", "ALG", "ROTATION", "VERSION", "ID", "NAME", "ARN",
            "URL", "URI", "ENDPOINT", "HOST", "PORT", "USER", "USERNAME", "REGION", "MODE", "FORMAT", "LEVEL",
            "STRENGTH", "COMPLEXITY", "HISTORY", "PATTERN", "REGEX", "CHARS", "PROVIDER", "ISSUER", "AUDIENCE", "SCOPE",
            "SCOPES", "FIELD", "PARAM", "PREFIX", "LIMIT", "ATTEMPTS", "RETRIES", "LOCATION", "STORE", "HASH", "COLUMN");
    /** Named outright, whatever the rules above say: ECS task-role credentials and friends. */
    private static final Set<String> NAMES = Set.of("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "MYSQL_PWD", "PGPASSWORD", "REDISCLI_AUTH", "SSHPASS");

    private static final Pattern PARTS = Pattern.compile("[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])");

    /** Token shapes, masked whole. */
    private static final Pattern TOKENS = Pattern.compile(String.join("|",
            "\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b",              // AWS access key ids
            "\\bgh[pousr]_[A-Za-z0-9]{20,}",                          // GitHub tokens
            "\\bgithub_pat_[A-Za-z0-9_]{20,}",
            "\\bglpat-[A-Za-z0-9_-]{20,}",                            // GitLab
            "\\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}",                // Stripe secret and restricted keys
            "\\bxox[abposr]-[A-Za-z0-9-]{10,}",                       // Slack
            "\\bAIza[0-9A-Za-z_-]{35}",                               // Google API keys
            "\\bnpm_[A-Za-z0-9]{36}",                                 // npm
            "\\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}",                     // OpenAI-style
            "\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{4,}(?:\\.[A-Za-z0-9_-]*)?")); // JWTs (header.payload[.signature])
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----.*?(?:-----END \\1PRIVATE KEY(?: BLOCK)?-----|$)", Pattern.DOTALL);
    /** scheme://user:password@ -> the password; scheme://TOKEN@ (no password, a long user) -> the user. */
    private static final Pattern USERINFO = Pattern.compile(
            "\\b([A-Za-z][A-Za-z0-9+.-]*://)([^\\s:@/?#\"'\\\\]*):([^\\s@/?#\"'\\\\]+)@");
    private static final Pattern USER_TOKEN = Pattern.compile(
            "\\b([A-Za-z][A-Za-z0-9+.-]*://)([A-Za-z0-9_.~-]{16,})@");
    private static final Pattern WEBHOOKS = Pattern.compile(
            "(https://hooks\\.slack\\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+"
                    + "|(https://(?:canary\\.|ptb\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]+/)[A-Za-z0-9_-]+");
    private static final Pattern SCHEMES = Pattern.compile(
            "\\b((?i:Bearer)\\s+)[A-Za-z0-9._~+/=-]{8,}|\\b((?i:Basic)\\s+)(?=.[A-Za-z0-9+/]*?[0-9+/=A-Z])[A-Za-z0-9+/]{8,}=*");
    private static final Pattern HEADERS = Pattern.compile("(?i)\\b((?:x-)?api-key|x-auth-token|x-access-token|"
            + "(?:proxy-)?authorization|(?:set-)?cookie|x-amz-security-token|private-token)(\\s*:\\s*)([^\\r\\n\"\\\\]+)");
    /** name=value with a secret name: the value, up to a separator (&, ;, space, quote, comma, backslash). */
    private static final Pattern PAIRS = Pattern.compile("(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]+)=([^&;\\s\"'\\\\,]+)");
    /** "name": "value" in JSON, also as strace escapes it (\"name\":\"value\"). */
    private static final Pattern JSON_PAIRS = Pattern.compile(
            "(\\\\?\"([A-Za-z0-9_.-]+)\\\\?\"\\s*:\\s*\\\\?\")((?:[^\"\\\\]|\\\\[^\"])+)(\\\\?\")");
    private static final Pattern MYSQL = Pattern.compile("(?:.*/)?(?:mysql[a-z_]*|mariadb[a-z_-]*)");

    private Redaction() {}

    // ---------------------------------------------------------------- names

    /** Whether a variable (or option, or key) of this name holds a secret. */
    public static boolean isSecret(String name) {
        return secretName(name, WORDS);
    }

    private static boolean secretName(String name, Set<String> words) {
        String n = name.replaceFirst("^-+", "");
        String upper = n.toUpperCase(Locale.ROOT);
        if (NAMES.contains(upper)) return true;
        if (upper.equals("PWD") || upper.equals("OLDPWD")) return false; // the shell's working directories
        String[] parts = PARTS.split(n);
        if (parts.length == 0) return false;
        boolean secret = false, isPublic = false;
        for (String p : parts) {
            String u = p.toUpperCase(Locale.ROOT);
            secret |= words.contains(u);
            isPublic |= u.equals("PUBLIC");
        }
        return secret && !isPublic && !DESCRIPTORS.contains(parts[parts.length - 1].toUpperCase(Locale.ROOT));
    }

    // ---------------------------------------------------------------- values

    /** {@code s} with every secret found by value masked; the same string when there is none. */
    public static String text(String s) {
        if (s == null || s.length() < 8) return s;
        String r = PEM.matcher(s).replaceAll(m -> Matcher.quoteReplacement("-----BEGIN " + m.group(1) + "PRIVATE KEY"
                + (m.group(2) == null ? "" : m.group(2)) + "-----" + MASK));
        r = HEADERS.matcher(r).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
        r = WEBHOOKS.matcher(r).replaceAll(m -> Matcher.quoteReplacement((m.group(1) != null ? m.group(1) : m.group(2)) + MASK));
        r = USERINFO.matcher(r).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + ":" + MASK + "@"));
        r = USER_TOKEN.matcher(r).replaceAll(m -> Matcher.quoteReplacement(
                looksLikeToken(m.group(2)) ? m.group(1) + MASK + "@" : m.group()));
        r = SCHEMES.matcher(r).replaceAll(m -> Matcher.quoteReplacement((m.group(1) != null ? m.group(1) : m.group(2)) + MASK));
        r = TOKENS.matcher(r).replaceAll(Matcher.quoteReplacement(MASK));
        r = PAIRS.matcher(r).replaceAll(m -> Matcher.quoteReplacement(
                isSecret(m.group(1)) && !m.group(2).equals(MASK) ? m.group(1) + "=" + MASK : m.group()));
        r = JSON_PAIRS.matcher(r).replaceAll(m -> Matcher.quoteReplacement(
                isSecret(m.group(2)) ? m.group(1) + MASK + m.group(4) : m.group()));
        return r.equals(s) ? s : r;
    }

    /** A user part of 16+ characters with letters and digits: a token, not a login name like "git" or "deploy". */
    private static boolean looksLikeToken(String user) {
        return user.chars().anyMatch(Character::isDigit) && user.chars().anyMatch(Character::isLetter);
    }

    /** The value of variable {@code name} as it may be shown. */
    public static String variable(String name, String value) {
        if (value == null || value.isEmpty()) return value;
        return isSecret(name) ? MASK : text(value);
    }

    /** The variables with secret values masked (show = true returns them unchanged). */
    public static List<EnvVar> apply(List<EnvVar> vars, boolean show) {
        if (show) return vars;
        return vars.stream().map(v -> {
            String shown = variable(v.name(), v.value());
            return shown.equals(v.value()) ? v : new EnvVar(v.name(), shown, true);
        }).toList();
    }

    // ---------------------------------------------------------------- command lines

    /** {@code argv} with secrets masked (the same list when there is none). Null stays null. */
    public static List<String> commandLine(List<String> argv) {
        if (argv == null || argv.isEmpty()) return argv;
        List<String> out = new ArrayList<>(argv.size());
        for (String a : argv) out.add(text(a));
        tokens(out);
        for (int i = 0; i < out.size(); i++) {
            String a = out.get(i);
            if (a.indexOf(' ') > 0 && a.indexOf(' ') < a.length() - 1) { // a script (sh -c "..."): its words too
                List<String> words = new ArrayList<>(List.of(a.split(" ", -1)));
                tokens(words);
                out.set(i, String.join(" ", words));
            }
        }
        return out.equals(argv) ? argv : List.copyOf(out);
    }

    /** The argument rules that look at neighbours: --password X, mysql -pX, sshpass -p X, curl -u user:X. */
    private static void tokens(List<String> w) {
        String program = "";
        for (int i = 0; i < w.size(); i++) {
            String a = w.get(i);
            boolean hasNext = i + 1 < w.size();
            if (!a.startsWith("-") || a.equals("-")) {
                if (program.isEmpty() || MYSQL.matcher(a).matches() || a.endsWith("curl") || a.endsWith("sshpass")) program = a;
                continue;
            }
            boolean mysql = MYSQL.matcher(program).matches(), curl = program.endsWith("curl"),
                    sshpass = program.endsWith("sshpass");
            if (mysql && a.startsWith("-p") && a.length() > 2) {
                w.set(i, "-p" + MASK);                               // mysql -pX (-p alone prompts)
            } else if (sshpass && a.startsWith("-p")) {
                if (a.length() > 2) w.set(i, "-p" + MASK);
                else if (hasNext) w.set(++i, MASK);
            } else if (curl && (a.equals("-u") || a.equals("--user") || a.equals("--proxy-user") || a.equals("-U"))) {
                if (hasNext) w.set(i + 1, userPass(w.get(++i)));
            } else if (curl && (a.startsWith("-u") || a.startsWith("-U")) && !a.startsWith("--")) {
                w.set(i, a.substring(0, 2) + userPass(a.substring(2)));
            } else if ((a.startsWith("--") || a.length() > 2) && a.indexOf('=') < 0 && !a.startsWith("--no-")
                    && secretName(a, FLAG_WORDS) && hasNext && !w.get(i + 1).startsWith("-")) {
                w.set(++i, MASK);                                    // --password X, -password X
            }
        }
    }

    private static String userPass(String s) {
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(0, colon + 1) + MASK;
    }

    // ---------------------------------------------------------------- events

    /**
     * The event with secrets masked: a process event's argv; a syscall's string arguments (execve's
     * argv as a command line, the {@code -s} strings of write, sendto and the rest by value). Other events
     * are returned as they are.
     */
    public static Event event(Event e) {
        if (e instanceof ProcessEvent p) {
            List<String> argv = commandLine(p.argv());
            return argv == p.argv() ? p : p.withArgv(argv);
        }
        if (e instanceof SyscallEvent s && s.args() != null) {
            boolean exec = s.syscall().equals("execve") || s.syscall().equals("execveat");
            List<String> args = null;
            for (int i = 0; i < s.args().size(); i++) {
                String a = s.args().get(i);
                if (a == null || a.indexOf('"') < 0) continue;
                String r = exec && a.startsWith("[") ? straceArray(a) : text(a);
                if (r.equals(a)) continue;
                if (args == null) args = new ArrayList<>(s.args());
                args.set(i, r);
            }
            return args == null ? s : s.withArgs(List.copyOf(args));
        }
        return e;
    }

    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** strace's {@code ["mysql", "-pX", ...]}: each element's text through {@link #commandLine}. */
    static String straceArray(String array) {
        Matcher m = QUOTED.matcher(array);
        List<int[]> spans = new ArrayList<>();
        List<String> elements = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(1), m.end(1)});
            elements.add(m.group(1));
        }
        List<String> masked = commandLine(elements);
        if (masked.equals(elements)) return array;
        StringBuilder b = new StringBuilder(array.length());
        int at = 0;
        for (int i = 0; i < spans.size(); i++) {
            b.append(array, at, spans.get(i)[0]).append(masked.get(i));
            at = spans.get(i)[1];
        }
        return b.append(array, at, array.length()).toString();
    }
}
