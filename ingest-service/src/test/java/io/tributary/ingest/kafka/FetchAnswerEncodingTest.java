package io.tributary.ingest.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCounted;
import io.tributary.ingest.log.BatchRegion;
import io.tributary.ingest.log.Bytes;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.ProducerBatch;
import io.tributary.ingest.log.RegionFetchResult;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Fetch answer as the listener puts it on the wire — the buffer's slices with the records sent
 * from the segment file between them — read back with kafka-clients' own parser: valid batches
 * (CRC derived from the stored one), the same records, offsets and producer fields; and a record
 * damaged on disk reaches the client as a batch whose CRC does not match.
 */
class FetchAnswerEncodingTest {

    private static final short VERSION = 12;

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private PartitionLog log;

    @AfterEach
    void close() throws IOException {
        if (log != null) {
            log.close();
        }
        scheduler.shutdownNow();
    }

    @Test
    void storedBatchesGoOutAsValidKafkaBatchesWithTheirRecords() throws IOException {
        log = PartitionLog.open("orders", 0, dir, LogConfig.defaults(), scheduler);
        log.append(List.of(LogRecord.of("k0", "{\"n\":0}", 1_000L), LogRecord.of(null, "{\"n\":1}", 1_001L)));
        log.append(List.of(LogRecord.of("k2", "{\"n\":2}", 1_002L), LogRecord.of("k3", "{\"n\":3}", 1_003L),
                LogRecord.of("k4", "x".repeat(5_000), 1_004L)), ProducerBatch.kafka(77L, (short) 2, 40, 3), 0);
        log.append(List.of(new LogRecord(null, Bytes.of(bytes("{\"n\":5}")),
                List.of(new LogRecord.Header("trace", Bytes.of(bytes("abc")))), 1_005L)));

        List<MutableRecordBatch> batches = fetchAndParse(0);

        assertThat(batches).hasSize(3);
        for (MutableRecordBatch b : batches) {
            b.ensureValid(); // the client's CRC check
            assertThat(b.magic()).isEqualTo((byte) 2);
        }
        assertThat(batches).extracting(MutableRecordBatch::baseOffset).containsExactly(0L, 2L, 5L);
        assertThat(batches.get(0).hasProducerId()).isFalse();
        assertThat(batches.get(1).producerId()).isEqualTo(77L);
        assertThat(batches.get(1).producerEpoch()).isEqualTo((short) 2);
        assertThat(batches.get(1).baseSequence()).isEqualTo(40);
        assertThat(batches.get(1).lastSequence()).isEqualTo(42);
        List<Record> records = new ArrayList<>();
        batches.forEach(b -> b.forEach(records::add));
        assertThat(records).extracting(Record::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(records).extracting(Record::timestamp).containsExactly(1_000L, 1_001L, 1_002L, 1_003L, 1_004L,
                1_005L);
        assertThat(text(records.get(0).key())).isEqualTo("k0");
        assertThat(records.get(1).hasKey()).isFalse();
        assertThat(text(records.get(4).value())).isEqualTo("x".repeat(5_000));
        assertThat(records.get(5).headers()).singleElement().satisfies(h -> {
            assertThat(h.key()).isEqualTo("trace");
            assertThat(new String(h.value(), StandardCharsets.UTF_8)).isEqualTo("abc");
        });
    }

    @Test
    void aRecordDamagedOnDiskIsRefusedByTheClient() throws IOException {
        log = PartitionLog.open("orders", 0, dir, LogConfig.defaults(), scheduler);
        log.append(List.of(LogRecord.of("k0", "{\"n\":\"aaaaaaaa\"}", 1_000L)));
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'b'}), Files.size(segment) - 4); // inside the value
        }

        List<MutableRecordBatch> batches = fetchAndParse(0);

        assertThat(batches).hasSize(1);
        assertThatThrownBy(() -> batches.get(0).ensureValid()).isInstanceOf(CorruptRecordException.class);
    }

    /** Encodes a Fetch answer with partition 0's regions from {@code offset}, writes it as Netty would, parses it. */
    private List<MutableRecordBatch> fetchAndParse(long offset) throws IOException {
        RegionFetchResult read = log.readRegions(offset, 1 << 20);
        int kafkaBytes = read.regions().stream().mapToInt(KafkaBatches::kafkaSize).sum();
        FetchResponseData data = new FetchResponseData().setSessionId(0);
        data.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic("orders"));
        data.responses().get(0).partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0)
                .setHighWatermark(read.highWatermark()).setLastStableOffset(read.highWatermark())
                .setLogStartOffset(read.logStartOffset())
                .setRecords(new StoredBatchesRecords(read.regions(), kafkaBytes)));
        EncodedAnswer answer = ResponseWriter.encode(UnpooledByteBufAllocator.DEFAULT, new ResponseHeader(9,
                ApiKeys.FETCH.responseHeaderVersion(VERSION)), data, VERSION);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        WritableByteChannel socket = Channels.newChannel(wire);
        for (ReferenceCounted part : answer.parts()) {
            if (part instanceof ByteBuf buf) {
                buf.readBytes(wire, buf.readableBytes());
            } else {
                BatchFileRegion region = (BatchFileRegion) part;
                while (region.transferred() < region.count()) {
                    region.transferTo(socket, region.transferred());
                }
            }
            part.release();
        }
        ByteBuffer in = ByteBuffer.wrap(wire.toByteArray());
        assertThat(in.getInt()).as("the size prefix").isEqualTo(in.remaining());
        assertThat(ResponseHeader.parse(in, ApiKeys.FETCH.responseHeaderVersion(VERSION)).correlationId()).isEqualTo(9);
        FetchResponse parsed = FetchResponse.parse(new ByteBufferAccessor(in), VERSION);
        assertThat(in.remaining()).isZero();
        FetchResponseData.PartitionData p = parsed.data().responses().get(0).partitions().get(0);
        assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(p.highWatermark()).isEqualTo(log.highWatermark());
        List<MutableRecordBatch> batches = new ArrayList<>();
        ((MemoryRecords) p.records()).batches().forEach(batches::add);
        assertThat(batches).hasSize(read.regions().size());
        for (int i = 0; i < batches.size(); i++) {
            BatchRegion region = read.regions().get(i);
            assertThat(batches.get(i).sizeInBytes()).isEqualTo(KafkaBatches.kafkaSize(region));
        }
        return batches;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }
}
