// examples/agent: the `fetch_url` tool. Arguments {"url": "http://..."}: GETs the URL
// through Swiftlet's outbound HTTP, which only reaches the tool's allowed_outbound_hosts,
// and answers the status line and the first 16 KiB of the body.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swiftlet.h"

static void reply(int32_t status, const char *text) {
    swiftlet_resp_status(status);
    swiftlet_set_header("content-type", "text/plain");
    swiftlet_write_str(text);
}

/* Copies the string value of "url" (no escapes needed in a URL) into `url`. */
static int find_url(const char *json, char *url, size_t cap) {
    const char *p = strstr(json, "\"url\"");
    if (!p) return 0;
    p = strchr(p + 5, ':');
    if (!p) return 0;
    p++;
    while (*p == ' ') p++;
    if (*p != '"') return 0;
    p++;
    size_t n = 0;
    while (p[n] && p[n] != '"') n++;
    if (n == 0 || n >= cap) return 0;
    memcpy(url, p, n);
    url[n] = 0;
    return 1;
}

static int32_t handle(void) {
    int32_t length = swiftlet_req_body_len();
    if (length <= 0 || length > 8192) { reply(400, "expected arguments {\"url\": \"...\"}\n"); return 0; }
    char *body = calloc((size_t)length + 1, 1);
    int32_t total = 0, got;
    while (body && total < length && (got = swiftlet_req_body_read(body + total, length - total)) > 0) total += got;
    char url[2048];
    if (!body || !find_url(body, url, sizeof url)) { free(body); reply(400, "expected arguments {\"url\": \"...\"}\n"); return 0; }
    free(body);
    int32_t status = swiftlet_http_send("GET", 3, url, (int32_t)strlen(url), "", 0, NULL, 0);
    if (status < 0) {
        char message[128];
        snprintf(message, sizeof message, "cannot fetch %s: error %d (is the host in allowed_outbound_hosts?)\n", url, status);
        reply(403, message);
        return 0;
    }
    static char page[16384];
    int32_t size = swiftlet_result_read(page, sizeof page);
    if (size < 0) size = 0;
    if (size > (int32_t)sizeof page) size = sizeof page;
    char line[64];
    snprintf(line, sizeof line, "HTTP %d\n", status);
    swiftlet_write_str(line);
    swiftlet_resp_write(page, size);
    return 0;
}
SWIFTLET_HANDLER(handle)
