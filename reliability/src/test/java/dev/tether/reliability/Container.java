package dev.tether.reliability;

import dev.tether.AssociationRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * A running server under test: Jetty or Tomcat with Tether on one HTTPS connector, serving the test
 * application below to every loopback address on the same port.
 *
 * <ul>
 *   <li>{@code GET /app/hello}: {@code ok};
 *   <li>{@code GET /app/big?kb=N}: N KiB of data;
 *   <li>{@code POST /app/upload}: reads the whole body, answers {@code read=N};
 *   <li>{@code GET /app/login?u=alice&p=secret}, {@code GET /app/logout}: a login or logout the
 *       container reports to Tether (Tomcat: {@code request.login()}/{@code logout()} seen by the
 *       valve; Jetty: the registry's policy engine, called by the application).
 * </ul>
 *
 * <p>Threading: started, restarted and closed by the test thread; everything else may be read from
 * any thread.
 */
interface Container extends AutoCloseable {

  /** Returns the TLS port, the same across restarts. */
  int port();

  /** Returns the registry of the current run: a new one after each {@link #restart()}. */
  AssociationRegistry registry();

  /** Stops the server (closing its connections and registry) and starts it again on the same port. */
  void restart() throws Exception;

  /** Returns the server's TLS session cache (the JDK's, stateful). */
  SSLSessionContext serverSessionContext();

  /** Returns how many sessions the server's TLS session cache holds. */
  default int serverSessions() {
    return Collections.list(serverSessionContext().getIds()).size();
  }

  /** Returns the sessions the server's TLS session cache holds. */
  default List<SSLSession> cachedSessions() {
    SSLSessionContext context = serverSessionContext();
    List<SSLSession> sessions = new ArrayList<>();
    for (byte[] id : Collections.list(context.getIds())) {
      SSLSession s = context.getSession(id);
      if (s != null) {
        sessions.add(s);
      }
    }
    return sessions;
  }

  /** Returns how many logins the container reported to Tether. */
  long logins();

  /** Returns how many logouts the container reported to Tether. */
  long logouts();

  @Override
  void close() throws Exception;
}
