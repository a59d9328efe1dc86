package io.tributary.gateway.security;

/** What an API key may do. {@link #ADMIN} may do everything. */
public enum Role {
    /** Write records (POST .../records) and obtain idempotent producer identities. */
    PRODUCER,
    /** Read records and offsets, and use consumer groups. */
    CONSUMER,
    /** Manage topics, pipelines, reference tables and jobs; everything else too. */
    ADMIN
}
