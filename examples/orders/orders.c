// examples/orders: one module, two roles (the component's ROLE environment variable).
//   api:   POST /orders publishes the JSON order to topic "orders" (or the TOPIC environment
//          variable's, so several apps can share a broker); GET /orders/count answers
//          how many distinct orders are stored.
//   store: receives each order (a CloudEvent) from the subscription and stores it once: the
//          order key is created first-write and the count updated with its ETag in one
//          transaction, so redeliveries and concurrent deliveries never double-count.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swiftlet.h"

static const char store[] = "statestore";
static const char count_key[] = "orders-count";

static void reply(int32_t status, const char *text) {
    swiftlet_resp_status(status);
    swiftlet_set_header("content-type", "text/plain");
    swiftlet_write_str(text);
}

/* Reads the request body into a malloc'd, NUL-terminated buffer. */
static char *read_body(int32_t *length) {
    int32_t n = swiftlet_req_body_len();
    char *body = malloc((size_t)n + 1);
    int32_t total = 0, got;
    while (body && total < n && (got = swiftlet_req_body_read(body + total, n - total)) > 0) total += got;
    if (body) body[total] = 0;
    *length = total;
    return body;
}

/* Copies the value of "id" (a string or a number) found at or after `from` into `id`. */
static int find_id(const char *from, char *id, size_t cap) {
    const char *p = strstr(from, "\"id\"");
    if (!p) return 0;
    p = strchr(p + 4, ':');
    if (!p) return 0;
    p++;
    while (*p == ' ') p++;
    size_t n = 0;
    if (*p == '"') {
        p++;
        while (*p && *p != '"' && n + 1 < cap) id[n++] = *p++;
    } else {
        while (*p && (*p == '-' || (*p >= '0' && *p <= '9')) && n + 1 < cap) id[n++] = *p++;
    }
    id[n] = 0;
    return n > 0;
}

static int32_t read_count(long *count, char *etag, int32_t cap) {
    char text[32];
    etag[0] = 0;
    *count = 0;
    int32_t n = swiftlet_state_get(store, sizeof store - 1, count_key, sizeof count_key - 1, text, sizeof text - 1);
    if (n == SWIFTLET_ENOTFOUND) return SWIFTLET_OK;
    if (n < 0) return n;
    text[n < (int32_t)sizeof text ? n : 0] = 0;
    *count = strtol(text, NULL, 10);
    int32_t e = swiftlet_etag(etag, cap - 1);
    if (e < 0 || e >= cap) return SWIFTLET_EINTERNAL;
    etag[e] = 0;
    return SWIFTLET_OK;
}

static int32_t api(void) {
    char method[8];
    int32_t m = swiftlet_req_method(method, sizeof method - 1);
    method[m > 0 && m < (int32_t)sizeof method ? m : 0] = 0;
    if (strcmp(method, "GET") == 0) {
        long count;
        char etag[64];
        int32_t status = read_count(&count, etag, sizeof etag);
        if (status < 0) { reply(503, "state store unavailable\n"); return 0; }
        char text[32];
        snprintf(text, sizeof text, "%ld\n", count);
        reply(200, text);
        return 0;
    }
    int32_t length;
    char *body = read_body(&length);
    char id[128];
    if (!body || !find_id(body, id, sizeof id)) {
        free(body);
        reply(400, "an order is a JSON object with an \"id\"\n");
        return 0;
    }
    static const char pubsub[] = "pubsub", json[] = "application/json";
    const char *topic = getenv("TOPIC");
    if (!topic || !*topic) topic = "orders";
    int32_t status = swiftlet_publish(pubsub, sizeof pubsub - 1, topic, (int32_t)strlen(topic), body, length, json, sizeof json - 1);
    free(body);
    if (status < 0) { reply(503, "could not publish the order\n"); return 0; }
    char text[160];
    snprintf(text, sizeof text, "accepted order %s\n", id);
    reply(202, text);
    return 0;
}

static int32_t store_order(void) {
    int32_t length;
    char *event = read_body(&length);
    const char *data = event ? strstr(event, "\"data\"") : NULL;
    char id[128];
    if (!data || !find_id(data, id, sizeof id)) {
        free(event);
        // Not an order: DROP it rather than retry forever.
        reply(200, "{\"status\":\"DROP\"}");
        return 0;
    }
    free(event);
    char order_key[160];
    int key_len = snprintf(order_key, sizeof order_key, "order-%s", id);
    for (;;) {
        char scratch[8];
        int32_t seen = swiftlet_state_get(store, sizeof store - 1, order_key, key_len, scratch, sizeof scratch);
        if (seen >= 0) break;  // stored before: a redelivery, nothing to do
        if (seen != SWIFTLET_ENOTFOUND) { reply(500, "state store error\n"); return 0; }
        long count;
        char etag[64];
        if (read_count(&count, etag, sizeof etag) < 0) { reply(500, "state store error\n"); return 0; }
        char next[32];
        int next_len = snprintf(next, sizeof next, "%ld", count + 1);
        uint8_t ops[512];
        swiftlet_frame f = {ops, 0, sizeof ops};
        swiftlet_frame_u8(&f, 1);  // upsert the order, only if new
        swiftlet_frame_bytes(&f, order_key, key_len);
        swiftlet_frame_bytes(&f, "1", 1);
        swiftlet_frame_bytes(&f, "", 0);
        swiftlet_frame_u8(&f, SWIFTLET_FIRST_WRITE);
        swiftlet_frame_i32(&f, 0);
        swiftlet_frame_u8(&f, 1);  // the count, only over the version read
        swiftlet_frame_bytes(&f, count_key, sizeof count_key - 1);
        swiftlet_frame_bytes(&f, next, next_len);
        swiftlet_frame_bytes(&f, etag, (int32_t)strlen(etag));
        swiftlet_frame_u8(&f, SWIFTLET_FIRST_WRITE);
        swiftlet_frame_i32(&f, 0);
        int32_t status = swiftlet_state_transact(store, sizeof store - 1, ops, f.len);
        if (status == SWIFTLET_ECONFLICT) continue;
        if (status < 0) { reply(500, "state store error\n"); return 0; }
        break;
    }
    reply(200, "{\"status\":\"SUCCESS\"}");
    return 0;
}

static int32_t handle(void) {
    const char *role = getenv("ROLE");
    return role && strcmp(role, "store") == 0 ? store_order() : api();
}

SWIFTLET_HANDLER(handle)
