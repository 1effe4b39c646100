/* Ceiling (a): a libfcgi responder that answers every request with a fixed
 * /health JSON. What SealDrop's GET /health is compared with. */
#include "ceiling.h"

static const char response[] =
    "Status: 200 OK\r\n" CEILING_HEADERS "Content-Length: 60\r\n\r\n"
    "{\"status\":\"healthy\",\"timestamp\":\"2026-01-01T00:00:00+00:00\"}";

static void *worker(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, ceiling_listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(response, (int)sizeof response - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    return ceiling_main(argc, argv, worker);
}
