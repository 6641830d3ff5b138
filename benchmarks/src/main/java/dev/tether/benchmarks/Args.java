package dev.tether.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the benchmarks' {@code --name=value} (or {@code --name value}) command-line options; a bare
 * flag is "true". Not thread-safe; used once in {@code main}.
 */
public final class Args {
  private Args() {}

  public static Map<String, String> parse(String... args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "': options are --name=value");
      }
      int eq = arg.indexOf('=');
      if (eq > 0) {
        options.put(arg.substring(2, eq), arg.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        options.put(arg.substring(2), args[++i]);
      } else {
        options.put(arg.substring(2), "true");
      }
    }
    return options;
  }

  public static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("option --" + name + " is required");
    }
    return value;
  }

  /**
   * Parses the options of a program that takes {@code known} only: any other (a misspelt name, a
   * guessed {@code --help}) stops it before it starts, naming the options it takes, instead of being
   * ignored while a long run starts with the defaults.
   */
  public static Map<String, String> parse(List<String> known, String... args) {
    Map<String, String> options = parse(args);
    for (String name : options.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; the options are --"
            + String.join(", --", known));
      }
    }
    return options;
  }

  /** Parses a whole number of an option, naming the option when the value is wrong. */
  public static long number(Map<String, String> options, String name, long defaultValue, long min) {
    String text = options.get(name);
    if (text == null) {
      return defaultValue;
    }
    long value;
    try {
      value = Long.parseLong(text.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + "=" + text + " is not a whole number");
    }
    if (value < min) {
      throw new IllegalArgumentException("--" + name + "=" + text + " must be at least " + min);
    }
    return value;
  }
}
