package dev.tether.servlet;

import static java.util.Objects.requireNonNull;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.PolicyEngine;
import dev.tether.RefusalReason;
import dev.tether.SaPolicy;
import dev.tether.tls.ConnectionLogin;
import dev.tether.tls.TlsConnection;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Tether's one decision of whether a request carried a login, a logout or a change of principal,
 * reported to the {@link PolicyEngine} before the response can leave, and the enforcement of the
 * user's policy. Every adapter feeds it: {@link TetherLoginFilter} in any container (Jetty among
 * them), the Tomcat valve, and, through {@link #reportLogin}, Jetty's login service.
 *
 * <p>Evidence, strongest first:
 * <ol>
 *   <li>the application's own {@code login()}, {@code authenticate()} and {@code logout()} calls, seen
 *       the moment they return (see {@link #wrap(HttpServletRequest)});
 *   <li>the user the HTTP session holds ({@link Container#sessionUser}): a session that gains a user
 *       is a login, one that loses it (or is invalidated) a logout; a session that merely starts
 *       holding the connection's known user is no login;
 *   <li>without a session (BASIC, CLIENT-CERT): the user of the connection's earlier requests
 *       ({@link TlsConnection#login()}), and the peer's binding. A user the connection has not seen
 *       is a login unless the peer is bound to that user already or the connection's SA already
 *       served the user, so a client that resends its credentials on every connection logs in once.
 * </ol>
 *
 * <p>A login with the request's own {@code Authorization} credentials that the peer's binding already
 * names is no new login, and a login made with the request's credentials for that request only
 * ({@code request.login()} by a monitor filter) ends with it without a logout. A principal change is a
 * logout of the old user followed by a login of the new one. A login or logout that deletes the
 * connection's SA ends the connection after the response ({@link Container#closeAfterResponse}), so
 * that the client's next request negotiates under the right policy.
 *
 * <p>The decision is taken after the container's authenticator ({@link #admit}), when the application
 * logs in or out, before the response's first byte (see {@link #wrap(HttpServletResponse)}), and at
 * the end ({@link #end}).
 *
 * <p>Threading: one instance per request, used by the request's threads one at a time; methods are
 * synchronized for the hand-over to an async thread. The connection's state is shared by the
 * connection's requests (several at once over HTTP/2).
 */
public final class LoginFlow {
  /** Request attribute: the request's flow, for {@link Tether}. */
  static final String ATTRIBUTE = LoginFlow.class.getName();

  /** What a container tells the flow, and does for it. */
  public interface Container {
    /** Returns the user the request's HTTP session holds now, or {@code null}. */
    Principal sessionUser();

    /** Returns whether {@code user}, who may have logged out meanwhile, has a role. */
    Predicate<String> roles(Principal user);

    /** Keeps the connection's user in the HTTP session where the container does not; optional. */
    default void remember(ConnectionLogin user) {
    }

    /** Ends the connection once the response is complete: its SA was deleted or refuses the user. */
    void closeAfterResponse();
  }

  /** What the flow reported, for the container's own listeners. Every method has an empty default. */
  public interface Events {
    /** A user logged in. */
    default void login(String user) {
    }

    /** A user logged out. */
    default void logout(String user) {
    }

    /** The user changed from {@code from} to {@code to} (reported as a logout and a login). */
    default void changed(String from, String to) {
    }
  }

  /** Why the flow looks: after the authenticator, an application call, output, or the end. */
  private enum Trigger { AUTHENTICATED, LOGIN_CALL, LOGOUT_CALL, BEFORE_OUTPUT, END }

  private final AssociationRegistry registry;
  private final PolicyEngine engine;
  private final TlsConnection connection;
  private final Lease lease;
  private final String peer;
  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final Container container;
  private final Events events;
  private final boolean credentials;
  /** The connection's state when there is no connection (plain HTTP, an untracked connection). */
  private ConnectionLogin local = ConnectionLogin.UNSEEN;
  private Principal sessionUser;
  /** The user who logged out during this request; the request itself may still carry the principal. */
  private String loggedOut;
  /** The user who logged in with this request's own credentials, for this request only. */
  private String perRequest;
  /** Whether the flow looked at the request yet, and the request's user then. */
  private boolean observed;
  private String observedUser;

  /**
   * Starts following a request.
   *
   * @param connection the request's TLS connection, or {@code null} if Tether does not follow it (or
   *     an adapter gives the lease alone); its login state then lasts for this request only
   * @param lease the connection's lease, or {@code null} (plain HTTP)
   * @param request the container's request (its user is read from it)
   * @param response the container's response
   */
  public LoginFlow(AssociationRegistry registry, TlsConnection connection, Lease lease,
      HttpServletRequest request, HttpServletResponse response, Container container,
      Events events) {
    this.registry = requireNonNull(registry, "registry");
    this.engine = registry.policies();
    this.connection = connection;
    this.lease = lease;
    this.peer = lease != null ? lease.peer() : request.getRemoteAddr();
    this.request = request;
    this.response = response;
    this.container = requireNonNull(container, "container");
    this.events = requireNonNull(events, "events");
    this.credentials = request.getHeader("Authorization") != null;
    this.sessionUser = container.sessionUser();
    request.setAttribute(ATTRIBUTE, this);
  }

  /** Returns the flow of a request, or {@code null}. */
  static LoginFlow of(HttpServletRequest request) {
    return request.getAttribute(ATTRIBUTE) instanceof LoginFlow f ? f : null;
  }

  /** Wraps the application's request so that its login, authenticate and logout calls are seen. */
  public HttpServletRequest wrap(HttpServletRequest applicationRequest) {
    return new HttpServletRequestWrapper(applicationRequest) {
      @Override
      public void login(String username, String password) throws ServletException {
        super.login(username, password);
        observe(Trigger.LOGIN_CALL, null);
      }

      @Override
      public boolean authenticate(HttpServletResponse r) throws IOException, ServletException {
        boolean done = super.authenticate(r);
        observe(Trigger.LOGIN_CALL, null);
        return done;
      }

      @Override
      public void logout() throws ServletException {
        Principal user = request.getUserPrincipal();
        super.logout();
        observe(Trigger.LOGOUT_CALL, user);
      }
    };
  }

  /** Wraps the application's response: every way out reports what happened first. */
  public HttpServletResponse wrap(HttpServletResponse applicationResponse) {
    return new GuardedResponse(applicationResponse, () -> observe(Trigger.BEFORE_OUTPUT, null));
  }

  /**
   * After the authenticator, before the application: reports what the authenticator did, records the
   * user on the SA, and refuses the request with 421 if the user's policy does not accept the
   * connection's SA. The peer is then bound to the user's policy, so that the client's retry on a new
   * connection negotiates under it.
   *
   * @return false if the request was refused (the response is written)
   */
  public synchronized boolean admit() throws IOException {
    observe(Trigger.AUTHENTICATED, null);
    Principal user = request.getUserPrincipal();
    if (user == null || lease == null) {
      return true;
    }
    String name = user.getName();
    lease.recordPrincipal(name);
    Predicate<String> roles = container.roles(user);
    if (engine.permits(lease, name, roles)) {
      return true;
    }
    registry.recordRefusal(peer, RefusalReason.POLICY);
    SaPolicy needed = engine.bind(peer, name, roles);
    Misdirected.write(request, response,
        Misdirected.policyMismatch(lease.policy().name(), needed.name()));
    if (connection != null) {
      // The client retries on a new connection: this one ends (HTTP/2: GOAWAY after its streams).
      connection.endAfterRequests();
    }
    return false;
  }

  /** At the end of the request: reports what happened last. */
  public void end() {
    observe(Trigger.END, null);
  }

  private synchronized void observe(Trigger trigger, Principal beforeLogout) {
    Principal user = request.getUserPrincipal();
    Principal before = sessionUser;
    Principal after = container.sessionUser();
    sessionUser = after;
    String userName = user == null ? null : user.getName();
    if (observed && trigger != Trigger.LOGIN_CALL && trigger != Trigger.LOGOUT_CALL
        && Objects.equals(userName, observedUser) && Objects.equals(nameOf(after), nameOf(before))) {
      // Nothing changed in this request since it last looked: a change of the connection's state
      // meanwhile was made by another request of the connection (HTTP/2), which acted on it.
      return;
    }
    observed = true;
    observedUser = userName;
    while (true) {
      ConnectionLogin known = known();
      Step step = decide(trigger, beforeLogout, user, before, after, known);
      if (step == null) {
        return;
      }
      if (step.next() == known || setKnown(known, step.next())) {
        step.report().run();
        return;
      }
      // Another request of the connection changed its state since we read it: decide again.
    }
  }

  /**
   * What a request's evidence means, given the connection's state {@code known}: the state to move
   * the connection to, and what to report once it moved. Reports nothing itself; {@code null} if
   * there is nothing to do.
   */
  private Step decide(Trigger trigger, Principal beforeLogout, Principal user, Principal before,
      Principal after, ConnectionLogin known) {
    if (trigger == Trigger.LOGOUT_CALL) {
      String gone = beforeLogout != null ? beforeLogout.getName()
          : before != null ? before.getName() : known.name();
      if (gone == null || gone.equals(loggedOut)) {
        return new Step(ConnectionLogin.ANONYMOUS, NOTHING);
      }
      Predicate<String> roles = known.is(gone) ? known.roles()::contains
          : rolesOf(beforeLogout, before);
      return new Step(ConnectionLogin.ANONYMOUS, () -> logout(gone, roles));
    }
    if (after != null && !same(after, before)) {
      Runnable report = NOTHING;
      if (!known.is(after.getName())) {
        if (known.state() == ConnectionLogin.State.USER) {
          report = () -> changed(known, after);
        } else if (before != null) {
          ConnectionLogin previous = loginOf(before);
          report = () -> changed(previous, after);
        } else {
          boolean served = served(after);
          report = () -> login(after, false, served);
        }
      }
      return becomes(after, known, report);
    }
    if (before != null && after == null) {
      // The session lost its user; a login with this request's credentials ends with it silently.
      String gone = before.getName();
      if (gone.equals(loggedOut) || gone.equals(perRequest)) {
        return new Step(ConnectionLogin.ANONYMOUS, NOTHING);
      }
      Predicate<String> roles = known.is(gone) ? known.roles()::contains : container.roles(before);
      return new Step(ConnectionLogin.ANONYMOUS, () -> logout(gone, roles));
    }
    if (user != null && user.getName().equals(loggedOut) && trigger != Trigger.LOGIN_CALL) {
      return null;
    }
    if (user == null) {
      return known.state() == ConnectionLogin.State.UNSEEN && !credentials
          ? new Step(ConnectionLogin.ANONYMOUS, NOTHING) : null;
    }
    if (known.is(user.getName())) {
      return null;
    }
    Runnable report = NOTHING;
    if (known.state() == ConnectionLogin.State.USER) {
      report = () -> changed(known, user);
    } else if (!same(user, after)) {
      // A user restored from the session logged in when the session gained it.
      boolean beforeApplication = trigger != Trigger.LOGIN_CALL;
      boolean served = served(user);
      report = () -> login(user, beforeApplication, served);
    }
    if (trigger == Trigger.LOGIN_CALL && credentials) {
      Runnable login = report;
      report = () -> {
        login.run();
        perRequest = user.getName();
      };
    }
    return becomes(user, known, report);
  }

  /** The connection's user becomes {@code user}: {@code report}, then the user recorded on the SA. */
  private Step becomes(Principal user, ConnectionLogin known, Runnable report) {
    String name = user.getName();
    ConnectionLogin next = known.is(name) ? known : loginOf(user);
    return new Step(next, () -> {
      report.run();
      if (lease != null) {
        lease.recordPrincipal(name);
      }
    });
  }

  /**
   * Whether the connection's SA served {@code user} already, read before the connection's state
   * changes: once it has, the connection's other requests record the user on the SA too.
   */
  private boolean served(Principal user) {
    return lease != null && lease.association().principals().contains(user.getName());
  }

  /** A decision: the connection's next state, and what to report once it is set. */
  private record Step(ConnectionLogin next, Runnable report) { }

  /**
   * Reports a login unless it is none: a login this request already reported, or one the peer's
   * binding (or the connection's SA) names that came with credentials or before the application (a
   * client resending them).
   */
  private void login(Principal user, boolean beforeApplication, boolean served) {
    String name = user.getName();
    Predicate<String> roles = container.roles(user);
    if (reportLogin(registry, lease, peer, name, roles, request::getAttribute,
        request::setAttribute, credentials || beforeApplication, served) < 0) {
      return;
    }
    if (isEnded(name, roles)) {
      endConnection();
    }
    events.login(name);
  }

  private void changed(ConnectionLogin previous, Principal user) {
    String name = user.getName();
    Predicate<String> roles = container.roles(user);
    engine.logout(peer, lease, previous.name(), previous.roles()::contains);
    engine.login(peer, lease, name, roles);
    request.setAttribute(TetherAttributes.LOGIN_HANDLED, name);
    if (isEnded(name, roles)) {
      endConnection();
    }
    events.changed(previous.name(), name);
  }

  private void logout(String name, Predicate<String> roles) {
    loggedOut = name;
    engine.logout(peer, lease, name, roles);
    if (isFlushed(name, roles)) {
      endConnection();
    }
    events.logout(name);
  }

  /** Whether the connection must end after this response: its SA is gone or refuses the user. */
  private boolean isEnded(String name, Predicate<String> roles) {
    return engine.endsConnection(lease, name, roles);
  }

  /** Whether the user's login or logout deleted the connection's SA, ending the connection. */
  private boolean isFlushed(String name, Predicate<String> roles) {
    return engine.flushedConnection(lease, name, roles);
  }

  private ConnectionLogin loginOf(Principal user) {
    Predicate<String> roles = container.roles(user);
    Set<String> held = engine.policies().roles().stream().filter(roles)
        .collect(Collectors.toUnmodifiableSet());
    return ConnectionLogin.user(user.getName(), held);
  }

  private Predicate<String> rolesOf(Principal first, Principal second) {
    Principal user = first != null ? first : second;
    return user == null ? role -> false : container.roles(user);
  }

  private ConnectionLogin known() {
    return connection != null ? connection.login() : local;
  }

  /** Moves the connection's state from {@code expected}; false if another request moved it first. */
  private boolean setKnown(ConnectionLogin expected, ConnectionLogin next) {
    if (connection != null) {
      if (!connection.login(expected, next)) {
        return false;
      }
    } else {
      local = next;
    }
    container.remember(next);
    return true;
  }

  /** Ends the connection once its requests in progress are done, and tells the container. */
  private void endConnection() {
    if (connection != null) {
      connection.endAfterRequests();
    }
    container.closeAfterResponse();
  }

  /**
   * Reports a login the application announced itself ({@link Tether#login}). Only the container's
   * users are followed: an identity of the application's own is not remembered, so its absence from
   * later requests is no logout.
   */
  synchronized int loginByApplication(String principal, Predicate<String> inRole) {
    if (known().is(principal)
        || principal.equals(request.getAttribute(TetherAttributes.LOGIN_HANDLED))) {
      return 0;
    }
    int flushed = engine.login(peer, lease, principal, inRole);
    request.setAttribute(TetherAttributes.LOGIN_HANDLED, principal);
    if (isEnded(principal, inRole)) {
      endConnection();
    }
    return flushed;
  }

  /** Reports a logout the application announced itself ({@link Tether#logout}). */
  synchronized int logoutByApplication(String principal, Predicate<String> inRole) {
    ConnectionLogin known = known();
    int flushed = engine.logout(peer, lease, principal,
        known.is(principal) ? known.roles()::contains : inRole);
    if (known.is(principal)) {
      perRequest = null;
      loggedOut = principal;
      ConnectionLogin now = known;
      while (now.is(principal) && !setKnown(now, ConnectionLogin.ANONYMOUS)) {
        now = known();
      }
    }
    if (isFlushed(principal, known.is(principal) ? known.roles()::contains : inRole)) {
      endConnection();
    }
    return flushed;
  }

  /**
   * Reports a login seen where the request's response is not at hand (a container's login
   * service), unless it is none (see the class comment): a login already reported in this request,
   * or one with the request's own credentials ({@code resent}) that the peer's binding or the
   * connection's SA already names. Marks the request ({@link TetherAttributes#LOGIN_HANDLED}) so
   * that no other source reports it again.
   *
   * @param getAttribute reads the request's attributes
   * @param setAttribute writes them
   * @return the number of SAs flushed, or -1 if the login was none
   */
  public static int reportLogin(AssociationRegistry registry, Lease lease, String peer, String name,
      Predicate<String> roles, Function<String, Object> getAttribute,
      BiConsumer<String, Object> setAttribute, boolean resent) {
    return reportLogin(registry, lease, peer, name, roles, getAttribute, setAttribute, resent,
        lease != null && lease.association().principals().contains(name));
  }

  /**
   * {@link #reportLogin(AssociationRegistry, Lease, String, String, Predicate, Function, BiConsumer,
   * boolean)} with whether the connection's SA had served the user, read before the caller claimed
   * the connection for the user ({@link TlsConnection#login(ConnectionLogin, ConnectionLogin)}):
   * the connection's other requests record the user on the SA from then on.
   */
  public static int reportLogin(AssociationRegistry registry, Lease lease, String peer, String name,
      Predicate<String> roles, Function<String, Object> getAttribute,
      BiConsumer<String, Object> setAttribute, boolean resent, boolean served) {
    if (name.equals(getAttribute.apply(TetherAttributes.LOGIN_HANDLED))) {
      return -1;
    }
    setAttribute.accept(TetherAttributes.LOGIN_HANDLED, name);
    PolicyEngine engine = registry.policies();
    if (resent && (name.equals(engine.boundPrincipal(peer)) || served)) {
      if (lease != null) {
        lease.recordPrincipal(name);
      }
      return -1;
    }
    return engine.login(peer, lease, name, roles);
  }

  private static final Runnable NOTHING = () -> { };

  private static String nameOf(Principal p) {
    return p == null ? null : p.getName();
  }

  private static boolean same(Principal a, Principal b) {
    return a != null && b != null && a.getName().equals(b.getName());
  }
}
