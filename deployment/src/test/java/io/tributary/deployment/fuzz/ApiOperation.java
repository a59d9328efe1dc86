package io.tributary.deployment.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One operation of a service's OpenAPI document, with every {@code $ref} it uses resolved against that document.
 *
 * @param service      which service's document it comes from ({@code ingest}, {@code clean}, {@code analytics})
 * @param method       GET, POST, ...
 * @param path         the path template ({@code /api/v1/topics/{topic}})
 * @param parameters   its path, query and header parameters
 * @param bodySchema   the schema of its JSON request body, or null when it takes none
 * @param bodyRequired whether the document says the body is required
 */
public record ApiOperation(String service, String method, String path, List<Parameter> parameters,
                           JsonNode bodySchema, boolean bodyRequired) {

    /** A path, query or header parameter. */
    public record Parameter(String name, String in, boolean required, JsonNode schema) {
    }

    private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");

    /** The operations under {@code /api/} of an OpenAPI 3 document (not the actuator, not the docs themselves). */
    public static List<ApiOperation> of(String service, JsonNode document) {
        Schemas schemas = new Schemas(document);
        List<ApiOperation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (String method : METHODS) {
                JsonNode operation = path.getValue().get(method);
                if (operation == null) {
                    continue;
                }
                List<Parameter> parameters = new ArrayList<>();
                for (JsonNode list : List.of(path.getValue().path("parameters"), operation.path("parameters"))) {
                    for (JsonNode p : list) {
                        JsonNode parameter = schemas.resolve(p);
                        parameters.add(new Parameter(parameter.path("name").asString(), parameter.path("in").asString(),
                                parameter.path("required").asBoolean(false), schemas.resolve(parameter.path("schema"))));
                    }
                }
                JsonNode body = schemas.resolve(operation.path("requestBody"));
                JsonNode json = body.path("content").path("application/json").path("schema");
                operations.add(new ApiOperation(service, method.toUpperCase(Locale.ROOT), path.getKey(),
                        List.copyOf(parameters), json.isMissingNode() ? null : schemas.inline(json),
                        body.path("required").asBoolean(false)));
            }
        }
        return operations;
    }

    /** The parameters of one kind: {@code path}, {@code query}, {@code header}. */
    public List<Parameter> parameters(String in) {
        return parameters.stream().filter(p -> p.in().equals(in)).toList();
    }

    @Override
    public String toString() {
        return service + " " + method + " " + path;
    }
}
