package io.tributary.ingest.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.TopicExistsException;
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
 * config change, delete) applied to each node's {@link TopicRegistry}, in the same order
 * everywhere.
 *
 * <p>No Ratis snapshot: the registry keeps its own {@code topics.json}, and the Raft log of this
 * group is never purged (one small entry per command), so Ratis replays it from the start after
 * every restart. To keep that replay from re-running side effects (a config change replayed
 * over a later one, a create replayed after its delete), the index of the last command applied
 * here is kept in {@code raft/metadata-applied}, written after each command. Entries up to it
 * are <em>replayed</em> only: they rebuild in-memory state (names of deleted topics) and repair
 * a crash between creating a topic and joining its partition groups (a replayed create of an
 * existing topic makes sure its groups are joined). The command after it is applied again in
 * full if the node stopped between applying it and recording its index; every command is
 * idempotent against the state it leaves (create of an existing topic, delete of a missing one,
 * the same config merge).
 *
 * <p>A deleted topic's name cannot be created again on a cluster: partition group ids are derived
 * from topic names, and a node that was down during the delete could bring the old group's Raft
 * log into the new one. Re-using names needs an incarnation in the group id (not done).
 */
final class MetadataStateMachine extends BaseStateMachine {

    private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String OK = "ok";
    static final String EXISTS = "exists:";
    static final String INVALID = "invalid:";
    static final String UNKNOWN = "unknown:";

    /** What the replication service does around topic changes on this node. */
    interface Hooks {
        /** The topic exists locally: join the Raft groups of its partitions hosted here. */
        void topicReady(TopicRegistry.Topic topic);

        /** The topic is about to be deleted locally: leave (and delete) its partition groups first. */
        void topicDeleting(TopicRegistry.Topic topic);
    }

    private final TopicRegistry topics;
    private final Hooks hooks;
    private final Path appliedFile;
    private final long persistedApplied;
    private final Set<String> deleted = new HashSet<>();

    MetadataStateMachine(TopicRegistry topics, Hooks hooks, Path appliedFile) {
        this.topics = topics;
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
            reply = apply(cmd);
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
            case TopicCommand.DELETE -> deleted.add(cmd.name());
            default -> {
                // configs: already in topics.json
            }
        }
        return OK;
    }

    private String apply(TopicCommand cmd) {
        try {
            return switch (cmd.op()) {
                case TopicCommand.CREATE -> create(cmd);
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

    private String create(TopicCommand cmd) {
        if (deleted.contains(cmd.name())) {
            return INVALID + "topic name " + cmd.name() + " belonged to a deleted topic; a replicated cluster "
                    + "cannot re-use it yet (see docs/replication.md)";
        }
        String reply;
        try {
            topics.create(cmd.name(), cmd.partitions(), cmd.replicationFactor(), cmd.configs());
            reply = OK;
        } catch (TopicExistsException e) {
            reply = EXISTS + e.getMessage();
        }
        hooks.topicReady(topics.get(cmd.name()));
        return reply;
    }

    private String delete(TopicCommand cmd) {
        deleted.add(cmd.name());
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
