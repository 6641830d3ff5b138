package dev.tether;

import dev.tether.SaPolicy.ClientAuth;
import dev.tether.SaPolicy.FlushScope;
import dev.tether.internal.Durations;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the policy file format: sections {@code [policy NAME]} followed by {@code key = value} lines;
 * {@code #} starts a comment; list values are separated by commas. Every error names the source, the
 * line and what is wrong.
 *
 * <pre>
 * [policy admin]
 * applies-to = role:admin
 * protocols = TLSv1.3
 * grace = 0
 * on-login = peer
 * require-own-association = true
 * </pre>
 */
final class PolicyFile {
  static final Set<String> KEYS = Set.of("applies-to", "protocols", "cipher-suites", "client-auth",
      "grace", "max-age", "max-age-at-once", "on-login", "on-logout", "require-own-association",
      "open-connections");

  private PolicyFile() {}

  static List<SaPolicy> parse(String text, String source) {
    List<SaPolicy> policies = new ArrayList<>();
    SaPolicy.Builder current = null;
    int currentLine = 0;
    Set<String> seenKeys = new HashSet<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = stripComment(lines[i]).trim();
      if (line.isEmpty()) {
        continue;
      }
      try {
        if (line.startsWith("[")) {
          if (!line.endsWith("]")) {
            throw new IllegalArgumentException("a section header must end with ']'");
          }
          String[] words = line.substring(1, line.length() - 1).trim().split("\\s+");
          if (words.length != 2 || !words[0].equals("policy")) {
            throw new IllegalArgumentException("expected '[policy NAME]' but found '" + line + "'");
          }
          if (current != null) {
            policies.add(build(current, source, currentLine));
          }
          current = SaPolicy.builder(words[1]);
          currentLine = lineNo;
          seenKeys.clear();
          continue;
        }
        int eq = line.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("expected 'key = value' but found '" + line + "'");
        }
        String key = line.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(eq + 1).trim();
        if (current == null) {
          throw new IllegalArgumentException("'" + key + "' comes before any [policy NAME] section");
        }
        if (!KEYS.contains(key)) {
          throw new IllegalArgumentException("unknown key '" + key + "'; known keys: "
              + KEYS.stream().sorted().toList());
        }
        if (!seenKeys.add(key)) {
          throw new IllegalArgumentException("'" + key + "' is set twice in this policy");
        }
        apply(current, key, value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ":" + lineNo + ": " + e.getMessage(), e);
      }
    }
    if (current != null) {
      policies.add(build(current, source, currentLine));
    }
    if (policies.isEmpty()) {
      throw new IllegalArgumentException(source + ": no [policy NAME] section");
    }
    return policies;
  }

  private static SaPolicy build(SaPolicy.Builder b, String source, int line) {
    SaPolicy p = b.build();
    if (p.appliesTo().isEmpty()) {
      throw new IllegalArgumentException(source + ":" + line + ": policy '" + p.name()
          + "' has no applies-to (anonymous, role:NAME or user:NAME)");
    }
    return p;
  }

  private static void apply(SaPolicy.Builder b, String key, String value) {
    switch (key) {
      case "applies-to" -> b.appliesTo(list(key, value));
      case "protocols" -> b.protocols(list(key, value));
      case "cipher-suites" -> b.cipherSuites(list(key, value));
      case "client-auth" -> b.clientAuth(ClientAuth.valueOf(choice(key, value, "none", "want", "need")));
      case "grace" -> b.grace(Durations.parse(key, value));
      case "max-age" -> b.maxAge(Durations.parse(key, value));
      case "max-age-at-once" -> b.maxAgeAtOnce(bool(key, value));
      case "on-login" -> b.onLogin(scope(key, value));
      case "on-logout" -> b.onLogout(scope(key, value));
      case "require-own-association" -> b.requireOwnAssociation(bool(key, value));
      case "open-connections" -> b.openConnections(
          SaPolicy.OpenConnections.valueOf(choice(key, value, "close", "keep")));
      default -> throw new IllegalStateException(key);
    }
  }

  private static FlushScope scope(String key, String value) {
    return FlushScope.valueOf(choice(key, value, "none", "connection", "peer", "all"));
  }

  private static String choice(String key, String value, String... allowed) {
    String v = value.toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(v)) {
        return v.toUpperCase(Locale.ROOT);
      }
    }
    throw new IllegalArgumentException(key + " = '" + value + "' must be one of "
        + String.join(", ", allowed));
  }

  private static boolean bool(String key, String value) {
    return Boolean.parseBoolean(choice(key, value, "true", "false"));
  }

  private static String[] list(String key, String value) {
    String[] items = value.split("\\s*,\\s*");
    if (value.isEmpty() || items.length == 0) {
      throw new IllegalArgumentException(key + " needs at least one value");
    }
    return items;
  }

  private static String stripComment(String line) {
    int hash = line.indexOf('#');
    return hash < 0 ? line : line.substring(0, hash);
  }
}
