/*
 * parse_floor — how long jansson takes just to parse the responses a sync
 * downloads: the least a sync that reads every byte it is sent can cost.
 *
 *   parse_floor TOKEN URLS
 *
 * URLS is the curl config bench/run.sh writes for its download baseline
 * (lines `url = "…"`). Each URL is fetched with one keep-alive connection
 * and `Authorization: Bearer TOKEN`; only the parse of each body (the
 * connectors' jsonarena_loadb) and its release are timed. Prints
 * "BYTES SECONDS" (parse time only) on stdout.
 */
#include "core/buf.h"
#include "core/err.h"
#include "core/jsonarena.h"

#include <curl/curl.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_BODY (64u << 20)

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
    /* Past MAX_BODY buf_append fails, and so does the transfer. */
    return buf_append(ud, ptr, size * n) == ERR_OK ? size * n : 0;
}

/* Seconds, finer than isotime_mono_ms: one balance parses in microseconds. */
static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct curl_slist *headers = NULL;
    struct buf b;
    char line[4096], auth[1024];
    double parse_s = 0;
    long long bytes = 0;
    int rc = 1;
    FILE *urls;
    CURL *h;

    if (argc != 3) {
        fprintf(stderr, "usage: parse_floor TOKEN URLS\n");
        return 2;
    }
    urls = fopen(argv[2], "r");
    if (!urls) {
        perror(argv[2]);
        return 1;
    }
    buf_init(&b, MAX_BODY);
    jsonarena_install();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h = curl_easy_init();
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[1]);
    headers = curl_slist_append(headers, auth);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    while (fgets(line, sizeof(line), urls)) {
        char *url = strstr(line, "url = \"");
        char *end;
        json_error_t jerr;
        json_t *doc;
        double t0;

        if (!url)
            continue;
        url += strlen("url = \"");
        end = strchr(url, '"');
        if (!end)
            continue;
        *end = '\0';
        buf_reset(&b);
        curl_easy_setopt(h, CURLOPT_URL, url);
        if (curl_easy_perform(h) != CURLE_OK) {
            fprintf(stderr, "parse_floor: %s failed\n", url);
            goto out;
        }
        t0 = mono_s();
        doc = jsonarena_loadb(buf_str(&b), b.len, 0, &jerr);
        json_decref(doc);
        parse_s += mono_s() - t0;
        if (!doc) {
            fprintf(stderr, "parse_floor: %s: %s\n", url, jerr.text);
            goto out;
        }
        bytes += (long long)b.len;
    }
    printf("%lld %.2f\n", bytes, parse_s);
    rc = 0;
out:
    fclose(urls);
    buf_free(&b);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    jsonarena_thread_done();
    return rc;
}
