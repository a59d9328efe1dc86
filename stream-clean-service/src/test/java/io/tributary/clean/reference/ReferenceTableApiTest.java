package io.tributary.clean.reference;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.ResultActions;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:reference-api", "clean.runner.enabled=false"})
@AutoConfigureMockMvc
class ReferenceTableApiTest {

    @Autowired
    MockMvc mvc;

    private ResultActions send(MockHttpServletRequestBuilder request, String body) throws Exception {
        return mvc.perform(request.contentType(MediaType.APPLICATION_JSON).content(body.replace('\'', '"')));
    }

    @Test
    void shouldStoreReplaceAndServeTablesToEnrichSteps() throws Exception {
        send(put("/api/v1/reference-tables/countries"), "{'rows':{'DE':{'name':'Germany'},'FR':{'name':'France'}}}")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.rowCount").value(2))
                .andExpect(jsonPath("$.rows.DE.name").value("Germany"));
        String preview = "{'steps':[{'type':'enrich','table':'countries','key':'/c','target':'/country'}],"
                + "'records':[{'value':{'c':'DE'}},{'value':{'c':'IT'}}]}";
        send(post("/api/v1/pipelines/preview"), preview)
                .andExpect(jsonPath("$.results[0].value.country.name").value("Germany"))
                .andExpect(jsonPath("$.results[1].outcome").value("dead-letter"))
                .andExpect(jsonPath("$.results[1].reason", containsString("no row")));

        send(put("/api/v1/reference-tables/countries"), "{'rows':{'IT':{'name':'Italy'}}}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.rowCount").value(1));
        send(post("/api/v1/pipelines/preview"), preview)
                .andExpect(jsonPath("$.results[0].outcome").value("dead-letter"))
                .andExpect(jsonPath("$.results[1].value.country.name").value("Italy"));
        mvc.perform(get("/api/v1/reference-tables")).andExpect(jsonPath("$[0].name").value("countries"));
    }

    @Test
    void shouldRefuseEnrichStepsOnUnknownTablesAndDeletingTablesInUse() throws Exception {
        send(post("/api/v1/pipelines"), "{'name':'enriched','source':'raw.e','sink':'clean.e','deadLetter':'dlq.e',"
                + "'steps':[{'type':'enrich','table':'cities','key':'/c','target':'/t'}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.stepIndex").value(0))
                .andExpect(jsonPath("$.detail", containsString("does not exist")));

        send(put("/api/v1/reference-tables/cities"), "{'rows':{'B':{'name':'Berlin'}}}").andExpect(status().isCreated());
        send(post("/api/v1/pipelines"), "{'name':'enriched','source':'raw.e','sink':'clean.e','deadLetter':'dlq.e',"
                + "'steps':[{'type':'enrich','table':'cities','key':'/c','target':'/t'}]}")
                .andExpect(status().isCreated());
        mvc.perform(delete("/api/v1/reference-tables/cities"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://tributary.dev/problems/reference-table-in-use"));
        mvc.perform(delete("/api/v1/pipelines/enriched")).andExpect(status().isNoContent());
        mvc.perform(delete("/api/v1/reference-tables/cities")).andExpect(status().isNoContent());
        mvc.perform(get("/api/v1/reference-tables/cities")).andExpect(status().isNotFound());
        send(put("/api/v1/reference-tables/bad name"), "{'rows':{}}").andExpect(status().isBadRequest());
    }
}
