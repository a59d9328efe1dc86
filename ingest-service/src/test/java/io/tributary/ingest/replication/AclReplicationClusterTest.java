package io.tributary.ingest.replication;

import java.nio.file.Path;
import java.security.Principal;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * ACLs are metadata: a binding created through one node is enforced by another, a delete through
 * the other is seen by the first, and a restarted node still has them.
 */
class AclReplicationClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path root;

    private static MockMvc mvc(LoopbackCluster cluster, int node) {
        return MockMvcBuilders.webAppContextSetup((WebApplicationContext) cluster.context(node)).build();
    }

    private static MockHttpServletRequestBuilder as(String principal, MockHttpServletRequestBuilder b) {
        Principal p = () -> principal;
        return b.principal(p).contentType(MediaType.APPLICATION_JSON);
    }

    private static MockHttpServletRequestBuilder admin(MockHttpServletRequestBuilder b) {
        return as("User:ops", b).with(r -> {
            r.addUserRole("admin");
            return r;
        });
    }

    private static int initProducer(MockMvc mvc, String principal, String name) throws Exception {
        return mvc.perform(as(principal, post("/api/v1/producers")).content("{\"name\":\"" + name + "\"}"))
                .andReturn().getResponse().getStatus();
    }

    private static int aclCount(MockMvc mvc) throws Exception {
        byte[] body = mvc.perform(admin(get("/api/v1/acls")).param("principal", "User:alice")).andReturn()
                .getResponse().getContentAsByteArray();
        return JSON.readTree(body).get("acls").size();
    }

    @Test
    void anAclCreatedOnOneNodeIsEnforcedOnAnother() throws Exception {
        try (LoopbackCluster cluster = new LoopbackCluster(root, 2).startAll()) {
            MockMvc one = mvc(cluster, 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> mvc(cluster, 1).perform(
                    admin(post("/api/v1/acls")).content("{\"principal\":\"User:alice\",\"resourceType\":\"PRODUCER\","
                            + "\"patternType\":\"LITERAL\",\"name\":\"alice-p\",\"operation\":\"WRITE\","
                            + "\"permission\":\"ALLOW\"}")).andReturn().getResponse().getStatus() == 201);

            MockMvc two = mvc(cluster, 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> initProducer(two, "User:mallory", "alice-p") == 403);
            assertThat(initProducer(two, "User:alice", "alice-p")).isEqualTo(200);
            assertThat(aclCount(two)).isEqualTo(1);

            // node 2 restarts: it still enforces the binding (acls.json, metadata replay)
            cluster.stop(2);
            cluster.start(2);
            MockMvc restarted = mvc(cluster, 2);
            assertThat(aclCount(restarted)).isEqualTo(1);
            assertThat(initProducer(restarted, "User:mallory", "alice-p")).isEqualTo(403);

            // deleted through node 2, gone on node 1
            await().atMost(Duration.ofSeconds(30)).until(() -> mvc(cluster, 2).perform(
                    admin(delete("/api/v1/acls")).param("principal", "User:alice")).andReturn().getResponse()
                    .getStatus() == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> aclCount(one) == 0);
            assertThat(initProducer(one, "User:mallory", "alice-p")).isEqualTo(200);
        }
    }
}
