package dev.tether.servlet;

import java.time.Instant;
import java.util.Arrays;

/**
 * A minimal streaming JSON writer: objects, arrays, strings, integers, booleans and {@code null}, with
 * commas placed for the caller and strings escaped per RFC 8259. Output is compact (no whitespace).
 *
 * <p>Strings escape {@code "} and {@code \}, every control character, U+2028 and U+2029 (which break
 * JavaScript string literals) and unpaired surrogates (so the output is always valid UTF-8). Instants
 * are written as ISO-8601 strings in UTC.
 *
 * <pre>{@code
 * String json = new JsonWriter()
 *     .beginObject()
 *     .name("id").value("0000002a")
 *     .name("references").value(2)
 *     .endObject()
 *     .toString();   // {"id":"0000002a","references":2}
 * }</pre>
 *
 * <p>Not thread-safe: one writer per document. A call out of order (a value where a name is due, an
 * unbalanced end) throws {@link IllegalStateException}.
 */
final class JsonWriter {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  // Scopes on the stack; "EMPTY" scopes have no element yet, so the next one needs no comma.
  private static final byte EMPTY_ARRAY = 1;
  private static final byte ARRAY = 2;
  private static final byte EMPTY_OBJECT = 3;
  private static final byte OBJECT = 4;
  private static final byte NAME = 5;

  private final StringBuilder out;
  private byte[] stack = new byte[8];
  private int depth;
  private boolean done;

  /** Creates a writer with its own buffer. */
  JsonWriter() {
    this(new StringBuilder(256));
  }

  /** Creates a writer that appends to {@code out}. */
  JsonWriter(StringBuilder out) {
    this.out = out;
  }

  /** Opens an object. */
  JsonWriter beginObject() {
    beforeValue();
    push(EMPTY_OBJECT);
    out.append('{');
    return this;
  }

  /** Closes the innermost object. */
  JsonWriter endObject() {
    if (depth == 0 || (stack[depth - 1] != OBJECT && stack[depth - 1] != EMPTY_OBJECT)) {
      throw new IllegalStateException("endObject() outside an object, or after a name");
    }
    depth--;
    out.append('}');
    afterValue();
    return this;
  }

  /** Opens an array. */
  JsonWriter beginArray() {
    beforeValue();
    push(EMPTY_ARRAY);
    out.append('[');
    return this;
  }

  /** Closes the innermost array. */
  JsonWriter endArray() {
    if (depth == 0 || (stack[depth - 1] != ARRAY && stack[depth - 1] != EMPTY_ARRAY)) {
      throw new IllegalStateException("endArray() outside an array");
    }
    depth--;
    out.append(']');
    afterValue();
    return this;
  }

  /** Writes the name of the next member of the current object. */
  JsonWriter name(String name) {
    if (name == null) {
      throw new IllegalArgumentException("a member name cannot be null");
    }
    byte scope = depth == 0 ? 0 : stack[depth - 1];
    if (scope != OBJECT && scope != EMPTY_OBJECT) {
      throw new IllegalStateException("name(\"" + name + "\") outside an object, or twice in a row");
    }
    if (scope == OBJECT) {
      out.append(',');
    }
    stack[depth - 1] = NAME;
    quote(name, out);
    out.append(':');
    return this;
  }

  /** Writes a string, or {@code null}. */
  JsonWriter value(String value) {
    if (value == null) {
      return nullValue();
    }
    beforeValue();
    quote(value, out);
    afterValue();
    return this;
  }

  /** Writes an integer. */
  JsonWriter value(long value) {
    beforeValue();
    out.append(value);
    afterValue();
    return this;
  }

  /** Writes a boolean. */
  JsonWriter value(boolean value) {
    beforeValue();
    out.append(value);
    afterValue();
    return this;
  }

  /** Writes an instant as an ISO-8601 string in UTC, or {@code null}. */
  JsonWriter value(Instant value) {
    return value == null ? nullValue() : value(value.toString());
  }

  /** Writes {@code null}. */
  JsonWriter nullValue() {
    beforeValue();
    out.append("null");
    afterValue();
    return this;
  }

  /**
   * Returns the document.
   *
   * @throws IllegalStateException if an object or array is still open
   */
  @Override
  public String toString() {
    if (depth != 0) {
      throw new IllegalStateException("the document has " + depth + " unclosed object(s)/array(s)");
    }
    return out.toString();
  }

  /** Returns {@code s} as a quoted, escaped JSON string. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    quote(s, sb);
    return sb.toString();
  }

  /** Appends {@code s} to {@code sb} as a quoted, escaped JSON string. */
  static void quote(CharSequence s, StringBuilder sb) {
    sb.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            unicode(c, sb);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
              sb.append(c).append(s.charAt(++i));
            } else {
              unicode(c, sb);
            }
          } else if (Character.isLowSurrogate(c)) {
            unicode(c, sb);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicode(char c, StringBuilder sb) {
    sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
        .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
  }

  private void beforeValue() {
    if (depth == 0) {
      if (done) {
        throw new IllegalStateException("a JSON document has a single top-level value");
      }
      return;
    }
    switch (stack[depth - 1]) {
      case NAME -> { }
      case EMPTY_ARRAY -> stack[depth - 1] = ARRAY;
      case ARRAY -> out.append(',');
      default -> throw new IllegalStateException("a value inside an object needs a name first");
    }
  }

  private void afterValue() {
    if (depth == 0) {
      done = true;
    } else if (stack[depth - 1] == NAME) {
      stack[depth - 1] = OBJECT;
    }
  }

  private void push(byte scope) {
    if (depth == stack.length) {
      stack = Arrays.copyOf(stack, depth * 2);
    }
    stack[depth++] = scope;
  }
}
