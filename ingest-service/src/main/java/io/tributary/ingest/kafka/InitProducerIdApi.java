package io.tributary.ingest.kafka;

import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.produce.ProducerIds;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * InitProducerId for idempotent producers (Kafka clients' default): a new producer id from the
 * same source as {@code POST /api/v1/producers}, never handed out twice (on a cluster through the
 * metadata group). A client that asks again after an error (to bump its epoch) gets a new id,
 * which the protocol allows. A transactional id is refused: no transactions here.
 */
final class InitProducerIdApi implements KafkaApis.Handler {

    private final ClusterOps cluster;

    InitProducerIdApi(ClusterOps cluster) {
        this.cluster = cluster;
    }

    @Override
    public CompletableFuture<InitProducerIdResponse> handle(KafkaRequest request) {
        InitProducerIdRequestData req = ((InitProducerIdRequest) request.body()).data();
        InitProducerIdResponseData data = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short) -1);
        if (req.transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponse(
                    data.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())));
        }
        try {
            ProducerIds.Identity id = cluster.initProducer(null);
            data.setProducerId(id.producerId()).setProducerEpoch(id.producerEpoch());
        } catch (RuntimeException e) {
            Errors error = KafkaErrors.of(e);
            data.setErrorCode((error == Errors.UNKNOWN_SERVER_ERROR ? Errors.COORDINATOR_NOT_AVAILABLE : error).code());
        }
        return CompletableFuture.completedFuture(new InitProducerIdResponse(data));
    }
}
