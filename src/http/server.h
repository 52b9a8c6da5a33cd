/*
 * server — the HTTP server on libmicrohttpd: an epoll event loop with a
 * thread pool sized to the cores, one request context per request (freed
 * when the response is done), a request id in the X-Request-Id header and
 * in the access log line. It enforces the caps of docs/limits.md: body,
 * header and URL sizes, connections (in all and per IP), idle and slow
 * clients (http/slowclient), requests per API key (http/ratelimit, applied
 * by http/auth), and drains in-flight requests on shutdown.
 */
#ifndef HB_HTTP_SERVER_H
#define HB_HTTP_SERVER_H

#include "api/app.h"
#include "core/err.h"

#include <stdint.h>

struct server;

/* Starts listening on app->cfg->listen. Returns ERR_OK and *out, or
 * ERR_INVALID / ERR_INTERNAL with e saying why (bad address, port taken). */
int server_start(const struct app *app, struct server **out, struct err *e);

/* The port actually bound (useful with port 0). */
int server_port(const struct server *s);

/* Starts a graceful stop: closes the listening socket (new connections are
 * refused), marks responses "Connection: close", and waits until every
 * request whose headers have arrived has been answered or the monotonic
 * clock reaches deadline_ms. Returns the number still in flight. */
int server_drain(struct server *s, int64_t deadline_ms);

/* Stops the server (closing any connection still open) and frees. Accepts
 * NULL. Call server_drain first for a graceful stop. */
void server_stop(struct server *s);

#endif
