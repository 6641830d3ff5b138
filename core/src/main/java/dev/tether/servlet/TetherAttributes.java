package dev.tether.servlet;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.tls.TlsConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;

/**
 * The contract between Tether's container adapters and web applications: the names of the attributes
 * an adapter puts on every request (and on the {@link ServletContext}), and typed look-ups of them.
 *
 * <p>On every request an adapter sets {@link #REGISTRY}; on a TLS connection that holds an SA it also
 * sets {@link #LEASE}, {@link #ASSOCIATION_ID} and {@link #RESUMED} (none of the three on plain HTTP).
 * It may set {@link #REGISTRY} on the {@code ServletContext} as well, so that the registry is found in
 * requests the adapter did not see (for example in a test, or behind a proxy on plain HTTP).
 *
 * <pre>{@code
 * String sa = (String) request.getAttribute(TetherAttributes.ASSOCIATION_ID); // null on plain HTTP
 * AssociationRegistry registry = TetherAttributes.registry(request);          // null without Tether
 * }</pre>
 *
 * <p>{@link #ASSOCIATION_ID} and {@link #RESUMED} hold JDK types on purpose: an application may read
 * them even if it bundles its own copy of Tether's classes. {@link #REGISTRY} and {@link #LEASE} hold
 * Tether objects, which an application can only use when Tether's classes are loaded once, by the
 * server (see {@link #registry(ServletRequest)}).
 *
 * <p>Stateless and thread-safe.
 */
public final class TetherAttributes {
  /**
   * Request (and optional {@code ServletContext}) attribute: the {@link AssociationRegistry} that
   * tracks the SAs of the connector the request arrived on.
   */
  public static final String REGISTRY = "dev.tether.registry";

  /**
   * Request attribute: the {@link Lease} the request's connection holds on its SA. Absent on plain
   * HTTP and on a connection that was refused an SA. Applications must not release it; the adapter
   * does when the connection closes.
   */
  public static final String LEASE = "dev.tether.lease";

  /**
   * Request attribute: the request's {@link TlsConnection}, which Tether follows from accept to close.
   * Absent on plain HTTP. Applications read it (its login state); the adapter owns it.
   */
  public static final String CONNECTION = "dev.tether.connection";

  /** Request attribute: the id of the connection's SA, a {@link String}. Absent on plain HTTP. */
  public static final String ASSOCIATION_ID = "dev.tether.association.id";

  /**
   * Request attribute: a {@link Boolean}, {@code true} if the connection resumed an existing SA,
   * {@code false} if it negotiated a new one. Absent on plain HTTP.
   */
  public static final String RESUMED = "dev.tether.association.resumed";

  /**
   * Request attribute: the name of the principal whose login an event source already handled on
   * this request (reported it to the {@link dev.tether.PolicyEngine}, or found that it was no new
   * login), a {@link String}. Set by Jetty's {@code JettyTetherLoginService}, Tomcat's
   * valve, {@link Tether#login} and {@link TetherLoginFilter}; each skips a login it names, so that
   * one login is reported once however many sources see it.
   */
  public static final String LOGIN_HANDLED = "dev.tether.login.handled";

  /**
   * Request attribute: set by a container adapter that reports the request's logins and logouts and
   * enforces the policies itself (Tomcat's valve sets it to {@code "tomcat"}). {@link TetherLoginFilter}
   * then passes the request on untouched.
   */
  public static final String LOGIN_EVENTS = "dev.tether.login.events";

  private TetherAttributes() {
  }

  /**
   * Returns the registry of the request: the request attribute {@link #REGISTRY}, else the
   * {@code ServletContext} attribute of the same name, else {@code null}.
   *
   * @throws IllegalStateException if the attribute holds something that is not this class loader's
   *     {@link AssociationRegistry}, typically because the application bundles its own copy of
   *     tether-core while the server has another
   */
  public static AssociationRegistry registry(ServletRequest request) {
    Object value = request.getAttribute(REGISTRY);
    if (value == null) {
      value = request.getServletContext().getAttribute(REGISTRY);
    }
    if (value == null || value instanceof AssociationRegistry) {
      return (AssociationRegistry) value;
    }
    throw new IllegalStateException(mismatch(REGISTRY, value));
  }

  /**
   * Returns the lease of the request's connection, or {@code null} on plain HTTP, without Tether, or
   * when the attribute holds a lease of another class loader's Tether (use {@link #ASSOCIATION_ID}).
   */
  public static Lease lease(ServletRequest request) {
    return request.getAttribute(LEASE) instanceof Lease lease ? lease : null;
  }

  /** Returns the request's TLS connection, or {@code null} on plain HTTP or without Tether. */
  public static TlsConnection connection(ServletRequest request) {
    return request.getAttribute(CONNECTION) instanceof TlsConnection c ? c : null;
  }

  /** Returns the id of the connection's SA, or {@code null} on plain HTTP or without Tether. */
  public static String associationId(ServletRequest request) {
    return request.getAttribute(ASSOCIATION_ID) instanceof String id ? id : null;
  }

  /**
   * Returns whether the connection resumed its SA, or {@code null} on plain HTTP or without Tether.
   */
  public static Boolean resumed(ServletRequest request) {
    return request.getAttribute(RESUMED) instanceof Boolean b ? b : null;
  }

  static String mismatch(String attribute, Object value) {
    Class<?> type = value.getClass();
    if (type.getName().equals(AssociationRegistry.class.getName())) {
      return "attribute '" + attribute + "' holds an AssociationRegistry loaded by " + type.getClassLoader()
          + ", not by " + AssociationRegistry.class.getClassLoader() + ": load tether-core once, from "
          + "the server's class path, and leave it out of the application's WEB-INF/lib";
    }
    return "attribute '" + attribute + "' holds a " + type.getName()
        + ", not a dev.tether.AssociationRegistry";
  }
}
