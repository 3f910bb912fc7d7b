package io.taskscope.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EscapeTest {
    static final String HOSTILE_COMM = "\u001b]0;CPWN\u0007\u001b[2J";

    @Test
    void controlsDelAndC1AreEscapedAsStraceDoes() {
        assertEquals("\\x1b]0;CPWN\\x07\\x1b[2J", Escape.text(HOSTILE_COMM));
        assertEquals("a\\nb\\tc\\rd\\ve\\ff\\x7fg", Escape.text("a\nb\tc\rd\u000be\ff\u007fg"));
        assertEquals("csi\\xc2\\x9bnel\\xc2\\x85", Escape.text("csi\u009bnel\u0085"));
        assertEquals("a\\\\b", Escape.text("a\\b"));
        assertEquals("caf\u00e9 \u6f22 \ud83d\ude00", Escape.text("caf\u00e9 \u6f22 \ud83d\ude00"));
        assertEquals(null, Escape.text(null));
    }

    @Test
    void controlsLeavesBackslashesAndIsIdempotent() {
        String once = Escape.controls("x\\y\u001b\u0085");
        assertEquals("x\\y\\x1b\\xc2\\x85", once);
        assertEquals(once, Escape.controls(once));
    }

    @Test
    void bytesThatAreNotUtf8SurviveAndStayDistinct() {
        String fe = Bytes.decode(new byte[] {'x', (byte) 0xfe});
        String ff = Bytes.decode(new byte[] {'x', (byte) 0xff});
        assertNotEquals(fe, ff);
        assertEquals("x\\xfe", Escape.text(fe));
        assertEquals("x\\xff", Escape.text(ff));
        assertArrayEquals(new byte[] {'x', (byte) 0xff}, Bytes.encode(ff));
        // Overlong '/', an encoded surrogate and a truncated sequence are not UTF-8 either.
        assertEquals("\\xc0\\xaf|\\xed\\xa0\\x80|\\xe2\\x82", Escape.text(Bytes.decode(
                new byte[] {(byte) 0xc0, (byte) 0xaf, '|', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '|', (byte) 0xe2, (byte) 0x82})));
        assertEquals("\u20ac\ud83d\ude00", Bytes.decode("\u20ac\ud83d\ude00".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyByteStringRoundTripsThroughDecodeEncodeAndTextUnescape() {
        Random r = new Random(12);
        for (int n = 0; n < 5000; n++) {
            byte[] b = new byte[r.nextInt(12)];
            r.nextBytes(b);
            String s = Bytes.decode(b);
            assertArrayEquals(b, Bytes.encode(s));
            String shown = Escape.text(s);
            shown.codePoints().forEach(c -> assertTrue(c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f) && !(c >= 0xd800 && c <= 0xdfff), shown));
            assertArrayEquals(b, Bytes.encode(Escape.unescape(shown)), shown);
        }
    }

    @Test
    void unescapeNamesAnyFile() {
        assertArrayEquals(new byte[] {'/', 't', '/', (byte) 0xff}, Bytes.encode(Escape.unescape("/t/\\xff")));
        assertEquals("/a\\b", Escape.unescape("/a\\\\b"));
        assertEquals("/a\\qb\\x", Escape.unescape("/a\\qb\\x"));
        assertEquals("\u0085", Escape.unescape("\\xc2\\x85"));
        assertEquals("caf\u00e9", Escape.unescape("caf\\xc3\\xa9"));
    }

    @Test
    void jsonEscapesC0DelC1AndCarriesRawBytesAsLoneSurrogates() throws Exception {
        String raw = Bytes.decode(new byte[] {'x', (byte) 0xff});
        String value = HOSTILE_COMM + "\u007f\u0085\u009b\u2028" + raw + "\u00e9";
        String expected = "{\"s\":\"\\u001B]0;CPWN\\u0007\\u001B[2J\\u007f\\u0085\\u009b\\u2028x\\udcff\u00e9\"}";
        StringWriter w = new StringWriter();
        try (JsonGenerator g = Escape.jsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("s", value);
            g.writeEndObject();
        }
        assertEquals(expected, w.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Escape.jsonMapper().writeValue(bytes, Map.of("s", value));
        assertEquals(expected, bytes.toString(StandardCharsets.UTF_8));
        assertEquals(expected, Escape.jsonMapper().writeValueAsString(Map.of("s", value)));
        // Read back, the value is the same string: the raw byte included.
        assertEquals(value, Escape.jsonMapper().readTree(expected).get("s").asText());
        assertEquals("[\"\\udcfe\",\"\\udcff\"]", Escape.jsonMapper().writeValueAsString(
                List.of(Bytes.decode(new byte[] {(byte) 0xfe}), Bytes.decode(new byte[] {(byte) 0xff}))));
    }
}
