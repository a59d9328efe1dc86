package io.tributary.clean.pipeline;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

public interface PipelineRepository extends JpaRepository<Pipeline, Long> {

    Optional<Pipeline> findByName(String name);

    boolean existsByName(String name);

    List<Pipeline> findAllByOrderByNameAsc();
}
