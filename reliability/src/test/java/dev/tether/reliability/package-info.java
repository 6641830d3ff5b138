/**
 * Reliability tests: Tether on embedded Jetty 12.1 and Tomcat 11 under churn, injected faults,
 * floods and malformed input, each scenario run in both containers with real TLS clients.
 */
package dev.tether.reliability;
