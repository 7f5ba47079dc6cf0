// WAGI test guest that uses memory the way real CGI programs do: QUERY_STRING "mib=N"
// mallocs and touches N MiB (default 4); "fill" allocates 1 MiB blocks until malloc fails,
// filling whatever memory cap the host set. The host must give all of it back when the
// instance is done.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *volatile kept;

static void touch(char *block, size_t bytes) {
    for (size_t page = 0; page < bytes; page += 4096) block[page] = 1;
    kept = block;  // observable, so the compiler cannot elide the allocation
}

int main(void) {
    const char *query = getenv("QUERY_STRING");
    size_t total = 0;
    if (query && strstr(query, "fill")) {
        char *block;
        while ((block = malloc(1 << 20)) != NULL) {
            touch(block, 1 << 20);
            total += 1 << 20;
        }
    } else {
        long mib = 4;
        const char *value = query ? strstr(query, "mib=") : NULL;
        if (value) mib = strtol(value + 4, NULL, 10);
        if (mib < 0 || mib > 1024) mib = 4;
        size_t bytes = (size_t)mib << 20;
        char *block = malloc(bytes);
        if (!block) {
            printf("status: 507 Insufficient Storage\ncontent-type: text/plain\n\nno memory\n");
            return 0;
        }
        touch(block, bytes);
        total = bytes;
    }
    printf("content-type: text/plain\n\ntouched %zu bytes\n", total);
    return 0;
}
