package io.tributary.analytics.lease;

import java.time.Instant;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface JobLeaseRepository extends JpaRepository<JobLease, String> {

    /** Takes the lease when this owner holds it or it has expired; 1 when taken, 0 otherwise. */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("update JobLease l set l.owner = :owner, l.expiresAt = :expires "
            + "where l.jobName = :job and (l.owner = :owner or l.expiresAt < :now)")
    int takeIfFree(@Param("job") String job, @Param("owner") String owner, @Param("now") Instant now,
                   @Param("expires") Instant expires);

    /** Lets the lease expire now, if this owner holds it. */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("update JobLease l set l.expiresAt = :now where l.jobName = :job and l.owner = :owner")
    int expire(@Param("job") String job, @Param("owner") String owner, @Param("now") Instant now);
}
