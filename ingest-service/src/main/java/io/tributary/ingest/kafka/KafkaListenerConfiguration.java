package io.tributary.ingest.kafka;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.tributary.ingest.acl.AccessControl;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.fetch.FetchService;
import io.tributary.ingest.group.GroupOffsets;
import io.tributary.ingest.produce.ProduceService;
import io.tributary.ingest.topic.TopicRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.apache.kafka.common.protocol.ApiKeys;

/** The Kafka listener's beans; none when {@code ingest.kafka.port} is 0. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("${ingest.kafka.port:9092} != 0")
class KafkaListenerConfiguration {

    @Bean
    KafkaApis kafkaApis(KafkaProperties props, Environment env, ClusterOps cluster, TopicRegistry registry,
                        AccessControl access, ProduceService produce, FetchService fetch, IngestProperties ingest,
                        KafkaGroupCoordinator groups) {
        KafkaEndpoint self = new KafkaEndpoint(cluster.nodeId(), advertisedHost(props, bindHost(props, env), cluster),
                props.portForClients());
        KafkaBrokers brokers = new KafkaBrokers(cluster, self);
        KafkaTopics topics = new KafkaTopics(registry, access);
        KafkaApis apis = new KafkaApis(self);
        apis.register(ApiKeys.METADATA, new MetadataApi(topics, brokers));
        apis.register(ApiKeys.CREATE_TOPICS, new CreateTopicsApi(topics, cluster, ingest));
        apis.register(ApiKeys.DELETE_TOPICS, new DeleteTopicsApi(topics, cluster));
        apis.register(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsApi(topics));
        apis.register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new IncrementalAlterConfigsApi(topics, cluster));
        apis.register(ApiKeys.PRODUCE, new ProduceApi(topics, brokers, produce, ingest.produce()));
        apis.register(ApiKeys.FETCH, new FetchApi(topics, brokers, fetch));
        apis.register(ApiKeys.LIST_OFFSETS, new ListOffsetsApi(topics, brokers, fetch));
        apis.register(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdApi(cluster));
        ReplicaAdminApis replicaAdmin = new ReplicaAdminApis(topics, cluster);
        apis.register(ApiKeys.ELECT_LEADERS, replicaAdmin::electLeaders);
        apis.register(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, replicaAdmin::alterPartitionReassignments);
        apis.register(ApiKeys.LIST_PARTITION_REASSIGNMENTS, replicaAdmin::listPartitionReassignments);
        GroupApis groupApis = new GroupApis(groups, topics, brokers);
        apis.register(ApiKeys.FIND_COORDINATOR, groupApis::findCoordinator);
        apis.register(ApiKeys.JOIN_GROUP, groupApis::joinGroup);
        apis.register(ApiKeys.SYNC_GROUP, groupApis::syncGroup);
        apis.register(ApiKeys.HEARTBEAT, groupApis::heartbeat);
        apis.register(ApiKeys.LEAVE_GROUP, groupApis::leaveGroup);
        apis.register(ApiKeys.OFFSET_COMMIT, groupApis::offsetCommit);
        apis.register(ApiKeys.OFFSET_FETCH, groupApis::offsetFetch);
        apis.register(ApiKeys.LIST_GROUPS, groupApis::listGroups);
        apis.register(ApiKeys.DESCRIBE_GROUPS, groupApis::describeGroups);
        return apis;
    }

    @Bean(destroyMethod = "close")
    KafkaGroupCoordinator kafkaGroupCoordinator(GroupOffsets offsets, IngestProperties ingest, KafkaProperties props) {
        return new KafkaGroupCoordinator(offsets, ingest.groups().minSessionTimeout().toMillis(),
                ingest.groups().maxSessionTimeout().toMillis(), props.groupInitialRebalanceDelay().toMillis());
    }

    @Bean
    KafkaServer kafkaServer(KafkaProperties props, Environment env, KafkaApis apis, ClusterOps cluster) {
        String named = cluster.ownKafkaEndpoint();
        if (named != null && Integer.parseInt(named.substring(named.lastIndexOf(':') + 1)) != props.portForClients()) {
            String setting = props.advertisedPort() != 0 ? "ingest.kafka.advertised-port" : "ingest.kafka.port";
            throw new IllegalStateException("ingest.cluster.peers (or, on a node added later, "
                    + "ingest.cluster.self-address) names " + named + " as this node's Kafka listener, but "
                    + setting + " is " + props.portForClients() + ": the other nodes would send clients elsewhere");
        }
        return new KafkaServer(ListenerSettings.of(props, bindHost(props, env)), apis);
    }

    /** {@code ingest.kafka.bind-host}, else {@code server.address}, else every interface. */
    static String bindHost(KafkaProperties props, Environment env) {
        if (!props.bindHost().isBlank()) {
            return props.bindHost();
        }
        String server = env.getProperty("server.address", "");
        return server.isBlank() ? "0.0.0.0" : server;
    }

    /**
     * {@code ingest.kafka.advertised-host}; else, on a cluster, this node's host in
     * {@code ingest.cluster.peers} or its {@code ingest.cluster.self-address} (what the other nodes
     * name it) when that gives a Kafka port; else the bind host, or this machine's name when bound
     * to every interface.
     */
    static String advertisedHost(KafkaProperties props, String bindHost, ClusterOps cluster) {
        if (!props.advertisedHost().isBlank()) {
            return props.advertisedHost();
        }
        String peer = cluster.ownKafkaEndpoint();
        if (peer != null) {
            return peer.substring(0, peer.lastIndexOf(':'));
        }
        if (!"0.0.0.0".equals(bindHost) && !"::".equals(bindHost)) {
            return bindHost;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
