package io.tributary.support.schema;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;

/** {@link SerializedMigrations} for every service with Flyway on its class path (stream-clean, analytics). */
@AutoConfiguration(beforeName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnClass(name = {"org.flywaydb.core.Flyway",
        "org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy"})
public class SchemaMigrationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(FlywayMigrationStrategy.class)
    FlywayMigrationStrategy serializedMigrations() {
        return new SerializedMigrations();
    }
}
