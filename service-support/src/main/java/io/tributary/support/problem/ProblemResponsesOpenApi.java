package io.tributary.support.problem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.tributary.problem.ProblemType;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.method.HandlerMethod;

/**
 * Lists in a service's OpenAPI document the problem types each operation can answer with: for every status,
 * a response whose content is {@code application/problem+json} (the {@code Problem} schema, its {@code type}
 * one of the catalogue's URIs) and whose description names the types ({@link ProblemResponses} on the handler
 * or its controller, plus {@code invalid-request} for an operation that takes input and {@code internal-error}
 * for every one). A response the controller describes itself keeps its description; the types are added to it.
 */
@AutoConfiguration
@ConditionalOnClass(OperationCustomizer.class)
public class ProblemResponsesOpenApi {

    static final String SCHEMA = "Problem";
    private static final String MEDIA_TYPE = "application/problem+json";

    @Bean
    OperationCustomizer problemResponsesOperationCustomizer() {
        return ProblemResponsesOpenApi::describe;
    }

    @Bean
    OpenApiCustomizer problemSchemaOpenApiCustomizer() {
        return openApi -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSchemas(SCHEMA, problemSchema());
        };
    }

    static Operation describe(Operation operation, HandlerMethod handler) {
        Set<ProblemType> types = new LinkedHashSet<>();
        boolean takesInput = operation.getRequestBody() != null
                || operation.getParameters() != null && !operation.getParameters().isEmpty();
        if (takesInput) {
            types.add(ProblemType.INVALID_REQUEST);
        }
        Stream.of(AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), ProblemResponses.class),
                        AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), ProblemResponses.class))
                .filter(Objects::nonNull)
                .forEach(declared -> types.addAll(Arrays.asList(declared.value())));
        types.add(ProblemType.INTERNAL_ERROR);
        Map<Integer, List<ProblemType>> byStatus = types.stream()
                .collect(Collectors.groupingBy(ProblemType::status, TreeMap::new, Collectors.toList()));
        if (operation.getResponses() == null) {
            operation.setResponses(new ApiResponses());
        }
        byStatus.forEach((status, ofStatus) -> {
            String code = Integer.toString(status);
            ApiResponse response = operation.getResponses().get(code);
            String list = "Problem types: " + ofStatus.stream()
                    .map(t -> "`" + t.slug() + "` (" + t.title() + (t.retriable() ? ", retriable" : "") + ")")
                    .collect(Collectors.joining(", ")) + ".";
            if (response == null) {
                response = new ApiResponse().description(list);
                operation.getResponses().addApiResponse(code, response);
            } else {
                String own = response.getDescription();
                response.setDescription(own == null || own.isBlank() ? list : own + " " + list);
            }
            if (response.getContent() == null) {
                response.setContent(new Content());
            }
            MediaType media = response.getContent().get(MEDIA_TYPE);
            if (media == null) {
                media = new MediaType();
                response.getContent().addMediaType(MEDIA_TYPE, media);
            }
            if (media.getSchema() == null) {
                media.setSchema(new Schema<>().$ref("#/components/schemas/" + SCHEMA));
            }
        });
        return operation;
    }

    private static Schema<?> problemSchema() {
        List<String> uris = new ArrayList<>();
        for (ProblemType type : ProblemType.values()) {
            uris.add(type.uriString());
        }
        StringSchema typeSchema = new StringSchema();
        typeSchema.setEnum(uris);
        typeSchema.description("an entry of the platform's problem catalogue (docs/problems.md)");
        return new ObjectSchema()
                .description("RFC 9457 problem details; more members where they help (named per type in docs/problems.md)")
                .addProperty("type", typeSchema)
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema())
                .addProperty("retriable", new BooleanSchema()
                        .description("whether the same request, sent again, may succeed"))
                .addProperty("requestId", new StringSchema().description("on a 500: the id the failure is logged under"))
                .required(List.of("type", "title", "status", "retriable"));
    }
}
