package io.tributary.ingest.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.ingest.produce.ProducerIds;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Producers", description = "Identities for idempotent producers")
@RestController
@RequestMapping("/api/v1/producers")
class ProducerController {

    @Schema(description = "Optional stable name: the same name gets the same id with a higher epoch, fencing "
            + "earlier holders; sequences of a named producer must keep increasing across epochs")
    record InitProducerRequest(@Schema(example = "clean-orders-0") String name) {
    }

    @Schema(description = "The identity to put on produce requests")
    record InitProducerResponse(@Schema(example = "17") long producerId, @Schema(example = "0") short producerEpoch) {
    }

    private final ProducerIds ids;

    ProducerController(ProducerIds ids) {
        this.ids = ids;
    }

    @Operation(summary = "Get an idempotent producer identity")
    @PostMapping
    InitProducerResponse init(@RequestBody(required = false) InitProducerRequest request) {
        ProducerIds.Identity identity = ids.init(request == null ? null : request.name());
        return new InitProducerResponse(identity.producerId(), identity.producerEpoch());
    }
}
