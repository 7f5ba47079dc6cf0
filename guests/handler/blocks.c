// Handler test guest for the building blocks: one route per capability, chosen by :what.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swiftlet.h"

static char query[1024];

static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The value of `name` in the query string, %XX-decoded, or "". */
static const char *param(const char *name, char *out, size_t cap) {
    size_t n = strlen(name);
    out[0] = 0;
    for (char *p = query; p && *p;) {
        char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len >= n + 1 && strncmp(p, name, n) == 0 && p[n] == '=') {
            const char *v = p + n + 1, *end = p + len;
            size_t o = 0;
            while (v < end && o + 1 < cap) {
                if (*v == '%' && end - v >= 3 && hex(v[1]) >= 0 && hex(v[2]) >= 0) {
                    out[o++] = (char)(hex(v[1]) * 16 + hex(v[2]));
                    v += 3;
                } else {
                    out[o++] = *v++;
                }
            }
            out[o] = 0;
            break;
        }
        p = amp ? amp + 1 : NULL;
    }
    return out;
}

static void status_line(const char *label, int32_t code) {
    char text[96];
    snprintf(text, sizeof text, "%s=%d\n", label, (int)code);
    swiftlet_write_str(text);
}

/* Writes the last result's body. */
static void write_result(void) {
    char buf[4096];
    int32_t n = swiftlet_result_read(buf, sizeof buf);
    if (n > 0 && n <= (int32_t)sizeof buf) swiftlet_resp_write(buf, n);
}

static int32_t handle(void) {
    char what[32], value[256], other[256];
    int32_t n = swiftlet_get_param("what", what, sizeof what - 1);
    what[n > 0 && n < (int32_t)sizeof what ? n : 0] = 0;
    n = swiftlet_req_query(query, sizeof query - 1);
    query[n > 0 && n < (int32_t)sizeof query ? n : 0] = 0;
    swiftlet_set_header("content-type", "text/plain");

    if (!strcmp(what, "secret")) {
        param("name", value, sizeof value);
        param("store", other, sizeof other);
        int32_t r = swiftlet_secret_get(other, (int32_t)strlen(other), value, (int32_t)strlen(value), NULL, 0);
        status_line("status", r < 0 ? r : 0);
        if (r >= 0) write_result();
    } else if (!strcmp(what, "config")) {
        param("key", value, sizeof value);
        int32_t r = swiftlet_config_get("config", 6, value, (int32_t)strlen(value), NULL, 0);
        status_line("status", r < 0 ? r : 0);
        if (r >= 0) {
            write_result();
            char version[64];
            int32_t v = swiftlet_result_meta("version", 7, version, sizeof version - 1);
            version[v > 0 && v < (int32_t)sizeof version ? v : 0] = 0;
            swiftlet_write_str("\nversion=");
            swiftlet_write_str(version);
        }
    } else if (!strcmp(what, "http")) {
        param("url", value, sizeof value);
        int32_t r = swiftlet_http_send("GET", 3, value, (int32_t)strlen(value), "x-from: guest\n", 14, "", 0);
        status_line("status", r);
        if (r >= 0) write_result();
    } else if (!strcmp(what, "invoke")) {
        param("path", value, sizeof value);
        param("app", other, sizeof other);
        int32_t r = swiftlet_invoke(other, (int32_t)strlen(other), "GET", 3, value, (int32_t)strlen(value), "", 0, "", 0);
        status_line("status", r);
        if (r >= 0) write_result();
    } else if (!strcmp(what, "loop")) {
        // Invokes itself: the host must stop the cycle.
        int32_t r = swiftlet_invoke("blocks", 6, "GET", 3, "/blocks/loop", 12, "", 0, "", 0);
        status_line("status", r);
        if (r >= 0) write_result();
    } else if (!strcmp(what, "denied")) {
        status_line("state", swiftlet_state_get("forbidden", 9, "k", 1, NULL, 0));
        status_line("publish", swiftlet_publish("forbidden", 9, "t", 1, "x", 1, "", 0));
    } else if (!strcmp(what, "binding")) {
        int32_t r = swiftlet_binding_invoke("webhook", 7, "get", 3, "", 0, "path: /\n", 8, NULL, 0);
        status_line("status", r < 0 ? r : 0);
        if (r >= 0) write_result();
    } else if (!strcmp(what, "publish")) {
        param("topic", value, sizeof value);
        param("data", other, sizeof other);
        status_line("status", swiftlet_publish("pubsub", 6, value, (int32_t)strlen(value), other, (int32_t)strlen(other),
                                               "text/plain", 10));
    } else if (!strcmp(what, "save")) {
        // The same operations the Dapr API test makes, for comparing the two paths.
        param("key", value, sizeof value);
        param("value", other, sizeof other);
        status_line("status", swiftlet_state_set("statestore", 10, value, (int32_t)strlen(value), other,
                                                 (int32_t)strlen(other), "", 0, 0, 0));
    } else if (!strcmp(what, "load")) {
        param("key", value, sizeof value);
        int32_t r = swiftlet_state_get("statestore", 10, value, (int32_t)strlen(value), NULL, 0);
        status_line("status", r < 0 ? r : 0);
        if (r >= 0) write_result();
    } else if (!strcmp(what, "publish-raw")) {
        param("topic", value, sizeof value);
        param("data", other, sizeof other);
        static const char metadata[] = "rawPayload: true\n";
        status_line("status", swiftlet_publish_meta("pubsub", 6, value, (int32_t)strlen(value), other,
                                                    (int32_t)strlen(other), "text/plain", 10, metadata,
                                                    (int32_t)sizeof metadata - 1));
    } else if (!strcmp(what, "raw")) {
        // A subscriber to raw payloads: logs the body exactly as it arrived.
        char body[256];
        int32_t got = swiftlet_req_body_read(body, sizeof body - 1);
        body[got > 0 && got < (int32_t)sizeof body ? got : 0] = 0;
        char line[300];
        snprintf(line, sizeof line, "raw body %s", body);
        swiftlet_log_str(SWIFTLET_LOG_INFO, line);
        swiftlet_write_str("{\"status\":\"SUCCESS\"}");
    } else if (!strcmp(what, "event") || !strcmp(what, "deadletter")) {
        // A subscriber: logs what it got, then answers by the message's text.
        int32_t len = swiftlet_req_body_len();
        char *body = malloc((size_t)len + 1);
        int32_t got = swiftlet_req_body_read(body, len);
        body[got > 0 ? got : 0] = 0;
        char attempt[16];
        int32_t a = swiftlet_get_header("x-swiftlet-delivery-attempt", attempt, sizeof attempt - 1);
        attempt[a > 0 && a < (int32_t)sizeof attempt ? a : 0] = 0;
        const char *data = strstr(body, "\"data\":\"");
        char text[128] = "?";
        if (data) {
            data += 8;
            size_t i = 0;
            while (data[i] && data[i] != '"' && i + 1 < sizeof text) { text[i] = data[i]; i++; }
            text[i] = 0;
        }
        // Dead letters arrive unchanged (the envelope still names the original topic), so the
        // route tells them apart.
        const char *topic = strcmp(what, "deadletter") == 0 ? "dlq" : "work";
        char line[256];
        snprintf(line, sizeof line, "event %s %s attempt %s", topic, text, attempt);
        swiftlet_log_str(SWIFTLET_LOG_INFO, line);
        free(body);
        if (!strncmp(text, "retry-twice", 11) && atoi(attempt) < 3) swiftlet_write_str("{\"status\":\"RETRY\"}");
        else if (!strncmp(text, "drop", 4) && strcmp(topic, "work") == 0) swiftlet_write_str("{\"status\":\"DROP\"}");
        else if (!strncmp(text, "fail", 4) && strcmp(topic, "work") == 0) swiftlet_resp_status(500);
        else swiftlet_write_str("{\"status\":\"SUCCESS\"}");
    } else {
        swiftlet_resp_status(404);
    }
    return 0;
}

SWIFTLET_HANDLER(handle)
