package dev.tether.shop.launcher;

import dev.tether.PolicySet;
import dev.tether.internal.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shop's policy when it runs without {@code --policies}: the policy file {@value #RESOURCE} next
 * to this class, one policy named {@value #NAME} for everybody that offers TLS 1.2 and 1.3 with AEAD
 * cipher suites only, with the grace of {@code --grace}. Jetty gets it as a {@link PolicySet}, Tomcat
 * as a file in the shop's work directory (its {@code policies} attribute).
 *
 * <p>A node of a cluster ({@code --cluster}) adds a second policy, {@value #CUSTOMERS}, with the
 * same protocols and cipher suites: a customer's login and logout flush every SA of the customer's
 * address on every node ({@code on-login = peer}), which is what the cluster carries.
 *
 * <p>Stateless; thread-safe.
 */
final class StrongPolicy {
  /** The policy file, a resource next to this class. */
  static final String RESOURCE = "strong-policy.conf";
  /** The policy's name, shown in the SA table. */
  static final String NAME = "strong";
  /** The customers' policy a node of a cluster adds. */
  static final String CUSTOMERS = "customers";

  private static final Pattern GRACE = Pattern.compile("^grace = .*$", Pattern.MULTILINE);

  private StrongPolicy() {}

  /** Returns the policy file's text with {@code grace} as the policy's grace. */
  static String text(Duration grace) {
    String text;
    try (InputStream in = StrongPolicy.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the launcher's class path");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher m = GRACE.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException(RESOURCE + " has no grace line");
    }
    return m.replaceFirst(Matcher.quoteReplacement("grace = " + Durations.format(grace)));
  }

  /**
   * Returns the policy file's text with {@code grace}, and for a node of a cluster the customers'
   * policy after it.
   */
  static String text(Duration grace, boolean cluster) {
    String strong = text(grace);
    if (!cluster) {
      return strong;
    }
    String section = strong.substring(strong.indexOf("[policy " + NAME + "]"))
        .replace("[policy " + NAME + "]", "[policy " + CUSTOMERS + "]")
        .replace("applies-to = anonymous", "applies-to = role:customer")
        .replace("on-login = connection", "on-login = peer")
        .replace("on-logout = connection", "on-logout = peer")
        .replaceAll("(?m)^#.*\\R", "");
    return strong + "\n# A node of a cluster: a customer's login and logout flush every SA of the"
        + " customer's\n# address on every node.\n" + section;
  }

  /** Returns the policy, with {@code grace} as its grace. */
  static PolicySet policies(Duration grace) {
    return policies(grace, false);
  }

  /** Returns the policies of {@link #text(Duration, boolean)}. */
  static PolicySet policies(Duration grace, boolean cluster) {
    return PolicySet.parse(text(grace, cluster), RESOURCE);
  }
}
