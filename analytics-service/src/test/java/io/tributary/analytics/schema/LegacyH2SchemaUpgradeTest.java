package io.tributary.analytics.schema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.tributary.testkit.H2Files;

/** The H2 file of a demo that an earlier build ran, from before topic ids: V1 adds the checkpoint's topic id column. */
class LegacyH2SchemaUpgradeTest extends LegacySchemaUpgradeTest {

    @DynamicPropertySource
    static void legacyDatabase(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "legacy-h2");
        String url = H2Files.fromScript(dir, "analytics", "legacy/ddl-auto-h2.sql");
        registry.add("spring.datasource.url", () -> url);
    }

    @Override
    List<String> expectedHistory() {
        return List.of("0", "1");
    }
}
