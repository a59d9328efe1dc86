package io.tributary.ingest.acl;

import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.problem.InvalidRequestException;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * ACL administration. Reading needs CLUSTER DESCRIBE, changing CLUSTER ALTER (the gateway's
 * admin role or a super user; checked by {@link RequestAuthorization}).
 */
@Tag(name = "ACLs", description = "Who may do what to which topic, group and producer name")
@ProblemResponses({ProblemType.AUTHORIZATION_FAILED, ProblemType.NODE_NOT_READY})
@RestController
@RequestMapping("/api/v1/acls")
class AclController {

    private static final String PROBLEM = "application/problem+json";

    @Schema(description = "Stored bindings and the built-in bootstrap ones (not deletable over the API)")
    record AclList(List<AclBinding> acls, List<AclBinding> bootstrap) {
    }

    @Schema(description = "The stored bindings the filter matched, now deleted")
    record Deleted(List<AclBinding> deleted) {
    }

    private final AclStore store;
    private final AclService service;

    AclController(AclStore store, AclService service) {
        this.store = store;
        this.service = service;
    }

    @Operation(summary = "List ACLs", description = "Every given filter must equal the binding's field.")
    @GetMapping
    AclList list(@Parameter(example = "User:orders-app") @RequestParam(required = false) String principal,
                 @RequestParam(required = false) ResourceType resourceType,
                 @Parameter(description = "the binding's name (no pattern matching)")
                 @RequestParam(required = false) String name) {
        AclFilter filter = new AclFilter(principal, resourceType, null, name, null, null);
        return new AclList(store.stored().stream().filter(filter::matches).toList(),
                store.bootstrap().stream().filter(filter::matches).toList());
    }

    @Operation(summary = "Create an ACL", description = "201 with the binding; 200 when it already existed.",
            responses = {
                    @ApiResponse(responseCode = "201", description = "created"),
                    @ApiResponse(responseCode = "200", description = "already present"),
                    @ApiResponse(responseCode = "400", description = "invalid binding",
                            content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "403", description = "not an administrator",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.NOT_ENOUGH_REPLICAS})
    @PostMapping
    ResponseEntity<AclBinding> create(@Valid @RequestBody AclBinding binding) {
        List<AclBinding> added = service.apply(new AclCommand.Create(binding));
        return ResponseEntity.status(added.isEmpty() ? HttpStatus.OK : HttpStatus.CREATED).body(binding);
    }

    @Operation(summary = "Delete ACLs", description = "Deletes every stored binding whose fields equal the given "
            + "ones and answers them. At least one filter is required.",
            responses = {
                    @ApiResponse(responseCode = "200", description = "what was deleted (maybe nothing)"),
                    @ApiResponse(responseCode = "400", description = "no filter", content = @Content(mediaType = PROBLEM)),
                    @ApiResponse(responseCode = "403", description = "not an administrator",
                            content = @Content(mediaType = PROBLEM))})
    @ProblemResponses({ProblemType.NOT_ENOUGH_REPLICAS})
    @DeleteMapping
    Deleted delete(@RequestParam(required = false) String principal,
                   @RequestParam(required = false) ResourceType resourceType,
                   @RequestParam(required = false) PatternType patternType,
                   @RequestParam(required = false) String name,
                   @RequestParam(required = false) io.tributary.ingest.acl.Operation operation,
                   @RequestParam(required = false) Permission permission) {
        AclFilter filter = new AclFilter(principal, resourceType, patternType, name, operation, permission);
        if (filter.isEmpty()) {
            throw new InvalidRequestException("give at least one of principal, resourceType, patternType, name, "
                    + "operation, permission (an empty filter would delete every ACL)");
        }
        return new Deleted(service.apply(new AclCommand.Delete(filter)));
    }
}
