/**
 * Implementation helpers shared by Tether's modules. Not part of the API: anything here may change
 * without notice.
 */
package dev.tether.internal;
