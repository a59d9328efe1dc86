package io.tributary.ingest.acl;

/**
 * How an ACL's resource name matches: {@code LITERAL} the exact name ({@code *} literal: every
 * name), {@code PREFIXED} every name that starts with it.
 */
public enum PatternType {
    LITERAL, PREFIXED
}
