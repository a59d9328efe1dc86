package io.tributary.ingest.acl;

import java.nio.file.Path;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.IngestApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * ACL administration over REST on a single node with {@code allow-everyone-if-no-acl-found=false}
 * (as in any non-development profile): only admins manage ACLs, the ACLs decide who joins and
 * commits, they survive a restart, and every API route is in the authorization route table.
 */
class AclRestHttpTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dataDir;

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    @AfterEach
    void stop() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext start() {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(IngestApplication.class).run(
                "--server.port=0", "--server.address=127.0.0.1", "--ingest.data-dir=" + dataDir,
                "--ingest.security.allow-everyone-if-no-acl-found=false", "--spring.main.banner-mode=off",
                "--spring.jmx.enabled=false");
        contexts.add(ctx);
        return ctx;
    }

    private static MockMvc mvc(ConfigurableApplicationContext ctx) {
        return MockMvcBuilders.webAppContextSetup((WebApplicationContext) ctx).build();
    }

    private static MockHttpServletRequestBuilder as(String principal, MockHttpServletRequestBuilder b) {
        Principal p = () -> principal;
        return b.principal(p);
    }

    private static MockHttpServletRequestBuilder admin(MockHttpServletRequestBuilder b) {
        return as("User:ops", b).with(r -> {
            r.addUserRole("admin");
            return r;
        });
    }

    private static ResultActions send(MockMvc mvc, MockHttpServletRequestBuilder b, String body) throws Exception {
        return mvc.perform(b.contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private static JsonNode json(ResultActions r) throws Exception {
        return JSON.readTree(r.andReturn().getResponse().getContentAsByteArray());
    }

    private static String binding(String principal, String type, String pattern, String name, String op,
                                  String permission) {
        return "{\"principal\":\"" + principal + "\",\"resourceType\":\"" + type + "\",\"patternType\":\"" + pattern
                + "\",\"name\":\"" + name + "\",\"operation\":\"" + op + "\",\"permission\":\"" + permission + "\"}";
    }

    private static final String JOIN = "{\"topics\":[\"orders.eu\"],\"autoOffsetReset\":\"earliest\"}";

    @Test
    void aclRoundTripEnforcedAndKeptAcrossARestart() throws Exception {
        MockMvc mvc = mvc(start());
        String aliceTopics = binding("User:alice", "TOPIC", "PREFIXED", "orders.", "READ", "ALLOW");
        String aliceGroup = binding("User:alice", "GROUP", "LITERAL", "alice-app", "READ", "ALLOW");

        // only administrators see or change ACLs
        send(mvc, as("User:mallory", post("/api/v1/acls")), aliceTopics).andExpect(status().isForbidden())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/authorization-failed"))
                .andExpect(jsonPath("$.operation").value("ALTER"))
                .andExpect(jsonPath("$.resourceType").value("CLUSTER"));
        mvc.perform(as("User:mallory", get("/api/v1/acls"))).andExpect(status().isForbidden());

        send(mvc, admin(post("/api/v1/acls")), aliceTopics).andExpect(status().isCreated())
                .andExpect(jsonPath("$.name").value("orders."));
        send(mvc, admin(post("/api/v1/acls")), aliceTopics).andExpect(status().isOk());
        send(mvc, admin(post("/api/v1/acls")), aliceGroup).andExpect(status().isCreated());
        // validation: 400 problems
        send(mvc, admin(post("/api/v1/acls")), binding("alice", "TOPIC", "LITERAL", "t", "READ", "ALLOW"))
                .andExpect(status().isBadRequest());
        send(mvc, admin(post("/api/v1/acls")), binding("User:a", "CLUSTER", "LITERAL", "x", "ALTER", "ALLOW"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/invalid-request"));
        send(mvc, admin(post("/api/v1/acls")), binding("User:a", "TABLE", "LITERAL", "x", "READ", "ALLOW"))
                .andExpect(status().isBadRequest());
        send(mvc, admin(post("/api/v1/acls")), "{\"principal\":\"User:a\"}").andExpect(status().isBadRequest());

        send(mvc, admin(post("/api/v1/topics")), "{\"name\":\"orders.eu\",\"partitions\":1}")
                .andExpect(status().isCreated());
        assertAliceOnly(mvc);

        JsonNode listed = json(mvc.perform(admin(get("/api/v1/acls")).param("principal", "User:alice"))
                .andExpect(status().isOk()));
        assertThat(listed.get("acls")).hasSize(2);
        assertThat(listed.get("bootstrap")).isEmpty();
        JsonNode bootstrap = json(mvc.perform(admin(get("/api/v1/acls")).param("resourceType", "PRODUCER")));
        assertThat(bootstrap.get("bootstrap")).hasSize(2);

        MeterRegistry meters = contexts.get(0).getBean(MeterRegistry.class);
        assertThat(meters.get("ingest.authorization.denials").tag("resourceType", "GROUP").tag("operation", "READ")
                .counter().count()).isPositive();

        // a restart keeps them
        contexts.remove(0).close();
        mvc = mvc(start());
        assertThat(json(mvc.perform(admin(get("/api/v1/acls")).param("principal", "User:alice"))).get("acls"))
                .hasSize(2);
        assertAliceOnly(mvc);

        // delete by filter answers what it deleted; an empty filter is refused
        mvc.perform(admin(delete("/api/v1/acls"))).andExpect(status().isBadRequest());
        JsonNode deleted = json(mvc.perform(admin(delete("/api/v1/acls")).param("principal", "User:alice")
                .param("resourceType", "GROUP")).andExpect(status().isOk()));
        assertThat(deleted.get("deleted")).hasSize(1);
        assertThat(deleted.get("deleted").get(0).get("name").asString()).isEqualTo("alice-app");
        send(mvc, as("User:alice", post("/api/v1/groups/alice-app/members")), JOIN).andExpect(status().isForbidden());
    }

    private static void assertAliceOnly(MockMvc mvc) throws Exception {
        JsonNode member = json(send(mvc, as("User:alice", post("/api/v1/groups/alice-app/members")), JOIN)
                .andExpect(status().isOk()));
        send(mvc, as("User:alice", post("/api/v1/groups/alice-app/offsets")),
                "{\"memberId\":\"" + member.get("memberId").asString() + "\",\"generation\":"
                        + member.get("generation").asInt()
                        + ",\"offsets\":[{\"topic\":\"orders.eu\",\"partition\":0,\"offset\":0}]}")
                .andExpect(status().isNoContent());
        send(mvc, as("User:bob", post("/api/v1/groups/alice-app/members")), JOIN).andExpect(status().isForbidden());
        send(mvc, as("User:alice", post("/api/v1/groups/other/members")), JOIN).andExpect(status().isForbidden());
        mvc.perform(as("User:bob", delete("/api/v1/groups/alice-app/members/" + member.get("memberId").asString())))
                .andExpect(status().isForbidden());
        // listing shows only what the caller may describe
        assertThat(json(mvc.perform(as("User:alice", get("/api/v1/topics")))).get("topics")).hasSize(1);
        assertThat(json(mvc.perform(as("User:bob", get("/api/v1/topics")))).get("topics")).isEmpty();
        assertThat(json(mvc.perform(admin(get("/api/v1/topics")))).get("topics").size()).isGreaterThanOrEqualTo(2);
        mvc.perform(as("User:alice", delete("/api/v1/groups/alice-app/members/" + member.get("memberId").asString())))
                .andExpect(status().isNoContent());
    }

    @Test
    void everyApiRouteIsInTheAuthorizationTable() {
        ConfigurableApplicationContext ctx = start();
        RequestMappingHandlerMapping mapping = ctx.getBean("requestMappingHandlerMapping",
                RequestMappingHandlerMapping.class);
        List<String> routes = new ArrayList<>();
        mapping.getHandlerMethods().keySet().forEach(info -> info.getPatternValues().stream()
                .filter(p -> p.startsWith("/api/"))
                .forEach(p -> info.getMethodsCondition().getMethods().forEach(m -> routes.add(m.name() + " " + p))));
        assertThat(routes).isNotEmpty();
        assertThat(RequestAuthorization.ROUTES.keySet()).containsAll(routes);
    }
}
