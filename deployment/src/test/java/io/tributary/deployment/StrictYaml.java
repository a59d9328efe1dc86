package io.tributary.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * YAML loading that refuses a repeated key in a mapping (two {@code resources:} in one container:
 * a plain loader keeps the second silently).
 */
final class StrictYaml {

    private StrictYaml() {
    }

    /** Every non-empty document of the text, as maps. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String text) {
        Load load = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build());
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : load.loadAllFromString(text)) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }

    static Map<String, Object> document(String text) {
        List<Map<String, Object>> docs = documents(text);
        if (docs.size() != 1) {
            throw new IllegalArgumentException("expected one YAML document, got " + docs.size());
        }
        return docs.get(0);
    }

    /** The value at a dotted path of nested maps, or null. */
    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> map, String dottedPath) {
        Object current = map;
        for (String part : dottedPath.split("\\.")) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = ((Map<String, Object>) m).get(part);
        }
        return current;
    }
}
