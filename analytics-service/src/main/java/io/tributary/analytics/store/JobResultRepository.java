package io.tributary.analytics.store;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

public interface JobResultRepository extends JpaRepository<JobResult, String>, JpaSpecificationExecutor<JobResult> {

    java.util.List<JobResult> findByJobNameAndBatchId(String jobName, long batchId);

    @Modifying
    @Query("delete from JobResult r where r.jobName = :jobName")
    int deleteByJob(String jobName);
}
