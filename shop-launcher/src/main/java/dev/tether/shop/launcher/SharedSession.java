package dev.tether.shop.launcher;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An HTTP session as every node of a cluster reads it, whatever its container: the id, the creation
 * time, the idle timeout, the user the container's FORM login authenticated (name and
 * authentication type) and the application's attributes, each serialized on its own so that one a
 * node cannot read is left out rather than losing the session. Jetty's and Tomcat's own records of
 * the login are container objects; each node turns the user's name back into its own.
 *
 * <p>Attribute values are read back through a filter that admits only the JDK's value and
 * collection types, the shop's classes and Jetty's saved request URI: the stored bytes are signed
 * with the cluster's secret as well ({@link NodeRedis#sign}).
 *
 * <p>Immutable once built; {@link #attributes()} is the caller's copy.
 *
 * @param id the session id, without a container's node suffix
 * @param created when the session was created, in epoch milliseconds
 * @param maxInactiveSeconds the idle timeout, in seconds (0 or less: the default, 30 minutes)
 * @param user the authenticated user, or {@code null}
 * @param authType how the user authenticated ({@code FORM}), or {@code null}
 * @param attributes the application's attributes
 */
record SharedSession(String id, long created, int maxInactiveSeconds, String user, String authType,
    Map<String, Object> attributes) {
  private static final System.Logger LOG = System.getLogger(SharedSession.class.getName());
  private static final int VERSION = 1;
  /** The signature domain of session values. */
  static final String DOMAIN = "session";
  /** The idle timeout when a session has none: 30 minutes, as the shop's web.xml says. */
  static final int DEFAULT_MAX_INACTIVE = 30 * 60;
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** Packages (with their subpackages) whose classes an attribute value may hold. */
  private static final String[] ALLOWED_TREES = {"java.lang.", "java.util.", "java.time.",
      "java.math."};
  /** Packages (alone) whose classes an attribute value may hold: the shop's, Jetty's saved URI. */
  private static final Set<String> ALLOWED_PACKAGES = Set.of("dev.tether.shop",
      "org.eclipse.jetty.http");

  /** Returns the Redis key of the session {@code id}. */
  static String key(String id) {
    return NodeRedis.PREFIX + "session:" + id;
  }

  /** Returns the session id without the node suffix Jetty adds ({@code ID.node0}). */
  static String baseId(String requested) {
    int dot = requested.indexOf('.');
    return dot > 0 ? requested.substring(0, dot) : requested;
  }

  /** Returns how long Redis keeps the session after its last request. */
  java.time.Duration ttl() {
    return java.time.Duration.ofSeconds(maxInactiveSeconds > 0 ? maxInactiveSeconds
        : DEFAULT_MAX_INACTIVE);
  }

  /**
   * Writes this session to Redis, signed, unless its encoding is {@code read} (what the request read
   * or last wrote): then only its time to live is renewed, so that a request that changed nothing
   * never writes an older session back over another node's change.
   *
   * @return the encoding now in Redis (or that was left there), for the next comparison; {@code read}
   *     if Redis did not take the write
   */
  byte[] write(NodeRedis redis, byte[] read) {
    byte[] bytes = encode();
    if (Arrays.equals(bytes, read)) {
      redis.touch(key(id), ttl());
      return read;
    }
    return redis.set(key(id), redis.sign(DOMAIN, bytes), ttl()) ? bytes : read;
  }

  /**
   * Returns the session's bytes, attributes in the order of their names (the same session always
   * gives the same bytes); attributes that are not serializable are left out.
   */
  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeUTF(id);
      out.writeLong(created);
      out.writeInt(maxInactiveSeconds);
      out.writeUTF(user == null ? "" : user);
      out.writeUTF(authType == null ? "" : authType);
      Map<String, byte[]> values = new LinkedHashMap<>();
      for (Map.Entry<String, Object> a : new TreeMap<>(attributes).entrySet()) {
        byte[] value = serialize(a.getKey(), a.getValue());
        if (value != null) {
          values.put(a.getKey(), value);
        }
      }
      out.writeInt(values.size());
      for (Map.Entry<String, byte[]> v : values.entrySet()) {
        out.writeUTF(v.getKey());
        out.writeInt(v.getValue().length);
        out.write(v.getValue());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot happen: in-memory stream", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a session {@link #encode} wrote; attribute values load their classes from
   * {@code loader} (the web application's), and one that cannot be read is left out.
   *
   * @return the session, or {@code null} if the bytes are not a session of this version
   */
  static SharedSession decode(byte[] bytes, ClassLoader loader) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readByte() != VERSION) {
        return null;
      }
      String id = in.readUTF();
      long created = in.readLong();
      int maxInactive = in.readInt();
      String user = in.readUTF();
      String authType = in.readUTF();
      int n = in.readInt();
      Map<String, Object> attributes = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        byte[] value = in.readNBytes(in.readInt());
        Object o = deserialize(name, value, loader);
        if (o != null) {
          attributes.put(name, o);
        }
      }
      return new SharedSession(id, created, maxInactive, user.isEmpty() ? null : user,
          authType.isEmpty() ? null : authType, attributes);
    } catch (IOException | RuntimeException e) {
      warnOnce("session", "a shared session could not be read (" + e + ")");
      return null;
    }
  }

  private static byte[] serialize(String name, Object value) {
    if (!(value instanceof Serializable)) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException | RuntimeException e) {
      warnOnce(name, "the session attribute " + name + " is not shared: " + e);
      return null;
    }
    return bytes.toByteArray();
  }

  private static Object deserialize(String name, byte[] value, ClassLoader loader) {
    try (ObjectInputStream in = new LoaderInputStream(new ByteArrayInputStream(value), loader)) {
      in.setObjectInputFilter(SharedSession::admit);
      return in.readObject();
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      warnOnce(name, "the session attribute " + name + " could not be read here: " + e);
      return null;
    }
  }

  private static ObjectInputFilter.Status admit(ObjectInputFilter.FilterInfo info) {
    if (info.depth() > 20 || info.references() > 10_000 || info.streamBytes() > 1_000_000) {
      return ObjectInputFilter.Status.REJECTED;
    }
    Class<?> c = info.serialClass();
    if (c == null) {
      return ObjectInputFilter.Status.UNDECIDED;
    }
    while (c.isArray()) {
      c = c.getComponentType();
    }
    if (c.isPrimitive()) {
      return ObjectInputFilter.Status.ALLOWED;
    }
    for (String p : ALLOWED_TREES) {
      if (c.getName().startsWith(p)) {
        return ObjectInputFilter.Status.ALLOWED;
      }
    }
    return ALLOWED_PACKAGES.contains(c.getPackageName()) ? ObjectInputFilter.Status.ALLOWED
        : ObjectInputFilter.Status.REJECTED;
  }

  private static void warnOnce(String what, String message) {
    if (WARNED.add(what)) {
      LOG.log(Level.WARNING, message + " (logged once)");
    }
  }

  /** Resolves classes in the web application's loader. */
  private static final class LoaderInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc);
      }
    }
  }
}
