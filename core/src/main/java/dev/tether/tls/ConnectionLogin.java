package dev.tether.tls;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Who a connection's requests were last made by, as the web application's login tracking saw it: no
 * request yet, anonymous requests, or a user with the roles the policies know of. Kept per connection
 * ({@link TlsConnection#login()}) so that a user who changes on a connection without an HTTP session
 * (HTTP BASIC, {@code request.login()}) is seen as a logout followed by a login.
 *
 * @param state what is known
 * @param name the user's name; {@code null} unless {@code state} is {@link State#USER}
 * @param roles the user's roles among those the policies name (empty unless a user)
 */
public record ConnectionLogin(State state, String name, Set<String> roles) {
  /** The connection served no request yet. */
  public static final ConnectionLogin UNSEEN = new ConnectionLogin(State.UNSEEN, null, Set.of());
  /** The connection's last request was anonymous, or its user logged out. */
  public static final ConnectionLogin ANONYMOUS =
      new ConnectionLogin(State.ANONYMOUS, null, Set.of());

  /** The login state of a connection. */
  public enum State {
    /** No request yet. */
    UNSEEN,
    /** Anonymous requests, or a user who logged out. */
    ANONYMOUS,
    /** A user. */
    USER
  }

  public ConnectionLogin {
    requireNonNull(state, "state");
    roles = Set.copyOf(roles);
    if ((state == State.USER) != (name != null)) {
      throw new IllegalArgumentException("a name if and only if the state is USER: " + state);
    }
  }

  /** Returns the state of a connection whose requests are made by {@code name}. */
  public static ConnectionLogin user(String name, Set<String> roles) {
    return new ConnectionLogin(State.USER, requireNonNull(name, "name"), roles);
  }

  /** Returns whether this is the user {@code name}. */
  public boolean is(String name) {
    return name != null && name.equals(this.name);
  }
}
