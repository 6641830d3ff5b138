package dev.tether.tomcat;

import dev.tether.Lease;
import dev.tether.servlet.LoginFlow;
import dev.tether.servlet.Misdirected;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tls.TlsConnection;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.catalina.Container;
import org.apache.catalina.Engine;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.net.SSLSupport;

/**
 * Ties requests to the security association (SA) of their TLS connection, reports logins, logouts
 * and principal changes to the connector's policy engine, and enforces the policies. For every
 * request that arrived on a {@link TomcatTetherProtocol} connector it publishes the SA as request
 * attributes ({@link #ASSOCIATION_ID}, {@link #ASSOCIATION}, {@link #ASSOCIATION_RESUMED},
 * {@link #REGISTRY}, and {@code dev.tether.lease}); after the authenticator, the moment the
 * application calls {@code login()}/{@code logout()}, before the response can commit, and after the
 * request, it decides whether the connection's user changed (see {@link LoginFlow}). A login
 * calls {@code PolicyEngine.login}: the new user's policy flushes what it names ({@code on-login}:
 * this SA, all SAs of the client address, or all) and binds the client address to that policy, so
 * that its next connections negotiate under it; a logout calls {@code PolicyEngine.logout}; a
 * principal change is a logout then a login. Then the {@link TomcatLoginListener}s hear of it; all
 * of this happens before the response is sent.
 *
 * <p>A request whose user's policy requires its own SAs, on a connection whose SA was negotiated
 * under another policy, is refused with {@code 421 Misdirected Request} before the application runs
 * (by a {@link TomcatPolicyCheck} the valve puts after each web application's authenticator), and
 * the connection ends ({@code Connection: close}; over HTTP/2 a GOAWAY that lets its other streams
 * finish); browsers retry it on a new connection, which negotiates under the user's policy.
 *
 * <p>It must run before the authenticator, so put it in the Engine or Host pipeline:
 *
 * <pre>{@code
 * <Engine name="Catalina" defaultHost="localhost">
 *   <Valve className="dev.tether.tomcat.TomcatTetherValve"/>
 * }</pre>
 *
 * <p>A request finds its connection through the TLS support Tomcat gave its processor (the request
 * attribute {@code jakarta.servlet.request.ssl_session_mgr}), on whichever thread it runs: HTTP/1.1
 * requests and HTTP/2 streams alike. The valve serves every Tether connector of its Service, each
 * with its own registry; set {@link #setRegistryName registryName} to serve one only. Requests from
 * other connectors pass untouched.
 *
 * <p>Threading: shared by all request threads; listeners may be added at any time.
 */
public final class TomcatTetherValve extends ValveBase {
  /** Request attribute: the SA's id ({@code String}). */
  public static final String ASSOCIATION_ID = "dev.tether.association.id";
  /** Request attribute: the SA's view when the request started ({@code SecurityAssociation}). */
  public static final String ASSOCIATION = "dev.tether.association";
  /** Request attribute: whether the connection resumed its SA ({@code Boolean}). */
  public static final String ASSOCIATION_RESUMED = "dev.tether.association.resumed";
  /** Request attribute: the connector's registry ({@code AssociationRegistry}). */
  public static final String REGISTRY = "dev.tether.registry";

  /** The request note under which {@link TomcatPolicyCheck} finds the request's {@link LoginFlow}. */
  static final String FLOW_NOTE = LoginFlow.class.getName();

  private final List<TomcatLoginListener> listeners = new CopyOnWriteArrayList<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final ContextHooks hooks = new ContextHooks();
  private volatile List<TomcatLoginListener> configured = List.of();
  private String registryName;
  private String loginListeners;

  /** Creates the valve; it supports async requests. */
  public TomcatTetherValve() {
    super(true);
  }

  /** Returns the registry served, or {@code null} for every Tether connector of the Service. */
  public String getRegistryName() {
    return registryName;
  }

  /** Serves only requests of the connector whose {@code registryName} is this. Default: all. */
  public void setRegistryName(String registryName) {
    this.registryName = registryName == null || registryName.isBlank() ? null : registryName.trim();
  }

  /** Returns the configured listener class names; see {@link #setLoginListeners}. */
  public String getLoginListeners() {
    return loginListeners;
  }

  /**
   * Sets listener classes (comma-separated, public no-argument constructors) created when the valve
   * starts, called after the policy engine. Default: none.
   */
  public void setLoginListeners(String classNames) {
    this.loginListeners = classNames;
  }

  /** Adds a listener, called after the policy engine and the configured listeners. */
  public void addLoginListener(TomcatLoginListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  protected void startInternal() throws LifecycleException {
    configured = instantiate(loginListeners);
    checkRegistryName();
    hooks.attach(getContainer());
    super.startInternal();
  }

  @Override
  protected void stopInternal() throws LifecycleException {
    hooks.detach();
    super.stopInternal();
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    TrackedConnection connection = connectionOf(request);
    Lease lease = connection == null ? null : connection.lease();
    if (lease == null || (registryName != null && !registryName.equals(lease.registry().name()))) {
      getNext().invoke(request, response);
      return;
    }
    TlsConnection tls = connection.tls();
    if (!tls.requestStarted()) {
      try {
        // A flush deleted the connection's SA, or it ends for its user's policy: nothing more
        // travels on it.
        Misdirected.write(request, response, lease.isDeleted()
            ? "the TLS security association of this connection was deleted"
            : "this connection is closing");
      } finally {
        tls.requestEnded();
        closeAfterResponse(connection, request, response);
      }
      return;
    }
    boolean async = false;
    try {
      request.setAttribute(ASSOCIATION_ID, lease.associationId());
      request.setAttribute(ASSOCIATION, lease.association());
      request.setAttribute(ASSOCIATION_RESUMED, lease.isResumed());
      request.setAttribute(REGISTRY, lease.registry());
      request.setAttribute(TetherAttributes.LEASE, lease);
      request.setAttribute(TetherAttributes.CONNECTION, tls);
      request.setAttribute(TetherAttributes.LOGIN_EVENTS, "tomcat");
      TomcatUsers users = new TomcatUsers(this, connection, lease, request, response);
      LoginFlow flow = new LoginFlow(lease.registry(), tls, lease, request.getRequest(),
          response.getResponse(), users, users);
      request.setNote(FLOW_NOTE, flow);
      HttpServletRequest originalRequest = request.getRequest();
      HttpServletResponse originalResponse = response.getResponse();
      request.setRequest(flow.wrap(originalRequest));
      response.setResponse(flow.wrap(originalResponse));
      try {
        getNext().invoke(request, response);
      } finally {
        request.setRequest(originalRequest);
        response.setResponse(originalResponse);
        request.removeNote(FLOW_NOTE);
        flow.end();
      }
      async = request.isAsyncStarted();
      if (async) {
        request.getAsyncContext().addListener(new RequestEnd(connection, request, response));
      }
    } finally {
      if (!async && tls.requestEnded()) {
        closeAfterResponse(connection, request, response);
      }
    }
  }

  /**
   * Returns the connection of a request: its processor's TLS support carries it, for HTTP/1.1 and
   * for every HTTP/2 stream ({@link TetherSslSupport}); {@code null} for a request of another
   * connector or of plain HTTP.
   */
  static TrackedConnection connectionOf(Request request) {
    return request.getAttribute(SSLSupport.SESSION_MGR) instanceof TetherSslSupport support
        ? support.connection() : null;
  }

  /**
   * Ends the connection once this response is complete. HTTP/2: a GOAWAY once this stream's
   * response is written out ({@link TrackedConnection#endHttp2AfterStream}), which lets the streams
   * still in progress finish, then the close once none is active ({@link TetherHttp2Processor}); a
   * {@code Connection} header is not allowed there. HTTP/1.1:
   * {@code Connection: close} while the response is not committed, else the processor's clean-close
   * state (what Tomcat does for an abandoned upload: finish the response, then close).
   */
  static void closeAfterResponse(TrackedConnection connection, Request request, Response response) {
    if (!connection.endHttp2AfterStream()) {
      closeHttp11AfterResponse(request, response);
    }
  }

  private static void closeHttp11AfterResponse(Request request, Response response) {
    if (!response.isCommitted()) {
      response.setHeader("Connection", "close");
    } else {
      request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
    }
  }

  /**
   * Ends an async request's count when it completes. Over HTTP/2 its GOAWAY goes at once, as the
   * request completes (Tomcat serves the rest of an async stream outside the adapter's
   * {@code service}).
   */
  private record RequestEnd(TrackedConnection connection, Request request, Response response)
      implements AsyncListener {
    @Override
    public void onComplete(AsyncEvent event) {
      if (connection.tls().requestEnded() && !connection.endHttp2()) {
        closeHttp11AfterResponse(request, response);
      }
    }

    @Override
    public void onTimeout(AsyncEvent event) { }

    @Override
    public void onError(AsyncEvent event) { }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }

  /** Calls every listener; one that throws is logged once and skipped. */
  void fire(Consumer<TomcatLoginListener> event, String what, String principal) {
    if (containerLog != null && containerLog.isDebugEnabled()) {
      containerLog.debug("Tether saw a " + what + " of " + principal);
    }
    fireAll(configured, event, what);
    fireAll(listeners, event, what);
  }

  private void fireAll(List<TomcatLoginListener> targets, Consumer<TomcatLoginListener> event,
      String what) {
    for (TomcatLoginListener l : targets) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        String name = l.toString();
        if (warned.add(name) && containerLog != null) {
          containerLog.warn("Tether login listener " + name + " failed on a " + what
              + "; it keeps receiving events", e);
        }
      }
    }
  }

  private static List<TomcatLoginListener> instantiate(String classNames)
      throws LifecycleException {
    List<TomcatLoginListener> created = new ArrayList<>();
    if (classNames == null || classNames.isBlank()) {
      return created;
    }
    for (String raw : classNames.split(",")) {
      String name = raw.trim();
      if (name.isEmpty()) {
        continue;
      }
      try {
        Class<?> type = Class.forName(name, true, TomcatTetherValve.class.getClassLoader());
        created.add((TomcatLoginListener) type.getConstructor().newInstance());
      } catch (ReflectiveOperationException | ClassCastException e) {
        throw new LifecycleException("TomcatTetherValve loginListeners=\"" + classNames
            + "\": cannot create a TomcatLoginListener from '" + name + "': " + e, e);
      }
    }
    return List.copyOf(created);
  }

  private void checkRegistryName() throws LifecycleException {
    Service service = serviceOf(getContainer());
    if (service == null) {
      return;
    }
    boolean any = false;
    for (Connector c : service.findConnectors()) {
      if (c.getProtocolHandler() instanceof TomcatTetherProtocol p) {
        any = true;
        if (registryName == null || registryName.equals(p.getRegistryName())) {
          return;
        }
      }
    }
    if (registryName != null) {
      throw new LifecycleException("TomcatTetherValve registryName=\"" + registryName
          + "\": no connector of service '" + service.getName() + "' has this registryName");
    }
    // Spring Boot's embedded Tomcat adds its connectors only once the application is ready: a
    // Service with no connector yet says nothing about Tether's.
    if (!any && service.findConnectors().length > 0 && containerLog != null) {
      containerLog.warn("TomcatTetherValve: service '" + service.getName()
          + "' has no connector with protocol " + TomcatTetherProtocol.class.getName()
          + "; the valve will pass every request through");
    }
  }

  private static Service serviceOf(Container container) {
    for (Container c = container; c != null; c = c.getParent()) {
      if (c instanceof Engine engine) {
        return engine.getService();
      }
    }
    return null;
  }
}
