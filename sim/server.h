/*
 * server — hrsim's HTTP side: libmicrohttpd with a thread per connection,
 * routing by tool prefix, the control endpoints (/__sim/mutate, fault,
 * requests, reset), throttling, fault injection and latency, and the
 * streaming of large bodies. Vendor modules only see struct http_req/resp.
 */
#ifndef HB_SIM_SERVER_H
#define HB_SIM_SERVER_H

#include "sim.h"

struct server;

/* Starts listening on opt->host:opt->port. opt is copied. Writes the new
 * server to *out. Returns SIM_OK, SIM_ERR_INVALID (bad address) or
 * SIM_ERR_INTERNAL (could not listen). */
int server_new(const struct sim_options *opt, struct server **out);

/* The port actually bound (useful with port 0). */
int server_port(const struct server *s);

/* Stops serving, waits for connections to finish (stalls are cut short) and
 * frees everything. NULL is a no-op. */
void server_destroy(struct server *s);

#endif
