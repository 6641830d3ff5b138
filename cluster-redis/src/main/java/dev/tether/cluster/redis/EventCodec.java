package dev.tether.cluster.redis;

import dev.tether.AssociationCluster;
import dev.tether.DeletionCause;
import dev.tether.SaPolicy.OpenConnections;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The wire form of the cluster's events: one Redis stream entry of string fields, signed with
 * HMAC-SHA256 over every field in a fixed order, each with its length so that no two entries sign the
 * same bytes. Acknowledgements are one signed line on a pub/sub channel.
 *
 * <p>Thread-safe: each thread signs with its own {@link Mac}.
 */
final class EventCodec {
  static final String VERSION = "1";
  static final String ALGORITHM = "HmacSHA256";
  /** The signed fields, in signing order; {@code m} carries the signature. */
  private static final String[] FIELDS =
      {"v", "o", "i", "s", "k", "p", "u", "y", "c", "x", "t", "a", "n", "l"};

  /** Wire kinds: the four events of core and the node's own announcements. */
  enum Kind { FLUSH_PEER, FLUSH_ALL, BIND, UNBIND, HEARTBEAT, BYE }

  /**
   * One entry, decoded and verified.
   *
   * @param origin the publishing node's name
   * @param incarnation the publishing process's random id (a restarted node numbers from 1 again)
   * @param seq the publisher's sequence number, 1, 2, 3, ... within its incarnation
   * @param micros the publisher's wall clock at publication, microseconds since the epoch
   * @param address the publisher's announced address (announcements)
   * @param associations the publisher's SAs (announcements)
   * @param lagMicros the publisher's last propagation lag (announcements)
   * @param open what a flush does to the flushed SAs' open connections (the login's policy)
   */
  record Wire(String origin, String incarnation, long seq, Kind kind, String peer, String principal,
      String policy, DeletionCause cause, OpenConnections open, long micros, String address,
      long associations, long lagMicros) {
    boolean isAnnouncement() {
      return kind == Kind.HEARTBEAT || kind == Kind.BYE;
    }

    AssociationCluster.Event event() {
      return new AssociationCluster.Event(AssociationCluster.Kind.valueOf(kind.name()), peer,
          principal, policy, cause, open);
    }
  }

  /** Why an entry was refused; the message says what was wrong. */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message, null, false, false);
    }
  }

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  EventCodec(byte[] secret) {
    this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  Map<String, String> encode(Wire w) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("v", VERSION);
    f.put("o", w.origin());
    f.put("i", w.incarnation());
    f.put("s", Long.toString(w.seq()));
    f.put("k", w.kind().name());
    f.put("p", w.peer());
    f.put("u", w.principal());
    f.put("y", w.policy());
    f.put("c", w.cause().name());
    f.put("x", w.open().name());
    f.put("t", Long.toString(w.micros()));
    f.put("a", w.address());
    f.put("n", Long.toString(w.associations()));
    f.put("l", Long.toString(w.lagMicros()));
    f.put("m", sign(f));
    return f;
  }

  /** Verifies and decodes an entry; the signature is checked before any field is believed. */
  Wire decode(Map<String, String> f) throws Rejected {
    String mac = f.get("m");
    if (mac == null || mac.isEmpty()) {
      throw new Rejected("unsigned");
    }
    for (String name : FIELDS) {
      if (f.get(name) == null) {
        throw new Rejected("malformed: no field '" + name + "'");
      }
    }
    byte[] given;
    try {
      given = Base64.getDecoder().decode(mac);
    } catch (IllegalArgumentException e) {
      throw new Rejected("badly signed: signature is not base64");
    }
    if (!MessageDigest.isEqual(given, Base64.getDecoder().decode(sign(f)))) {
      throw new Rejected("badly signed");
    }
    if (!VERSION.equals(f.get("v"))) {
      throw new Rejected("unknown version '" + f.get("v") + "'");
    }
    try {
      Kind kind = Kind.valueOf(f.get("k"));
      long seq = Long.parseLong(f.get("s"));
      if (seq < 1 || f.get("o").isEmpty() || f.get("i").isEmpty()) {
        throw new Rejected("malformed: no origin, incarnation or sequence");
      }
      if ((kind == Kind.FLUSH_PEER || kind == Kind.BIND || kind == Kind.UNBIND)
          && f.get("p").isEmpty()) {
        throw new Rejected("malformed: " + kind + " without a peer");
      }
      if (kind == Kind.BIND && (f.get("u").isEmpty() || f.get("y").isEmpty())) {
        throw new Rejected("malformed: BIND without a principal or policy");
      }
      return new Wire(f.get("o"), f.get("i"), seq, kind, f.get("p"), f.get("u"), f.get("y"),
          DeletionCause.valueOf(f.get("c")), OpenConnections.valueOf(f.get("x")),
          Long.parseLong(f.get("t")), f.get("a"),
          Long.parseLong(f.get("n")), Long.parseLong(f.get("l")));
    } catch (IllegalArgumentException e) {
      throw new Rejected("malformed: " + e.getMessage());
    }
  }

  private String sign(Map<String, String> f) {
    StringBuilder text = new StringBuilder("tether-cluster-event\n");
    for (String name : FIELDS) {
      String value = f.get(name);
      text.append(name).append(value.length()).append(':').append(value).append('\n');
    }
    return mac(text.toString());
  }

  /** An acknowledgement: "node seq incarnation-of-origin signature". */
  String ack(String node, String originIncarnation, long seq) {
    String body = node + ' ' + seq + ' ' + originIncarnation;
    return body + ' ' + mac("tether-cluster-ack\n" + body);
  }

  /** Returns {node, seq, incarnation} of a verified acknowledgement, or null. */
  String[] verifyAck(String message) {
    int last = message.lastIndexOf(' ');
    if (last < 0) {
      return null;
    }
    String body = message.substring(0, last);
    byte[] given;
    try {
      given = Base64.getDecoder().decode(message.substring(last + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!MessageDigest.isEqual(given,
        Base64.getDecoder().decode(mac("tether-cluster-ack\n" + body)))) {
      return null;
    }
    String[] parts = body.split(" ");
    return parts.length == 3 ? parts : null;
  }

  private String mac(String text) {
    Mac mac = macs.get();
    return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }
}
