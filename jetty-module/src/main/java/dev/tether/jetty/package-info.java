/**
 * Tether for Jetty 12: a server bean that ties every TLS connection of its connectors to a security
 * association and puts it on each request ({@link dev.tether.jetty.JettyTether}), a login service
 * wrapper that reports logins to the policy engine before their response is written
 * ({@link dev.tether.jetty.JettyTetherLoginService}), and the {@code tether} module for a Jetty
 * distribution. Works on Jetty 12.0 and 12.1.
 */
package dev.tether.jetty;
