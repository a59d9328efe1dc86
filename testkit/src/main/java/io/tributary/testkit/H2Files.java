package io.tributary.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** H2 file databases made by a test before its service starts on them, e.g. the file of a demo an earlier build ran. */
public final class H2Files {

    private H2Files() {
    }

    /**
     * Creates the H2 file database {@code dir/name} from the SQL script {@code resource} on the class path and
     * returns its JDBC URL (with the durability setting the services use).
     */
    public static String fromScript(Path dir, String name, String resource) {
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve(name) + ";WRITE_DELAY=0";
        try (Connection connection = DriverManager.getConnection(url, "sa", "");
             Statement sql = connection.createStatement()) {
            sql.execute("RUNSCRIPT FROM 'classpath:" + resource + "' CHARSET 'UTF-8'");
        } catch (SQLException e) {
            throw new IllegalStateException(resource + " failed: " + e.getMessage(), e);
        }
        return url;
    }
}
