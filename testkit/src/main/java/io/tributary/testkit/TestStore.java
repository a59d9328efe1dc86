package io.tributary.testkit;

import java.util.List;

/**
 * The databases a service's tests run on: H2 (the embedded default of a fresh clone) and PostgreSQL (the
 * {@code prod} overlay's), for the tests that are parameterized over both.
 */
public enum TestStore {

    H2,
    POSTGRESQL;

    /**
     * The datasource arguments of a service process: none on H2 (the service's default file database in its working
     * folder, as a user gets it), a fresh database called {@code database} on {@link ThrowawayPostgres}.
     */
    public List<String> serviceArgs(String database) {
        return this == H2 ? List.of() : ThrowawayPostgres.server().freshDatabase(database).springArgs();
    }
}
