// WAGI test guest that sleeps for QUERY_STRING milliseconds, then answers: a slow request
// for graceful-shutdown tests, and a sleep past the deadline for timeout tests.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void) {
    const char *query = getenv("QUERY_STRING");
    long ms = query ? atol(query) : 0;
    // Said on stderr (Swiftlet's log) before sleeping, so a test knows the request is in.
    fprintf(stderr, "sleeping %ld ms\n", ms);
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
    printf("content-type: text/plain\n\nslept %ld ms\n", ms);
    return 0;
}
