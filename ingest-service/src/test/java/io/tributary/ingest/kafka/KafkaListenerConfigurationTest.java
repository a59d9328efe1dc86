package io.tributary.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.cluster.SingleNodeOps;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.util.unit.DataSize;

/**
 * A node's own cluster address (its peer entry, or the self-address of a node added later) and its
 * {@code ingest.kafka.port} must name the same Kafka port, since the other nodes send clients there.
 */
class KafkaListenerConfigurationTest {

    private static KafkaProperties listeningOn(int port) {
        return advertising(port, 0);
    }

    private static KafkaProperties advertising(int port, int advertisedPort) {
        return new KafkaProperties(port, "", "", advertisedPort, DataSize.ofMegabytes(100), 16, 2,
                Duration.ofSeconds(3), true);
    }

    /** The seam as a node whose own address names {@code endpoint} (null: no Kafka port) sees it. */
    private static ClusterOps namedAs(String endpoint) {
        return new SingleNodeOps(null, null, null, 4) {
            @Override
            public String ownKafkaEndpoint() {
                return endpoint;
            }
        };
    }

    @Test
    void aNodeWhoseOwnAddressNamesAnotherKafkaPortRefusesToStart() {
        KafkaListenerConfiguration config = new KafkaListenerConfiguration();
        assertThatThrownBy(() -> config.kafkaServer(listeningOn(9095), new MockEnvironment(), null,
                namedAs("ingest-4:9094")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ingest.cluster.self-address")
                .hasMessageContaining("ingest-4:9094 as this node's Kafka listener, but ingest.kafka.port is 9095");
        assertThat(config.kafkaServer(listeningOn(9094), new MockEnvironment(), null, namedAs("ingest-4:9094")))
                .isNotNull();
        assertThat(config.kafkaServer(listeningOn(9095), new MockEnvironment(), null, namedAs(null))).isNotNull();
    }

    @Test
    void itsOwnAddressGivesTheHostClientsAreToldUnlessOneIsSet() {
        assertThat(KafkaListenerConfiguration.advertisedHost(listeningOn(9094), "0.0.0.0", namedAs("ingest-4:9094")))
                .isEqualTo("ingest-4");
        assertThat(KafkaListenerConfiguration.advertisedHost(new KafkaProperties(9094, "", "kafka-4", 0,
                DataSize.ofMegabytes(100), 16, 2, Duration.ofSeconds(3), true), "0.0.0.0", namedAs("ingest-4:9094")))
                .isEqualTo("kafka-4");
        assertThat(KafkaListenerConfiguration.advertisedHost(listeningOn(9094), "10.0.0.4", namedAs(null)))
                .isEqualTo("10.0.0.4");
    }

    @Test
    void behindATranslationItsOwnAddressNamesTheAdvertisedPort() {
        // Listening on 9094, reached by clients on 31094 (a NodePort): the other nodes must send them to 31094.
        KafkaListenerConfiguration config = new KafkaListenerConfiguration();
        assertThat(advertising(9094, 31094).portForClients()).isEqualTo(31094);
        assertThat(listeningOn(9094).portForClients()).isEqualTo(9094);
        assertThat(config.kafkaServer(advertising(9094, 31094), new MockEnvironment(), null,
                namedAs("ingest-4:31094"))).isNotNull();
        assertThatThrownBy(() -> config.kafkaServer(advertising(9094, 31094), new MockEnvironment(), null,
                namedAs("ingest-4:9094")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ingest-4:9094 as this node's Kafka listener, but ingest.kafka.advertised-port "
                        + "is 31094");
    }
}
