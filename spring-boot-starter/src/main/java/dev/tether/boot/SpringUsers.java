package dev.tether.boot;

import dev.tether.PolicyEngine;
import dev.tether.tls.ConnectionLogin;
import java.util.Collection;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Spring Security's users as Tether's policies see them: a policy's {@code role:NAME} is the
 * authority {@code ROLE_NAME} (with the application's role prefix), or an authority named exactly
 * {@code NAME} ({@code SCOPE_read}); anonymous authentications are no user.
 *
 * @param rolePrefix the prefix of role authorities, {@code ROLE_} unless the application's
 *     {@code GrantedAuthorityDefaults} say otherwise
 */
record SpringUsers(String rolePrefix) {

  /** Returns whether {@code authentication} is a user's (not none, not anonymous). */
  static boolean isUser(Authentication authentication) {
    return authentication != null && authentication.isAuthenticated()
        && !(authentication instanceof AnonymousAuthenticationToken);
  }

  /** Returns whether the holder of these authorities has a policy's role. */
  Predicate<String> roles(Collection<? extends GrantedAuthority> authorities) {
    Set<String> held = authorities.stream().map(GrantedAuthority::getAuthority)
        .collect(Collectors.toUnmodifiableSet());
    return role -> held.contains(rolePrefix + role) || held.contains(role);
  }

  /** Returns the connection state of a user: the name, and the roles the policies know of. */
  static ConnectionLogin login(PolicyEngine engine, String name, Predicate<String> roles) {
    return ConnectionLogin.user(name, engine.policies().roles().stream().filter(roles)
        .collect(Collectors.toUnmodifiableSet()));
  }
}
