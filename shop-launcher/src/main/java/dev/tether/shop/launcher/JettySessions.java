package dev.tether.shop.launcher;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.Subject;
import org.eclipse.jetty.ee11.servlet.SessionHandler;
import org.eclipse.jetty.security.IdentityService;
import org.eclipse.jetty.security.RolePrincipal;
import org.eclipse.jetty.security.UserIdentity;
import org.eclipse.jetty.security.UserPrincipal;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.SessionAuthentication;
import org.eclipse.jetty.session.AbstractSessionDataStore;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.SessionData;

/**
 * Jetty's side of the shared HTTP sessions: a {@link org.eclipse.jetty.session.SessionDataStore} on
 * the cluster's Redis behind a {@link NullSessionCache}, so that every request reads its session from
 * Redis and every response writes it back before it leaves if it changed (Jetty's flush on commit,
 * with every session offered to the store: the shop changes its cart in place, so the store
 * compares the session with what it read). Jetty's record of a FORM login
 * ({@link SessionAuthentication}) travels as the user's name and is made again from the shop's
 * users on each read; the other attributes travel as they are ({@link SharedSession}).
 *
 * <p>Expiry is Redis's: a session lives for its idle timeout after its last write, so the store has
 * nothing to scavenge.
 *
 * <p>Thread-safe as Jetty requires; one store per web application.
 */
final class JettySessions extends AbstractSessionDataStore {
  /**
   * Where Tether's {@code TetherLoginFilter} remembers the session's user on Jetty (the Servlet API
   * does not say whom a session authenticated): a session read here says the user its login left,
   * also when the login happened on a Tomcat node, whose valve reads Tomcat's own record instead.
   * Otherwise the filter would take the user's first request on a Jetty node for a new login.
   */
  static final String TETHER_USER = "dev.tether.principal";
  /** The user's roles, comma-separated, next to {@link #TETHER_USER}. */
  static final String TETHER_ROLES = "dev.tether.principal.roles";

  private final NodeRedis redis;
  private final UserStore users;
  private final IdentityService identities;

  private JettySessions(NodeRedis redis, UserStore users, IdentityService identities) {
    this.redis = redis;
    this.users = users;
    this.identities = identities;
  }

  /** Puts the shared store behind {@code handler}: no cache, a write before each response. */
  static void install(SessionHandler handler, NodeRedis redis, UserStore users,
      IdentityService identities) {
    NullSessionCache cache = new NullSessionCache(handler);
    cache.setSessionDataStore(new JettySessions(redis, users, identities));
    cache.setFlushOnResponseCommit(true);
    cache.setSaveOnCreate(true);
    handler.setSessionCache(cache);
  }

  @Override
  public SessionData newSessionData(String id, long created, long accessed, long lastAccessed,
      long maxInactiveMs) {
    return new AlwaysChanged(id, _context.getCanonicalContextPath(), _context.getVhost(), created,
        accessed, lastAccessed, maxInactiveMs);
  }

  @Override
  public boolean doExists(String id) {
    try {
      return redis.get(SharedSession.key(id)) != null;
    } catch (NodeRedis.Unavailable e) {
      return false;
    }
  }

  /** Reads the session; while Redis is away there is none (the request may start a new one). */
  @Override
  public SessionData doLoad(String id) {
    byte[] stored;
    try {
      stored = redis.get(SharedSession.key(id));
    } catch (NodeRedis.Unavailable e) {
      return null;
    }
    byte[] payload = redis.verify(SharedSession.DOMAIN, stored);
    if (payload == null) {
      return null;
    }
    SharedSession s = SharedSession.decode(payload,
        Thread.currentThread().getContextClassLoader());
    if (s == null || !s.id().equals(id)) {
      return null;
    }
    long now = System.currentTimeMillis();
    SessionData data = newSessionData(id, s.created(), now, now,
        s.maxInactiveSeconds() * 1000L);
    data.putAllAttributes(s.attributes());
    UserIdentity user = s.user() == null ? null : identity(s.user());
    if (user != null) {
      data.setAttribute(SessionAuthentication.AUTHENTICATED_ATTRIBUTE,
          new SessionAuthentication(s.authType() != null ? s.authType() : "FORM", user, null));
      data.setAttribute(TETHER_USER, s.user());
      List<RolePrincipal> roles = users.getRolePrincipals(s.user());
      data.setAttribute(TETHER_ROLES, roles == null ? ""
          : String.join(",", roles.stream().map(RolePrincipal::getName).toList()));
    } else {
      data.setAttribute(TETHER_USER, null);
      data.setAttribute(TETHER_ROLES, null);
    }
    data.clean();
    ((AlwaysChanged) data).written = shared(id, data).encode();
    return data;
  }

  /**
   * Writes the session, unless it is what this request read (or last wrote): then only its time to
   * live is renewed, so that a request that changed nothing (a style sheet, a page) never writes
   * back an older session over another node's change.
   */
  @Override
  public void doStore(String id, SessionData data, long lastSaveTime) {
    AlwaysChanged d = data instanceof AlwaysChanged a ? a : null;
    byte[] written = shared(id, data).write(redis, d == null ? null : d.written);
    if (d != null) {
      d.written = written;
    }
  }

  private static SharedSession shared(String id, SessionData data) {
    Map<String, Object> attributes = new LinkedHashMap<>(data.getAllAttributes());
    String user = null;
    String authType = null;
    if (attributes.remove(SessionAuthentication.AUTHENTICATED_ATTRIBUTE)
        instanceof SessionAuthentication auth) {
      user = auth.getUserIdentity().getUserPrincipal().getName();
      authType = auth.getAuthenticationType();
    }
    return new SharedSession(id, data.getCreated(),
        (int) Math.max(0, data.getMaxInactiveMs() / 1000), user, authType, attributes);
  }

  @Override
  public boolean delete(String id) {
    return redis.delete(SharedSession.key(id));
  }

  @Override
  public Set<String> doCheckExpired(Set<String> candidates, long time) {
    return Set.of();
  }

  @Override
  public Set<String> doGetExpired(long before) {
    return Set.of();
  }

  @Override
  public void doCleanOrphans(long time) {
    // Redis expires sessions itself.
  }

  @Override
  public boolean isPassivating() {
    return false;
  }

  /** The shop's user {@code name} as Jetty's realm would log it in, or {@code null}. */
  private UserIdentity identity(String name) {
    UserPrincipal principal = users.getUserPrincipal(name);
    if (principal == null) {
      return null;
    }
    List<RolePrincipal> roles = users.getRolePrincipals(name);
    Subject subject = new Subject();
    principal.configureSubject(subject);
    String[] names = roles == null ? new String[0]
        : roles.stream().peek(r -> r.configureForSubject(subject)).map(RolePrincipal::getName)
            .toArray(String[]::new);
    subject.setReadOnly();
    return identities.newUserIdentity(subject, principal, names);
  }

  /**
   * Session data that always counts as changed, so that Jetty offers it to the store before each
   * response (the shop changes its cart in place, without setting the attribute again); the store
   * writes it only if it differs from {@link #written}.
   */
  private static final class AlwaysChanged extends SessionData {
    private static final long serialVersionUID = 1L;
    /** The session as read from Redis or last written there, encoded; {@code null}: never. */
    transient volatile byte[] written;

    AlwaysChanged(String id, String path, String vhost, long created, long accessed,
        long lastAccessed, long maxInactiveMs) {
      super(id, path, vhost, created, accessed, lastAccessed, maxInactiveMs, new HashMap<>());
    }

    @Override
    public boolean isDirty() {
      return true;
    }
  }
}
