/* @hyped/native: the foreground-mask kernel (mask.c), registered by boxread.c's module init. */
#ifndef HYPED_NATIVE_MASK_H
#define HYPED_NATIVE_MASK_H
#include <node_api.h>

/* maskAbove(c0, c1 | null, n, t, out): out[i] = (c0[i] > t) | (c1[i] > t) as 0/1 for i < n (see mask.c) */
napi_value MaskAbove(napi_env env, napi_callback_info info);

#endif
