package io.tributary.system;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root folder: the first folder up from the working directory that holds {@code run.sh}. */
final class RepoRoot {

    private RepoRoot() {
    }

    static Path path() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("run.sh")) && Files.isDirectory(dir.resolve("ingest-service"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside the repository: " + Path.of("").toAbsolutePath());
    }
}
