package io.tributary.deployment.fuzz;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.LongStream;

/**
 * One request the fuzzer sends.
 *
 * @param operation    the operation it was made from
 * @param kind         what was done to it ({@code wrong-type body field "partitions"}, ...): names the case in reports
 * @param pathAndQuery the raw path with its query, percent-encoding as sent
 * @param contentType  the Content-Type header, or null for none
 * @param body         the body, or null for none
 * @param bodyLength   bytes of an {@link #oversize} body generated while it is sent (then {@code body} is null)
 * @param refusalDue   the request is invalid whatever the stored data: an answer below 400 is a finding. Only such
 *                     cases name the fixtures (the data {@link StoredState} compares), so that nothing accepted may
 *                     change them
 */
public record FuzzCase(ApiOperation operation, String kind, String pathAndQuery, String contentType, byte[] body,
                       long bodyLength, boolean refusalDue) {

    static FuzzCase of(ApiOperation operation, String kind, String pathAndQuery, String contentType, String body,
                       boolean refusalDue) {
        return new FuzzCase(operation, kind, pathAndQuery, contentType,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), 0, refusalDue);
    }

    /** A body of {@code length} bytes (a JSON object with one long string), never held in memory whole. */
    static FuzzCase oversize(ApiOperation operation, String pathAndQuery, long length) {
        return new FuzzCase(operation, "oversize body (" + (length >> 20) + " MiB)", pathAndQuery, "application/json",
                null, length, true);
    }

    HttpRequest.BodyPublisher publisher() {
        if (body != null) {
            return HttpRequest.BodyPublishers.ofByteArray(body);
        }
        if (bodyLength > 0) {
            // read-only chunks, so one filler serves the whole body: {"name":"xxxx... (never closed)
            byte[] filler = new byte[1 << 16];
            Arrays.fill(filler, (byte) 'x');
            byte[] first = filler.clone();
            byte[] head = "{\"name\":\"".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(head, 0, first, 0, head.length);
            long chunks = bodyLength / filler.length;
            return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArrays(
                    () -> LongStream.range(0, chunks).mapToObj(i -> i == 0 ? first : filler).iterator()),
                    chunks * filler.length);
        }
        return HttpRequest.BodyPublishers.noBody();
    }

    String method() {
        return operation.method();
    }

    @Override
    public String toString() {
        return method() + " " + (pathAndQuery.length() > 160 ? pathAndQuery.substring(0, 160) + "..." : pathAndQuery)
                + " [" + kind + "]";
    }
}
