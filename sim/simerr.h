/*
 * simerr — status codes of hrsim. hrsim is a separate program from hrbridge
 * and does not link src/core, so it keeps its own small enum in the same
 * style as core/err.h: every fallible function returns one of these, 0 is
 * success, and values come back through out-parameters written on success.
 */
#ifndef HB_SIM_SIMERR_H
#define HB_SIM_SIMERR_H

enum sim_err {
    SIM_OK = 0,
    SIM_ERR_NOMEM,
    SIM_ERR_INVALID,
    SIM_ERR_NOT_FOUND,
    SIM_ERR_TOO_LARGE,
    SIM_ERR_UNAUTHORIZED,
    SIM_ERR_INTERNAL,
};

#endif
