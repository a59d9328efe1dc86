package io.tributary.ingest.replication;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decision of the wiped-node guard on the peers' answers, its readiness, and the storage id file. */
class StorageGuardTest {

    private static final String MINE = "11111111-1111-1111-1111-111111111111";
    private static final String OLD = "22222222-2222-2222-2222-222222222222";

    @Test
    void shouldRefuseWhenAnyPeerKnowsThisMemberWithAnotherStorage() {
        StorageGuard.Verdict v = StorageGuard.decide(3, MINE, List.of(
                StorageGuard.PeerAnswer.noMetadata(1),
                new StorageGuard.PeerAnswer(2, true, true, OLD)));
        assertThat(v).isInstanceOf(StorageGuard.Verdict.Refuse.class);
        assertThat(((StorageGuard.Verdict.Refuse) v).why()).contains("node 2 knows node 3").contains(OLD);
    }

    @Test
    void shouldPassWhenTheAnswersKnowNoOtherStorageOfAMember() {
        // being founded: the peer has no metadata group of its own yet
        assertThat(StorageGuard.decide(3, MINE, List.of(StorageGuard.PeerAnswer.noMetadata(1))))
                .isInstanceOf(StorageGuard.Verdict.Pass.class);
        // a member that never registered (a cluster of an earlier version, or its first start)
        assertThat(StorageGuard.decide(3, MINE, List.of(new StorageGuard.PeerAnswer(1, true, true, null))))
                .isInstanceOf(StorageGuard.Verdict.Pass.class);
        // registered once, but not a member (removed, or a spare never added): its id may be used afresh
        assertThat(StorageGuard.decide(3, MINE, List.of(new StorageGuard.PeerAnswer(1, true, false, OLD))))
                .isInstanceOf(StorageGuard.Verdict.Pass.class);
        assertThat(StorageGuard.decide(3, MINE, List.of(new StorageGuard.PeerAnswer(1, true, true, MINE))))
                .isInstanceOf(StorageGuard.Verdict.Pass.class);
    }

    @Test
    void shouldWaitWhileNoPeerAnswers() {
        assertThat(StorageGuard.decide(3, MINE, List.of())).isInstanceOf(StorageGuard.Verdict.Wait.class);
    }

    @Test
    void shouldKeepTheNodeUnreadyWhileCheckingAndOnceRefused() {
        List<ReadinessState> published = new ArrayList<>();
        StorageGuard[] holder = new StorageGuard[1];
        StorageGuard guard = new StorageGuard(event -> {
            if (event instanceof AvailabilityChangeEvent<?> a && a.getState() instanceof ReadinessState r) {
                published.add(r);
                holder[0].onReadiness(castReadiness(a));
            }
        });
        holder[0] = guard;
        guard.checking("asking");
        assertThat(guard.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        // Spring declares the application ready after its start: the guard takes it back
        guard.onReadiness(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
        assertThat(published).containsExactly(ReadinessState.REFUSING_TRAFFIC, ReadinessState.REFUSING_TRAFFIC);
        guard.refuse("node 2 knows node 3 with another storage");
        assertThat(guard.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(guard.health().getDetails()).containsKey("refused");
        assertThat(guard.hasPassed()).isFalse();
        assertThat(published).last().isEqualTo(ReadinessState.REFUSING_TRAFFIC);
    }

    @Test
    void shouldMakeTheNodeReadyWhenPassedAfterTheStart() {
        List<ReadinessState> published = new ArrayList<>();
        StorageGuard guard = new StorageGuard(event -> {
            if (event instanceof AvailabilityChangeEvent<?> a && a.getState() instanceof ReadinessState r) {
                published.add(r);
            }
        });
        guard.checking("asking");
        guard.onReadiness(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
        guard.admit("node 1 has no metadata group yet");
        assertThat(guard.health().getStatus()).as("not ready before it joined").isEqualTo(Status.OUT_OF_SERVICE);
        guard.joined();
        assertThat(guard.hasPassed()).isTrue();
        assertThat(guard.health().getStatus()).isEqualTo(Status.UP);
        assertThat(published).last().isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
    }

    @SuppressWarnings("unchecked")
    private static AvailabilityChangeEvent<ReadinessState> castReadiness(AvailabilityChangeEvent<?> e) {
        return (AvailabilityChangeEvent<ReadinessState>) e;
    }

    @Test
    void shouldWriteAFreshFoldersIdOnlyWhenAskedAndKeepIt(@TempDir Path dir) throws Exception {
        NodeStorage first = new NodeStorage(dir);
        assertThat(first.fresh()).isTrue();
        // refused (not persisted): the next start is fresh again, with another id
        NodeStorage again = new NodeStorage(dir);
        assertThat(again.fresh()).isTrue();
        assertThat(again.id()).isNotEqualTo(first.id());
        again.persist();
        assertThat(Files.readString(dir.resolve(NodeStorage.FILE), StandardCharsets.UTF_8).trim()).isEqualTo(again.id());
        NodeStorage restarted = new NodeStorage(dir);
        assertThat(restarted.fresh()).isFalse();
        assertThat(restarted.id()).isEqualTo(again.id());
    }

    @Test
    void shouldTakeAFolderWithRaftStorageButNoIdAsKnown(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("raft").resolve("some-group"));
        NodeStorage upgraded = new NodeStorage(dir);
        assertThat(upgraded.fresh()).isFalse();
        assertThat(new NodeStorage(dir).id()).isEqualTo(upgraded.id());
        // an empty raft folder alone is not storage
        Path other = dir.resolve("other");
        Files.createDirectories(other.resolve("raft"));
        assertThat(new NodeStorage(other).fresh()).isTrue();
    }

    @Test
    void shouldRefuseAnUnreadableIdFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(NodeStorage.FILE), "not-a-uuid");
        assertThatThrownBy(() -> new NodeStorage(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not hold a storage id");
    }
}
