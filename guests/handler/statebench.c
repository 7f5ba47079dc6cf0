// Benchmark guest: one state operation per request (/get, /set) or none (/noop), so the
// host can time a guest's state call against a raw round trip to the same backend.
#include <string.h>
#include "swiftlet.h"

static int32_t handle(void) {
    char path[16];
    int32_t n = swiftlet_req_path(path, sizeof path - 1);
    path[n > 0 && n < (int32_t)sizeof path ? n : 0] = 0;
    char value[64];
    if (!strcmp(path, "/get")) {
        n = swiftlet_state_get("statestore", 10, "bench", 5, value, sizeof value);
        if (n < 0 && n != SWIFTLET_ENOTFOUND) return 1;
    } else if (!strcmp(path, "/set")) {
        if (swiftlet_state_set("statestore", 10, "bench", 5, "value", 5, "", 0, 0, 0) < 0) return 1;
    } else if (!strcmp(path, "/event")) {
        swiftlet_write_str("{\"status\":\"SUCCESS\"}");
    }
    return 0;
}

SWIFTLET_HANDLER(handle)
