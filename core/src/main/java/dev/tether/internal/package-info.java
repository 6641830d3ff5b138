/**
 * Implementation helpers shared by Tether's modules (duration parsing, the settings both container
 * adapters share). Not part of the API: anything here may change without notice.
 */
package dev.tether.internal;
