package dev.tether.jetty;

import static java.util.Objects.requireNonNull;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.servlet.LoginFlow;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tls.ConnectionLogin;
import dev.tether.tls.TlsConnection;
import java.security.Principal;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.security.auth.Subject;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.security.IdentityService;
import org.eclipse.jetty.security.LoginService;
import org.eclipse.jetty.security.UserIdentity;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.util.annotation.Name;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LoginService} that reports each successful login to the Tether policy engine of the
 * request's connection, before the login's response is written, and otherwise delegates to the
 * login service it wraps (a {@code HashLoginService}, {@code JDBCLoginService}, ...).
 *
 * <p>Jetty's security handler answers FORM's {@code j_security_check} itself, with a redirect, before
 * any filter runs; a filter would see that login only on the next request, after the response had
 * left. Every Jetty authenticator (FORM, BASIC, DIGEST, and {@code request.login()}) checks
 * credentials through the login service, with the request at hand: this wrapper runs the policy's
 * flush and binds the peer there, so the flush is done before the redirect is sent. It finds the
 * registry and the connection's lease in the request attributes {@link JettyTether} sets.
 *
 * <p>BASIC (and a monitor let in by {@code RoleAccessFilter}) sends its credentials with every
 * request, and Jetty checks them every time: a login with an {@code Authorization} header whose user
 * the peer is already bound to, or whose connection's SA already served that user, is not reported
 * again. Logouts reach a login service without the request, so they are reported by
 * {@code dev.tether.servlet.TetherLoginFilter}, which the application maps to {@code /*} as well; the
 * filter also refuses requests on an SA the user's policy does not accept (421).
 *
 * <pre>{@code
 * HashLoginService realm = new HashLoginService("shop",
 *     ResourceFactory.of(server).newResource("etc/realm.properties"));
 * context.getSecurityHandler().setLoginService(JettyTetherLoginService.wrap(realm));
 * context.addFilter(TetherLoginFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>In Jetty XML, wrap the realm where it is defined:
 * {@code <New class="dev.tether.jetty.JettyTetherLoginService"><Arg><New class="org.eclipse.jetty.security.HashLoginService">...</New></Arg></New>}.
 *
 * <p>It manages the wrapped service's lifecycle (starts and stops it with itself). Thread-safe as
 * the wrapped service is.
 */
public class JettyTetherLoginService extends ContainerLifeCycle implements LoginService {
  private static final Logger LOG = LoggerFactory.getLogger(JettyTetherLoginService.class);

  private final LoginService delegate;

  /** Wraps {@code delegate}, which this service starts and stops. */
  public JettyTetherLoginService(@Name("delegate") LoginService delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
    addBean(delegate);
  }

  /** Returns {@code delegate} wrapped, or itself if it is wrapped already. */
  public static LoginService wrap(LoginService delegate) {
    return delegate instanceof JettyTetherLoginService ? delegate
        : new JettyTetherLoginService(delegate);
  }

  /** Returns the wrapped login service. */
  public LoginService getDelegate() {
    return delegate;
  }

  @Override
  public String getName() {
    return delegate.getName();
  }

  @Override
  public UserIdentity login(String username, Object credentials, Request request,
      Function<Boolean, Session> getOrCreateSession) {
    UserIdentity user = delegate.login(username, credentials, request, getOrCreateSession);
    if (user != null && request != null) {
      try {
        report(user, request);
      } catch (RuntimeException e) {
        // The login stands; the policy engine and its listeners must not break it.
        LOG.warn("Tether could not report the login of {}", user.getUserPrincipal().getName(), e);
      }
    }
    return user;
  }

  private static void report(UserIdentity user, Request request) {
    if (!(request.getAttribute(TetherAttributes.REGISTRY) instanceof AssociationRegistry registry)) {
      return;
    }
    String name = user.getUserPrincipal().getName();
    TlsConnection tls = request.getAttribute(TetherAttributes.CONNECTION) instanceof TlsConnection c
        ? c : null;
    Lease lease = tls != null ? tls.lease()
        : request.getAttribute(TetherAttributes.LEASE) instanceof Lease l ? l : null;
    String peer = lease != null ? lease.peer() : Request.getRemoteAddr(request);
    boolean resent = request.getHeaders().contains(HttpHeader.AUTHORIZATION);
    boolean served = lease != null && lease.association().principals().contains(name);
    if (tls != null) {
      Set<String> roles = registry.policies().policies().roles().stream()
          .filter(user::isUserInRole).collect(Collectors.toUnmodifiableSet());
      ConnectionLogin next = ConnectionLogin.user(name, roles);
      ConnectionLogin known;
      do {
        known = tls.login();
      } while (!known.is(name) && !tls.login(known, next));
      if (known.is(name) && resent) {
        // Another request of the connection (HTTP/2 streams run at once) logged this user in with
        // the same credentials: no new login.
        request.setAttribute(TetherAttributes.LOGIN_HANDLED, name);
        if (lease != null) {
          lease.recordPrincipal(name);
        }
        return;
      }
    }
    int count = LoginFlow.reportLogin(registry, lease, peer, name, user::isUserInRole,
        request::getAttribute, request::setAttribute, resent, served);
    if (count < 0) {
      return;
    }
    if (registry.policies().endsConnection(lease, name, user::isUserInRole)) {
      // The login ended the connection's SA, or left it on one its policy refuses.
      if (tls != null) {
        tls.endAfterRequests();
      }
      RequestAttributes.closeAfterResponse(request);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("Tether login of {} from {}: policy '{}', {} SA(s) flushed", name, peer,
          registry.policies().resolve(name, user::isUserInRole).name(), count);
    }
  }

  @Override
  public UserIdentity getUserIdentity(Subject subject, Principal userPrincipal, boolean create) {
    return delegate.getUserIdentity(subject, userPrincipal, create);
  }

  @Override
  public boolean validate(UserIdentity user) {
    return delegate.validate(user);
  }

  @Override
  public IdentityService getIdentityService() {
    return delegate.getIdentityService();
  }

  @Override
  public void setIdentityService(IdentityService service) {
    delegate.setIdentityService(service);
  }

  @Override
  public void logout(UserIdentity user) {
    delegate.logout(user);
  }

  @Override
  public String toString() {
    return "JettyTetherLoginService{" + delegate + "}";
  }
}
