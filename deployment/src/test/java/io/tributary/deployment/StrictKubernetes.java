package io.tributary.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kubernetes YAML into fabric8's typed model, strictly: a repeated key fails (see {@link StrictYaml}),
 * and so does any property the model does not know. fabric8's classes keep unknown properties in an
 * "additionalProperties" map through {@code @JsonAnySetter}; that is switched off here, so a misspelt
 * field ({@code replica: 3}, {@code readinesProbe}) is an error instead of a silently ignored entry.
 */
final class StrictKubernetes {

    private static final JsonMapper JSON = strictMapper();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(JSON, true);

    private StrictKubernetes() {
    }

    /** Every document of a multi-document YAML text, typed by its apiVersion and kind. */
    static List<HasMetadata> parse(String yaml) {
        return StrictYaml.documents(yaml).stream().map(StrictKubernetes::typed).toList();
    }

    private static HasMetadata typed(Map<String, Object> document) {
        String json = JSON.writeValueAsString(document);
        KubernetesResource resource;
        try {
            resource = SERIALIZATION.unmarshal(json, KubernetesResource.class);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalArgumentException(document.get("kind") + " " + StrictYaml.at(document, "metadata.name")
                    + ": " + cause.getMessage(), e);
        }
        if (!(resource instanceof HasMetadata typed) || resource.getClass().getName().contains("GenericKubernetesResource")) {
            throw new IllegalArgumentException("not a known Kubernetes kind: " + document.get("apiVersion") + " "
                    + document.get("kind"));
        }
        return typed;
    }

    private static JsonMapper strictMapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
                        return null;   // ignore @JsonAnySetter: unknown properties reach FAIL_ON_UNKNOWN_PROPERTIES
                    }
                })
                .build();
    }
}
