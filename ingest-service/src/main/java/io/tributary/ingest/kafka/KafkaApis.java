package io.tributary.ingest.kafka;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * The Kafka APIs this node answers, and the version range of each: every version kafka-clients'
 * message classes know (from the oldest they still support to the newest stable one), for the
 * keys implemented here and nothing else — a client asks ApiVersions first and uses only what is
 * listed.
 */
public class KafkaApis {

    /** One API key's handler; runs on a request thread, may finish later (a long-poll fetch). */
    interface Handler {
        CompletableFuture<? extends AbstractResponse> handle(KafkaRequest request);
    }

    private final KafkaEndpoint self;
    private final Map<ApiKeys, Handler> handlers = new EnumMap<>(ApiKeys.class);
    private final ApiVersionCollection versions = new ApiVersionCollection();

    KafkaApis(KafkaEndpoint self) {
        this.self = self;
        register(ApiKeys.API_VERSIONS, this::apiVersions);
    }

    void register(ApiKeys key, Handler handler) {
        handlers.put(key, handler);
        versions.add(new ApiVersion().setApiKey(key.id).setMinVersion(key.oldestVersion())
                .setMaxVersion(key.latestVersion(false)));
    }

    /** The endpoint this node gives clients. */
    KafkaEndpoint advertised() {
        return self;
    }

    ApiVersionCollection supportedVersions() {
        ApiVersionCollection copy = new ApiVersionCollection();
        versions.forEach(v -> copy.add(v.duplicate()));
        return copy;
    }

    /** Whether this listener answers the key in that version (what it advertises). */
    boolean supports(ApiKeys key, short version) {
        return handlers.containsKey(key) && version >= key.oldestVersion() && version <= key.latestVersion(false);
    }

    /** Runs a request whose key and version {@link #supports} answered for. */
    CompletableFuture<? extends AbstractResponse> handle(KafkaRequest request) {
        return handlers.get(request.header().apiKey()).handle(request);
    }

    private CompletableFuture<ApiVersionsResponse> apiVersions(KafkaRequest request) {
        ApiVersionsRequest req = (ApiVersionsRequest) request.body();
        ApiVersionsResponseData data = new ApiVersionsResponseData().setApiKeys(supportedVersions());
        if (!req.isValid()) {
            data.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        return CompletableFuture.completedFuture(new ApiVersionsResponse(data));
    }
}
