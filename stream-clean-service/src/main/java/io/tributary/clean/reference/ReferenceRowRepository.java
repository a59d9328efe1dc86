package io.tributary.clean.reference;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface ReferenceRowRepository extends JpaRepository<ReferenceRow, Long> {

    List<ReferenceRow> findByTableName(String tableName);

    @Modifying
    @Query("delete from ReferenceRow r where r.tableName = ?1")
    int deleteByTable(String tableName);
}
