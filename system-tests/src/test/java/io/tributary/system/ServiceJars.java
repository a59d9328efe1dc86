package io.tributary.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The services' runnable jars, as {@code mvn package} leaves them in the repository (the ones run.sh starts). */
final class ServiceJars {

    private ServiceJars() {
    }

    /** The repository's root: the first folder up from the working directory that holds {@code run.sh}. */
    static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("run.sh")) && Files.isDirectory(dir.resolve("ingest-service"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside the repository: " + Path.of("").toAbsolutePath());
    }

    /** {@code module}'s runnable jar: the {@code -exec} one where the plain jar is kept as a library. */
    static Path of(String module) throws IOException {
        Path target = repoRoot().resolve(module).resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            List<Path> jars = files.map(Path::getFileName).map(Path::toString)
                    .filter(f -> f.startsWith(module + "-") && f.endsWith(".jar") && !f.endsWith("-sources.jar")
                            && !f.endsWith("-tests.jar"))
                    .sorted((a, b) -> Boolean.compare(b.endsWith("-exec.jar"), a.endsWith("-exec.jar")))
                    .map(target::resolve).toList();
            if (jars.isEmpty()) {
                throw new IllegalStateException("no jar of " + module + " under " + target + ": run mvn package first");
            }
            return jars.getFirst();
        }
    }
}
