// {{name}}: a Swiftlet handler in C. The swiftlet_v1 ABI is described in swiftlet.h.
#include "swiftlet.h"

static int32_t handle(void) {
    char name[128];
    int32_t n = swiftlet_get_param("name", name, sizeof name);
    if (n < 0 || n > (int32_t)sizeof name) {
        swiftlet_resp_status(400);
        swiftlet_write_str("name missing or too long\n");
        return 0;
    }
    swiftlet_set_header("content-type", "text/plain; charset=utf-8");
    swiftlet_write_str("Hello, ");
    swiftlet_resp_write(name, n);
    swiftlet_write_str("!\n");
    return 0;
}

SWIFTLET_HANDLER(handle)
