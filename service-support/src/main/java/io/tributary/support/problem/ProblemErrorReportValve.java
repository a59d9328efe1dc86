package io.tributary.support.problem;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tributary.problem.ProblemType;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error page for what it refuses before any application code runs — a path with an encoded {@code /},
 * {@code \} or NUL, a request line or headers over the size limit, a malformed request — as problem+json instead of
 * Tomcat's HTML page. The answer names the status's catalogue type and a fixed reason; nothing of the request is
 * echoed (it was malformed) and nothing of the server is shown.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (status < 400 || response.getContentWritten() > 0 || !ioAllowed.get()) {
            return;
        }
        ProblemType type = ProblemType.forStatus(status);
        String detail = status >= 500 ? "the server could not handle the request"
                : status == 400 ? "the request was refused before it reached the service: its path, request line or"
                        + " headers are malformed or too large (an encoded '/', '\\\\' or NUL in the path is never accepted)"
                : type.title();
        String json = "{\"type\":\"" + type.uri() + "\",\"title\":\"" + type.title() + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\",\"retriable\":" + (status >= 500) + "}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(json);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away, or the answer was already under way: nothing more to tell
        }
    }
}
