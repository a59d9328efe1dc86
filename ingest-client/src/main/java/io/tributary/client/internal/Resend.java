package io.tributary.client.internal;

/**
 * When a call may be sent again, to the next node, after a failure that points at the node it went
 * to (no connection, a reset or timeout, a 502/503/504 marked retriable). Whatever the failure, a
 * call is never sent again after an answer the service did not mark retriable (a 400 stays a 400).
 */
public enum Resend {
    /**
     * After any such failure: a read, or a write every node recognises when it arrives twice
     * (a produce under a producer id and sequence, a commit of explicit offsets, a heartbeat, a
     * group poll carrying {@code after}, which reads a lost answer's records again).
     */
    ANY_FAILURE,
    /**
     * After a refused connection or a retriable problem answer, but not once the request may have
     * been processed without its answer arriving (timeout, reset): a join, which would leave a
     * member behind.
     */
    REFUSED,
    /**
     * Only when no connection could be made, so the request never left: a produce no node can
     * deduplicate (neither a producer id nor an {@code Idempotency-Key}), a topic create or delete.
     */
    UNSENT
}
