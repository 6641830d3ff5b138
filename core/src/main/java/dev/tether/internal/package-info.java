/**
 * Implementation details shared by Tether's packages; not part of the API and free to change between
 * releases. Nothing here depends on a servlet container.
 */
package dev.tether.internal;
