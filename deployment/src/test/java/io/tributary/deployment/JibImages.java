package io.tributary.deployment;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;

/** The services' images as the root pom's Jib configuration builds them: name, tag, user, working folder. */
final class JibImages {

    private final Document pom;
    private final XPath xpath = XPathFactory.newInstance().newXPath();

    JibImages() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            pom = factory.newDocumentBuilder().parse(new ByteArrayInputStream(
                    RepoFiles.read("pom.xml").getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the root pom.xml", e);
        }
    }

    /** e.g. tributary/gateway:0.1.0-SNAPSHOT */
    String image(String module) {
        return jib("to/image").replace("${project.artifactId}", module).replace("${project.version}", version());
    }

    /** The module an image of ours was built from, or null for a foreign image. */
    String moduleOf(String image) {
        String template = jib("to/image");
        String prefix = template.substring(0, template.indexOf("${project.artifactId}"));
        String suffix = image(".").substring(image(".").indexOf('.') + 1);
        if (!image.startsWith(prefix) || !image.endsWith(suffix)) {
            return null;
        }
        return image.substring(prefix.length(), image.length() - suffix.length());
    }

    Path workingDirectory() {
        return Path.of(jib("container/workingDirectory"));
    }

    String user() {
        return jib("container/user");
    }

    private String version() {
        return text("/project/version");
    }

    private String jib(String path) {
        return text("/project/build/pluginManagement/plugins/plugin[artifactId='jib-maven-plugin']/configuration/"
                + path);
    }

    private String text(String expression) {
        try {
            String value = xpath.evaluate(expression, pom).trim();
            if (value.isEmpty()) {
                throw new IllegalStateException("root pom.xml has no " + expression);
            }
            return value;
        } catch (javax.xml.xpath.XPathExpressionException e) {
            throw new IllegalStateException(e);
        }
    }
}
