package io.tributary.gateway.security;

import io.tributary.gateway.security.AccessRules.Access;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Supplier;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Spring Security's authorization over the gateway's rule table ({@link AccessRules}): public paths for anyone,
 * everything else for an authenticated caller whose roles allow it. An anonymous caller on a protected path is
 * denied, which Spring Security answers with the entry point (401); an authenticated one without the role gets the
 * access-denied handler (403), which finds the role that was needed in the request attribute {@link #REQUIRED}.
 */
final class RoleAuthorizationManager implements AuthorizationManager<RequestAuthorizationContext> {

    /** Request attribute: the {@link Access} the request needed. */
    static final String REQUIRED = RoleAuthorizationManager.class.getName() + ".required";

    private static final AuthorizationDecision GRANTED = new AuthorizationDecision(true);
    private static final AuthorizationDecision DENIED = new AuthorizationDecision(false);

    private final AccessRules rules = new AccessRules();

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
                                         RequestAuthorizationContext context) {
        HttpServletRequest request = context.getRequest();
        Access access = rules.required(request.getMethod(), request.getRequestURI());
        if (access == Access.PUBLIC) {
            return GRANTED;
        }
        request.setAttribute(REQUIRED, access);
        Caller caller = Caller.of(authentication.get());
        return caller != null && AccessRules.allows(caller.roles(), access) ? GRANTED : DENIED;
    }
}
