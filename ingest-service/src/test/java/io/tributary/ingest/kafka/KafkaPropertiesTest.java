package io.tributary.ingest.kafka;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ingest.kafka.*} as Spring binds it: defaults, and the port named to clients. */
class KafkaPropertiesTest {

    @Test
    void clientsAreToldTheListeningPortUnlessAnotherIsAdvertised() {
        KafkaProperties plain = bind(Map.of("ingest.kafka.port", "19092"));
        assertThat(plain.advertisedPort()).isZero();
        assertThat(plain.portForClients()).isEqualTo(19092);

        // Behind NAT or a NodePort: listen on one port, name another (Kafka's advertised.listeners).
        KafkaProperties translated = bind(Map.of("ingest.kafka.port", "19092",
                "ingest.kafka.advertised-port", "31092"));
        assertThat(translated.port()).isEqualTo(19092);
        assertThat(translated.portForClients()).isEqualTo(31092);
    }

    @Test
    void anAdvertisedPortOutOfRangeIsRefused() {
        assertThatThrownBy(() -> bind(Map.of("ingest.kafka.advertised-port", "65536")))
                .rootCause().hasMessageContaining("ingest.kafka.advertised-port");
        assertThatThrownBy(() -> bind(Map.of("ingest.kafka.advertised-port", "-1")))
                .rootCause().hasMessageContaining("ingest.kafka.advertised-port");
    }

    private static KafkaProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("ingest.kafka", KafkaProperties.class);
    }
}
