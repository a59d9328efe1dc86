package io.tributary.analytics.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import io.tributary.support.schema.SerializedMigrations;
import io.tributary.testkit.ThrowawayPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances that start at the same moment on one empty PostgreSQL database (the {@code prod} overlay's two
 * analytics pods) both start: their migrations run one after the other. Without {@link SerializedMigrations} the
 * second regularly fails to baseline the first's fresh history table.
 */
class ConcurrentMigrationTest {

    /** Rounds, the second instance starting a little later in each, to meet the first's migration at every stage. */
    private static final int ROUNDS = 12;
    private static final int STAGGER_MILLIS = 15;

    @Test
    void shouldMigrateOnceWhenTwoInstancesStartTogether() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                ThrowawayPostgres.Database database = ThrowawayPostgres.server().freshDatabase("concurrent_" + round);
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<?>> instances = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    long delay = i * (long) round * STAGGER_MILLIS;
                    instances.add(pool.submit(() -> {
                        Flyway flyway = Flyway.configure().dataSource(database.url(), database.username(), "")
                                // as application.yml configures it
                                .locations("classpath:db/migration/analytics/postgresql")
                                .baselineOnMigrate(true).baselineVersion("0").load();
                        together.await();
                        Thread.sleep(delay);
                        new SerializedMigrations().migrate(flyway);
                        return null;
                    }));
                }
                for (Future<?> instance : instances) {
                    instance.get(); // throws if that instance's migration failed
                }
                try (var connection = database.connect(); var sql = connection.createStatement();
                     var rows = sql.executeQuery("SELECT version FROM flyway_schema_history WHERE success "
                             + "ORDER BY installed_rank")) {
                    List<String> versions = new ArrayList<>();
                    while (rows.next()) {
                        versions.add(rows.getString(1));
                    }
                    assertThat(versions).as("round " + round).containsExactly("1", "2");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
