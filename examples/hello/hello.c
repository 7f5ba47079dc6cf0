// A WAGI guest: an ordinary WASI command. Swiftlet runs it CGI-style per request:
// the response is the CGI headers, a blank line and the body printed on stdout.
#include <stdio.h>

int main(void) {
    printf("content-type: text/plain; charset=utf-8\n\n");
    printf("Hello from C, served over WAGI\n");
    return 0;
}
