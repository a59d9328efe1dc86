package io.tributary.support.schema;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;

/**
 * Runs a service's Flyway migrations one instance at a time on PostgreSQL: replicas that start together (two
 * analytics pods of the {@code prod} overlay) would otherwise race, and the loser fails its start with "Unable to
 * baseline schema history table ... as it already exists, and is empty" (it saw the winner's fresh, still empty
 * history table as a schema created before migrations). Each instance holds a session advisory lock on its own
 * connection for the whole migration; the next one then finds the schema migrated and does nothing. On other
 * databases (H2, one process per file in practice) the migration runs as Flyway runs it.
 */
public final class SerializedMigrations implements FlywayMigrationStrategy {

    /** The advisory lock's key: any constant the services agree on ("TRBY" + "SCHM"). */
    static final long LOCK_KEY = 0x5452_4259_5343_484DL;

    @Override
    public void migrate(Flyway flyway) {
        DataSource dataSource = flyway.getConfiguration().getDataSource();
        try (Connection connection = dataSource.getConnection()) {
            if (!"PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
                flyway.migrate();
                return;
            }
            try (Statement sql = connection.createStatement()) {
                sql.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
                try {
                    flyway.migrate();
                } finally {
                    sql.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not take the schema migration lock: " + e.getMessage(), e);
        }
    }
}
