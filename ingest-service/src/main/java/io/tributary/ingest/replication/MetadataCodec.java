package io.tributary.ingest.replication;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.replication.MetadataCommand.ChangeAcls;
import io.tributary.ingest.replication.MetadataCommand.CreateTopic;
import io.tributary.ingest.replication.MetadataCommand.DeleteTopic;
import io.tributary.ingest.replication.MetadataCommand.InitProducer;
import io.tributary.ingest.replication.MetadataCommand.Noop;
import io.tributary.ingest.replication.MetadataCommand.Reassign;
import io.tributary.ingest.replication.MetadataCommand.AddNode;
import io.tributary.ingest.replication.MetadataCommand.RegisterStorage;
import io.tributary.ingest.replication.MetadataCommand.RemoveNode;
import io.tributary.ingest.replication.MetadataCommand.UpdateConfigs;
import org.apache.ratis.protocol.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place that writes and reads the metadata group's formats: {@link MetadataCommand}s as
 * JSON in the Raft log, {@link MetadataReply}s as text in the Ratis reply message.
 *
 * <h2>Commands (Raft log entries, durable)</h2>
 * One JSON object per entry, every kind with the same fields in this order; a kind writes
 * {@code null}, {@code 0} or {@code {}} for the fields it does not use, and {@code topicId} and
 * {@code acl}, {@code partition}, {@code replicas} and {@code target} are left out when null:
 * <pre>
 * op              name                partitions  replicationFactor  configs              topicId      acl
 * "create"        topic               count       factor             overrides            id or none   -
 * "configs"       topic               0           0                  changes (null=reset) -            -
 * "delete"        topic               0           0                  {}                   -            -
 * "init-producer" producer name/null  0           0                  {}                   -            -
 * "allocate-producer-ids" null        0           0                  {}                   -            -
 * "acl"           null                0           0                  {}                   -            {"type":"create","binding":{...}}
 *                                                                                                      or {"type":"delete","filter":{...}}
 * "noop"          "node-&lt;id&gt;"          0           0                  {}                   -            -
 * "reassign"      topic               0           0                  {}                   id           -
 *                 plus "partition": index, "replicas": [node ids], "target": [node ids] or left out,
 *                 then (since moves can be cancelled, each left out when null) "original": [node ids]
 *                 (the replicas before the move) and "expectTarget": [node ids] (apply only while the
 *                 stored move goes there; [] = only while none runs)
 * "add-node"      null                0           0                  {}                   -            -
 *                 plus "node": {"id":3,"host":"ingest-3","httpPort":8081,"raftPort":9081}, with
 *                 "kafkaPort":9092 after raftPort when the node was added with one
 * "remove-node"   null                0           0                  {}                   -            -
 *                 plus "nodeId": id
 * "register-storage" null             0           0                  {}                   -            -
 *                 plus "nodeId": id, "storageId": the UUID of the node's data folder
 * </pre>
 * A {@code create} written since nodes can be added also has {@code "assignment": [[node ids], ...]},
 * one list per partition; without it the placement is computed from the founding peers.
 * e.g. {@code {"op":"create","name":"raw.orders","partitions":3,"replicationFactor":3,"configs":{},
 * "topicId":"Xh2xEn1iQ3i2cB4Rh5xw2A"}}. {@code create} entries written before topic ids existed
 * have no {@code topicId}; entries written before ACLs existed have no {@code acl}. A node that
 * predates {@code reassign} refuses it, so every node must run a version that knows it before the
 * first reassignment, and the same holds for {@code add-node}, {@code remove-node} and a
 * {@code create} with an assignment (an older node would ignore the assignment).
 *
 * <p>The log is never purged and replayed at every start, so this shape is forever: every entry
 * any earlier version wrote must still decode to the same command, and nodes of two versions
 * share the log during a rolling upgrade, so a new kind or field must be one that older nodes
 * can skip (unknown fields are ignored; an unknown {@code op} is refused). Decoding is
 * deterministic, so an entry that cannot be read (not this JSON, a missing or null
 * {@code partitions}/{@code replicationFactor}, an unknown {@code op}, an {@code acl} entry without
 * {@code acl}) is refused identically on every node ({@link MalformedCommandException}, answered
 * {@code invalid:}). The JSON goes through a private record shaped like the entry, mapped to and
 * from the sealed kinds by hand, never through polymorphic type ids, which would change it.
 *
 * <h2>Replies (Ratis reply message, not stored)</h2>
 * UTF-8 text, {@code <kind>} or {@code <kind>:<rest>}; nodes of two versions may exchange them:
 * <pre>
 * ok                          applied
 * exists:&lt;detail&gt;             create of an existing topic
 * conflict:&lt;detail&gt;           a conditional reassign whose expected move is not the stored one
 * invalid:&lt;detail&gt;            refused (bad topic or config, internal topic, unreadable entry)
 * unknown:&lt;detail&gt;            no such topic
 * producer:&lt;id&gt;:&lt;epoch&gt;       identity handed out by init-producer
 * producer-ids:&lt;first&gt;:&lt;count&gt;  block handed out by allocate-producer-ids
 * acls:&lt;JSON array&gt;          bindings an acl entry added or removed
 * </pre>
 *
 * <h2>Queries (read-only requests to one node's applied state, not stored)</h2>
 * JSON both ways. {@code {"query":"storage-of","nodeId":3}} asks what the node knows of node 3's data
 * folder ({@link StorageGuard}); the answer is {@code {"member":true,"storageId":"<uuid>"}}, with
 * {@code storageId} left out when none is registered. A node of a version without queries answers
 * with an error, which the asker takes as no answer.
 */
final class MetadataCodec {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String CREATE = "create";
    private static final String CONFIGS = "configs";
    private static final String DELETE = "delete";
    private static final String INIT_PRODUCER = "init-producer";
    private static final String ALLOCATE_PRODUCER_IDS = "allocate-producer-ids";
    private static final String ACL = "acl";
    private static final String NOOP = "noop";
    private static final String REASSIGN = "reassign";
    private static final String ADD_NODE = "add-node";
    private static final String REMOVE_NODE = "remove-node";
    private static final String REGISTER_STORAGE = "register-storage";
    private static final String STORAGE_OF = "storage-of";

    private static final String OK = "ok";
    private static final String EXISTS = "exists:";
    private static final String CONFLICT = "conflict:";
    private static final String INVALID = "invalid:";
    private static final String UNKNOWN = "unknown:";
    private static final String PRODUCER = "producer:";
    private static final String PRODUCER_IDS = "producer-ids:";
    private static final String ACLS = "acls:";

    /** A metadata log entry that decodes to no command; the message is the {@code invalid:} detail. */
    static final class MalformedCommandException extends Exception {
        MalformedCommandException(String message) {
            super(message);
        }
    }

    /** The JSON of a log entry, field for field (see the class comment). */
    private record Entry(String op, String name, int partitions, int replicationFactor, Map<String, String> configs,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String topicId,
                         @JsonInclude(JsonInclude.Include.NON_NULL) AclCommand acl,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer partition,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> replicas,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> target,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<List<Integer>> assignment,
                         @JsonInclude(JsonInclude.Include.NON_NULL) ClusterPeers.Peer node,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer nodeId,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String storageId,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> original,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> expectTarget) {

        Entry(String op, String name, int partitions, int replicationFactor, Map<String, String> configs,
              String topicId, AclCommand acl) {
            this(op, name, partitions, replicationFactor, configs, topicId, acl, null, null, null, null, null, null,
                    null, null, null);
        }

        /** An entry about a node: {@code add-node}, {@code remove-node}, {@code register-storage}. */
        static Entry ofNode(String op, ClusterPeers.Peer node, Integer nodeId, String storageId) {
            return new Entry(op, null, 0, 0, Map.of(), null, null, null, null, null, null, node, nodeId, storageId,
                    null, null);
        }

        static Entry of(String op, String name) {
            return new Entry(op, name, 0, 0, Map.of(), null, null);
        }
    }

    private MetadataCodec() {
    }

    static byte[] encode(MetadataCommand command) {
        Entry entry;
        if (command instanceof CreateTopic c) {
            entry = new Entry(CREATE, c.name(), c.partitions(), c.replicationFactor(), c.configs(), c.topicId(), null,
                    null, null, null, c.assignment(), null, null, null, null, null);
        } else if (command instanceof UpdateConfigs u) {
            entry = new Entry(CONFIGS, u.name(), 0, 0, u.changes(), null, null);
        } else if (command instanceof DeleteTopic d) {
            entry = Entry.of(DELETE, d.name());
        } else if (command instanceof InitProducer p) {
            entry = Entry.of(INIT_PRODUCER, p.producerName());
        } else if (command instanceof MetadataCommand.AllocateProducerIds) {
            entry = Entry.of(ALLOCATE_PRODUCER_IDS, null);
        } else if (command instanceof ChangeAcls a) {
            entry = new Entry(ACL, null, 0, 0, Map.of(), null, a.change());
        } else if (command instanceof Noop n) {
            entry = Entry.of(NOOP, n.sender());
        } else if (command instanceof Reassign r) {
            entry = new Entry(REASSIGN, r.name(), 0, 0, Map.of(), r.topicId(), null, r.partition(), r.replicas(),
                    r.target(), null, null, null, null, r.original(), r.expectTarget());
        } else if (command instanceof AddNode a) {
            entry = Entry.ofNode(ADD_NODE, a.node(), null, null);
        } else if (command instanceof RemoveNode r) {
            entry = Entry.ofNode(REMOVE_NODE, null, r.nodeId(), null);
        } else if (command instanceof RegisterStorage r) {
            entry = Entry.ofNode(REGISTER_STORAGE, null, r.nodeId(), r.storageId());
        } else {
            throw new IllegalArgumentException("no encoding for " + command);
        }
        return JSON.writeValueAsString(entry).getBytes(StandardCharsets.UTF_8);
    }

    static MetadataCommand decode(byte[] json) throws MalformedCommandException {
        Entry entry;
        try {
            entry = JSON.readValue(json, Entry.class);
        } catch (RuntimeException e) {
            entry = null;
        }
        if (entry == null) {
            throw new MalformedCommandException("unreadable metadata command");
        }
        String op = String.valueOf(entry.op());
        return switch (op) {
            case CREATE -> {
                List<List<Integer>> assignment = entry.assignment();
                if (assignment != null && (assignment.size() != entry.partitions() || assignment.stream().anyMatch(
                        r -> r == null || r.isEmpty() || r.contains(null)))) {
                    throw new MalformedCommandException("create command with a malformed assignment");
                }
                yield new CreateTopic(entry.name(), entry.partitions(), entry.replicationFactor(), entry.configs(),
                        entry.topicId(), assignment);
            }
            case ADD_NODE -> {
                if (entry.node() == null || entry.node().host() == null) {
                    throw new MalformedCommandException("add-node command without a node");
                }
                yield new AddNode(entry.node());
            }
            case REMOVE_NODE -> {
                if (entry.nodeId() == null) {
                    throw new MalformedCommandException("remove-node command without a node id");
                }
                yield new RemoveNode(entry.nodeId());
            }
            case REGISTER_STORAGE -> {
                if (entry.nodeId() == null || entry.storageId() == null || entry.storageId().isBlank()) {
                    throw new MalformedCommandException("register-storage command without a node id or storage id");
                }
                yield new RegisterStorage(entry.nodeId(), entry.storageId());
            }
            case CONFIGS -> new UpdateConfigs(entry.name(), entry.configs());
            case DELETE -> new DeleteTopic(entry.name());
            case INIT_PRODUCER -> new InitProducer(entry.name());
            case ALLOCATE_PRODUCER_IDS -> new MetadataCommand.AllocateProducerIds();
            case ACL -> {
                if (entry.acl() == null) {
                    throw new MalformedCommandException("acl command without a change");
                }
                yield new ChangeAcls(entry.acl());
            }
            case NOOP -> new Noop(entry.name());
            case REASSIGN -> {
                if (entry.partition() == null || entry.replicas() == null || entry.replicas().isEmpty()
                        || entry.replicas().contains(null) || entry.target() != null && entry.target().contains(null)) {
                    throw new MalformedCommandException("reassign command without a partition or replicas");
                }
                if (entry.original() != null && entry.original().contains(null)
                        || entry.expectTarget() != null && entry.expectTarget().contains(null)) {
                    throw new MalformedCommandException("reassign command with a malformed original or expectTarget");
                }
                yield new Reassign(entry.name(), entry.topicId(), entry.partition(), entry.replicas(), entry.target(),
                        entry.original(), entry.expectTarget());
            }
            default -> throw new MalformedCommandException("unknown metadata command " + op);
        };
    }

    static Message encodeReply(MetadataReply reply) {
        String text;
        if (reply instanceof MetadataReply.Ok) {
            text = OK;
        } else if (reply instanceof MetadataReply.Exists e) {
            text = EXISTS + e.detail();
        } else if (reply instanceof MetadataReply.Conflict c) {
            text = CONFLICT + c.detail();
        } else if (reply instanceof MetadataReply.Invalid i) {
            text = INVALID + i.detail();
        } else if (reply instanceof MetadataReply.Unknown u) {
            text = UNKNOWN + u.detail();
        } else if (reply instanceof MetadataReply.ProducerIdentity p) {
            text = PRODUCER + p.producerId() + ":" + p.producerEpoch();
        } else if (reply instanceof MetadataReply.ProducerIdBlock b) {
            text = PRODUCER_IDS + b.firstId() + ":" + b.count();
        } else if (reply instanceof MetadataReply.Acls a) {
            text = ACLS + JSON.writeValueAsString(a.bindings());
        } else {
            throw new IllegalArgumentException("no encoding for " + reply);
        }
        return Message.valueOf(text);
    }

    /** @throws IllegalStateException for text that is none of the replies above */
    static MetadataReply decodeReply(Message message) {
        String text = message.getContent().toStringUtf8();
        if (text.equals(OK)) {
            return MetadataReply.OK;
        } else if (text.startsWith(EXISTS)) {
            return new MetadataReply.Exists(text.substring(EXISTS.length()));
        } else if (text.startsWith(CONFLICT)) {
            return new MetadataReply.Conflict(text.substring(CONFLICT.length()));
        } else if (text.startsWith(INVALID)) {
            return new MetadataReply.Invalid(text.substring(INVALID.length()));
        } else if (text.startsWith(UNKNOWN)) {
            return new MetadataReply.Unknown(text.substring(UNKNOWN.length()));
        } else if (text.startsWith(PRODUCER)) {
            String[] idAndEpoch = twoFields(text, PRODUCER);
            return new MetadataReply.ProducerIdentity(Long.parseLong(idAndEpoch[0]), Short.parseShort(idAndEpoch[1]));
        } else if (text.startsWith(PRODUCER_IDS)) {
            String[] firstAndCount = twoFields(text, PRODUCER_IDS);
            return new MetadataReply.ProducerIdBlock(Long.parseLong(firstAndCount[0]), Integer.parseInt(firstAndCount[1]));
        } else if (text.startsWith(ACLS)) {
            return new MetadataReply.Acls(List.of(JSON.readValue(text.substring(ACLS.length()), AclBinding[].class)));
        }
        throw new IllegalStateException("unexpected metadata reply: " + text);
    }

    /** The two fields of {@code <prefix><a>:<b>}. */
    private static String[] twoFields(String text, String prefix) {
        int colon = text.indexOf(':', prefix.length());
        if (colon < 0) {
            throw new IllegalStateException("unexpected metadata reply: " + text);
        }
        return new String[] {text.substring(prefix.length(), colon), text.substring(colon + 1)};
    }

    /** A query's JSON (see the class comment). */
    private record Query(String query, Integer nodeId) {
    }

    /** The answer to {@code storage-of}. */
    record StorageAnswer(boolean member, @JsonInclude(JsonInclude.Include.NON_NULL) String storageId) {
    }

    static Message encodeStorageQuery(int nodeId) {
        return Message.valueOf(JSON.writeValueAsString(new Query(STORAGE_OF, nodeId)));
    }

    /** The node id a {@code storage-of} query asks about; empty for anything else. */
    static java.util.OptionalInt decodeStorageQuery(Message message) {
        try {
            Query q = JSON.readValue(message.getContent().toStringUtf8(), Query.class);
            return q != null && STORAGE_OF.equals(q.query()) && q.nodeId() != null ? java.util.OptionalInt.of(q.nodeId())
                    : java.util.OptionalInt.empty();
        } catch (RuntimeException e) {
            return java.util.OptionalInt.empty();
        }
    }

    static Message encodeStorageAnswer(StorageAnswer answer) {
        return Message.valueOf(JSON.writeValueAsString(answer));
    }

    /** @throws RuntimeException for text that is not an answer */
    static StorageAnswer decodeStorageAnswer(Message message) {
        return JSON.readValue(message.getContent().toStringUtf8(), StorageAnswer.class);
    }
}
