package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscope.event.Event;
import io.taskscope.event.ProcessEvent;
import io.taskscope.event.SyscallEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The corpus: secrets as they appear in environments, command lines and written strings, and harmless
 * values that look like them. Every secret must vanish; every harmless value must stay as it is.
 */
class RedactionTest {
    /** An input and the secret inside it that must not be printed. */
    record Secret(String kind, List<String> input, String secret) {}

    static Secret env(String entry, String secret) {
        return new Secret("env", List.of(entry), secret);
    }

    static Secret argv(String secret, String... argv) {
        return new Secret("argv", List.of(argv), secret);
    }

    static Secret text(String s, String secret) {
        return new Secret("text", List.of(s), secret);
    }

    static final List<Secret> SECRETS = List.of(
            env("DATABASE_URL=postgres://app:S3cretPg1@db:5432/app", "S3cretPg1"),
            env("REDIS_URL=redis://:R3disPass9@cache:6379", "R3disPass9"),
            env("SENTRY_DSN=https://0123456789abcdef0123456789abcdef@o42.ingest.sentry.io/7", "0123456789abcdef0123456789abcdef"),
            env("DB_PASS=hunter2xyz", "hunter2xyz"),
            env("MYSQL_PWD=myPwd4242", "myPwd4242"),
            env("GH_PAT=ghp_0123456789abcdefghijABCDEFGHIJ012345", "ghp_0123456789abcdefghij"),
            env("STRIPE=sk_live_51Habcdefghijklmnop", "sk_live_51Habcdefghijklmnop"),
            env("SLACK_WEBHOOK=https://hooks.slack.com/services/T0000AAAA/B1111BBBB/XXXXXXXXXXXXXXXXXXXXXXXX", "XXXXXXXXXXXX"),
            env("NOTIFY=https://hooks.slack.com/services/T0000AAAA/B1111BBBB/YYYYYYYYYYYYYYYYYYYYYYYY", "YYYYYYYYYYYY"),
            env("AUTH_HEADER=Bearer abcdef1234567890", "abcdef1234567890"),
            env("CONFIG=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
            env("PRIVATE_PEM=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", "MIIEvQIBADANBgkqhkiG9w0"),
            env("TLS=-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7xyz\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7xyz"),
            env("JWT=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "eyJzdWIiOiIxMjM0In0"),
            env("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
            env("AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE", "IQoJb3JpZ2luX2VjEXAMPLE"),
            env("API_KEY=abc123def456", "abc123def456"),
            env("SLACK_BOT=xoxb-123456789012-abcdefABCDEF", "xoxb-123456789012"),
            env("MIRROR=https://x-access-token:ghs_abcdefghijklmnopqrstuvwx12@github.com/o/r", "ghs_abcdefghijklmnopqrstuvwx12"),
            env("ENCRYPTION_KEY=0f1e2d3c4b5a69788796a5b4c3d2e1f0", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
            env("OAUTH_CLIENT_SECRET=cs_9f8e7d6c5b4a", "cs_9f8e7d6c5b4a"),
            env("GITHUB_PAT=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABCDEFG"),
            env("SESSION_COOKIE=sessionid=abc123xyz789", "abc123xyz789"),
            env("AMQP_URL=amqp://guest:Gu3stPa55@rabbit:5672/", "Gu3stPa55"),
            env("MONGO_URI=mongodb+srv://admin:M0ngoPw@cluster0.example.net/db", "M0ngoPw"),
            env("MAPS=AIzaSyA-1234567890abcdefghijklmnopqrstu", "AIzaSyA-1234567890"),
            env("RK=rk_live_0123456789abcdef", "rk_live_0123456789abcdef"),
            env("STS=ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"),
            env("CELERY_BROKER_URL=redis://:br0kerpw@redis/0", "br0kerpw"),
            env("GITLAB=glpat-abcdefghij0123456789", "glpat-abcdefghij0123456789"),
            env("PGPASSWORD=pgEnvPw1", "pgEnvPw1"),
            env("JDBC=jdbc:sqlserver://db;user=sa;password=SqlPw2024;", "SqlPw2024"),
            argv("SuperS3cret", "mysql", "-uroot", "-pSuperS3cret", "app"),
            argv("Pa55word!", "app", "--password=Pa55word!"),
            argv("Pa55wordSep", "app", "--password", "Pa55wordSep"),
            argv("PwdSep123", "app", "--passwd", "PwdSep123"),
            argv("tok_abc_123456", "app", "--token", "tok_abc_123456"),
            argv("tokEq98765", "app", "--token=tokEq98765"),
            argv("shh-its-secret", "app", "--secret", "shh-its-secret"),
            argv("key-abc-789", "app", "--api-key", "key-abc-789"),
            argv("keyEq-456", "app", "--api-key=keyEq-456"),
            argv("RootPw77", "psql", "postgresql://root:RootPw77@db/app"),
            argv("X9rootpw", "mysql", "mysql://root:X9rootpw@db"),
            argv("ScriptPw1", "sh", "-c", "mysql -uroot -pScriptPw1 -e 'select 1'"),
            argv("CurlPw55", "curl", "-u", "admin:CurlPw55", "https://example.com"),
            argv("hdrTok123456", "curl", "-H", "Authorization: Bearer hdrTok123456", "https://api.example.com"),
            argv("KsPw1234", "java", "-Djavax.net.ssl.keyStorePassword=KsPw1234", "-jar", "app.jar"),
            argv("SshPw777", "sshpass", "-p", "SshPw777", "ssh", "host"),
            argv("EnvArgPw1", "env", "DB_PASSWORD=EnvArgPw1", "./run"),
            argv("cliSec42", "app", "--client-secret", "cliSec42"),
            argv("mdPw9", "mysqldump", "-pmdPw9", "app"),
            text("\"GET / HTTP/1.1\\r\\nAuthorization: Basic dXNlcjpwYXNz\\r\\n\"...", "dXNlcjpwYXNz"),
            text("\"{\\\"password\\\":\\\"jsonPw99\\\"}\"", "jsonPw99"),
            text("\"POST /login?user=a&password=qsPw123 HTTP/1.1\"", "qsPw123"),
            text("\"X-Api-Key: hdrKey987654\\r\\n\"", "hdrKey987654"));

    static final List<String> HARMLESS_ENV = List.of("PASSWORD_MIN_LENGTH=8", "TOKEN_TTL=3600", "PATH=/usr/local/bin:/usr/bin",
            "HOME=/root", "PWD=/app", "OLDPWD=/", "HOSTNAME=web-1", "LANG=C.UTF-8", "AWS_REGION=eu-west-1",
            "ECS_CONTAINER_METADATA_URI_V4=http://169.254.170.2/v4/abc", "DB_PASSWORD_FILE=/run/secrets/db", "API_KEY_ID=1234",
            "JWT_EXPIRY=15m", "SESSION_TIMEOUT=300", "KEY_ROTATION_DAYS=90", "APP_URL=https://example.com/path",
            "GIT_SHA=3f786850e387550fdab836ed7e6dc881de23001b", "REQUEST_ID=123e4567-e89b-12d3-a456-426614174000",
            "HTTP_PORT=8080", "TZ=Europe/Paris", "NODE_ENV=production", "PASSWORD_POLICY=strong",
            "TOKEN_ENDPOINT=https://auth.example.com/oauth/token", "SECRET_NAME=prod/db", "STRIPE_PUBLIC_KEY=pk_live_abc123",
            "REPO=git@github.com:org/repo.git", "SSH_URL=ssh://git@github.com/org/repo", "DESCRIPTION=Basic authentication required",
            "MESSAGE=Token expired", "KEYBOARD=us", "PASSENGER_APP_ENV=production", "BYPASS_CACHE=1", "TASK=task-definition-family-name",
            "UPSTREAM=http://app:9000/status", "PROXY=http://proxy.internal:3128");

    static final List<List<String>> HARMLESS_ARGV = List.of(List.of("docker", "run", "-p", "8080:80", "nginx"),
            List.of("ssh", "-p", "2222", "host"), List.of("nc", "-p1234"), List.of("nginx", "-g", "daemon off;"),
            List.of("php-fpm", "--nodaemonize"), List.of("git", "checkout", "3f786850e387550fdab836ed7e6dc881de23001b"),
            List.of("curl", "https://example.com/path?page=2"), List.of("app", "--password-file", "/run/secrets/pw"),
            List.of("app", "--token-ttl", "3600"), List.of("app", "--max-password-length", "64"),
            List.of("psql", "--no-password", "-h", "db"), List.of("sort", "-k2"), List.of("mysql", "-p"),
            List.of("mysql", "-h", "db", "-P", "3306"), List.of("app", "--keep-alive", "30"),
            List.of("java", "-Xmx128m", "-jar", "app.jar"), List.of("python3", "manage.py", "runserver", "0.0.0.0:8000"),
            List.of("uuidgen", "123e4567-e89b-12d3-a456-426614174000"), List.of("sh", "-c", "echo PASSWORD_MIN_LENGTH=8"),
            List.of("sleep", "60"));

    static final List<String> HARMLESS_TEXT = List.of("\"HTTP/1.1 200 OK\\r\\nContent-Length: 12\\r\\n\"",
            "\"https://example.com/path\"", "\"user=alice&page=2\"", "\"/var/www/html/index.php\"");

    static String redact(Secret s) {
        return switch (s.kind()) {
            case "env" -> {
                EnvVar v = EnvVar.parse(s.input().get(0));
                yield v.name() + "=" + Redaction.apply(List.of(v), false).get(0).value();
            }
            case "argv" -> String.join(" ", Redaction.commandLine(s.input()));
            default -> Redaction.text(s.input().get(0));
        };
    }

    @Test
    void noSecretOfTheCorpusIsPrinted() {
        assertTrue(SECRETS.size() >= 40, "corpus of " + SECRETS.size());
        List<String> leaked = new ArrayList<>();
        for (Secret s : SECRETS) {
            String out = redact(s);
            if (out.contains(s.secret()) || !out.contains(Redaction.MASK)) leaked.add(s.input() + " -> " + out);
        }
        assertEquals(List.of(), leaked);
    }

    @Test
    void harmlessLookAlikesStayReadable() {
        assertTrue(HARMLESS_ENV.size() + HARMLESS_ARGV.size() + HARMLESS_TEXT.size() >= 40);
        List<String> changed = new ArrayList<>();
        for (String e : HARMLESS_ENV) {
            EnvVar v = EnvVar.parse(e);
            if (!Redaction.apply(List.of(v), false).get(0).equals(v)) changed.add(e);
        }
        for (List<String> a : HARMLESS_ARGV) if (!Redaction.commandLine(a).equals(a)) changed.add(a + " -> " + Redaction.commandLine(a));
        for (String t : HARMLESS_TEXT) if (!Redaction.text(t).equals(t)) changed.add(t + " -> " + Redaction.text(t));
        assertEquals(List.of(), changed);
    }

    @Test
    void onlyTheSecretPartOfAValueIsMasked() {
        assertEquals("postgres://app:<redacted>@db:5432/app", Redaction.variable("DATABASE_URL", "postgres://app:S3cretPg1@db:5432/app"));
        assertEquals(List.of("mysql", "-uroot", "-p<redacted>", "app"), Redaction.commandLine(List.of("mysql", "-uroot", "-pX1", "app")));
        assertEquals(List.of("app", "--password", "<redacted>", "-v"), Redaction.commandLine(List.of("app", "--password", "pw", "-v")));
        List<EnvVar> vars = List.of(new EnvVar("DB_PASSWORD", "hunter2", false), new EnvVar("PATH", "/bin", false));
        assertEquals(List.of(new EnvVar("DB_PASSWORD", Redaction.MASK, true), vars.get(1)), Redaction.apply(vars, false));
        assertEquals(vars, Redaction.apply(vars, true));
        for (String n : List.of("DB_PASSWORD", "api_key", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "MYSQL_PWD", "GH_PAT", "SENTRY_DSN", "DB_PASS")) {
            assertTrue(Redaction.isSecret(n), n);
        }
        for (String n : List.of("PATH", "HOME", "PWD", "AWS_REGION", "ECS_CONTAINER_METADATA_URI_V4", "PASSWORD_MIN_LENGTH")) {
            assertFalse(Redaction.isSecret(n), n);
        }
    }

    @Test
    void eventsAreRedactedAtTheirBoundary() {
        ProcessEvent exec = new ProcessEvent(1, ProcessEvent.Kind.EXEC, 10, 1, "app", "mysql", "/usr/bin/mysql",
                List.of("mysql", "-pS3cret", "--token", "T0ken"), 0, null, null);
        Event r = Redaction.event(exec);
        assertEquals(List.of("mysql", "-p<redacted>", "--token", "<redacted>"), ((ProcessEvent) r).argv());
        assertEquals(exec.withArgv(((ProcessEvent) r).argv()), r, "nothing else changes");
        SyscallEvent execve = new SyscallEvent(1, 10, 10, "app", "sh", 0, "execve",
                List.of("\"/usr/bin/mysql\"", "[\"mysql\", \"-pS3cret\", \"db\"]", "0x7ffc /* 12 vars */"), "/usr/bin/mysql", null, 0, null, 5);
        assertEquals("[\"mysql\", \"-p<redacted>\", \"db\"]", ((SyscallEvent) Redaction.event(execve)).args().get(1));
        SyscallEvent write = new SyscallEvent(1, 10, 10, "app", "curl", 0, "write",
                List.of("3", "\"GET / HTTP/1.1\\r\\nAuthorization: Bearer abcdefgh12\"...", "120"), null, null, 120, null, 5);
        assertFalse(((SyscallEvent) Redaction.event(write)).args().get(1).contains("abcdefgh12"));
        SyscallEvent plain = new SyscallEvent(1, 10, 10, "app", "cat", 0, "openat",
                List.of("AT_FDCWD", "\"/etc/hostname\"", "O_RDONLY"), "/etc/hostname", "O_RDONLY", 3, null, 5);
        assertTrue(Redaction.event(plain) == plain, "an event without secrets is the same object");
    }
}
