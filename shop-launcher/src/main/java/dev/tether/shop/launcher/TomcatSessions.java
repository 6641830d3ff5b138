package dev.tether.shop.launcher;

import jakarta.servlet.ServletException;
import java.io.IOException;
import java.security.Principal;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.Manager;
import org.apache.catalina.Realm;
import org.apache.catalina.Session;
import org.apache.catalina.authenticator.Constants;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.session.StandardManager;
import org.apache.catalina.session.StandardSession;
import org.apache.catalina.valves.ValveBase;

/**
 * Tomcat's side of the shared HTTP sessions: a session manager whose sessions are local copies of
 * the ones in the cluster's Redis, and a valve, first in the Engine pipeline (before Tether's valve,
 * which compares the session's user before and after each request), that reads the request's
 * session from Redis before the request and writes it back after it, before Tomcat sends the
 * response. The user a FORM login cached in the session travels as its name and becomes a principal
 * of the context's realm again on each read ({@link SharedSession}).
 *
 * <p>A session another node ended is gone from Redis and so from here at its next request; a
 * session this node ends, or whose id a login changes, is deleted from Redis after the request. A
 * local copy that expires without requests is only forgotten here: Redis expires the session itself,
 * after its idle timeout since its last write on any node. While Redis is away, local copies serve.
 *
 * <p>Thread-safe as Tomcat requires.
 */
final class TomcatSessions {
  private TomcatSessions() {
  }

  /** The context's manager: local copies of the shared sessions. */
  static final class SharedManager extends StandardManager {
    private final NodeRedis redis;

    SharedManager(NodeRedis redis) {
      this.redis = redis;
      // No SESSIONS.ser at stop: the sessions are in Redis.
      setPathname(null);
    }

    @Override
    public Session findSession(String id) throws IOException {
      return id == null ? null : super.findSession(SharedSession.baseId(id));
    }

    /**
     * Makes the local copy of session {@code id} what Redis holds; returns whether Redis holds it.
     * Redis away: the local copy stays as it is.
     *
     * @param requested the id as the request gave it (with a Jetty node's suffix, if any)
     */
    boolean refresh(String id, String requested) throws IOException {
      byte[] stored;
      try {
        stored = redis.get(SharedSession.key(id));
      } catch (NodeRedis.Unavailable e) {
        return super.findSession(id) != null;
      }
      byte[] payload = redis.verify(SharedSession.DOMAIN, stored);
      SharedSession shared = payload == null ? null
          : SharedSession.decode(payload, getContext().getLoader().getClassLoader());
      Session local = super.findSession(id);
      if (shared == null || !shared.id().equals(id)) {
        if (local != null) {
          ((StandardSession) local).expire(false); // ended on another node
        }
        return false;
      }
      StandardSession s = (StandardSession) local;
      if (s == null) {
        s = (StandardSession) createEmptySession();
        s.setNew(false);
        s.setValid(true);
        s.setCreationTime(shared.created());
        s.setId(id, false);
      }
      s.setMaxInactiveInterval(shared.maxInactiveSeconds());
      // Tomcat's FORM login accepts credentials only with the session id its login page was shown
      // with (the page changes the id), which it notes in the session, here; the page may have come
      // from another node. The id the client presents is the one Redis holds the session under, and
      // an id a login page replaced is gone from Redis (see the valve).
      s.setNote(Constants.SESSION_ID_NOTE, requested);
      // Idle since now, here: the session was just used, maybe on another node.
      s.access();
      s.endAccess();
      Set<String> stale = new HashSet<>(Collections.list(s.getAttributeNames()));
      stale.removeAll(shared.attributes().keySet());
      stale.forEach(s::removeAttribute);
      shared.attributes().forEach(s::setAttribute);
      Principal user = s.getPrincipal();
      if (shared.user() == null) {
        if (user != null) {
          s.setPrincipal(null);
          s.setAuthType(null);
        }
      } else if (user == null || !user.getName().equals(shared.user())) {
        Realm realm = getContext().getRealm();
        s.setPrincipal(realm == null ? null : realm.authenticate(shared.user()));
        s.setAuthType(shared.authType());
      }
      return true;
    }

    /** Returns the session as Redis would hold it. */
    static SharedSession shared(Session session) {
      StandardSession s = (StandardSession) session;
      Map<String, Object> attributes = new LinkedHashMap<>();
      for (String name : Collections.list(s.getAttributeNames())) {
        attributes.put(name, s.getAttribute(name));
      }
      Principal user = s.getPrincipal();
      return new SharedSession(s.getIdInternal(), s.getCreationTimeInternal(),
          s.getMaxInactiveInterval(), user == null ? null : user.getName(),
          user == null ? null : s.getAuthType(), attributes);
    }

    /**
     * Writes {@code session} to Redis, unless it is still {@code read} (its encoding before the
     * request): then only its time to live is renewed, so that a request that changed nothing never
     * writes back an older session over another node's change.
     */
    void save(Session session, byte[] read) {
      shared(session).write(redis, read);
    }

    /** Deletes session {@code id} from Redis: it ended here, or a login changed its id. */
    void delete(String id) {
      redis.delete(SharedSession.key(id));
    }
  }

  /** Reads the request's session from Redis before the request and writes it back after. */
  static final class Valve extends ValveBase {
    Valve() {
      super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
      Context context = request.getContext();
      Manager manager = context == null ? null : context.getManager();
      if (!(manager instanceof SharedManager shared)) {
        getNext().invoke(request, response);
        return;
      }
      String requested = request.getRequestedSessionId();
      String id = requested == null ? null : SharedSession.baseId(requested);
      boolean found = id != null && shared.refresh(id, requested);
      Session before = found ? shared.findSession(id) : null;
      byte[] read = before == null ? null : SharedManager.shared(before).encode();
      try {
        getNext().invoke(request, response);
      } finally {
        Session session = request.getSessionInternal(false);
        boolean valid = session != null && session.isValid();
        if (valid) {
          shared.save(session, session == before ? read : null);
        }
        if (found && (!valid || !id.equals(session.getIdInternal()))) {
          shared.delete(id);
        }
      }
    }
  }
}
