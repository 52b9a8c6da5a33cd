/*
 * slowclient — drops connections that take too long to deliver a request.
 * libmicrohttpd closes a connection that stays silent (http.idle_timeout),
 * but one that trickles a byte now and then (slowloris) would stay forever.
 * So each connection is on the clock from the moment it opens, or its last
 * response is done, until its next request has fully arrived (line, headers
 * and body); a watcher thread shuts down the socket of any connection over
 * http.request_timeout, and libmicrohttpd then closes it as a failed read.
 * While a request is being handled or answered the clock stops. The table
 * has one slot per allowed connection, so memory is fixed.
 */
#ifndef HB_HTTP_SLOWCLIENT_H
#define HB_HTTP_SLOWCLIENT_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct slowclient;

/* A table of max_conns slots with a watcher thread that drops connections
 * whose request has not arrived within timeout_ms (when start_watcher is
 * set; tests call slowclient_sweep themselves). Returns ERR_OK and *out, or
 * ERR_INTERNAL. */
int slowclient_new(int64_t timeout_ms, size_t max_conns, int start_watcher,
                   struct slowclient **out);

/* Stops the watcher and frees. Accepts NULL. */
void slowclient_destroy(struct slowclient *sc);

/* A connection on socket fd opened at now_ms: its clock starts. Returns its
 * slot (>= 0), or -1 when the table is full (it is then not watched). */
int slowclient_open(struct slowclient *sc, int fd, int64_t now_ms);

/* The request on slot has fully arrived: the clock stops. Accepts -1. */
void slowclient_arrived(struct slowclient *sc, int slot);

/* The response on slot is done; the connection may carry another request,
 * so the clock starts again at now_ms. Accepts -1. */
void slowclient_waiting(struct slowclient *sc, int slot, int64_t now_ms);

/* The connection on slot is closed (its socket is still open). Frees the
 * slot. Accepts -1. */
void slowclient_close(struct slowclient *sc, int slot);

/* Shuts down the socket of every connection over the time-out at now_ms
 * and returns how many. The watcher calls this a few times a second. */
int slowclient_sweep(struct slowclient *sc, int64_t now_ms);

#endif
