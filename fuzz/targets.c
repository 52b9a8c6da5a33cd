/* targets — the table of fuzz targets, by the name of their corpus folder. */
#include "fuzz/targets.h"

const struct fuzz_target fuzz_targets[] = {
    {"cursor", fuzz_cursor},       {"query", fuzz_query},
    {"body", fuzz_body},           {"personio", fuzz_personio},
    {"bamboohr", fuzz_bamboohr},   {"hibob", fuzz_hibob},
    {"factorial", fuzz_factorial}, {NULL, NULL},
};
