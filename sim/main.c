/*
 * hrsim — simulated remote HR systems (Personio, BambooHR, HiBob, Factorial)
 * for tests, demos and benchmarks. See sim/README.md.
 */
#include "server.h"
#include "sim.h"
#include "simerr.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct sim_options opt;
    struct server *srv = NULL;
    char err[256] = "";
    sigset_t set;
    int sig = 0;
    int rc;

    sim_defaults(&opt);
    rc = sim_parse_args(argc, argv, &opt, err, sizeof(err));
    if (rc == SIM_ERR_NOT_FOUND) {
        fputs(sim_usage, stdout);
        return 0;
    }
    if (rc) {
        fprintf(stderr, "hrsim: %s\n\n%s", err, sim_usage);
        return 2;
    }

    /* Block the stop signals before any thread starts, then wait for one. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    rc = server_new(&opt, &srv);
    if (rc) {
        fprintf(stderr, "hrsim: cannot listen on %s:%d\n", opt.host, opt.port);
        return 1;
    }
    fprintf(stderr,
            "hrsim: listening on http://%s:%d (employees=%lld custom_fields=%d seed=%llu "
            "fault_rate=%g rate_limit=%d latency_ms=%d)\n",
            opt.host, server_port(srv), (long long)opt.employees, opt.custom_fields,
            (unsigned long long)opt.seed, opt.fault_rate, opt.rate_limit, opt.latency_ms);
    fflush(stderr);
    sigwait(&set, &sig);
    fprintf(stderr, "hrsim: stopping (signal %d)\n", sig);
    server_destroy(srv);
    return 0;
}
