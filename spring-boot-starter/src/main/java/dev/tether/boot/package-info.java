/**
 * Tether in Spring Boot's embedded Tomcat or Jetty: auto-configuration from {@code tether.*}
 * properties, Spring Security's logins and logouts reported to the policy engine, an actuator
 * endpoint, a health indicator and Micrometer meters. Add {@code tether-spring-boot-starter} and
 * configure {@code server.ssl.*} as usual.
 */
package dev.tether.boot;
