/**
 * Plumbing shared by the client types (HTTP transport, JSON helpers). Not a public API: it may
 * change without notice.
 */
package io.tributary.client.internal;
