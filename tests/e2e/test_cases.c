/*
 * test_cases — runs the data-driven cases in tests/e2e/cases/<area>/NNN-name.case
 * against one real `hrbridge serve`. Each case gets API keys of its own
 * fresh environments, so cases cannot see each other's data. A case is a
 * series of steps:
 *
 *   # comment
 *   --- request
 *   POST /v1/integrations          method and path (${VAR}s are substituted)
 *   Authorization: Bearer ${KEY}   headers, up to a blank line
 *
 *   {"tool":"personio"}            the body, up to the next "---" line
 *   --- status 201
 *   --- header X-Request-Id <id>
 *   --- json                        exact JSON match (json-subset: extra keys allowed)
 *   {"status":"success","data":{"id":"<re:^personio:[1-9A-Za-z]{24}$>"}}
 *   --- capture ID data.id          stores a value for later ${ID}
 *
 * A body line "@repeat N C" stands for N copies of the character C.
 * Placeholders in expected strings: <any> <string> <number> <integer> <bool>
 * <null> <object> <array> <string|null> <id> <timestamp> <re:ERE>.
 * Variables: ${KEY}, ${OTHER_KEY} (another environment), ${BASE}, captures;
 * ${NAME|pct} is the value percent-encoded.
 * After every case the server must still answer.
 */
#include "harness.h"

#include <dirent.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define MAX_VARS 32

struct var {
    char name[64];
    char *value;
};

struct vars {
    struct var v[MAX_VARS];
    int n;
};

static struct hproc server;
static char tmp[512];
static char db[600];

/* ---- small text helpers ------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *s;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    s[n] = '\0';
    fclose(f);
    return s;
}

static void set_var(struct vars *vs, const char *name, const char *value)
{
    for (int i = 0; i < vs->n; i++) {
        if (strcmp(vs->v[i].name, name) == 0) {
            free(vs->v[i].value);
            vs->v[i].value = strdup(value);
            return;
        }
    }
    assert_true(vs->n < MAX_VARS);
    snprintf(vs->v[vs->n].name, sizeof(vs->v[vs->n].name), "%s", name);
    vs->v[vs->n].value = strdup(value);
    vs->n++;
}

/* Percent-encodes every byte outside [A-Za-z0-9-._~]. */
static char *pct_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *o = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* Replaces ${NAME} (or ${NAME|pct}, percent-encoded) with its value;
 * unknown names fail the test. */
static char *subst(const struct vars *vs, const char *s)
{
    size_t cap = strlen(s) + 256, len = 0;
    char *out = malloc(cap), *encoded = NULL;

    while (*s) {
        const char *val = NULL;
        size_t vlen, skip = 1;
        if (s[0] == '$' && s[1] == '{') {
            const char *end = strchr(s, '}');
            size_t nlen;
            int pct = 0;
            assert_non_null(end);
            nlen = (size_t)(end - s - 2);
            if (nlen > 4 && strncmp(end - 4, "|pct", 4) == 0) {
                pct = 1;
                nlen -= 4;
            }
            for (int i = 0; i < vs->n; i++) {
                if (strlen(vs->v[i].name) == nlen && strncmp(vs->v[i].name, s + 2, nlen) == 0)
                    val = vs->v[i].value;
            }
            if (!val)
                fail_msg("unknown variable %.*s", (int)(end - s + 1), s);
            if (pct) {
                free(encoded);
                encoded = pct_encode(val);
                val = encoded;
            }
            skip = (size_t)(end - s + 1);
        }
        vlen = val ? strlen(val) : 1;
        if (len + vlen + 1 > cap) {
            cap = (len + vlen + 1) * 2;
            out = realloc(out, cap);
        }
        memcpy(out + len, val ? val : s, vlen);
        len += vlen;
        s += skip;
    }
    out[len] = '\0';
    free(encoded);
    return out;
}

/* ---- JSON matching ------------------------------------------------------ */

static int match_placeholder(const char *want, json_t *got, char *why, size_t whylen)
{
    if (strcmp(want, "<any>") == 0)
        return 1;
    if (strcmp(want, "<string>") == 0)
        return json_is_string(got);
    if (strcmp(want, "<number>") == 0)
        return json_is_number(got);
    if (strcmp(want, "<integer>") == 0)
        return json_is_integer(got);
    if (strcmp(want, "<bool>") == 0)
        return json_is_boolean(got);
    if (strcmp(want, "<null>") == 0)
        return json_is_null(got);
    if (strcmp(want, "<object>") == 0)
        return json_is_object(got);
    if (strcmp(want, "<array>") == 0)
        return json_is_array(got);
    if (strcmp(want, "<string|null>") == 0)
        return json_is_string(got) || json_is_null(got);
    if (strcmp(want, "<id>") == 0)
        want = "<re:^[1-9A-HJ-NP-Za-km-z]{24}$>";
    if (strcmp(want, "<timestamp>") == 0)
        want = "<re:^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$>";
    if (strncmp(want, "<re:", 4) == 0) {
        char pattern[512];
        regex_t re;
        int ok;
        size_t n = strlen(want) - 5;
        if (!json_is_string(got))
            return 0;
        snprintf(pattern, sizeof(pattern), "%.*s", (int)n, want + 4);
        if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
            snprintf(why, whylen, "bad regex %s", pattern);
            return 0;
        }
        ok = regexec(&re, json_string_value(got), 0, NULL, 0) == 0;
        regfree(&re);
        return ok;
    }
    return -1; /* not a placeholder */
}

static int is_placeholder(const char *s)
{
    size_t n = strlen(s);
    return n > 2 && s[0] == '<' && s[n - 1] == '>';
}

/* Returns 1 when got matches want; otherwise writes the path into why. */
static int json_match(json_t *want, json_t *got, int subset, const char *path, char *why,
                      size_t whylen)
{
    char sub[512];

    if (json_is_string(want) && is_placeholder(json_string_value(want))) {
        int m = match_placeholder(json_string_value(want), got, why, whylen);
        if (m >= 0) {
            if (!m && !*why) {
                char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : strdup("(missing)");
                snprintf(why, whylen, "%s: %s does not match %s", path, g, json_string_value(want));
                free(g);
            }
            return m;
        }
    }
    if (!got) {
        snprintf(why, whylen, "%s: missing", path);
        return 0;
    }
    if (json_is_object(want)) {
        const char *k;
        json_t *v;
        if (!json_is_object(got)) {
            snprintf(why, whylen, "%s: expected an object", path);
            return 0;
        }
        json_object_foreach (want, k, v) {
            snprintf(sub, sizeof(sub), "%s.%s", path, k);
            if (!json_match(v, json_object_get(got, k), subset, sub, why, whylen))
                return 0;
        }
        if (!subset) {
            json_object_foreach (got, k, v) {
                if (!json_object_get(want, k)) {
                    snprintf(why, whylen, "%s.%s: unexpected key", path, k);
                    return 0;
                }
            }
        }
        return 1;
    }
    if (json_is_array(want)) {
        if (!json_is_array(got) || json_array_size(got) != json_array_size(want)) {
            snprintf(why, whylen, "%s: expected an array of %zu", path, json_array_size(want));
            return 0;
        }
        for (size_t i = 0; i < json_array_size(want); i++) {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            if (!json_match(json_array_get(want, i), json_array_get(got, i), subset, sub, why,
                            whylen))
                return 0;
        }
        return 1;
    }
    /* Scalars: equal type and value (1 and 1.0 differ on purpose). */
    if (!json_equal(want, got) || json_typeof(want) != json_typeof(got)) {
        char *w = json_dumps(want, JSON_ENCODE_ANY), *g = json_dumps(got, JSON_ENCODE_ANY);
        snprintf(why, whylen, "%s: expected %s, got %s", path, w, g);
        free(w);
        free(g);
        return 0;
    }
    return 1;
}

static json_t *json_at(json_t *j, const char *path)
{
    char buf[256], *save = NULL, *tok;

    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok && j; tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(j))
            j = json_array_get(j, strtoul(tok, NULL, 10));
        else
            j = json_object_get(j, tok);
    }
    return j;
}

/* ---- running a case ----------------------------------------------------- */

struct step {
    char *method, *path;
    char *headers[16];
    int nheaders;
    char *body;
    size_t body_len;
    int has_body;
};

static void step_free(struct step *st)
{
    free(st->method);
    free(st->path);
    for (int i = 0; i < st->nheaders; i++)
        free(st->headers[i]);
    free(st->body);
    memset(st, 0, sizeof(*st));
}

/* Returns the text of the block starting at *p (up to the next "---" line). */
static char *take_block(char **p)
{
    char *start = *p, *q = *p;

    while (*q) {
        if (strncmp(q, "---", 3) == 0 && (q == start || q[-1] == '\n'))
            break;
        q = strchr(q, '\n');
        q = q ? q + 1 : start + strlen(start);
    }
    *p = q;
    return strndup(start, (size_t)(q - start));
}

static void trim_end(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static void parse_request(struct step *st, const struct vars *vs, char *block)
{
    char *line = block, *nl, *body_start = NULL;

    nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    {
        char *sp = strchr(line, ' ');
        assert_non_null(sp);
        st->method = strndup(line, (size_t)(sp - line));
        st->path = subst(vs, sp + 1);
        trim_end(st->path);
    }
    line = nl ? nl + 1 : line + strlen(line);
    while (*line) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (line[0] == '\0' || line[0] == '\r') {
            body_start = nl ? nl + 1 : line + strlen(line);
            break;
        }
        assert_true(st->nheaders < 16);
        st->headers[st->nheaders++] = subst(vs, line);
        line = nl ? nl + 1 : line + strlen(line);
    }
    if (body_start && *body_start) {
        unsigned long n;
        char c;
        trim_end(body_start);
        if (sscanf(body_start, "@repeat %lu %c", &n, &c) == 2) {
            st->body = malloc(n + 1);
            memset(st->body, c, n);
            st->body[n] = '\0';
            st->body_len = n;
        } else {
            st->body = subst(vs, body_start);
            st->body_len = strlen(st->body);
        }
        st->has_body = 1;
    }
}

static void run_case(void **state)
{
    const char *path = *state;
    char *text = read_file(path), *p;
    struct vars vs = {0};
    struct step st = {0};
    struct hresp r = {0};
    char key[128], other[128], name[128];
    static int counter;
    int have_resp = 0;

    assert_non_null(text);
    snprintf(name, sizeof(name), "case-%d", ++counter);
    assert_int_equal(harness_new_key(db, name, key, sizeof(key)), 0);
    snprintf(name, sizeof(name), "case-%d-other", counter);
    assert_int_equal(harness_new_key(db, name, other, sizeof(other)), 0);
    set_var(&vs, "KEY", key);
    set_var(&vs, "OTHER_KEY", other);
    set_var(&vs, "BASE", server.base_url);

    p = text;
    while (*p) {
        char *directive, *block, *nl;

        if (strncmp(p, "---", 3) != 0) { /* comments and blank lines between blocks */
            nl = strchr(p, '\n');
            p = nl ? nl + 1 : p + strlen(p);
            continue;
        }
        nl = strchr(p, '\n');
        directive = strndup(p + 4, nl ? (size_t)(nl - p - 4) : strlen(p + 4));
        trim_end(directive);
        p = nl ? nl + 1 : p + strlen(p);
        block = take_block(&p);

        if (strcmp(directive, "request") == 0) {
            char url[4096];
            const char *hdrs[17];
            step_free(&st);
            hresp_free(&r);
            parse_request(&st, &vs, block);
            for (int i = 0; i < st.nheaders; i++)
                hdrs[i] = st.headers[i];
            hdrs[st.nheaders] = NULL;
            snprintf(url, sizeof(url), "%s%s", server.base_url, st.path);
            if (harness_http(st.method, url, hdrs, st.has_body ? st.body : NULL, st.body_len, &r) !=
                0)
                fail_msg("%s: %s %s: no response", path, st.method, st.path);
            have_resp = 1;
        } else if (strncmp(directive, "status ", 7) == 0) {
            long want = strtol(directive + 7, NULL, 10);
            assert_true(have_resp);
            if (r.status != want)
                fail_msg("%s: %s %s: status %ld, expected %ld; body: %.500s", path, st.method,
                         st.path, r.status, want, r.body);
        } else if (strncmp(directive, "header ", 7) == 0) {
            char hname[128], hwant[256], got[512], why[512] = "";
            json_t *g;
            int m;
            assert_int_equal(sscanf(directive + 7, "%127s %255[^\n]", hname, hwant), 2);
            if (hresp_header(&r, hname, got, sizeof(got)) != 0)
                fail_msg("%s: header %s missing", path, hname);
            g = json_string(got);
            m = match_placeholder(hwant, g, why, sizeof(why));
            if (m < 0)
                m = strcmp(hwant, got) == 0;
            json_decref(g);
            if (!m)
                fail_msg("%s: header %s: %s does not match %s", path, hname, got, hwant);
        } else if (strcmp(directive, "json") == 0 || strcmp(directive, "json-subset") == 0) {
            char *expected = subst(&vs, block), why[1024] = "";
            json_error_t je;
            json_t *want = json_loads(expected, JSON_DECODE_ANY, &je);
            if (!want)
                fail_msg("%s: expected JSON is invalid: %s (line %d)", path, je.text, je.line);
            if (!r.json)
                fail_msg("%s: %s %s: response is not JSON: %.300s", path, st.method, st.path,
                         r.body);
            if (!json_match(want, r.json, directive[4] == '-', "$", why, sizeof(why)))
                fail_msg("%s: %s %s: %s\n  body: %.1500s", path, st.method, st.path, why, r.body);
            json_decref(want);
            free(expected);
        } else if (strncmp(directive, "capture ", 8) == 0) {
            char vname[64], jpath[256];
            json_t *v;
            assert_int_equal(sscanf(directive + 8, "%63s %255s", vname, jpath), 2);
            v = json_at(r.json, jpath);
            if (!json_is_string(v))
                fail_msg("%s: capture %s: no string at %s", path, vname, jpath);
            set_var(&vs, vname, json_string_value(v));
        } else {
            fail_msg("%s: unknown directive \"%s\"", path, directive);
        }
        free(directive);
        free(block);
    }
    step_free(&st);
    hresp_free(&r);

    /* Whatever the case sent, the server keeps serving. */
    {
        char url[256], auth[256];
        const char *h[] = {auth, NULL};
        snprintf(url, sizeof(url), "%s/v1/check-api-key", server.base_url);
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
        assert_int_equal(harness_http("GET", url, h, NULL, 0, &r), 0);
        assert_int_equal(r.status, 200);
        hresp_free(&r);
    }
    for (int i = 0; i < vs.n; i++)
        free(vs.v[i].value);
    free(text);
}

/* ---- discovery and fixtures --------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db, sizeof(db), "sqlite:%s/hrbridge.db", tmp);
    return harness_start_hrbridge(&server, tmp, db, NULL);
}

static int group_teardown(void **state)
{
    (void)state;
    harness_stop(&server);
    harness_rmtree(tmp);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *dir, char ***list, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        char path[1024];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            collect(path, list, n);
        } else if (strlen(e->d_name) > 5 &&
                   strcmp(e->d_name + strlen(e->d_name) - 5, ".case") == 0) {
            *list = realloc(*list, (*n + 1) * sizeof(**list));
            (*list)[(*n)++] = strdup(path);
        }
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/e2e/cases";
    char **paths = NULL;
    struct CMUnitTest *tests;
    size_t n = 0;
    int rc;

    collect(dir, &paths, &n);
    if (n == 0) {
        fprintf(stderr, "no .case files under %s\n", dir);
        return 1;
    }
    qsort(paths, n, sizeof(*paths), cmp_str);
    tests = calloc(n, sizeof(*tests));
    for (size_t i = 0; i < n; i++) {
        tests[i].name = paths[i] + strlen(dir) + 1;
        tests[i].test_func = run_case;
        tests[i].initial_state = paths[i];
    }
    rc = _cmocka_run_group_tests("cases", tests, n, group_setup, group_teardown);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(tests);
    return rc;
}
