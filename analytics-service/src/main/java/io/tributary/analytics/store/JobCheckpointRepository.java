package io.tributary.analytics.store;

import org.springframework.data.jpa.repository.JpaRepository;

public interface JobCheckpointRepository extends JpaRepository<JobCheckpoint, String> {
}
