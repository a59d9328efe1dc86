package io.tributary.clean.reference;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

interface ReferenceTableRepository extends JpaRepository<ReferenceTable, Long> {

    Optional<ReferenceTable> findByName(String name);

    boolean existsByName(String name);

    List<ReferenceTable> findAllByOrderByNameAsc();
}
