// Handler test guest (C): echoes what the swiftlet_v1 ABI exposes about the request.
#include <stdlib.h>
#include <string.h>
#include "swiftlet.h"

static void put(const char *label, int32_t (*get)(char *, int32_t)) {
    char small[8];
    int32_t n = get(small, sizeof small);
    swiftlet_write_str(label);
    if (n < 0) { swiftlet_write_str("<error>\n"); return; }
    // Exercise the copy-out convention: a short buffer reports the full length.
    char *buf = n > (int32_t)sizeof small ? malloc(n) : small;
    if (n > (int32_t)sizeof small) get(buf, n);
    swiftlet_resp_write(buf, n);
    swiftlet_write_str("\n");
    if (buf != small) free(buf);
}

static void put_param(const char *name) {
    char buf[512];
    int32_t n = swiftlet_get_param(name, buf, sizeof buf);
    swiftlet_write_str("param ");
    swiftlet_write_str(name);
    swiftlet_write_str("=");
    if (n == SWIFTLET_ENOTFOUND) swiftlet_write_str("<none>");
    else if (n >= 0 && n <= (int32_t)sizeof buf) swiftlet_resp_write(buf, n);
    swiftlet_write_str("\n");
}

static int32_t handle(void) {
    char value[256];
    int32_t n = swiftlet_get_header("x-status", value, sizeof value - 1);
    if (n > 0) { value[n] = 0; swiftlet_resp_status(atoi(value)); }
    swiftlet_set_header("content-type", "text/plain");
    swiftlet_set_header("x-echo", "handler");

    put("method=", swiftlet_req_method);
    put("path=", swiftlet_req_path);
    put("query=", swiftlet_req_query);
    put_param("id");
    put_param("...");
    n = swiftlet_get_header("x-missing", value, sizeof value);
    swiftlet_write_str(n == SWIFTLET_ENOTFOUND ? "missing-header=notfound\n" : "missing-header=?\n");
    put("headers:\n", swiftlet_req_headers);

    swiftlet_write_str("body=");
    int32_t length = swiftlet_req_body_len();
    char chunk[7];  // odd size: exercises several reads
    int32_t total = 0, got;
    while ((got = swiftlet_req_body_read(chunk, sizeof chunk)) > 0) {
        swiftlet_resp_write(chunk, got);
        total += got;
    }
    swiftlet_write_str(total == length ? "\nbody-length-ok\n" : "\nbody-length-mismatch\n");
    swiftlet_log_str(SWIFTLET_LOG_INFO, "echo handled a request");
    return 0;
}

SWIFTLET_HANDLER(handle)
