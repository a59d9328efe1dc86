package io.tributary.ingest.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.TopicExistsException;
import io.tributary.ingest.topic.TopicIds;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.ingest.topic.UnknownTopicException;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The state machine of the metadata group, which spans every node: topic commands (create,
 * config change, delete) applied to each node's {@link TopicRegistry}, and idempotent producer
 * identities handed out by each node's {@link ProducerIds}, in the same order everywhere.
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
 * <p>A topic's incarnation is the index of its create entry; partition group ids include it, so
 * a deleted topic's name can be created again without a node that missed the delete bringing
 * the old groups' Raft logs into the new ones. Its id ({@code topicId}) comes with the create
 * command, so it is the same on every node and differs from any earlier namesake's.
 */
final class MetadataStateMachine extends BaseStateMachine {

    private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String OK = "ok";
    static final String EXISTS = "exists:";
    static final String INVALID = "invalid:";
    static final String UNKNOWN = "unknown:";
    /** Reply to init-producer: {@code producer:<id>:<epoch>}. */
    static final String PRODUCER = "producer:";

    /** What the replication service does around topic changes on this node. */
    interface Hooks {
        /** The topic exists locally: join the Raft groups of its partitions hosted here. */
        void topicReady(TopicRegistry.Topic topic);

        /** The topic is about to be deleted locally: leave (and delete) its partition groups first. */
        void topicDeleting(TopicRegistry.Topic topic);
    }

    private final TopicRegistry topics;
    private final ProducerIds producerIds;
    private final Hooks hooks;
    private final Path appliedFile;
    private final long persistedApplied;

    MetadataStateMachine(TopicRegistry topics, ProducerIds producerIds, Hooks hooks, Path appliedFile) {
        this.topics = topics;
        this.producerIds = producerIds;
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
        String reply;
        TopicCommand cmd = null;
        try {
            cmd = JSON.readValue(entry.getStateMachineLogEntry().getLogData().toByteArray(), TopicCommand.class);
        } catch (RuntimeException e) {
            // Deterministic on every node: a command that cannot be read is refused everywhere.
            reply = INVALID + e.getMessage();
        }
        if (cmd == null) {
            reply = INVALID + "unreadable metadata command";
        } else if (entry.getIndex() <= persistedApplied) {
            reply = replay(cmd);
        } else {
            reply = apply(cmd, entry.getIndex());
            recordApplied(entry.getIndex());
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(reply));
    }

    /** A command applied before this node's last stop: in-memory state and group repair only. */
    private String replay(TopicCommand cmd) {
        switch (cmd.op()) {
            case TopicCommand.CREATE -> {
                if (topics.exists(cmd.name())) {
                    hooks.topicReady(topics.get(cmd.name()));
                }
            }
            default -> {
                // configs, delete, producers: already in topics.json and producer-ids.json
            }
        }
        return OK;
    }

    private String apply(TopicCommand cmd, long index) {
        try {
            return switch (cmd.op()) {
                case TopicCommand.INIT_PRODUCER -> initProducer(cmd.name(), index);
                case TopicCommand.CREATE -> create(cmd, index);
                case TopicCommand.CONFIGS -> {
                    topics.updateConfigs(cmd.name(), cmd.configs());
                    yield OK;
                }
                case TopicCommand.DELETE -> delete(cmd);
                case TopicCommand.NOOP -> OK;
                default -> INVALID + "unknown metadata command " + cmd.op();
            };
        } catch (UnknownTopicException e) {
            return UNKNOWN + e.getMessage();
        } catch (InvalidTopicException | LogConfig.InvalidConfigException e) {
            return INVALID + e.getMessage();
        }
    }

    /** The entry's index is the topic's incarnation: a name created again gets new partition groups. */
    private String create(TopicCommand cmd, long index) {
        String reply;
        try {
            String topicId = cmd.topicId() != null ? cmd.topicId() : TopicIds.derived(cmd.name(), index);
            topics.create(cmd.name(), cmd.partitions(), cmd.replicationFactor(), cmd.configs(), index, topicId);
            reply = OK;
        } catch (TopicExistsException e) {
            reply = EXISTS + e.getMessage();
        }
        hooks.topicReady(topics.get(cmd.name()));
        return reply;
    }

    /** Every node hands out the same identity; the one of an entry applied before a restart is not known again. */
    private String initProducer(String name, long index) {
        ProducerIds.Identity identity = producerIds.initAt(name, index);
        return identity == null ? INVALID + "producer entry " + index + " was applied before"
                : PRODUCER + identity.producerId() + ":" + identity.producerEpoch();
    }

    private String delete(TopicCommand cmd) {
        if (!topics.exists(cmd.name())) {
            return UNKNOWN + "topic " + cmd.name() + " does not exist";
        }
        TopicRegistry.Topic topic = topics.get(cmd.name());
        if (topic.metadata().internal()) {
            return INVALID + "internal topic " + cmd.name() + " cannot be deleted";
        }
        hooks.topicDeleting(topic);
        topics.delete(cmd.name());
        return OK;
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

    static byte[] encode(TopicCommand cmd) {
        return JSON.writeValueAsString(cmd).getBytes(StandardCharsets.UTF_8);
    }
}
