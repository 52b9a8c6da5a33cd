/*
 * log — one logfmt line per event on stderr:
 *   ts=2024-05-01T00:00:00.000Z level=warn comp=fetch msg="..." status=429
 *
 * NEVER log credentials, tokens, API keys, request bodies or HR field values.
 * Log ids, counts, durations and status codes only.
 *
 * The level is checked before the arguments are evaluated. Components named
 * in log_set_trace() log at debug level even when the global level is higher.
 */
#ifndef HB_CORE_LOG_H
#define HB_CORE_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Set once at startup, before threads start. */
extern int log_level_current;

/* Sets the global level from a name ("error", "warn", "info", "debug").
 * Returns 0, or -1 for an unknown name. */
int log_set_level(const char *name);

/* Sets the comma-separated components traced at debug level ("http,sync"). */
void log_set_trace(const char *components);

/* Whether a message at level for comp would be written. */
int log_enabled(int level, const char *comp);

/* Writes one line. fmt holds the key=value pairs after comp (usually
 * starting with msg="..."). */
void log_write(int level, const char *comp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_at(level, comp, ...)                                                                   \
    do {                                                                                           \
        if (log_enabled((level), (comp)))                                                          \
            log_write((level), (comp), __VA_ARGS__);                                               \
    } while (0)
#define log_error(comp, ...) log_at(LOG_ERROR, comp, __VA_ARGS__)
#define log_warn(comp, ...)  log_at(LOG_WARN, comp, __VA_ARGS__)
#define log_info(comp, ...)  log_at(LOG_INFO, comp, __VA_ARGS__)
#define log_debug(comp, ...) log_at(LOG_DEBUG, comp, __VA_ARGS__)

#endif
