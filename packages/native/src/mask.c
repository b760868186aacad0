/*
 * @hyped/native: maskAbove, the foreground mask out[i] = (c0[i] > t) | (c1[i] > t) of one or two float64 (or
 * float32) channels, in one pass over the channels where they are (@hyped/imaging's maskAbove).
 *
 * Why in C: a WebAssembly kernel can only read its own memory, so the channels (147 MB for a HYPED frame's
 * two) are first copied in, then read again: 4 ms of copy before a 1.5 ms kernel. Here the compare reads them
 * once, as numpy's does.
 *
 * The comparison is JavaScript's (and IEEE 754's ordered) `x > t`: NaN on either side is never above, -0 equals
 * +0, subnormals compare as they are (no flush to zero; this file must not be built with -ffast-math), and a
 * float32 pixel is widened to float64 exactly before the compare, as JavaScript reads it.
 *
 * Vectorisation: gcc 12 does not vectorise the plain loop with SSE2 alone (it needs a 64-bit integer compare for
 * the double masks: SSE4.1), so the x86-64 baseline is written with SSE2 intrinsics: cmpltpd (t < x, false for
 * NaN), two masks per pixel pair ORed, packed 64 -> 32 -> 16 -> 8 bits (shufps, packssdw, packsswb) and ANDed
 * with 1: 16 pixels per iteration. With -mavx2 gcc does vectorise the plain loop, but measured on the bench
 * frame an AVX2 copy was no faster (5.2-6.4 ms against 5.3-6.2 ms: the loop waits for memory), so there is no
 * runtime dispatch. Other CPUs run the plain loop, which their compiler may vectorise.
 *
 * Outputs from jobs that read at least STREAM_MIN_READ bytes are written with streaming stores: such a read
 * evicts the first output lines from the last-level cache anyway, and a plain store would first read each
 * output line from memory (bench frame: 5.3-6.2 ms -> 4.3-4.8 ms per call).
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "mask.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define INLINE static inline __attribute__((always_inline))
#ifndef STREAM_MIN_READ
#define STREAM_MIN_READ ((size_t)32 << 20)
#endif

/* pixel i of a channel, widened to float64 */
INLINE double px(const void *c, int f32, size_t i) {
  return f32 ? (double)((const float *)c)[i] : ((const double *)c)[i];
}

/* the plain loop from pixel i to n: the reference semantics, the tail of the SIMD loop, and other CPUs */
INLINE void mask_plain(const void *a, const void *b, int f32, uint8_t *o, size_t i, size_t n, double t) {
  for (; i < n; i++) o[i] = (uint8_t)((px(a, f32, i) > t) | (b ? px(b, f32, i) > t : 0));
}

#if defined(__SSE2__)
/* two pixels from i, as float64 */
INLINE __m128d ld2(const void *c, int f32, size_t i) {
  if (f32) return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)((const float *)c + i))));
  return _mm_loadu_pd((const double *)c + i);
}

/* four pixels from i: 32-bit lanes all ones where a pixel of a channel is above t */
INLINE __m128i grp4(const void *a, const void *b, int f32, size_t i, __m128d tv) {
  __m128d m0 = _mm_cmpgt_pd(ld2(a, f32, i), tv);
  __m128d m1 = _mm_cmpgt_pd(ld2(a, f32, i + 2), tv);
  if (b) {
    m0 = _mm_or_pd(m0, _mm_cmpgt_pd(ld2(b, f32, i), tv));
    m1 = _mm_or_pd(m1, _mm_cmpgt_pd(ld2(b, f32, i + 2), tv));
  }
  return _mm_castps_si128(_mm_shuffle_ps(_mm_castpd_ps(m0), _mm_castpd_ps(m1), _MM_SHUFFLE(2, 0, 2, 0)));
}

/* sixteen pixels from i as 16 bytes of 0/1 */
INLINE __m128i grp16(const void *a, const void *b, int f32, size_t i, __m128d tv) {
  const __m128i w0 = _mm_packs_epi32(grp4(a, b, f32, i, tv), grp4(a, b, f32, i + 4, tv));
  const __m128i w1 = _mm_packs_epi32(grp4(a, b, f32, i + 8, tv), grp4(a, b, f32, i + 12, tv));
  return _mm_and_si128(_mm_packs_epi16(w0, w1), _mm_set1_epi8(1));
}

INLINE void mask_simd(const void *a, const void *b, int f32, uint8_t *o, size_t n, double t) {
  const __m128d tv = _mm_set1_pd(t);
  size_t i = 0;
  const size_t read = n * (f32 ? 4 : 8) * (b ? 2 : 1);
  if (read >= STREAM_MIN_READ) {
    /* plain stores up to the first 16-byte aligned output byte, then streaming stores */
    const size_t head = (16 - ((uintptr_t)o & 15)) & 15;
    mask_plain(a, b, f32, o, 0, head, t);
    for (i = head; i + 16 <= n; i += 16) _mm_stream_si128((__m128i *)(o + i), grp16(a, b, f32, i, tv));
    _mm_sfence();
  } else {
    for (; i + 16 <= n; i += 16) _mm_storeu_si128((__m128i *)(o + i), grp16(a, b, f32, i, tv));
  }
  mask_plain(a, b, f32, o, i, n, t);
}
#define MASK(a, b, f32, o, n, t) mask_simd(a, b, f32, o, n, t)
#else
#define MASK(a, b, f32, o, n, t) mask_plain(a, b, f32, o, 0, n, t)
#endif

/* one function per case, so each inlines its own loop with constant f32 / b */
static void mask_f64(const double *a, const double *b, uint8_t *o, size_t n, double t) {
  if (b) MASK(a, b, 0, o, n, t);
  else MASK(a, NULL, 0, o, n, t);
}
static void mask_f32(const float *a, const float *b, uint8_t *o, size_t n, double t) {
  if (b) MASK(a, b, 1, o, n, t);
  else MASK(a, NULL, 1, o, n, t);
}

typedef struct {
  napi_typedarray_type type;
  size_t length;  /* elements */
  uint8_t *data;
} View;

/* a TypedArray's type, length and bytes; 0 when v is not a TypedArray */
static int view_of(napi_env env, napi_value v, View *out) {
  bool is = false;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, v, &out->type, &out->length, &data, NULL, NULL) != napi_ok) return 0;
  out->data = (uint8_t *)data;
  return 1;
}

static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_undefined || t == napi_null);
}

/* whether the byte ranges [p, p + a) and [q, q + b) overlap */
static int overlaps(const uint8_t *p, size_t a, const uint8_t *q, size_t b) {
  return a > 0 && b > 0 && (uintptr_t)p < (uintptr_t)q + b && (uintptr_t)q < (uintptr_t)p + a;
}

#define FAIL(kind, msg)                                \
  do {                                                 \
    napi_throw_##kind(env, "HYPED_NATIVE", "maskAbove: " msg); \
    return NULL;                                       \
  } while (0)

/* maskAbove(c0, c1, n, t, out): every argument is checked before a byte is read or written */
napi_value MaskAbove(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value a[5];
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != 5)
    FAIL(type_error, "takes 5 arguments (c0, c1 or null, n, t, out)");
  View c0, c1, out;
  if (!view_of(env, a[0], &c0) || (c0.type != napi_float64_array && c0.type != napi_float32_array))
    FAIL(type_error, "c0 must be a Float64Array or a Float32Array");
  const int two = !is_nullish(env, a[1]);
  if (two && (!view_of(env, a[1], &c1) || c1.type != c0.type))
    FAIL(type_error, "c1 must be null, undefined, or a TypedArray of c0's type");
  napi_valuetype nt, tt;
  double nd, t;
  if (napi_typeof(env, a[2], &nt) != napi_ok || nt != napi_number || napi_typeof(env, a[3], &tt) != napi_ok || tt != napi_number)
    FAIL(type_error, "n and t must be numbers");
  if (napi_get_value_double(env, a[2], &nd) != napi_ok || napi_get_value_double(env, a[3], &t) != napi_ok)
    FAIL(type_error, "n and t must be numbers");
  if (!view_of(env, a[4], &out) || out.type != napi_uint8_array) FAIL(type_error, "out must be a Uint8Array");
  if (!(nd >= 0 && nd <= 9007199254740991.0) || nd != (double)(int64_t)nd) FAIL(range_error, "n must be a non-negative integer");
  const size_t n = (size_t)nd;
  if (n > c0.length || (two && n > c1.length) || n > out.length)
    FAIL(range_error, "n is larger than a channel or than out");
  const size_t es = c0.type == napi_float64_array ? 8 : 4;
  if (overlaps(out.data, n, c0.data, n * es) || (two && overlaps(out.data, n, c1.data, n * es)))
    FAIL(range_error, "out must not share bytes with a channel");
  if (n > 0) {
    if (es == 8) mask_f64((const double *)c0.data, two ? (const double *)c1.data : NULL, out.data, n, t);
    else mask_f32((const float *)c0.data, two ? (const float *)c1.data : NULL, out.data, n, t);
  }
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}
