package io.tributary.clean.reference;

import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;


@Tag(name = "Reference tables", description = "Lookup tables for enrich steps")
@RestController
@RequestMapping("/api/v1/reference-tables")
class ReferenceTableController {

    private static final String NAME = "[a-zA-Z0-9._-]{1,100}";

    private final ReferenceTableService tables;

    ReferenceTableController(ReferenceTableService tables) {
        this.tables = tables;
    }

    @Operation(summary = "Create or replace a reference table", description = "Replaces every row. Running enrich "
            + "steps see the new rows from the next record on.")
    @ProblemResponses({ProblemType.INVALID_REFERENCE_TABLE, ProblemType.CONCURRENT_CHANGE})
    @PutMapping("/{name}")
    ResponseEntity<ReferenceTableDtos.TableView> put(@PathVariable String name,
                                                     @Valid @RequestBody ReferenceTableDtos.TableRequest request) {
        if (!name.matches(NAME)) {
            throw new InvalidReferenceTableException("a reference table name must be 1-100 characters of a-z, A-Z, 0-9, "
                    + "'.', '_', '-'");
        }
        boolean created = tables.replace(name, request.rows());
        return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK).body(tables.get(name));
    }

    @Operation(summary = "List reference tables (without rows)")
    @GetMapping
    List<ReferenceTableDtos.TableView> list() {
        return tables.list();
    }

    @ProblemResponses({ProblemType.UNKNOWN_REFERENCE_TABLE})
    @Operation(summary = "Get a reference table with its rows")
    @GetMapping("/{name}")
    ReferenceTableDtos.TableView get(@PathVariable String name) {
        return tables.get(name);
    }

    @ProblemResponses({ProblemType.UNKNOWN_REFERENCE_TABLE, ProblemType.REFERENCE_TABLE_IN_USE})
    @Operation(summary = "Delete a reference table", description = "Refused (409) while a pipeline's enrich step uses it.")
    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(@PathVariable String name) {
        tables.delete(name);
        return ResponseEntity.noContent().build();
    }
}
