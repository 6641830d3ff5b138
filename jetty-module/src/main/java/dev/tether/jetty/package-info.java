/**
 * Tether for Jetty 12: a server bean that ties every TLS connection of its connectors to a security
 * association, plus the {@code tether} module for a Jetty distribution. Works on Jetty 12.0 and 12.1;
 * {@link dev.tether.jetty.JettyTether} is the only type an application needs.
 */
package dev.tether.jetty;
