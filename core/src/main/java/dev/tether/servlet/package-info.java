/**
 * Portable servlet parts for any application running behind a Tether adapter: the request attributes
 * the adapters set ({@link dev.tether.servlet.TetherAttributes}), a JSON view of the SA table with
 * manual flushes ({@link dev.tether.servlet.AssociationServlet}), and a filter that lets monitors in
 * with HTTP BASIC credentials next to a FORM login ({@link dev.tether.servlet.RoleAccessFilter}).
 * Nothing here depends on a particular container.
 */
package dev.tether.servlet;
