package io.tributary.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A real PostgreSQL server for the tests of one JVM: Debian's package run by {@code scripts/pg-throwaway.sh} (a
 * cluster in this module's {@code target/postgres}, on 127.0.0.1 and a free port, trust authentication for the user
 * {@code tributary}), started on first use and stopped when the JVM ends (test.sh also stops every such cluster
 * whatever happens). Each test takes an empty database of its own with {@link #freshDatabase}.
 */
public final class ThrowawayPostgres {

    private static final String USER = "tributary";
    private static ThrowawayPostgres server;

    private final int port;

    private ThrowawayPostgres(int port) {
        this.port = port;
    }

    /** The server of this JVM, started now if it is not running yet. */
    public static synchronized ThrowawayPostgres server() {
        if (server == null) {
            Path script = script();
            Path dir = Path.of("target", "postgres").toAbsolutePath();
            String port = run(script, "start", dir.toString(), Integer.toString(LocalPorts.freePort()));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> run(script, "stop", dir.toString())));
            server = new ThrowawayPostgres(Integer.parseInt(port.strip()));
        }
        return server;
    }

    /** A new, empty database called {@code name} (one left by an earlier run is dropped first). */
    public Database freshDatabase(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection admin = DriverManager.getConnection(url("postgres"), USER, "");
             Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            sql.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on port " + port, e);
        }
        return new Database(url(name), USER);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A database of the server, as a service's datasource settings. */
    public record Database(String url, String username) {

        /** The datasource as command-line arguments of a service process. */
        public List<String> springArgs() {
            return List.of("--spring.datasource.url=" + url, "--spring.datasource.username=" + username,
                    "--spring.datasource.password=");
        }

        /** The datasource for a Spring test context ({@code @DynamicPropertySource}). */
        public void register(DynamicPropertyRegistry registry) {
            registry.add("spring.datasource.url", this::url);
            registry.add("spring.datasource.username", this::username);
            registry.add("spring.datasource.password", () -> "");
        }

        /** Runs the SQL script {@code resource} (on the class path) in this database, e.g. to set up a legacy schema. */
        public Database runScript(String resource) {
            try (var in = ThrowawayPostgres.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no " + resource + " on the class path");
                }
                try (Connection connection = connect(); Statement sql = connection.createStatement()) {
                    sql.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (SQLException e) {
                throw new IllegalStateException(resource + " failed: " + e.getMessage(), e);
            }
        }

        /** A plain connection, for a test's own checks. */
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(url, username, "");
        }
    }

    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("scripts").resolve("pg-throwaway.sh");
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        throw new IllegalStateException("scripts/pg-throwaway.sh not found above " + Path.of("").toAbsolutePath());
    }

    private static String run(Path script, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        try {
            Path errors = Files.createTempFile("pg-throwaway", ".log");
            try {
                Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " failed: "
                            + Files.readString(errors));
                }
                return out;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
