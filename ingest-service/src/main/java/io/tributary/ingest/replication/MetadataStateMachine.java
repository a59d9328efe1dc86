package io.tributary.ingest.replication;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.TopicExistsException;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import tools.jackson.databind.json.JsonMapper;

/**
 * The state machine of the metadata group, which spans every node: topic commands applied to
 * each node's {@link TopicRegistry}, in the same order everywhere.
 *
 * <p>No snapshot: the registry keeps its own {@code topics.json}, and every command is
 * idempotent when replayed after a restart (a create of an existing topic changes nothing but
 * still makes sure this node's partition groups exist, which also repairs a crash between
 * creating the topic and adding its groups). The Raft log of this group is therefore never
 * purged; it grows by one small entry per topic.
 */
final class MetadataStateMachine extends BaseStateMachine {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String OK = "ok";
    static final String EXISTS = "exists:";
    static final String INVALID = "invalid:";

    private final TopicRegistry topics;
    private final Consumer<TopicRegistry.Topic> topicReady;

    MetadataStateMachine(TopicRegistry topics, Consumer<TopicRegistry.Topic> topicReady) {
        this.topics = topics;
        this.topicReady = topicReady;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        String reply;
        try {
            TopicCommand cmd = JSON.readValue(entry.getStateMachineLogEntry().getLogData().toByteArray(),
                    TopicCommand.class);
            reply = apply(cmd);
        } catch (RuntimeException e) {
            // Deterministic on every node: a command that cannot be read or applied is refused everywhere.
            reply = INVALID + e.getMessage();
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(reply));
    }

    private String apply(TopicCommand cmd) {
        if (!TopicCommand.CREATE.equals(cmd.op())) {
            return INVALID + "unknown metadata command " + cmd.op();
        }
        String reply;
        try {
            topics.create(cmd.name(), cmd.partitions(), cmd.replicationFactor(), cmd.configs());
            reply = OK;
        } catch (TopicExistsException e) {
            reply = EXISTS + e.getMessage();
        } catch (InvalidTopicException | LogConfig.InvalidConfigException e) {
            return INVALID + e.getMessage();
        }
        topicReady.accept(topics.get(cmd.name()));
        return reply;
    }

    static byte[] encode(TopicCommand cmd) {
        return JSON.writeValueAsString(cmd).getBytes(StandardCharsets.UTF_8);
    }
}
