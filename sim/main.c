/*
 * hrsim — simulated remote HR systems (Personio, BambooHR, HiBob, Factorial)
 * for tests, demos and benchmarks. See sim/README.md.
 */
#include "server.h"
#include "sim.h"
#include "simerr.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int stop_pipe[2] = {-1, -1};

/* Async-signal-safe: wakes main() through the pipe, whichever thread the
 * signal lands on. */
static void on_signal(int sig)
{
    unsigned char b = (unsigned char)sig;
    int saved = errno;

    if (write(stop_pipe[1], &b, 1) < 0) {
        /* nothing else can be done here */
    }
    errno = saved;
}

int main(int argc, char **argv)
{
    struct sim_options opt;
    struct server *srv = NULL;
    struct sigaction sa;
    char err[256] = "";
    unsigned char sig = 0;
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

    if (pipe(stop_pipe) != 0) {
        perror("hrsim: pipe");
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

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
    while (read(stop_pipe[0], &sig, 1) < 0 && errno == EINTR)
        ;
    fprintf(stderr, "hrsim: stopping (signal %d)\n", sig);
    server_destroy(srv);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    return 0;
}
