package dev.tether.boot;

import dev.tether.AssociationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.security.authentication.event.AbstractAuthenticationEvent;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.core.GrantedAuthorityDefaults;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * Spring Security's logins and logouts reach Tether's policy engine ({@link SecurityLogins}), and
 * every security filter chain checks the request's user against the connection's SA
 * ({@link TetherPolicyFilter}, added to each {@link HttpSecurity} by a {@code Customizer} bean,
 * which Spring Security applies to every chain it builds).
 */
@AutoConfiguration(after = TetherAutoConfiguration.class)
@ConditionalOnClass({HttpSecurity.class, AbstractAuthenticationEvent.class})
@ConditionalOnBean(AssociationRegistry.class)
public final class TetherSecurityAutoConfiguration {

  @Bean
  SpringUsers tetherSpringUsers(ObjectProvider<GrantedAuthorityDefaults> defaults) {
    GrantedAuthorityDefaults d = defaults.getIfAvailable();
    return new SpringUsers(d != null ? d.getRolePrefix() : "ROLE_");
  }

  @Bean
  SecurityLogins tetherSecurityLogins(TetherRequestFilter requests, SpringUsers users,
      ObjectProvider<SecurityContextHolderStrategy> strategy) {
    return new SecurityLogins(requests, users,
        strategy.getIfAvailable(SecurityContextHolder::getContextHolderStrategy));
  }

  @Bean
  Customizer<HttpSecurity> tetherPolicyCheck(SpringUsers users,
      ObjectProvider<SecurityContextHolderStrategy> strategy) {
    return http -> http.addFilterBefore(new TetherPolicyFilter(users,
            strategy.getIfAvailable(SecurityContextHolder::getContextHolderStrategy)),
        AuthorizationFilter.class);
  }
}
