package io.tributary.gateway.console;

import io.tributary.gateway.security.Caller;
import io.tributary.gateway.security.Role;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The web console's own endpoints (docs/console.md). The console is a static page under {@code /console/} that calls
 * the suite's REST API with the caller's API key or token; the gateway adds only what no service can answer: who the
 * caller is (the sign-in check, and which actions to offer) and whether the services are up.
 */
@Controller
class ConsoleController {

    /** The signed-in caller: their name, how they authenticated, and their roles ({@code admin}, ...). */
    record Session(String name, String scheme, List<String> roles) {
    }

    record Health(List<ServiceHealth.Status> services) {
    }

    private final ServiceHealth health;

    ConsoleController(ServiceHealth health) {
        this.health = health;
    }

    @GetMapping("/console")
    String console() {
        return "redirect:/console/";
    }

    @GetMapping("/console/")
    String index() {
        return "forward:/console/index.html";
    }

    /** 200 with the caller for a valid key or token; the security chain answers 401 for anything else. */
    @GetMapping("/console/api/session")
    @ResponseBody
    Session session() {
        Caller caller = Caller.current();
        return new Session(caller.name(), caller.scheme() == Caller.Scheme.API_KEY ? "api-key" : "bearer-token",
                caller.roles().stream().map(Role::externalName).sorted().toList());
    }

    @GetMapping("/console/api/health")
    @ResponseBody
    Health health() {
        return new Health(health.current());
    }
}
