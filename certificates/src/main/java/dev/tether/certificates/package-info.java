/**
 * Self-signed server certificates for the sample shop's first start, demos and tests, made with
 * Bouncy Castle, and the Tomcat host configuration that serves one. A server with a certificate of
 * its own needs none of this; Tether's core and adapters do not depend on it.
 */
package dev.tether.certificates;
