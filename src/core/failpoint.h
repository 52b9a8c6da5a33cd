/*
 * failpoint — named points where a test build can make an operation fail
 * or the process die, to prove that a fault at that point leaves nothing
 * half done. HRBRIDGE_FAILPOINTS switches them on, a comma list of
 * `name=N[:action]`: the Nth time the point named `name` is reached (from
 * 1, counted per process), `error` makes the operation fail as if it had
 * failed for real (the default), `abort` kills the process at once with
 * abort(). Example: `store.commit=3:error,sync.apply.before_commit=1:abort`.
 * A process that armed points from the environment logs at exit how often
 * each was passed.
 * docs/internals/failpoints.md lists the points.
 *
 * Points are compiled in only when the build defines HB_FAILPOINTS (debug
 * and sanitizer builds); otherwise FAILPOINT(name) is the constant 0 and a
 * release build carries no code for them.
 */
#ifndef HB_CORE_FAILPOINT_H
#define HB_CORE_FAILPOINT_H

#define FAILPOINT_MAX      32 /* entries in one HRBRIDGE_FAILPOINTS */
#define FAILPOINT_NAME_MAX 64 /* bytes of a name, with its NUL */

enum failpoint_action {
    FAILPOINT_ERROR = 1, /* the operation fails */
    FAILPOINT_ABORT,     /* the process dies with abort() */
};

/* Replaces the armed points with those of spec (NULL or "" arms none) and
 * resets every counter. Not safe while other threads pass points: call it
 * at startup (the first failpoint_hit reads HRBRIDGE_FAILPOINTS by itself)
 * or in tests. Returns ERR_OK, or ERR_INVALID for a malformed spec (the
 * reason is logged), in which case nothing is armed. */
int failpoint_configure(const char *spec);

/* Counts one pass through the point name (thread-safe). Returns 1 when this
 * pass must fail (`error`), else 0; does not return for `abort`. The first
 * call reads HRBRIDGE_FAILPOINTS; a malformed value ends the process with
 * exit status 2, so a test cannot silently run without its faults. */
int failpoint_hit(const char *name);

/* How many times the armed point name was passed since it was armed, or -1
 * when no such point is armed. */
long failpoint_count(const char *name);

#ifdef HB_FAILPOINTS
#define FAILPOINT(name) failpoint_hit(name)
#else
#define FAILPOINT(name) 0
#endif

#endif
