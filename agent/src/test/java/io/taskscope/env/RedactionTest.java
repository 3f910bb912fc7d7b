package io.taskscope.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void secretsAreMaskedByDefault() {
        for (String n : List.of("DB_PASSWORD", "api_key", "GITHUB_TOKEN", "MYSQL_PASSWD", "APP_SECRET", "GOOGLE_CREDENTIALS",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")) {
            assertTrue(Redaction.isSecret(n), n);
        }
        for (String n : List.of("PATH", "HOME", "AWS_REGION", "ECS_CONTAINER_METADATA_URI_V4")) assertFalse(Redaction.isSecret(n), n);
        var vars = List.of(new EnvVar("DB_PASSWORD", "hunter2", false), new EnvVar("HOME", "/root", false));
        assertEquals(List.of(new EnvVar("DB_PASSWORD", Redaction.MASK, true), vars.get(1)), Redaction.apply(vars, false));
        assertEquals(vars, Redaction.apply(vars, true));
    }

    @Test
    void procfsContentIsJudged() {
        assertTrue(EnvironReader.problemWith(new byte[0], 1).contains("is empty"));
        assertTrue(EnvironReader.problemWith(new byte[64], 1).contains("was blanked, overwritten by the process title"));
        assertTrue(EnvironReader.problemWith("nginx: master process nginx\0\0\0".getBytes(), 1).contains("overwritten"));
        assertEquals(null, EnvironReader.problemWith("A=1\0B=2\0".getBytes(), 1));
    }
}
