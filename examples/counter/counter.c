// examples/counter, the C twin at /c/count: the same counter, the same ETag retry loop.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swiftlet.h"

static const char store[] = "statestore";
static const char key[] = "count";

/* Reads the counter; *etag gets its ETag ("" when the key does not exist yet). */
static int32_t read_count(long *value, char *etag, int32_t etag_cap) {
    char text[32];
    int32_t n = swiftlet_state_get(store, sizeof store - 1, key, sizeof key - 1, text, sizeof text - 1);
    etag[0] = 0;
    *value = 0;
    if (n == SWIFTLET_ENOTFOUND) return SWIFTLET_OK;
    if (n < 0) return n;
    if (n > (int32_t)sizeof text - 1) return SWIFTLET_ETOOLARGE;
    text[n] = 0;
    *value = strtol(text, NULL, 10);
    int32_t e = swiftlet_etag(etag, etag_cap - 1);
    if (e < 0 || e > etag_cap - 1) return SWIFTLET_EINTERNAL;
    etag[e] = 0;
    return SWIFTLET_OK;
}

static int32_t handle(void) {
    char method[8];
    int32_t m = swiftlet_req_method(method, sizeof method - 1);
    method[m > 0 && m < (int32_t)sizeof method ? m : 0] = 0;
    swiftlet_set_header("content-type", "text/plain");

    long value;
    char etag[64];
    int32_t status;
    if (strcmp(method, "POST") == 0) {
        for (;;) {
            if ((status = read_count(&value, etag, sizeof etag)) < 0) break;
            char next[32];
            int len = snprintf(next, sizeof next, "%ld", value + 1);
            status = swiftlet_state_set(store, sizeof store - 1, key, sizeof key - 1, next, len, etag,
                                        (int32_t)strlen(etag), SWIFTLET_FIRST_WRITE, 0);
            if (status == SWIFTLET_ECONFLICT) continue;  // someone else won: read again
            value += 1;
            break;
        }
    } else {
        status = read_count(&value, etag, sizeof etag);
    }
    if (status < 0) {
        swiftlet_resp_status(status == SWIFTLET_EUNAVAILABLE ? 503 : 500);
        char message[48];
        snprintf(message, sizeof message, "state store error %d\n", (int)status);
        swiftlet_write_str(message);
        return 0;
    }
    char text[32];
    snprintf(text, sizeof text, "%ld\n", value);
    swiftlet_write_str(text);
    return 0;
}

SWIFTLET_HANDLER(handle)
