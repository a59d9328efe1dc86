package io.tributary.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.function.UnaryOperator;

/**
 * An OpenID Connect issuer on loopback, as far as a resource server sees one: its discovery document
 * ({@code /.well-known/openid-configuration}) and its JWK set ({@code /jwks}, one RSA key), and tokens it signs
 * (RS256). Also the tokens an attacker would try: signed by another key under the same key id, unsigned
 * ({@code alg: none}), or HMAC-signed with the issuer's public key as the secret.
 */
final class LocalIssuer {

    static final String AUDIENCE = "tributary";

    private final RSAKey key = generate("k1");
    private final RSAKey foreignKey = generate("k1"); // same key id, another key
    private final HttpServer server;

    LocalIssuer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/.well-known/openid-configuration", exchange -> answer(exchange,
                "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/jwks\","
                        + "\"subject_types_supported\":[\"public\"],"
                        + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
        server.createContext("/jwks", exchange -> answer(exchange, new JWKSet(key).toPublicJWKSet().toString()));
        server.start();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }

    /** The claims of a good token for {@code subject}: this issuer, the audience, issued now, valid 5 minutes. */
    JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer()).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    /** A token signed with this issuer's key; {@code edit} changes the good claims first. */
    String token(String subject, UnaryOperator<JWTClaimsSet.Builder> edit) {
        return sign(key, JWSAlgorithm.RS256, edit.apply(claims(subject)).build());
    }

    /** Good claims signed by a key the issuer never published, under the published key's id. */
    String tokenOfAnotherKey(String subject) {
        return sign(foreignKey, JWSAlgorithm.RS256, claims(subject).build());
    }

    /** Good claims, not signed at all. */
    String unsignedToken(String subject) {
        return new PlainJWT(claims(subject).build()).serialize();
    }

    /** Good claims, HMAC-signed with the issuer's public key as the secret (the "algorithm confusion" attack). */
    String tokenSignedWithThePublicKeyAsHmacSecret(String subject) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                    claims(subject).build());
            jwt.sign(new MACSigner(key.toRSAPublicKey().getEncoded()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(RSAKey with, JWSAlgorithm algorithm, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(with.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(with));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey generate(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
