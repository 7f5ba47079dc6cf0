// WAGI test guest: echoes the CGI environment, argv and stdin; QUERY_STRING "mode=..."
// selects CGI edge cases (status, redirect, no output, malformed headers, non-zero exit).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
    const char *query = getenv("QUERY_STRING");
    if (query && strstr(query, "mode=status")) {
        printf("status: 404 Not Found\ncontent-type: text/plain\nx-guest: wagi\n\nnothing here\n");
        return 0;
    }
    if (query && strstr(query, "mode=redirect")) {
        printf("location: /elsewhere\n\n");
        return 0;
    }
    if (query && strstr(query, "mode=silent")) return 0;
    if (query && strstr(query, "mode=giant")) {
        printf("content-type: text/plain\n\n");
        static char block[1 << 16];
        memset(block, 'x', sizeof block);
        for (int i = 0; i < 32; i++) fwrite(block, 1, sizeof block, stdout);  // 2 MiB
        return 0;
    }
    if (query && strstr(query, "mode=noheaders")) {
        printf("just some text without a header block");
        return 0;
    }
    if (query && strstr(query, "mode=exit3")) {
        fprintf(stderr, "guest says goodbye on stderr\n");
        return 3;
    }
    printf("content-type: text/plain\r\n\r\n");
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    printf("stdin=");
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, stdin)) > 0) fwrite(buffer, 1, n, stdout);
    printf("\n");
    return 0;
}
