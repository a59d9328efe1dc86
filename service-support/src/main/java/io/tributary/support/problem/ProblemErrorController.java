package io.tributary.support.problem;

import java.net.URI;

import io.tributary.problem.ProblemType;
import io.tributary.support.RequestIdFilter;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Spring Boot's error path ({@code /error}) as problem+json instead of its own JSON: what a request gets when it
 * failed outside a controller — refused by Spring Security's firewall (an encoded {@code ..} in the path), a
 * {@code sendError} of a filter, an exception thrown by one. A client error keeps its status and says why without
 * naming classes; anything else is an {@code internal-error} with the request id, as from a controller.
 */
@RestController
@RequestMapping("${server.error.path:/error}")
public class ProblemErrorController implements ErrorController {

    @RequestMapping
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 ? i : 500;
        ProblemType type = ProblemType.forStatus(status);
        ProblemDetail problem = ProblemHandlerSupport.problem(type, null);
        problem.setStatus(status);
        if (status < 500) {
            Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
            problem.setDetail(message instanceof String s && !s.isBlank() ? ClientErrorDetails.withoutClassNames(s)
                    : type.title());
        } else {
            Object id = request.getAttribute(RequestIdFilter.ATTRIBUTE);
            problem.setDetail("an unexpected error occurred; it has been logged under request id " + id);
            problem.setProperty("requestId", String.valueOf(id));
            problem.setProperty("retriable", true);
        }
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (uri instanceof String path) {
            try {
                problem.setInstance(URI.create(path));
            } catch (IllegalArgumentException e) {
                // a path no URI can hold (it was refused for that): the problem goes without it
            }
        }
        return ProblemHandlerSupport.respond(problem);
    }
}
