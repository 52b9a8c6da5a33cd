/*
 * entry — the libFuzzer entry point. fuzz/fuzz.mk compiles this file once
 * per target with -DFUZZ_TARGET=fuzz_<name>.
 */
#include "fuzz/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return FUZZ_TARGET(data, size);
}
