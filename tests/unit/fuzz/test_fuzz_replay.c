/*
 * Replays every committed fuzz input through its target in the ordinary
 * build: the seed corpora (fuzz/corpus/<target>/) and the inputs that once
 * crashed something (fuzz/regressions/<target>/). A target aborts or trips a
 * sanitizer on a bug, so passing means none of them came back. Runs from the
 * repository root, as make test does.
 */
#include "fuzz/targets.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAX_FILE (4 * 1024 * 1024)

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs t over every file of dir in name order; returns how many. */
static int replay_dir(const struct fuzz_target *t, const char *dir)
{
    char **names = NULL, path[1024];
    size_t n = 0;
    struct dirent *d;
    DIR *dp = opendir(dir);
    int count = 0;

    if (!dp)
        return 0;
    while ((d = readdir(dp))) {
        if (d->d_name[0] == '.')
            continue;
        names = realloc(names, sizeof(*names) * (n + 1));
        names[n++] = strdup(d->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof(*names), compare);
    for (size_t i = 0; i < n; i++) {
        uint8_t *data = malloc(MAX_FILE);
        size_t len;
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        f = fopen(path, "rb");
        assert_non_null(f);
        len = fread(data, 1, MAX_FILE, f);
        fclose(f);
        /* The name goes first, so a crash says which input it was. */
        print_message("  %s\n", path);
        assert_int_equal(t->fn(data, len), 0);
        free(data);
        free(names[i]);
        count++;
    }
    free(names);
    return count;
}

static void replay(void **state)
{
    const struct fuzz_target *t = *state;
    char dir[256];
    int n;

    snprintf(dir, sizeof(dir), "fuzz/corpus/%s", t->name);
    n = replay_dir(t, dir);
    assert_true(n > 0); /* every target has seeds */
    snprintf(dir, sizeof(dir), "fuzz/regressions/%s", t->name);
    replay_dir(t, dir);
}

int main(void)
{
    struct CMUnitTest tests[16];
    int n = 0;

    for (const struct fuzz_target *t = fuzz_targets; t->name && n < 16; t++) {
        tests[n].name = t->name;
        tests[n].test_func = replay;
        tests[n].setup_func = NULL;
        tests[n].teardown_func = NULL;
        tests[n].initial_state = (void *)t;
        n++;
    }
    return _cmocka_run_group_tests("fuzz_replay", tests, (size_t)n, NULL, NULL);
}
