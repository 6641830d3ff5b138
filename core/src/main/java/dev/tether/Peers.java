package dev.tether;

/**
 * A client address as the registry keeps it with each SA and in its per-peer counts: an IPv4 address
 * in its usual text ({@code 192.0.2.7}) as an {@link Integer}, 16 bytes where its text takes 48 to 56,
 * anything else (IPv6, a host name, a text that is not the usual form) as the text itself. A key
 * equals another key exactly when their texts are equal.
 */
final class Peers {
  private Peers() {}

  /** Returns the key of a peer's text. */
  static Object key(String peer) {
    long ipv4 = ipv4(peer);
    return ipv4 < 0 ? peer : Integer.valueOf((int) ipv4);
  }

  /** Returns the text of a key made by {@link #key}. */
  static String text(Object key) {
    if (key instanceof Integer ip) {
      int v = ip;
      return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }
    return (String) key;
  }

  /**
   * The address of a dotted quad in its usual form (four decimal numbers up to 255, no leading
   * zeros, no signs or spaces), or -1: only a text that {@link #text} gives back exactly.
   */
  static long ipv4(String s) {
    int n = s.length();
    if (n < 7 || n > 15) {
      return -1;
    }
    long value = 0;
    int part = 0;
    int digits = 0;
    int parts = 0;
    for (int i = 0; i <= n; i++) {
      char c = i < n ? s.charAt(i) : '.';
      if (c == '.') {
        if (digits == 0 || ++parts > 4) {
          return -1;
        }
        value = value << 8 | part;
        part = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9') {
        if (digits > 0 && part == 0) {
          return -1; // a leading zero
        }
        part = part * 10 + (c - '0');
        if (++digits > 3 || part > 255) {
          return -1;
        }
      } else {
        return -1;
      }
    }
    return parts == 4 ? value : -1;
  }
}
