package io.tributary.clean;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Cleaning pipelines from raw topics to clean topics. Pipelines themselves arrive with their own issue. */
@SpringBootApplication
public class StreamCleanApplication {

    public static void main(String[] args) {
        SpringApplication.run(StreamCleanApplication.class, args);
    }
}
