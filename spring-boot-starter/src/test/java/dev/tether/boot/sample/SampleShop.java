package dev.tether.boot.sample;

import static org.springframework.security.config.Customizer.withDefaults;

import dev.tether.Lease;
import dev.tether.servlet.TetherAttributes;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.SessionManagementConfigurer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.switchuser.SwitchUserFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A shop with Spring Security: form login, BASIC, logout and switch user; {@code alice} and
 * {@code bob} are customers, {@code carol} a partner, {@code admin} an administrator (password
 * {@code secret} for all). Every
 * page answers {@code sa=ID;resumed=BOOL;user=NAME;policy=POLICY} for the request's connection.
 *
 * <p>Run it with the JVM flags Tether needs and a key store:
 *
 * <pre>{@code
 * java -Djdk.tls.server.enableSessionTicketExtension=false \
 *      -Djdk.tls.rejectClientInitiatedRenegotiation=true ... SampleShop \
 *      --server.ssl.key-store=shop.p12 --server.ssl.key-store-password=changeit
 * }</pre>
 *
 * <p>{@code sample.session-fixation} picks Spring Security's session fixation protection:
 * {@code change-id} (its default), {@code migrate} or {@code new}.
 */
@SpringBootApplication
public class SampleShop {

  public static void main(String[] args) {
    SpringApplication.run(SampleShop.class, args);
  }

  @Bean
  SecurityFilterChain security(HttpSecurity http, SwitchUserFilter switchUser,
      @Value("${sample.session-fixation:change-id}") String fixation) throws Exception {
    http.authorizeHttpRequests(a -> a
            .requestMatchers("/admin/**", "/actuator/**", "/login/impersonate").hasRole("admin")
            .requestMatchers("/account/**", "/logout/impersonate").authenticated()
            .anyRequest().permitAll())
        .formLogin(withDefaults())
        .httpBasic(withDefaults())
        .logout(l -> l.logoutSuccessUrl("/"))
        .csrf(c -> c.ignoringRequestMatchers("/actuator/**"))
        .sessionManagement(s -> fixation(s.sessionFixation(), fixation))
        .addFilterAfter(switchUser, AuthorizationFilter.class);
    return http.build();
  }

  private static void fixation(
      SessionManagementConfigurer<HttpSecurity>.SessionFixationConfigurer f, String strategy) {
    switch (strategy) {
      case "migrate" -> f.migrateSession();
      case "new" -> f.newSession();
      default -> f.changeSessionId();
    }
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}secret").roles("customer").build(),
        User.withUsername("bob").password("{noop}secret").roles("customer").build(),
        User.withUsername("admin").password("{noop}secret").roles("admin").build(),
        User.withUsername("carol").password("{noop}secret").roles("partner").build());
  }

  @Bean
  SwitchUserFilter switchUserFilter(UserDetailsService users) {
    SwitchUserFilter filter = new SwitchUserFilter();
    filter.setUserDetailsService(users);
    filter.setTargetUrl("/account");
    return filter;
  }

  /** The switch-user filter belongs to the security chain only, not to the servlet container. */
  @Bean
  FilterRegistrationBean<SwitchUserFilter> switchUserFilterRegistration(SwitchUserFilter filter) {
    FilterRegistrationBean<SwitchUserFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setEnabled(false);
    return registration;
  }

  /** The pages. */
  @RestController
  static class Pages {
    @GetMapping({"/", "/account", "/admin"})
    String page(HttpServletRequest request, Principal user) {
      Lease lease = TetherAttributes.lease(request);
      return "sa=" + TetherAttributes.associationId(request)
          + ";resumed=" + TetherAttributes.resumed(request)
          + ";user=" + (user == null ? null : user.getName())
          + ";policy=" + (lease == null ? null : lease.policy().name()) + "\n";
    }
  }
}
