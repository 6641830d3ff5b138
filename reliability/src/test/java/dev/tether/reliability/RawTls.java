package dev.tether.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * TLS bytes written by hand, for input no TLS library would send: a TLS 1.2 ClientHello of any size
 * (thousands of cipher suites, a padding extension of tens of KiB, split over as many records as it
 * takes), a record that stops half way, a record header and nothing more, and garbage.
 */
final class RawTls {
  static final int HANDSHAKE = 22;
  static final int ALERT = 21;
  static final int SERVER_HELLO = 2;
  private static final int MAX_FRAGMENT = 16_384;

  private RawTls() {}

  /**
   * Returns the records of a TLS 1.2 ClientHello for {@code localhost} that a JSSE server with an
   * EC P-256 certificate can answer: three ECDHE-ECDSA suites plus {@code extraSuites} unassigned
   * ones, and a padding extension of {@code padding} zero bytes (at most 65,000).
   */
  static byte[] clientHello(int extraSuites, int padding) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    u16(body, 0x0303);
    byte[] random = new byte[32];
    new Random(extraSuites).nextBytes(random);
    body.writeBytes(random);
    body.write(0); // no session id
    int suites = 3 + extraSuites;
    u16(body, suites * 2);
    u16(body, 0xC02B); // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    u16(body, 0xC02C);
    u16(body, 0xC023);
    for (int i = 0; i < extraSuites; i++) {
      u16(body, 0x7000 + i % 4096); // unassigned: the server skips them
    }
    body.write(1);
    body.write(0); // null compression

    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    byte[] host = "localhost".getBytes(StandardCharsets.US_ASCII);
    extension(ext, 0x0000, sni -> {
      u16(sni, host.length + 3);
      sni.write(0);
      u16(sni, host.length);
      sni.writeBytes(host);
    });
    extension(ext, 0x000A, g -> {
      u16(g, 2);
      u16(g, 0x0017); // secp256r1
    });
    extension(ext, 0x000B, f -> {
      f.write(1);
      f.write(0); // uncompressed points
    });
    extension(ext, 0x000D, s -> {
      u16(s, 2);
      u16(s, 0x0403); // ecdsa_secp256r1_sha256
    });
    extension(ext, 0xFF01, r -> r.write(0)); // empty renegotiation_info
    if (padding > 0) {
      extension(ext, 0x0015, p -> p.writeBytes(new byte[padding]));
    }
    u16(body, ext.size());
    body.writeBytes(ext.toByteArray());

    byte[] hello = body.toByteArray();
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    message.write(1); // client_hello
    u24(message, hello.length);
    message.writeBytes(hello);
    return records(HANDSHAKE, message.toByteArray());
  }

  /** Splits a handshake message into records of at most 16 KiB, as TLS allows. */
  static byte[] records(int type, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int at = 0; at < payload.length; at += MAX_FRAGMENT) {
      int n = Math.min(MAX_FRAGMENT, payload.length - at);
      out.write(type);
      u16(out, 0x0301);
      u16(out, n);
      out.write(payload, at, n);
    }
    return out.toByteArray();
  }

  /** Returns a handshake record header announcing 512 bytes, followed by only {@code sent}. */
  static byte[] truncatedRecord(int sent) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(HANDSHAKE);
    u16(out, 0x0301);
    u16(out, 512);
    out.writeBytes(new byte[sent]);
    return out.toByteArray();
  }

  /** Returns {@code n} random bytes that do not start like a TLS record or an HTTP method. */
  static byte[] garbage(int n, long seed) {
    byte[] bytes = new byte[n];
    new Random(seed).nextBytes(bytes);
    bytes[0] = (byte) 0x99;
    return bytes;
  }

  /** Reads a record header; returns its content type and, for a handshake, the message type. */
  static int[] readRecordStart(InputStream in) throws IOException {
    byte[] head = in.readNBytes(6);
    if (head.length < 6) {
      return new int[] {-1, -1};
    }
    return new int[] {head[0] & 0xFF, head[5] & 0xFF};
  }

  private interface Writer {
    void write(ByteArrayOutputStream out);
  }

  private static void extension(ByteArrayOutputStream ext, int type, Writer data) {
    ByteArrayOutputStream d = new ByteArrayOutputStream();
    data.write(d);
    u16(ext, type);
    u16(ext, d.size());
    ext.writeBytes(d.toByteArray());
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void u24(ByteArrayOutputStream out, int v) {
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }
}
