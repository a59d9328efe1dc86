package io.tributary.ingest.acl;

import java.nio.file.Path;
import java.security.Principal;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The ownership holes of issue 10, in the development defaults (allow-everyone-if-no-acl-found,
 * bootstrap ACLs on): a client principal cannot take a pipeline's producer identity or group,
 * and nobody changes an internal topic. Principals come as the security chain would set them
 * (MockMvc {@code principal} and roles).
 */
@SpringBootTest
class OwnershipHolesHttpTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PIPELINE_PRODUCER = "clean-orders-clean-raw.orders-0";
    private static final String PIPELINE_GROUP = "clean-orders";

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", () -> dataDir.toString());
    }

    @Autowired
    WebApplicationContext context;

    MockMvc mvc;

    @BeforeEach
    void setUp() throws Exception {
        mvc = MockMvcBuilders.webAppContextSetup(context).build();
        mvc.perform(as(admin(post("/api/v1/topics")), "User:ops").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"raw.orders\",\"partitions\":1}"));
    }

    static MockHttpServletRequestBuilder as(MockHttpServletRequestBuilder b, String principal) {
        Principal p = () -> principal;
        return b.principal(p);
    }

    static MockHttpServletRequestBuilder admin(MockHttpServletRequestBuilder b) {
        return b.with(r -> {
            r.addUserRole("admin");
            return r;
        });
    }

    private ResultActions json(MockHttpServletRequestBuilder b, String principal, String body) throws Exception {
        return mvc.perform(as(b, principal).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private static void forbidden(ResultActions r) throws Exception {
        r.andExpect(status().isForbidden())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/authorization-failed"))
                .andExpect(jsonPath("$.retriable").value(false));
    }

    private static JsonNode body(ResultActions r) throws Exception {
        MvcResult result = r.andReturn();
        return JSON.readTree(result.getResponse().getContentAsByteArray());
    }

    @Test
    void aProducerKeyCannotObtainAPipelinesProducerIdentity() throws Exception {
        forbidden(json(post("/api/v1/producers"), "User:mallory", "{\"name\":\"" + PIPELINE_PRODUCER + "\"}"));
        // the pipeline itself gets it, and its id cannot be borrowed for a forged write either
        JsonNode identity = body(json(post("/api/v1/producers"), "Service:stream-clean",
                "{\"name\":\"" + PIPELINE_PRODUCER + "\"}").andExpect(status().isOk()));
        forbidden(json(post("/api/v1/topics/raw.orders/records"), "User:mallory",
                "{\"producerId\":" + identity.get("producerId").asLong() + ",\"producerEpoch\":"
                        + identity.get("producerEpoch").asInt() + ",\"baseSequence\":1000000000,"
                        + "\"records\":[{\"value\":{\"forged\":true}}]}"));
        // a producer name outside the reserved prefixes is still free in the development defaults
        json(post("/api/v1/producers"), "User:mallory", "{\"name\":\"mallory-0\"}").andExpect(status().isOk());
    }

    @Test
    void nobodyWritesTheOffsetsTopic() throws Exception {
        String forged = "{\"records\":[{\"key\":\"clean-orders\",\"value\":{\"forged\":true}}]}";
        for (String principal : new String[]{"User:mallory", "User:ANONYMOUS", "Service:stream-clean", "Node:2"}) {
            forbidden(json(post("/api/v1/topics/__consumer_offsets/records"), principal, forged));
        }
        forbidden(json(admin(post("/api/v1/topics/__consumer_offsets/records")), "User:ops", forged)
                .andExpect(jsonPath("$.rule").value("internal-topics-are-read-only")));
    }

    @Test
    void anAdminCannotReconfigureOrDeleteTheOffsetsTopic() throws Exception {
        forbidden(json(admin(patch("/api/v1/topics/__consumer_offsets/configs")), "User:ops",
                "{\"configs\":{\"retention.ms\":\"1\"}}"));
        forbidden(mvc.perform(as(admin(delete("/api/v1/topics/__consumer_offsets")), "User:ops")));
        forbidden(json(patch("/api/v1/topics/__consumer_offsets/configs"), "Service:analytics",
                "{\"configs\":{\"retention.ms\":\"1\"}}"));
    }

    @Test
    void aConsumerKeyCannotJoinCommitOrRemoveMembersOfAPipelinesGroup() throws Exception {
        String join = "{\"topics\":[\"raw.orders\"],\"autoOffsetReset\":\"earliest\"}";
        JsonNode member = body(json(post("/api/v1/groups/" + PIPELINE_GROUP + "/members"), "Service:stream-clean",
                join).andExpect(status().isOk()));
        String memberId = member.get("memberId").asString();
        int generation = member.get("generation").asInt();

        forbidden(json(post("/api/v1/groups/" + PIPELINE_GROUP + "/members"), "User:mallory", join));
        forbidden(json(post("/api/v1/groups/" + PIPELINE_GROUP + "/offsets"), "User:mallory",
                "{\"memberId\":\"" + memberId + "\",\"generation\":" + generation
                        + ",\"offsets\":[{\"topic\":\"raw.orders\",\"partition\":0,\"offset\":1000000}]}"));
        forbidden(mvc.perform(as(delete("/api/v1/groups/" + PIPELINE_GROUP + "/members/" + memberId),
                "User:mallory")));
        forbidden(mvc.perform(as(post("/api/v1/groups/" + PIPELINE_GROUP + "/members/" + memberId + "/heartbeat"),
                "User:mallory")));
        // the real member is still there
        mvc.perform(as(post("/api/v1/groups/" + PIPELINE_GROUP + "/members/" + memberId + "/heartbeat"),
                "Service:stream-clean")).andExpect(status().isOk());
    }
}
