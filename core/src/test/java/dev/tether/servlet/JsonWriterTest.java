package dev.tether.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.testing.JsonParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

  @Test
  void quote_escapesQuotesBackslashesAndShortEscapes() {
    assertThat(JsonWriter.quote("a\"b\\c\nd\re\tf\bg\fh"))
        .isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\"");
  }

  @Test
  void quote_escapesOtherControlCharactersAsUnicode() {
    assertThat(JsonWriter.quote("\u0000\u0001\u001f")).isEqualTo("\"\\u0000\\u0001\\u001f\"");
  }

  @Test
  void quote_escapesLineAndParagraphSeparators() {
    assertThat(JsonWriter.quote("a\u2028b\u2029")).isEqualTo("\"a\\u2028b\\u2029\"");
  }

  @Test
  void quote_keepsPairedSurrogatesAndEscapesLoneOnes() {
    String emoji = "\uD83D\uDE00";
    assertThat(JsonWriter.quote(emoji)).isEqualTo("\"" + emoji + "\"");
    assertThat(JsonWriter.quote("x\uD83Dy")).isEqualTo("\"x\\ud83dy\"");
    assertThat(JsonWriter.quote("\uDE00\uD83D")).isEqualTo("\"\\ude00\\ud83d\"");
  }

  @Test
  void quote_leavesPlainAndNonAsciiTextAlone() {
    assertThat(JsonWriter.quote("Grüße / <b> & 東京")).isEqualTo("\"Grüße / <b> & 東京\"");
  }

  @Property
  void quote_roundTripsAnyStringAndEncodesAsValidUtf8(@ForAll String s) {
    String json = JsonWriter.quote(s);
    assertThat(JsonParser.parse(json)).isEqualTo(s);
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(json);
    assertThat(json.chars().filter(c -> c < 0x20)).isEmpty();
  }

  @Test
  void writer_placesCommasInNestedObjectsAndArrays() {
    String json = new JsonWriter()
        .beginObject()
        .name("a").value(1)
        .name("b").beginArray().value("x").value(true).nullValue().beginObject().endObject()
        .beginArray().endArray().endArray()
        .name("c").beginObject().name("d").value(-5).endObject()
        .name("e").value((String) null)
        .endObject()
        .toString();
    assertThat(json).isEqualTo("{\"a\":1,\"b\":[\"x\",true,null,{},[]],\"c\":{\"d\":-5},\"e\":null}");
    @SuppressWarnings("unchecked")
    Map<String, Object> parsed = (Map<String, Object>) JsonParser.parse(json);
    assertThat(parsed).containsEntry("a", 1L).containsEntry("c", Map.of("d", -5L))
        .containsEntry("e", null);
    assertThat(parsed.get("b")).isEqualTo(Arrays.asList("x", true, null, Map.of(), List.of()));
  }

  @Test
  void writer_writesInstantsAsIsoStringsAndNullInstantsAsNull() {
    String json = new JsonWriter().beginArray()
        .value(Instant.parse("2026-03-01T12:30:05.123Z")).value((Instant) null).endArray().toString();
    assertThat(json).isEqualTo("[\"2026-03-01T12:30:05.123Z\",null]");
  }

  @Test
  void writer_escapesNames() {
    String json = new JsonWriter().beginObject().name("a\"b").value("c").endObject().toString();
    assertThat(json).isEqualTo("{\"a\\\"b\":\"c\"}");
  }

  @Test
  void writer_rejectsValueWithoutNameInObject() {
    JsonWriter w = new JsonWriter().beginObject();
    assertThatThrownBy(() -> w.value(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a name");
  }

  @Test
  void writer_rejectsNameOutsideObjectAndTwoNamesInARow() {
    assertThatThrownBy(() -> new JsonWriter().beginArray().name("x"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginObject().name("x").name("y"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void writer_rejectsUnbalancedEndsAndUnclosedDocuments() {
    assertThatThrownBy(() -> new JsonWriter().beginObject().endArray())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginArray().endObject())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginObject().name("x").endObject())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginArray().toString())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("unclosed");
  }

  @Test
  void writer_rejectsSecondTopLevelValue() {
    assertThatThrownBy(() -> new JsonWriter().value(1).value(2))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void writer_handlesDeepNesting() {
    JsonWriter w = new JsonWriter();
    for (int i = 0; i < 40; i++) {
      w.beginArray();
    }
    for (int i = 0; i < 40; i++) {
      w.endArray();
    }
    assertThat(w.toString()).isEqualTo("[".repeat(40) + "]".repeat(40));
  }
}
