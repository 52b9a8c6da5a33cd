/* Unit tests for http/slowclient.c: the deadline for a request to arrive. */
#include "http/slowclient.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* 1 when the peer of fd[0] sees its connection shut down. */
static int was_dropped(const int fd[2])
{
    char c;
    return recv(fd[1], &c, 1, MSG_DONTWAIT) == 0;
}

static void waiting_clients_are_dropped(void **state)
{
    struct slowclient *sc = NULL;
    int a[2], b[2], sa, sb;

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
    assert_int_equal(slowclient_new(2000, 4, 0, &sc), ERR_OK);
    sa = slowclient_open(sc, a[0], 1000);
    sb = slowclient_open(sc, b[0], 1000);
    assert_true(sa >= 0 && sb >= 0 && sa != sb);
    /* b's request arrives in time; a's does not. */
    slowclient_arrived(sc, sb);
    assert_int_equal(slowclient_sweep(sc, 2999), 0);
    assert_int_equal(slowclient_sweep(sc, 3000), 1);
    assert_true(was_dropped(a));
    assert_false(was_dropped(b));
    /* Dropped once, not again. */
    assert_int_equal(slowclient_sweep(sc, 9000), 0);
    /* While b's request is handled no clock runs; after its response it does. */
    slowclient_waiting(sc, sb, 9000);
    assert_int_equal(slowclient_sweep(sc, 10999), 0);
    assert_int_equal(slowclient_sweep(sc, 11000), 1);
    assert_true(was_dropped(b));
    slowclient_close(sc, sa);
    slowclient_close(sc, sb);
    slowclient_destroy(sc);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

static void slots_are_reused_and_bounded(void **state)
{
    struct slowclient *sc = NULL;
    int s[3];

    (void)state;
    assert_int_equal(slowclient_new(1000, 2, 0, &sc), ERR_OK);
    s[0] = slowclient_open(sc, 100, 0);
    s[1] = slowclient_open(sc, 101, 0);
    s[2] = slowclient_open(sc, 102, 0);
    assert_true(s[0] >= 0 && s[1] >= 0);
    assert_int_equal(s[2], -1); /* full: not watched */
    slowclient_close(sc, s[0]);
    slowclient_close(sc, s[0]); /* twice is harmless */
    assert_int_equal(slowclient_open(sc, 103, 0), s[0]);
    /* -1 is accepted everywhere. */
    slowclient_arrived(sc, -1);
    slowclient_waiting(sc, -1, 0);
    slowclient_close(sc, -1);
    slowclient_destroy(sc);
    slowclient_destroy(NULL);
}

static void the_watcher_drops_on_its_own(void **state)
{
    struct slowclient *sc = NULL;
    struct timespec ts = {0, 20 * 1000000L};
    int a[2], slot, dropped = 0;

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    assert_int_equal(slowclient_new(50, 4, 1, &sc), ERR_OK);
    slot = slowclient_open(sc, a[0], 0); /* opened "long ago" on the monotonic clock */
    for (int i = 0; i < 100 && !dropped; i++) {
        nanosleep(&ts, NULL);
        dropped = was_dropped(a);
    }
    assert_true(dropped);
    slowclient_close(sc, slot);
    slowclient_destroy(sc);
    close(a[0]);
    close(a[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(waiting_clients_are_dropped),
        cmocka_unit_test(slots_are_reused_and_bounded),
        cmocka_unit_test(the_watcher_drops_on_its_own),
    };
    return cmocka_run_group_tests_name("http/slowclient", tests, NULL, NULL);
}
