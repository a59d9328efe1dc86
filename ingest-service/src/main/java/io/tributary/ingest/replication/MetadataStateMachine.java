package io.tributary.ingest.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.AclStore;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.replication.MetadataCommand.ChangeAcls;
import io.tributary.ingest.replication.MetadataCommand.CreateTopic;
import io.tributary.ingest.replication.MetadataCommand.DeleteTopic;
import io.tributary.ingest.replication.MetadataCommand.InitProducer;
import io.tributary.ingest.replication.MetadataCommand.Noop;
import io.tributary.ingest.replication.MetadataCommand.Reassign;
import io.tributary.ingest.replication.MetadataCommand.UpdateConfigs;
import io.tributary.ingest.replication.MetadataReply.Invalid;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.PartitionAssignment;
import io.tributary.ingest.topic.TopicExistsException;
import io.tributary.ingest.topic.TopicIds;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.topic.UnknownTopicException;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of the metadata group, which spans every node: topic commands (create,
 * config change, delete) applied to each node's {@link TopicRegistry}, and idempotent producer
 * identities handed out by each node's {@link ProducerIds}, in the same order everywhere. The
 * entries are {@link MetadataCommand}s and the answers {@link MetadataReply}s, written and read by
 * {@link MetadataCodec} (the log format is described there).
 *
 * <p>No Ratis snapshot: the registry keeps its own {@code topics.json}, and the Raft log of this
 * group is never purged (one small entry per command), so Ratis replays it from the start after
 * every restart. To keep that replay from re-running side effects (a config change replayed
 * over a later one, a create replayed after its delete), the index of the last command applied
 * here is kept in {@code raft-metadata-applied}, written after each command. Entries up to it
 * are <em>replayed</em> only: they repair a crash between creating a topic and joining its
 * partition groups (a replayed create of an existing topic makes sure its groups are joined).
 * The command after it is applied again in full if the node stopped between applying it and
 * recording its index; every command is idempotent against the state it leaves (create of an
 * existing topic, delete of a missing one, the same config merge, a producer entry whose index
 * {@code producer-ids.json} already records).
 *
 * <p>ACL changes ({@link ChangeAcls}) are applied to each node's {@link AclStore}, which keeps them in
 * {@code acls.json} like the registry keeps topics, so the same replay rule holds for them.
 *
 * <p>A topic's incarnation is the index of its create entry; partition group ids include it, so
 * a deleted topic's name can be created again without a node that missed the delete bringing
 * the old groups' Raft logs into the new ones. Its id ({@code topicId}) comes with the create
 * command, so it is the same on every node and differs from any earlier namesake's.
 */
final class MetadataStateMachine extends MemberStateMachine {

    private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);

    /** What the replication service does around topic changes on this node. */
    interface Hooks {
        /** The topic exists locally: join the Raft groups of its partitions hosted here. */
        void topicReady(TopicRegistry.Topic topic);

        /** The topic is about to be deleted locally: leave (and delete) its partition groups first. */
        void topicDeleting(TopicRegistry.Topic topic);

        /**
         * Stores a partition's new assignment and makes this node's replica follow it (joins the
         * group with an empty log when newly placed here, leaves it and deletes the log when no
         * longer placed here).
         *
         * @throws IllegalArgumentException a node id that is not a member
         */
        void reassign(TopicRegistry.Topic topic, int partition, PartitionAssignment assignment);

        /** A node became a member of the cluster. */
        void nodeAdded(ClusterPeers.Peer node);

        /** A node is no longer a member of the cluster. */
        void nodeRemoved(int nodeId);

        /** A node's data folder registered its storage id. */
        void storageRegistered(int nodeId, String storageId);

        /** What this node knows of another's storage (answers a {@code storage-of} query). */
        MetadataCodec.StorageAnswer storageOf(int nodeId);
    }

    private final TopicRegistry topics;
    private final ProducerIds producerIds;
    private final AclStore acls;
    private final Hooks hooks;
    private final Path appliedFile;
    private final long persistedApplied;

    MetadataStateMachine(TopicRegistry topics, ProducerIds producerIds, AclStore acls, Hooks hooks,
                         Path appliedFile) {
        this.topics = topics;
        this.producerIds = producerIds;
        this.acls = acls;
        this.hooks = hooks;
        this.appliedFile = appliedFile;
        long applied = -1;
        try {
            if (Files.exists(appliedFile)) {
                applied = Long.parseLong(Files.readString(appliedFile, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("cannot read {}; every metadata command will be applied again", appliedFile, e);
        }
        this.persistedApplied = applied;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        MetadataReply reply;
        try {
            MetadataCommand cmd = MetadataCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
            reply = index <= persistedApplied ? replay(cmd) : apply(cmd, index);
        } catch (MetadataCodec.MalformedCommandException e) {
            // Deterministic on every node: a command that cannot be read is refused everywhere.
            reply = new Invalid(e.getMessage());
        }
        if (index > persistedApplied) {
            recordApplied(index);
        }
        updateLastAppliedTermIndex(entry.getTerm(), index);
        return CompletableFuture.completedFuture(MetadataCodec.encodeReply(reply));
    }

    /**
     * Read-only queries, answered from this node's applied state without going through the leader
     * (Ratis stale reads): {@code storage-of} ({@link StorageGuard}). Anything else fails.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        java.util.OptionalInt node = MetadataCodec.decodeStorageQuery(request);
        if (node.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown metadata query"));
        }
        return CompletableFuture.completedFuture(MetadataCodec.encodeStorageAnswer(hooks.storageOf(node.getAsInt())));
    }

    /** A command applied before this node's last stop: in-memory state and group repair only. */
    private MetadataReply replay(MetadataCommand cmd) {
        if (cmd instanceof CreateTopic c && topics.exists(c.name())) {
            hooks.topicReady(topics.get(c.name()));
        }
        // configs, delete, producers, ACLs: already in topics.json, producer-ids.json, acls.json
        return MetadataReply.OK;
    }

    private MetadataReply apply(MetadataCommand cmd, long index) {
        try {
            if (cmd instanceof CreateTopic c) {
                return create(c, index);
            } else if (cmd instanceof UpdateConfigs u) {
                topics.applyConfigs(u.name(), u.changes());
                return MetadataReply.OK;
            } else if (cmd instanceof DeleteTopic d) {
                return delete(d.name());
            } else if (cmd instanceof InitProducer p) {
                return initProducer(p.producerName(), index);
            } else if (cmd instanceof MetadataCommand.AllocateProducerIds) {
                return new MetadataReply.ProducerIdBlock(ProducerIds.blockStart(index), ProducerIds.BLOCK_SIZE);
            } else if (cmd instanceof ChangeAcls a) {
                return new MetadataReply.Acls(acls.apply(a.change()));
            } else if (cmd instanceof Noop) {
                return MetadataReply.OK;
            } else if (cmd instanceof Reassign r) {
                return reassign(r);
            } else if (cmd instanceof MetadataCommand.AddNode a) {
                hooks.nodeAdded(a.node());
                return MetadataReply.OK;
            } else if (cmd instanceof MetadataCommand.RemoveNode r) {
                hooks.nodeRemoved(r.nodeId());
                return MetadataReply.OK;
            } else if (cmd instanceof MetadataCommand.RegisterStorage r) {
                hooks.storageRegistered(r.nodeId(), r.storageId());
                return MetadataReply.OK;
            }
            throw new IllegalStateException("no apply for " + cmd);
        } catch (UnknownTopicException e) {
            return new MetadataReply.Unknown(e.getMessage());
        } catch (InvalidTopicException | LogConfig.InvalidConfigException e) {
            return new Invalid(e.getMessage());
        }
    }

    /** The entry's index is the topic's incarnation: a name created again gets new partition groups. */
    private MetadataReply create(CreateTopic cmd, long index) {
        MetadataReply reply;
        try {
            String topicId = cmd.topicId() != null ? cmd.topicId() : TopicIds.derived(cmd.name(), index);
            topics.create(cmd.name(), cmd.partitions(), cmd.replicationFactor(), cmd.configs(), index, topicId,
                    cmd.assignment() == null ? null
                            : cmd.assignment().stream().map(PartitionAssignment::of).toList());
            reply = MetadataReply.OK;
        } catch (TopicExistsException e) {
            reply = new MetadataReply.Exists(e.getMessage());
        }
        hooks.topicReady(topics.get(cmd.name()));
        return reply;
    }

    /** Every node hands out the same identity; the one of an entry applied before a restart is not known again. */
    private MetadataReply initProducer(String name, long index) {
        ProducerIds.Identity identity = producerIds.initAt(name, index);
        return identity == null ? new Invalid("producer entry " + index + " was applied before")
                : new MetadataReply.ProducerIdentity(identity.producerId(), identity.producerEpoch());
    }

    private MetadataReply delete(String name) {
        if (!topics.exists(name)) {
            return new MetadataReply.Unknown("topic " + name + " does not exist");
        }
        TopicRegistry.Topic topic = topics.get(name);
        if (topic.metadata().internal()) {
            return new Invalid("internal topic " + name + " cannot be deleted");
        }
        hooks.topicDeleting(topic);
        topics.delete(name);
        return MetadataReply.OK;
    }

    private MetadataReply reassign(Reassign cmd) {
        if (!topics.exists(cmd.name())) {
            return new MetadataReply.Unknown("topic " + cmd.name() + " does not exist");
        }
        TopicRegistry.Topic topic = topics.get(cmd.name());
        if (cmd.topicId() != null && !cmd.topicId().equals(topic.metadata().topicId())) {
            return new MetadataReply.Unknown("topic " + cmd.name() + " was deleted and created again");
        }
        if (cmd.partition() < 0 || cmd.partition() >= topic.partitions().size()) {
            return new MetadataReply.Unknown("topic " + cmd.name() + " has no partition " + cmd.partition());
        }
        if (cmd.expectTarget() != null) {
            PartitionAssignment stored = topic.metadata().assignment(cmd.partition());
            List<Integer> running = stored != null && stored.moving() ? stored.target() : List.of();
            if (!running.equals(cmd.expectTarget())) {
                return new MetadataReply.Conflict(cmd.name() + "-" + cmd.partition() + (running.isEmpty()
                        ? " is not moving" : " is moving to " + running) + " (expected "
                        + (cmd.expectTarget().isEmpty() ? "no move" : "a move to " + cmd.expectTarget()) + ")");
            }
        }
        try {
            hooks.reassign(topic, cmd.partition(), new PartitionAssignment(cmd.replicas(), cmd.target(),
                    cmd.original()));
        } catch (IllegalArgumentException e) {
            return new Invalid(e.getMessage());
        }
        return MetadataReply.OK;
    }

    private void recordApplied(long index) {
        try {
            Path tmp = appliedFile.resolveSibling(appliedFile.getFileName() + ".tmp");
            Files.createDirectories(appliedFile.getParent());
            Files.writeString(tmp, Long.toString(index), StandardCharsets.UTF_8);
            Files.move(tmp, appliedFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the applied metadata index in " + appliedFile, e);
        }
    }
}
