package io.tributary.ingest.acl;

/** Whether a binding grants or refuses; a matching DENY always wins. */
public enum Permission {
    ALLOW, DENY
}
