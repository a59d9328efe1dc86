package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One failover measurement on a replicated ingest cluster (bench/run-replication.sh runs it
 * several times, restarting the killed node in between):
 *
 * <ol>
 *   <li>makes sure {@code --topic} exists (1 partition, replication factor = number of nodes) and
 *       waits until its partition has a leader and every replica is in sync;</li>
 *   <li>produces a few records with {@code acks=all} through a node that is not the leader;</li>
 *   <li>SIGKILLs the leader's process ({@code ProcessHandle.destroyForcibly}) and immediately
 *       sends one-record {@code acks=all} produces through that survivor, back to back, until one
 *       is acknowledged (200);</li>
 *   <li>prints {@code FAILOVER killed=<node> ms=<kill -> first 200> refused=<non-200 answers>
 *       newLeader=<node>}.</li>
 * </ol>
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.tributary.bench.FailoverProbe \
 *   --nodes 1=http://127.0.0.1:18091,2=http://127.0.0.1:18092,3=http://127.0.0.1:18093 \
 *   --pids 1=1234,2=1235,3=1236 --topic failover
 * </pre>
 *
 * Exit status 0 after a measurement, 1 when no produce was acknowledged within
 * {@code --max-seconds} (default 60) or the cluster never became ready.
 */
public final class FailoverProbe {

    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"?(-?\\d+)");
    private static final Pattern IN_SYNC = Pattern.compile("\"inSyncReplicas\"\\s*:\\s*\\[([^\\]]*)]");

    private final Map<Integer, String> nodes;
    private final Map<Integer, Long> pids;
    private final String topic;
    private final int maxSeconds;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private long sequence;

    FailoverProbe(Map<Integer, String> nodes, Map<Integer, Long> pids, String topic, int maxSeconds) {
        this.nodes = nodes;
        this.pids = pids;
        this.topic = topic;
        this.maxSeconds = maxSeconds;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("topic", "failover", "max-seconds", "60"));
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + argv[i]);
            }
            a.put(argv[i].substring(2), argv[i + 1]);
        }
        if (!a.containsKey("nodes") || !a.containsKey("pids")) {
            System.err.println("usage: FailoverProbe --nodes 1=http://host:port,... --pids 1=pid,... "
                    + "[--topic failover] [--max-seconds 60]");
            System.exit(2);
        }
        Map<Integer, String> nodes = new TreeMap<>();
        pairs(a.get("nodes")).forEach((k, v) -> nodes.put(k, v.replaceAll("/+$", "")));
        Map<Integer, Long> pids = new TreeMap<>();
        pairs(a.get("pids")).forEach((k, v) -> pids.put(k, Long.parseLong(v)));
        boolean ok = new FailoverProbe(nodes, pids, a.get("topic"), Integer.parseInt(a.get("max-seconds"))).run();
        System.exit(ok ? 0 : 1);
    }

    static Map<Integer, String> pairs(String s) {
        Map<Integer, String> out = new TreeMap<>();
        for (String part : s.split(",")) {
            int eq = part.indexOf('=');
            out.put(Integer.parseInt(part.substring(0, eq).trim()), part.substring(eq + 1).trim());
        }
        return out;
    }

    boolean run() throws Exception {
        int any = nodes.keySet().iterator().next();
        HttpResponse<String> created = post(any, "/api/v1/topics", "{\"name\":\"" + topic
                + "\",\"partitions\":1,\"replicationFactor\":" + nodes.size() + "}", 30);
        if (created.statusCode() != 201 && created.statusCode() != 409) {
            System.out.println("FAILED cannot create topic: " + created.statusCode() + " " + created.body());
            return false;
        }
        int leader = waitUntilReady(any);
        if (leader < 0) {
            System.out.println("FAILED no leader with every replica in sync within " + maxSeconds + " s");
            return false;
        }
        int survivor = nodes.keySet().stream().filter(n -> n != leader).findFirst().orElseThrow();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = produce(survivor);
            if (r.statusCode() != 200) {
                System.out.println("FAILED produce before the kill: " + r.statusCode() + " " + r.body());
                return false;
            }
        }
        ProcessHandle victim = ProcessHandle.of(pids.get(leader)).orElse(null);
        if (victim == null) {
            System.out.println("FAILED no process " + pids.get(leader) + " for node " + leader);
            return false;
        }
        long t0 = System.nanoTime();
        victim.destroyForcibly(); // SIGKILL
        int refused = 0;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(maxSeconds);
        long ackedAt = -1;
        String lastError = "";
        Timeline timeline = new Timeline(t0);
        while (System.nanoTime() < deadline) {
            long sent = System.nanoTime();
            try {
                HttpResponse<String> r = produce(survivor);
                if (r.statusCode() == 200) {
                    ackedAt = System.nanoTime();
                    timeline.answer(sent, "200");
                    break;
                }
                refused++;
                lastError = r.statusCode() + " " + r.body();
                timeline.answer(sent, r.statusCode() + " " + problemType(r.body()));
            } catch (java.io.IOException e) {
                refused++;
                lastError = e.toString();
                timeline.answer(sent, e.getClass().getSimpleName());
            }
        }
        System.out.println("FAILOVER_TIMELINE " + timeline);
        victim.onExit().get(10, TimeUnit.SECONDS);
        if (ackedAt < 0) {
            System.out.println("FAILED no acknowledgement within " + maxSeconds + " s after killing node " + leader
                    + "; last answer: " + lastError);
            return false;
        }
        int newLeader = leaderSeenBy(survivor);
        System.out.printf(Locale.ROOT, "FAILOVER killed=%d ms=%d refused=%d newLeader=%d survivor=%d%n", leader,
                TimeUnit.NANOSECONDS.toMillis(ackedAt - t0), refused, newLeader, survivor);
        return true;
    }

    /** The partition's leader once it has one and every replica is in sync; -1 on time-out. */
    private int waitUntilReady(int node) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = get(node, "/api/v1/topics/" + topic);
                if (r.statusCode() == 200) {
                    Matcher l = LEADER.matcher(r.body());
                    Matcher isr = IN_SYNC.matcher(r.body());
                    if (l.find() && isr.find()) {
                        int leader = Integer.parseInt(l.group(1));
                        long inSync = isr.group(1).isBlank() ? 0 : List.of(isr.group(1).split(",")).size();
                        if (leader > 0 && inSync == nodes.size()) {
                            return leader;
                        }
                    }
                }
            } catch (java.io.IOException e) {
                // not answering yet
            }
            Thread.sleep(200);
        }
        return -1;
    }

    private int leaderSeenBy(int node) {
        try {
            Matcher l = LEADER.matcher(get(node, "/api/v1/topics/" + topic).body());
            return l.find() ? Integer.parseInt(l.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The problem type's last path segment of a problem+json body, or its first 40 characters. */
    private static String problemType(String body) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"type\"\\s*:\\s*\"[^\"]*?([^/\"]+)\"")
                .matcher(body);
        return m.find() ? m.group(1) : body.substring(0, Math.min(40, body.length())).replace('\n', ' ');
    }

    /**
     * The answers after the kill, runs of the same answer merged: {@code <answer> x<count> <first sent>-<last
     * answered> ms after the kill}, so a slow step of the failover shows where its time went.
     */
    private static final class Timeline {
        private final long t0;
        private final StringBuilder out = new StringBuilder();
        private String current;
        private int count;
        private long firstSentMs;
        private long lastDoneMs;

        Timeline(long t0) {
            this.t0 = t0;
        }

        void answer(long sentNanos, String what) {
            long sent = TimeUnit.NANOSECONDS.toMillis(sentNanos - t0);
            long done = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (!what.equals(current)) {
                flush();
                current = what;
                count = 0;
                firstSentMs = sent;
            }
            count++;
            lastDoneMs = done;
        }

        private void flush() {
            if (current != null) {
                out.append(out.isEmpty() ? "" : " | ").append(current).append(" x").append(count).append(' ')
                        .append(firstSentMs).append('-').append(lastDoneMs).append("ms");
            }
        }

        @Override
        public String toString() {
            flush();
            current = null;
            return out.toString();
        }
    }

    private HttpResponse<String> produce(int node) throws java.io.IOException, InterruptedException {
        return post(node, "/api/v1/topics/" + topic + "/records",
                "{\"acks\":\"all\",\"records\":[{\"key\":\"probe\",\"value\":{\"n\":" + (sequence++) + "}}]}", 30);
    }

    private HttpResponse<String> get(int node, String path) throws java.io.IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(nodes.get(node) + path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(int node, String path, String body, int timeoutSeconds)
            throws java.io.IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(nodes.get(node) + path))
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
