package io.tributary.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The strict parsing the manifest and compose tests rely on really refuses what a plain parser lets through. */
class StrictParsingTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              %s: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                    - name: web
                      image: web:1.0
                      resources:
                        limits: {memory: 256Mi}
            %s
            """;

    @Test
    void shouldParseAWellFormedDeploymentIntoTheTypedModel() {
        List<HasMetadata> parsed = StrictKubernetes.parse(DEPLOYMENT.formatted("replicas", ""));

        assertThat(parsed).singleElement().isInstanceOf(Deployment.class);
        Deployment deployment = (Deployment) parsed.get(0);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                .containsKey("memory");
    }

    @Test
    void shouldRejectAMisspeltField() {
        assertThatThrownBy(() -> StrictKubernetes.parse(DEPLOYMENT.formatted("replica", "")))
                .hasMessageContaining("replica");
    }

    @Test
    void shouldRejectARepeatedKey() {
        // a second resources: in the same container, at the container's indentation
        String twoResources = DEPLOYMENT.formatted("replicas", "          resources:\n            limits: {memory: 1Gi}");

        assertThatThrownBy(() -> StrictKubernetes.parse(twoResources)).hasMessageContaining("resources");
    }

    @Test
    void shouldRejectAnUnknownKind() {
        assertThatThrownBy(() -> StrictKubernetes.parse("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                """)).hasMessageContaining("Widget");
    }
}
