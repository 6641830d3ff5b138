package dev.tether.shop.launcher;

/** JSON strings for the launcher's few JSON answers: quoted and escaped per RFC 8259. Stateless. */
final class Json {
  private Json() {
  }

  /** Appends {@code text} as a JSON string ({@code null} as {@code null}). */
  static StringBuilder string(StringBuilder out, String text) {
    if (text == null) {
      return out.append("null");
    }
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          // Control characters, the two line separators JavaScript rejects in strings, and lone
          // surrogates: escaped, so the output is valid JSON and valid UTF-8.
          boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
              && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
              && !(Character.isLowSurrogate(c) && i > 0
              && Character.isHighSurrogate(text.charAt(i - 1)));
          if (c < 0x20 || c == '\u2028' || c == '\u2029' || lone) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }

  /** Appends {@code ,"name":} (the comma unless {@code first}). */
  static StringBuilder name(StringBuilder out, String name, boolean first) {
    if (!first) {
      out.append(',');
    }
    return string(out, name).append(':');
  }
}
