package io.tributary.analytics.store;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

public interface BatchProgressRepository extends JpaRepository<BatchProgress, Long> {

    Page<BatchProgress> findByJobNameOrderByBatchIdDesc(String jobName, Pageable page);

    @Modifying
    @Query("delete from BatchProgress p where p.jobName = :jobName")
    int deleteByJob(String jobName);

    /** Removes a job's progress rows of batches before {@code batchId} (the index on job and batch id serves it). */
    @Modifying
    @Query("delete from BatchProgress p where p.jobName = :jobName and p.batchId < :batchId")
    int deleteByJobBefore(String jobName, long batchId);
}
