package io.tributary.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Spring Boot runnable jar unpacked by its own {@code -Djarmode=tools extract}: a thin application jar whose
 * manifest lists the libraries in {@code lib/} beside it, so that the JDK's class loader reads them directly instead
 * of Spring Boot's loader reading jars nested in a jar. Kept next to the jar ({@code <jar>-extracted/}) and made again
 * when the jar is newer than it.
 */
final class ExtractedJar {

    private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(2);

    private ExtractedJar() {
    }

    /** The extracted application jar of {@code jar}, extracting it first when needed. */
    static synchronized Path of(Path jar) throws IOException {
        String name = jar.getFileName().toString();
        Path dir = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + "-extracted");
        Path app = dir.resolve(name);
        FileTime built = Files.getLastModifiedTime(jar);
        if (Files.isRegularFile(app) && Files.getLastModifiedTime(dir).compareTo(built) >= 0) {
            return app;
        }
        Path fresh = Files.createTempDirectory(jar.getParent(), name + ".extracting-");
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djarmode=tools", "-jar",
                jar.toString(), "extract", "--force", "--destination", fresh.toString()), jar);
        deleteTree(dir);
        Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
        Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
        return app;
    }

    private static void run(List<String> command, Path jar) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!process.waitFor(EXTRACT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("extracting " + jar + " took longer than " + EXTRACT_TIMEOUT);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while extracting " + jar, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("extracting " + jar + " failed with exit status " + process.exitValue());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
