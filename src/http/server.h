/*
 * server — the HTTP server on libmicrohttpd: an epoll event loop with a
 * thread pool sized to the cores, bounded request bodies, one request
 * context per request (freed when the response is done), a request id in
 * the X-Request-Id header and in the access log line.
 */
#ifndef HB_HTTP_SERVER_H
#define HB_HTTP_SERVER_H

#include "api/app.h"
#include "core/err.h"

struct server;

/* Starts listening on app->cfg->listen. Returns ERR_OK and *out, or
 * ERR_INVALID / ERR_INTERNAL with e saying why (bad address, port taken). */
int server_start(const struct app *app, struct server **out, struct err *e);

/* The port actually bound (useful with port 0). */
int server_port(const struct server *s);

/* Stops accepting, finishes in-flight requests, frees. Accepts NULL. */
void server_stop(struct server *s);

#endif
