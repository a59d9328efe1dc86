package io.tributary.ingest.security;

import java.util.List;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.support.identity.TokenMinter;
import org.springframework.stereotype.Component;

/**
 * This node's credentials for the internal endpoints of its peers: a bearer token with {@code iss=ingest}
 * ({@code tributary.identity.name}) and {@code sub} = this node's id, which the peers verify with
 * {@code ingest.security.issuers.ingest} and see as {@code Node:<id>}. Requests a node forwards on behalf of a
 * caller (to a group's coordinator, to a replica) carry the caller's own token instead.
 */
@Component
public class NodeCredentials {

    private final TokenMinter minter;
    private final String subject;

    public NodeCredentials(TokenMinter minter, IngestProperties properties) {
        this.minter = minter;
        this.subject = Integer.toString(properties.nodeId());
    }

    /** The {@code Authorization} header value for a call to a peer's internal endpoint. */
    public String authorization() {
        return "Bearer " + minter.token(subject, List.of());
    }
}
