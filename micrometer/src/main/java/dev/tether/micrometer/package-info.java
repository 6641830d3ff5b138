/**
 * Tether's registry as Micrometer meters: gauges of live SAs and leases, counters of negotiations,
 * reuses, deletions by cause and refusals by reason, and distributions of SA lifetime and idle time.
 */
package dev.tether.micrometer;
