package io.tributary.ingest.replication;

import java.util.List;

import io.tributary.ingest.acl.AclBinding;

/**
 * What applying a {@link MetadataCommand} answered: every node computes the same reply, and the
 * proposer gets the leader's back in the Ratis reply message ({@link MetadataCodec} writes and
 * reads it) and turns it into a value or the exception the single-node path throws.
 */
sealed interface MetadataReply {

    Ok OK = new Ok();

    /** Applied. */
    record Ok() implements MetadataReply {
    }

    /** A create of a topic that exists. */
    record Exists(String detail) implements MetadataReply {
    }

    /** A conditional reassignment refused: the stored move is not the one the command expected. */
    record Conflict(String detail) implements MetadataReply {
    }

    /** Refused: a bad topic or config, a service-owned topic, an entry that cannot be read. */
    record Invalid(String detail) implements MetadataReply {
    }

    /** The topic does not exist. */
    record Unknown(String detail) implements MetadataReply {
    }

    /** The identity an {@link MetadataCommand.InitProducer} handed out. */
    record ProducerIdentity(long producerId, short producerEpoch) implements MetadataReply {
    }

    /** The ids an {@link MetadataCommand.AllocateProducerIds} handed out: {@code firstId} and the {@code count} after it. */
    record ProducerIdBlock(long firstId, int count) implements MetadataReply {
    }

    /** The bindings an {@link MetadataCommand.ChangeAcls} added or removed. */
    record Acls(List<AclBinding> bindings) implements MetadataReply {
    }
}
