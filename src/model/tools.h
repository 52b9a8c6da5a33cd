/*
 * tools — the remote HR systems hrbridge has connectors for: their ids,
 * labels, default API base URL, the shape of the credentials an integration
 * of that tool takes, and which unified models each one covers.
 */
#ifndef HB_MODEL_TOOLS_H
#define HB_MODEL_TOOLS_H

#include "model/models.h"

enum coverage { COV_SUPPORTED, COV_UNSUPPORTED, COV_NOT_IMPLEMENTED, COV_UNKNOWN };

struct tool_def {
    const char *id;    /* "personio" */
    const char *label; /* "Personio" */
    /* Default base URL; "{company_domain}" is replaced by that credential. */
    const char *default_base_url;
    const char *const *credential_keys; /* required string keys, NULL-terminated */
    const char *connection_guide_url;
    enum coverage coverage[MODEL_COUNT];
    /* Unified fields the tool never fills (their filters are "unsupported"). */
    const char *const *unsupported_fields;
};

/* All tools, in display order; *n gets their count. */
const struct tool_def *tools_all(size_t *n);

/* A tool by id, or NULL. */
const struct tool_def *tools_find(const char *id);

/* Whether tool (may be NULL) never fills the unified field. */
int tools_field_unsupported(const struct tool_def *tool, const char *field);

/* "SUPPORTED", "UNSUPPORTED", "NOT_IMPLEMENTED" or "UNKNOWN". */
const char *tools_coverage_name(enum coverage c);

#endif
