/**
 * Tether's core: the registry of TLS security associations (SAs), whose lifetime follows the
 * connections that use them. {@link dev.tether.AssociationRegistry} is the entry point; containers
 * hand it each completed handshake and get back a {@link dev.tether.Lease} that they release on close.
 */
package dev.tether;
