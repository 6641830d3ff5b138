/**
 * Tether for Tomcat 11: {@link dev.tether.tomcat.TomcatTetherProtocol}, a connector protocol that
 * gives every TLS connection a lease on a security association, and
 * {@link dev.tether.tomcat.TomcatTetherValve}, which ties requests to their association and reports
 * logins. The protocol extends Tomcat's NIO connector internals, tested against the Tomcat version
 * pinned in the build.
 */
package dev.tether.tomcat;
