/**
 * Implementation helpers shared by Tether's modules (duration parsing, a small JSON writer). Not part
 * of the API: anything here may change without notice.
 */
package dev.tether.internal;
