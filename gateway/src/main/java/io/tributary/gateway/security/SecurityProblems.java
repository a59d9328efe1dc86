package io.tributary.gateway.security;

import static io.tributary.support.problem.ProblemHandlerSupport.problem;

import io.tributary.gateway.security.AccessRules.Access;
import io.tributary.gateway.web.Problems;
import io.tributary.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * The gateway's answers for Spring Security, as problem+json: 401 {@code unauthorized} with a
 * {@code WWW-Authenticate} challenge per accepted scheme ({@code ApiKey header="X-Api-Key"}, and {@code Bearer} when
 * tokens are accepted, with {@code error="invalid_token"} for a token that failed), 403 {@code forbidden} naming the
 * caller and the {@code requiredRole}. Never a redirect, a login page or an empty body.
 */
final class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    /** A request that carries an API key and a bearer token: which one names the caller would be a guess. */
    static final class TwoCredentialsException extends AuthenticationException {
        TwoCredentialsException(String header) {
            super("send one credential, an API key (" + header + ") or a bearer token (Authorization), not both");
        }
    }

    private final String header;
    private final boolean bearerTokens;
    private final Problems problems;

    SecurityProblems(String header, boolean bearerTokens, Problems problems) {
        this.header = header;
        this.bearerTokens = bearerTokens;
        this.problems = problems;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        response.addHeader(HttpHeaders.WWW_AUTHENTICATE, "ApiKey header=\"" + header + "\"");
        String detail;
        if (e instanceof OAuth2AuthenticationException token) {
            String reason = token.getError().getDescription() == null ? token.getError().getErrorCode()
                    : token.getError().getDescription();
            response.addHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\", error_description=\""
                    + reason.replaceAll("[\"\\\\\\p{Cntrl}]", "'") + "\"");
            detail = "invalid bearer token: " + reason;
        } else {
            if (bearerTokens) {
                response.addHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            }
            if (e instanceof TwoCredentialsException || request.getHeader(header) != null) {
                detail = e.getMessage();
            } else {
                detail = "send an API key in the " + header + " header"
                        + (bearerTokens ? " or a bearer token in Authorization" : "");
            }
        }
        problems.write(response, problem(ProblemType.UNAUTHORIZED, detail));
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        Caller caller = Caller.current();
        Access access = (Access) request.getAttribute(RoleAuthorizationManager.REQUIRED);
        String role = access == null ? "admin" : access.name().toLowerCase(Locale.ROOT);
        ProblemDetail problem = problem(ProblemType.FORBIDDEN, (caller == null ? "the caller" : caller.describe())
                + " lacks the " + role + " role needed for " + request.getMethod() + " " + request.getRequestURI());
        problem.setProperty("requiredRole", role);
        problems.write(response, problem);
    }
}
