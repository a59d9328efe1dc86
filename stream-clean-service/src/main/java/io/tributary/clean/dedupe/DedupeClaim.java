package io.tributary.clean.dedupe;

import io.tributary.clean.step.dedupe.KeyMemory;

/**
 * A partition's dedupe state as its new owner loaded it.
 *
 * @param partitionId the stored partition row, for {@link DedupeStore#save}
 * @param producerId  the owner's producer id, checked on every save (another id — a new
 *                    incarnation of the source — owns another state)
 * @param epoch       the owner's producer epoch, checked on every save
 * @param nextOffset  records before this offset are already written and reflected in
 *                    {@code memory}: the owner skips them (-1 when nothing was stored yet)
 * @param memory      the remembered keys, exactly as they were after {@code nextOffset - 1}
 */
public record DedupeClaim(long partitionId, long producerId, int epoch, long nextOffset, KeyMemory memory) {
}
