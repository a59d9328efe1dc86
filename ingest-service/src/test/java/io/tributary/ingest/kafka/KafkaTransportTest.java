package io.tributary.ingest.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;

import io.tributary.ingest.testing.LocalResources;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener on Java NIO ({@code ingest.kafka.native-transport=false}), the transport of every
 * machine where epoll does not load: fetches of batches from several segments, with records of
 * sizes from empty to larger than a fetch's partition limit, reach a KafkaConsumer (which checks
 * each batch's CRC) byte for byte at their acknowledged offsets. {@link KafkaClientsTest} runs the
 * same kind of traffic over epoll, the default on Linux.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class KafkaTransportTest {

    private static final int KAFKA_PORT = LocalResources.freePort();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", () -> LocalResources.tempDir("ingest-kafka-nio-").toString());
        registry.add("ingest.kafka.port", () -> KAFKA_PORT);
        registry.add("ingest.kafka.advertised-host", () -> "127.0.0.1");
        registry.add("ingest.kafka.native-transport", () -> "false");
    }

    @Autowired
    KafkaServer server;

    @Test
    void theTransportIsEpollOnLinuxX86AndNioWhenTurnedOff() {
        boolean linuxX86 = System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").equals("amd64");
        assertThat(KafkaTransport.choose(true).name()).isEqualTo(linuxX86 ? "epoll" : "nio");
        assertThat(KafkaTransport.choose(false).name()).isEqualTo("nio");
        assertThat(server.transportName()).isEqualTo("nio");
    }

    @Test
    void recordsFromSeveralSegmentsRoundTripOverNio() throws Exception {
        String bootstrap = "127.0.0.1:" + KAFKA_PORT;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("nio-bytes", 2, (short) 1)
                    .configs(Map.of("segment.bytes", "262144")))).all().get();
        }
        Random random = new Random(12);
        int n = 3000;
        List<byte[]> values = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                // mostly small, some of several KiB, two larger than max.partition.fetch.bytes (64 KiB below)
                int size = i == 700 || i == 2100 ? 200_000 : i % 50 == 0 ? 8_000 : random.nextInt(300);
                byte[] value = new byte[size];
                random.nextBytes(value);
                values.add(value);
                sent.add(producer.send(new ProducerRecord<>("nio-bytes", i % 2, null, value)));
            }
        }
        Map<TopicPartition, Map<Long, byte[]>> acked = new HashMap<>();
        for (int i = 0; i < n; i++) {
            RecordMetadata m = sent.get(i).get();
            acked.computeIfAbsent(new TopicPartition("nio-bytes", m.partition()), p -> new HashMap<>())
                    .put(m.offset(), values.get(i));
        }
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 10),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(acked.keySet());
            consumer.seekToBeginning(acked.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    byte[] expected = acked.get(new TopicPartition(r.topic(), r.partition())).remove(r.offset());
                    assertThat(expected).as("%s-%d@%d read once", r.topic(), r.partition(), r.offset()).isNotNull();
                    assertThat(Arrays.equals(r.value(), expected)).as("value at %d", r.offset()).isTrue();
                    read++;
                }
            }
        }
        assertThat(read).isEqualTo(n);
    }
}
