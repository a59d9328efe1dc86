package io.tributary.client.consumer;

import java.util.Set;

import io.tributary.client.TopicPartition;

/** This member's place in the group as of one server answer. */
record Membership(String memberId, int generation, Set<TopicPartition> assignment) {

    Membership {
        assignment = Set.copyOf(assignment);
    }

    boolean differsFrom(Membership other) {
        return generation != other.generation || !assignment.equals(other.assignment);
    }
}
